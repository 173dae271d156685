#include "server/commands/handlers.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Ends the session: untagged BYE, then the tagged OK, RFC 3501 section 6.1.3.
Awaitable logout(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    ctx.session.write(imap::untagged_status(imap::Status::bye, "", "Logging out"));
    ctx.session.logout();
    co_return Completion::ok("LOGOUT completed");
}

}  // namespace postimap::commands
