// Runs password checks on a small thread pool, so thousands of PBKDF2
// iterations never stall the event loop that serves every other session.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <optional>
#include <string>

namespace postimap::auth {

class PasswordChecker {
  public:
    explicit PasswordChecker(std::size_t threads = 1) : pool_(threads) {}
    ~PasswordChecker() { pool_.join(); }

    // True when the password matches. With no secret (unknown user) it
    // checks against a fixed dummy secret, so both cases cost the same time.
    boost::asio::awaitable<bool> check(std::optional<std::string> secret, std::string password);

  private:
    boost::asio::thread_pool pool_;
};

}  // namespace postimap::auth
