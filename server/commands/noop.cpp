#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Does nothing but give the server a chance to report changes, RFC 3501
// section 6.1.2.
Awaitable noop(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    if (ctx.session.has_selected())
        ctx.session.note_selected_mailbox_changed();
    co_return Completion::ok("NOOP completed");
}

}  // namespace postimap::commands
