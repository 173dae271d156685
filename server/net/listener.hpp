// A TCP listener: binds host:port and hands each accepted socket on.
// Bytes only; it knows nothing of IMAP.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <functional>
#include <string>

#include "log/log.hpp"

namespace postimap::net {

namespace asio = boost::asio;

// Parses "host:port", "[v6]:port" or ":port" (all interfaces).
asio::ip::tcp::endpoint parse_endpoint(const std::string& text);

// Accepts until the acceptor is closed, handing each socket on. A failed
// accept (out of descriptors, say) is logged and the connections already
// open go on being served. For TCP and Unix-socket acceptors alike.
template <typename Acceptor, typename OnAccept>
asio::awaitable<void> accept_loop(Acceptor& acceptor, OnAccept on_accept) {
    while (acceptor.is_open()) {
        boost::system::error_code ec;
        auto socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
        if (ec == asio::error::operation_aborted)
            break;
        if (ec) {
            log::warn("accept_failed", "error=\"", ec.message(), "\"");
            continue;
        }
        on_accept(std::move(socket));
    }
}

class Listener {
  public:
    using AcceptHandler = std::function<void(asio::ip::tcp::socket)>;
    // Throws std::runtime_error if the address cannot be bound.
    Listener(asio::any_io_executor ex, const std::string& address, AcceptHandler on_accept);

    asio::awaitable<void> run();
    void close();
    asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

  private:
    asio::ip::tcp::acceptor acceptor_;
    AcceptHandler on_accept_;
};

}  // namespace postimap::net
