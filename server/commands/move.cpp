#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/imap/response.hpp"
#include "server/imap/sequence_set.hpp"
#include "server/session/session.hpp"
#include "storage/error.hpp"

namespace postimap::commands {
// Moves messages to another mailbox, RFC 6851: one transaction copies them
// (flags and internal date kept) and expunges the originals. The client
// hears COPYUID in an untagged OK, then the expunges (or VANISHED with
// QRESYNC), then the tagged OK.
Awaitable move(CommandContext& ctx, imap::Reader& args) {
    const bool by_uid = ctx.name == "UID MOVE";
    args.space();
    auto set = args.sequence_set();
    args.space();
    std::string target = args.mailbox();
    args.expect_end();

    auto& session = ctx.session;
    auto& box = session.selected();
    if (box.read_only)
        co_return Completion::no("The mailbox is read-only", "READ-ONLY");
    const auto ranges = uid_ranges(resolve_messages(set, by_uid, box), box);
    storage::CopyResult result;
    try {
        result = co_await session.store().move(session.user().id, box.id, ranges, target);
    } catch (const storage::Error& e) {
        if (e.kind() != storage::ErrorKind::not_found)
            throw;
        co_return Completion::no("Mailbox does not exist", "TRYCREATE");
    }
    if (result.uids.empty())
        co_return Completion::ok(std::string(ctx.name) + " completed");
    std::vector<std::uint32_t> from, to;
    std::vector<storage::Uid> gone;
    for (auto [a, b] : result.uids) {
        from.push_back(a.value);
        to.push_back(b.value);
        gone.push_back(a);
    }
    session.write(imap::untagged_status(imap::Status::ok,
                                        "COPYUID " + std::to_string(result.uidvalidity) + " " +
                                            compact_set(from) + " " + compact_set(to),
                                        "Moved"));
    session.report_expunged(gone);
    if (result.mailbox == box.id)
        session.note_selected_mailbox_changed();
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
