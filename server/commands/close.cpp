#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Leaves the selected mailbox: CLOSE (RFC 3501 6.4.2) first expunges it
// silently unless it is read-only; UNSELECT (RFC 3691) does not.
Awaitable close(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    auto& session = ctx.session;
    auto& box = session.selected();
    if (ctx.name == "CLOSE" && !box.read_only)
        co_await session.store().expunge(session.user().id, box.id, std::nullopt);
    session.unselect();
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
