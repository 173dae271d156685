#include "server/commands/handlers.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Waits for changes and reports them as they happen, RFC 2177, until the
// client sends DONE. Changes come from any worker through PostgreSQL's
// NOTIFY (see storage/change_listener.hpp).
Awaitable idle(CommandContext& ctx, imap::Reader& args) {
    args.expect_end();
    auto& session = ctx.session;
    session.write("+ idling\r\n");
    bool done = false;
    try {
        done = co_await session.idle();
    } catch (const boost::system::system_error&) {
        if (!session.timed_out())
            throw;
        // RFC 2177: the server may end an IDLE that lasts too long.
        session.write(imap::untagged_status(imap::Status::bye, "", "IDLE for too long"));
        session.logout();
        co_return Completion::no("IDLE timed out");
    }
    if (!done)
        co_return Completion::bad("Expected DONE to end IDLE");
    co_return Completion::ok("IDLE terminated");
}

}  // namespace postimap::commands
