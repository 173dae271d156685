#include <algorithm>
#include <cctype>

#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/imap/flag_names.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace {

struct StoreArgs {
    imap::SequenceSet set;
    storage::FlagChange how;
    bool silent = false;
    storage::Flags flags;
};

StoreArgs read_store_args(imap::Reader& args) {
    args.space();
    auto set = args.sequence_set();
    args.space();
    std::string item(args.atom());
    for (auto& c : item)
        c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
    storage::FlagChange how = storage::FlagChange::replace;
    std::string_view rest = item;
    if (rest.starts_with('+')) {
        how = storage::FlagChange::add;
        rest.remove_prefix(1);
    } else if (rest.starts_with('-')) {
        how = storage::FlagChange::remove;
        rest.remove_prefix(1);
    }
    bool silent = rest == "FLAGS.SILENT";
    if (!silent && rest != "FLAGS")
        throw imap::SyntaxError("Expected FLAGS, +FLAGS or -FLAGS");
    args.space();
    std::vector<std::string> names;
    if (args.peek('(')) {
        names = args.flag_list();
    } else {  // RFC 3501 9: flag-list / (flag *(SP flag))
        names.push_back(args.flag());
        while (args.accept(' '))
            names.push_back(args.flag());
    }
    args.expect_end();
    return {set, how, silent, imap::parse_settable_flags(names)};
}

}  // namespace

// Changes message flags, RFC 3501 sections 6.4.6 and 6.4.8 (UID STORE),
// answering with the resulting flags unless .SILENT. OK comes after COMMIT.
Awaitable store(CommandContext& ctx, imap::Reader& args) {
    const bool by_uid = ctx.name == "UID STORE";
    StoreArgs a = read_store_args(args);
    auto& session = ctx.session;
    auto& box = session.selected();
    if (box.read_only)
        co_return Completion::no("The mailbox is read-only", "READ-ONLY");
    const auto ranges = uid_ranges(resolve_messages(a.set, by_uid, box), box);
    if (ranges.empty())
        co_return Completion::ok(std::string(ctx.name) + " completed");
    const auto user = session.user().id;
    auto changed = co_await session.store().change_flags(user, box.id, ranges, a.how, a.flags);
    if (!changed.empty())
        session.note_own_modseq(changed.front().modseq);
    if (!a.silent) {
        // Every message of the set reports its flags, changed or not.
        auto rows = co_await session.store().fetch(user, box.id, ranges, {});
        for (const auto& m : rows) {
            auto msn = box.msn_of(m.uid);
            if (!msn)
                continue;
            std::string line = "* " + std::to_string(msn->value) + " FETCH (";
            if (by_uid)
                line += "UID " + std::to_string(m.uid.value) + " ";
            line += "FLAGS (" + imap::format_flags(m.flags, box.is_recent(m.uid)) + "))\r\n";
            session.write(line);
        }
    }
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
