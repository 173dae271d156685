#include "server/commands/command_table.hpp"
#include "server/commands/handlers.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Lists what the server supports, RFC 3501 section 6.1.1.
Awaitable capability(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    ctx.session.write(imap::untagged("CAPABILITY " + ctx.session.capabilities()));
    co_return Completion::ok("CAPABILITY completed");
}

}  // namespace postimap::commands
