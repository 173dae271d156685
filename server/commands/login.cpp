#include "log/log.hpp"
#include "server/commands/command_table.hpp"
#include "server/commands/handlers.hpp"
#include "server/commands/login_guard.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Authenticates with a user name and password, RFC 3501 section 6.2.3.
// An unknown user, a wrong password and a disabled account all get the same
// answer after the same work, so the response tells nothing of which it was.
Awaitable login(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string address = args.astring();
    args.space();
    std::string password = args.astring();
    args.expect_end();

    auto& session = ctx.session;
    // RFC 3501 6.2.3 and 7.1: with LOGINDISABLED advertised, LOGIN is refused
    // before the password is even looked at.
    if (!session.secure())
        co_return Completion::no("Plain-text login is disabled without TLS; use STARTTLS",
                                 "PRIVACYREQUIRED");
    if (auto refusal = co_await refusal_if_throttled(session, address))
        co_return *refusal;
    auto record = co_await session.store().find_login(address);
    std::optional<std::string> secret;
    if (record && !record->disabled)
        secret = record->password_secret;
    bool ok = co_await session.server().passwords.check(secret, std::move(password));
    if (!ok)
        co_return co_await login_failed(session, address, "LOGIN", "bad credentials");
    login_succeeded(session, address);
    session.authenticate({record->user, record->tenant, address});
    log::info("login", "session=", session.id(), " peer=", session.peer(), " user=", address);
    co_return Completion::ok("Logged in", "CAPABILITY " + session.capabilities());
}

}  // namespace postimap::commands
