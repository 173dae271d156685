#include "server/auth/password_checker.hpp"

#include "server/auth/offload.hpp"
#include "server/auth/password.hpp"

namespace postimap::auth {
namespace asio = boost::asio;
asio::awaitable<bool> PasswordChecker::check(std::optional<std::string> secret,
                                             std::string password) {
    // The derivation runs on a pool thread with its own copies of the inputs.
    auto work = [secret = std::move(secret), password = std::move(password)]() {
        return verify_password(secret ? *secret : unknown_user_secret(), password) &&
               secret.has_value();
    };
    co_return co_await run_off_loop<bool>(pool_, std::move(work));
}

}  // namespace postimap::auth
