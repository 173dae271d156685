#include <algorithm>
#include <cctype>

#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/imap/flag_names.hpp"
#include "server/imap/response.hpp"
#include "server/imap/sequence_set.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace {

struct StoreArgs {
    imap::SequenceSet set;
    storage::FlagChange how;
    bool silent = false;
    storage::Flags flags;
    std::optional<std::uint64_t> unchanged_since;  // RFC 7162 3.1.3
};

StoreArgs read_store_args(imap::Reader& args) {
    args.space();
    auto set = args.sequence_set();
    args.space();
    std::optional<std::uint64_t> unchanged_since;
    if (args.accept('(')) {  // store-modifiers (RFC 4466): only UNCHANGEDSINCE is known
        if (!args.accept_keyword("UNCHANGEDSINCE"))
            throw imap::SyntaxError("Unknown STORE modifier");
        args.space();
        unchanged_since = args.number64();
        args.expect(')');
        args.space();
    }
    std::string item = imap::ascii_upper(args.atom());
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
    return {set, how, silent, imap::parse_settable_flags(names), unchanged_since};
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
    if (a.unchanged_since)
        session.enable_condstore();  // a CONDSTORE enabling command
    auto changed = co_await session.store().change_flags(user, box.id, ranges, a.how, a.flags,
                                                         a.unchanged_since);
    if (!changed.empty())
        session.note_own_modseq(changed.front().modseq);
    const bool condstore = session.condstore();
    if (a.silent && !condstore && !a.unchanged_since)
        co_return Completion::ok(std::string(ctx.name) + " completed");
    auto was_changed = [&changed](storage::Uid uid) {
        return std::any_of(changed.begin(), changed.end(),
                           [uid](const storage::ChangedFlags& c) { return c.uid == uid; });
    };
    // Every message of the set reports its flags, changed or not (with
    // .SILENT and CONDSTORE: the new MODSEQ of those changed, RFC 7162
    // 3.1.3). Messages that failed UNCHANGEDSINCE are listed in MODIFIED.
    auto rows = co_await session.store().fetch(user, box.id, ranges, {});
    std::vector<std::pair<std::uint32_t, std::uint32_t>> modified;
    for (const auto& m : rows) {
        auto msn = box.msn_of(m.uid);
        if (!msn)
            continue;
        if (a.unchanged_since && m.modseq.value > *a.unchanged_since && !was_changed(m.uid)) {
            const auto n = by_uid ? m.uid.value : msn->value;
            modified.emplace_back(n, n);
            continue;
        }
        std::string data;
        if (by_uid)
            data += "UID " + std::to_string(m.uid.value);
        if (!a.silent)
            data += std::string(data.empty() ? "" : " ") + "FLAGS (" +
                    imap::format_flags(m.flags, box.is_recent(m.uid)) + ")";
        if (condstore && (!a.silent || was_changed(m.uid)))
            data += std::string(data.empty() ? "" : " ") + "MODSEQ (" +
                    std::to_string(m.modseq.value) + ")";
        if (!a.silent || (condstore && was_changed(m.uid)))
            session.write("* " + std::to_string(msn->value) + " FETCH (" + data + ")\r\n");
    }
    if (!modified.empty()) {
        std::sort(modified.begin(), modified.end());
        co_return Completion::ok("Conditional STORE failed for some messages",
                                 "MODIFIED " + imap::format_sequence(modified));
    }
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
