#include <algorithm>

#include "log/log.hpp"
#include "server/auth/base64.hpp"
#include "server/commands/handlers.hpp"
#include "server/commands/login_guard.hpp"
#include "server/imap/reader.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace {}  // namespace

// SASL authentication, RFC 3501 section 6.2.2, with an initial response
// (SASL-IR, RFC 4959). The exchange runs through Cyrus SASL; each step on
// the auth pool. Every failure of the credentials gets the same answer.
Awaitable authenticate(CommandContext& ctx, imap::Reader& args) {
    args.space();
    const std::string mechanism = imap::ascii_upper(args.atom());
    std::optional<std::string> initial;
    if (!args.at_end()) {
        args.space();
        const std::string ir(args.atom());
        if (ir == "=") {
            initial = std::string();
        } else if (auto decoded = auth::base64_decode(ir)) {
            initial = std::move(*decoded);
        } else {
            co_return Completion::bad("Invalid base64 in the initial response");
        }
    }
    args.expect_end();

    auto& session = ctx.session;
    auto* sasl = session.server().sasl;
    if (!sasl)
        co_return Completion::no("Authentication is not available");
    const auto offered = sasl->mechanisms(true);
    if (std::find(offered.begin(), offered.end(), mechanism) == offered.end())
        co_return Completion::no("Unsupported authentication mechanism " + mechanism);
    if (auth::SaslService::is_plaintext(mechanism) && !session.secure())
        co_return Completion::no("Plain-text authentication is disabled without TLS",
                                 "PRIVACYREQUIRED");

    if (auto refusal = co_await refusal_if_throttled(session, ""))
        co_return *refusal;
    auth::SaslExchange exchange(*sasl, session.secure(), session.local_ip_port(),
                                session.remote_ip_port());
    auth::SaslStep step = co_await exchange.start(mechanism, std::move(initial));
    // Server data that comes with success (SCRAM's server signature) goes
    // out as one more challenge, answered by an empty line (RFC 3501 7.5
    // has no success-with-data form in IMAP4rev1).
    while (step.status == auth::SaslStep::Status::next ||
           (step.status == auth::SaslStep::Status::done && !step.challenge.empty())) {
        session.write("+ " + auth::base64_encode(step.challenge) + "\r\n");
        std::string line = co_await session.read_continuation_line();
        if (line == "*")
            co_return Completion::bad("AUTHENTICATE cancelled");
        auto response = auth::base64_decode(line);
        if (!response)
            co_return Completion::bad("Invalid base64 in the response");
        if (step.status == auth::SaslStep::Status::done) {
            if (!response->empty())
                co_return Completion::bad("Expected an empty response after success data");
            step.challenge.clear();
            break;
        }
        step = co_await exchange.step(std::move(*response));
    }
    // The identity Cyrus settled on (known once the client named it, even
    // when the exchange then failed).
    const std::string address = exchange.username();
    if (step.status == auth::SaslStep::Status::error) {
        log::warn("sasl_error", "session=", session.id(), " reason=\"", step.reason, "\"");
        co_return Completion::no("Authentication is temporarily unavailable", "UNAVAILABLE");
    }
    if (step.status != auth::SaslStep::Status::done)
        co_return co_await login_failed(session, address, mechanism, step.reason);
    if (auto refusal = co_await refusal_if_throttled(session, address))
        co_return *refusal;
    auto record = co_await session.store().find_login(address);
    if (!record || record->disabled)
        co_return co_await login_failed(session, address, mechanism, "account gone");
    login_succeeded(session, address);
    session.authenticate({record->user, record->tenant, address});
    log::info("login", "session=", session.id(), " peer=", session.peer(), " user=", address,
              " mechanism=", mechanism);
    co_return Completion::ok("Logged in", "CAPABILITY " + session.capabilities());
}

}  // namespace postimap::commands
