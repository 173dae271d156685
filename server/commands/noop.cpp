#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Does nothing but give the server a chance to report changes: NOOP
// (RFC 3501 6.1.2) and CHECK (6.4.1; every change is committed already).
Awaitable noop(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    if (ctx.session.has_selected())
        ctx.session.note_selected_mailbox_changed();
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
