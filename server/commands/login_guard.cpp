#include "server/commands/login_guard.hpp"

#include <boost/asio/steady_timer.hpp>
#include <boost/asio/this_coro.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "log/log.hpp"
#include "server/metrics/worker_metrics.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace asio = boost::asio;
namespace {

asio::awaitable<void> pause(std::chrono::milliseconds delay) {
    if (delay.count() <= 0)
        co_return;
    asio::steady_timer timer(co_await asio::this_coro::executor);
    timer.expires_after(delay);
    co_await timer.async_wait(asio::use_awaitable);
}

}  // namespace

asio::awaitable<std::optional<session::Completion>> refusal_if_throttled(session::Session& s,
                                                                         std::string account) {
    auto* throttle = s.server().throttle;
    if (!throttle || !throttle->blocked(s.peer_ip(), account, auth::LoginThrottle::Clock::now()))
        co_return std::nullopt;
    log::info("login_throttled", "session=", s.id(), " peer=", s.peer(), " user=", account);
    if (auto* m = s.server().metrics)
        m->add(metrics::kLoginFailures, {{"reason", "throttled"}});
    co_await pause(throttle->settings().max_delay);
    co_return session::Completion::no("Too many failed logins; try again later", "UNAVAILABLE");
}

asio::awaitable<session::Completion> login_failed(session::Session& s, std::string account,
                                                  std::string mechanism, std::string detail) {
    std::chrono::milliseconds delay{0};
    if (auto* throttle = s.server().throttle)
        delay = throttle->failed(s.peer_ip(), account, auth::LoginThrottle::Clock::now());
    log::info("login_failed", "session=", s.id(), " peer=", s.peer(), " user=", account,
              " mechanism=", mechanism, " delay_ms=", delay.count(), " reason=\"", detail, "\"");
    if (auto* m = s.server().metrics)
        m->add(metrics::kLoginFailures, {{"reason", "credentials"}});
    co_await pause(delay);
    co_return session::Completion::no("Invalid credentials", "AUTHENTICATIONFAILED");
}

void login_succeeded(session::Session& s, const std::string& account) {
    if (auto* throttle = s.server().throttle)
        throttle->succeeded(s.peer_ip(), account);
    if (auto* m = s.server().metrics)
        m->add(metrics::kLogins);
}

}  // namespace postimap::commands
