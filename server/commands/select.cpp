#include "server/commands/handlers.hpp"
#include "server/imap/flag_names.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Opens a mailbox read-write (SELECT, RFC 3501 section 6.3.1) or read-only
// (EXAMINE, section 6.3.2). A failed SELECT leaves no mailbox selected.
Awaitable select(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    args.expect_end();
    const bool read_only = ctx.name == "EXAMINE";

    auto& session = ctx.session;
    session.unselect();
    auto snapshot = co_await session.store().open_mailbox(session.user().id, name, !read_only);
    if (!snapshot)
        co_return Completion::no("Mailbox does not exist", "NONEXISTENT");

    const std::string defined = imap::format_defined_flags(snapshot->keywords);
    session.write(imap::untagged("FLAGS (" + defined + ")"));
    session.write(imap::untagged_status(
        imap::Status::ok, "PERMANENTFLAGS (" + (read_only ? std::string() : defined + " \\*") + ")",
        read_only ? "No permanent flags permitted" : "Flags permitted"));
    session::SelectedMailbox selected{snapshot->id,
                                      snapshot->name,
                                      read_only,
                                      snapshot->uidvalidity,
                                      std::move(snapshot->uids),
                                      {},
                                      snapshot->highestmodseq};
    selected.claim_recent(snapshot->recent_from, selected.uids.cbegin());
    session.write(imap::untagged(std::to_string(selected.exists()) + " EXISTS"));
    session.write(imap::untagged(std::to_string(selected.recent()) + " RECENT"));
    if (snapshot->first_unseen) {
        if (auto msn = selected.msn_of(*snapshot->first_unseen))
            session.write(imap::untagged_status(
                imap::Status::ok, "UNSEEN " + std::to_string(msn->value), "First unseen"));
    }
    session.write(imap::untagged_status(
        imap::Status::ok, "UIDVALIDITY " + std::to_string(snapshot->uidvalidity), "UIDs valid"));
    session.write(imap::untagged_status(imap::Status::ok,
                                        "UIDNEXT " + std::to_string(snapshot->uidnext.value),
                                        "Predicted next UID"));
    session.select(std::move(selected));
    co_return Completion::ok(std::string(ctx.name) + " completed",
                             read_only ? "READ-ONLY" : "READ-WRITE");
}

}  // namespace postimap::commands
