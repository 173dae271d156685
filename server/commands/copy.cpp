#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/imap/sequence_set.hpp"
#include "server/session/session.hpp"
#include "storage/error.hpp"

namespace postimap::commands {
// Copies messages to another mailbox with their flags and internal date,
// RFC 3501 sections 6.4.7 and 6.4.8, answering COPYUID (RFC 4315). OK comes
// after COMMIT.
Awaitable copy(CommandContext& ctx, imap::Reader& args) {
    const bool by_uid = ctx.name == "UID COPY";
    args.space();
    auto set = args.sequence_set();
    args.space();
    std::string target = args.mailbox();
    args.expect_end();

    auto& session = ctx.session;
    auto& box = session.selected();
    const auto ranges = uid_ranges(resolve_messages(set, by_uid, box), box);
    storage::CopyResult result;
    try {
        result = co_await session.store().copy(session.user().id, box.id, ranges, target);
    } catch (const storage::Error& e) {
        if (e.kind() != storage::ErrorKind::not_found)
            throw;
        co_return Completion::no("Mailbox does not exist", "TRYCREATE");
    }
    if (result.mailbox == box.id)
        session.note_selected_mailbox_changed();
    if (result.uids.empty())
        co_return Completion::ok(std::string(ctx.name) + " completed");
    std::vector<std::uint32_t> from, to;
    for (auto [a, b] : result.uids) {
        from.push_back(a.value);
        to.push_back(b.value);
    }
    co_return Completion::ok(std::string(ctx.name) + " completed",
                             "COPYUID " + std::to_string(result.uidvalidity) + " " +
                                 compact_set(from) + " " + compact_set(to));
}

}  // namespace postimap::commands
