// What LOGIN and AUTHENTICATE share around checking credentials: refusing
// clients that failed too often, delaying every failure, and logging.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <optional>
#include <string>

#include "server/session/command.hpp"

namespace postimap::session {
class Session;
}

namespace postimap::commands {

// Before any work on the credentials: when this address (or account, if
// known) failed too often recently, the answer to give, after the longest
// penalty delay; nothing when the attempt may go on.
boost::asio::awaitable<std::optional<session::Completion>> refusal_if_throttled(
    session::Session& s, std::string account);
// After bad credentials: waits the throttle's delay (a timer; the event loop
// serves everyone else meanwhile), logs, and returns the one answer every
// failure gets, so nothing tells an unknown user from a wrong password.
boost::asio::awaitable<session::Completion> login_failed(session::Session& s, std::string account,
                                                         std::string mechanism, std::string detail);
void login_succeeded(session::Session& s, const std::string& account);

}  // namespace postimap::commands
