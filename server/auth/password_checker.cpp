#include "server/auth/password_checker.hpp"

#include <boost/asio/async_result.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/use_awaitable.hpp>

#include "server/auth/password.hpp"

namespace postimap::auth {
namespace asio = boost::asio;
namespace {

const std::string& dummy_secret() {
    static const std::string secret = make_scram_secret("no such user", "fixed-dummy-salt", 4096);
    return secret;
}

}  // namespace

asio::awaitable<bool> PasswordChecker::check(std::optional<std::string> secret,
                                             std::string password) {
    // The derivation runs on a pool thread with its own copies of the
    // inputs; the result is posted back to the caller's executor, whose
    // event loop is kept alive meanwhile by the work guard. (A coroutine
    // spawned on the pool would be simpler, but Boost 1.74's co_spawn across
    // executors destroys its frame racily.)
    auto pool = pool_.get_executor();
    return asio::async_initiate<decltype(asio::use_awaitable), void(bool)>(
        [pool, secret = std::move(secret), password = std::move(password)](auto handler) mutable {
            auto home = asio::get_associated_executor(handler);
            auto work = asio::make_work_guard(home);
            asio::post(pool, [secret = std::move(secret), password = std::move(password),
                              handler = std::move(handler), work = std::move(work)]() mutable {
                bool match = verify_password(secret ? *secret : dummy_secret(), password) &&
                             secret.has_value();
                auto home = work.get_executor();
                asio::post(home, [handler = std::move(handler), match,
                                  work = std::move(work)]() mutable { handler(match); });
            });
        },
        asio::use_awaitable);
}

}  // namespace postimap::auth
