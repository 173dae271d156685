#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Starts TLS on the plain port, RFC 3501 section 6.2.1 and RFC 2595. The
// session runs the handshake after this OK is sent and drops anything the
// client pipelined behind STARTTLS.
Awaitable starttls(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    if (ctx.session.is_tls())
        co_return Completion::bad("TLS is already active");
    if (!ctx.session.can_start_tls())
        co_return Completion::bad("TLS is not configured on this server");
    ctx.session.start_tls_after_response();
    co_return Completion::ok("Begin TLS negotiation now");
}

}  // namespace postimap::commands
