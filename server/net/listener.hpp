// A TCP listener: binds host:port and hands each accepted socket on.
// Bytes only; it knows nothing of IMAP.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <string>

namespace postimap::net {

namespace asio = boost::asio;

// Parses "host:port", "[v6]:port" or ":port" (all interfaces).
asio::ip::tcp::endpoint parse_endpoint(const std::string& text);

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
