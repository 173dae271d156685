#include "server/net/listener.hpp"

#include <boost/asio/redirect_error.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <stdexcept>

#include "log/log.hpp"

namespace postimap::net {

asio::ip::tcp::endpoint parse_endpoint(const std::string& text) {
    auto colon = text.rfind(':');
    if (colon == std::string::npos)
        throw std::runtime_error("expected host:port, got " + text);
    std::string host = text.substr(0, colon);
    if (host.size() >= 2 && host.front() == '[' && host.back() == ']')
        host = host.substr(1, host.size() - 2);
    if (host.empty())
        host = "0.0.0.0";
    int port = 0;
    try {
        port = std::stoi(text.substr(colon + 1));
    } catch (const std::exception&) {
        throw std::runtime_error("invalid port in " + text);
    }
    if (port < 0 || port > 65535)
        throw std::runtime_error("invalid port in " + text);
    boost::system::error_code ec;
    auto addr = asio::ip::make_address(host, ec);
    if (ec)
        throw std::runtime_error("invalid IP address in " + text);
    return {addr, static_cast<unsigned short>(port)};
}

Listener::Listener(asio::any_io_executor ex, const std::string& address, AcceptHandler on_accept)
    : acceptor_(ex), on_accept_(std::move(on_accept)) {
    auto endpoint = parse_endpoint(address);
    boost::system::error_code ec;
    acceptor_.open(endpoint.protocol(), ec);
    if (!ec)
        acceptor_.set_option(asio::socket_base::reuse_address(true), ec);
    if (!ec)
        acceptor_.bind(endpoint, ec);
    if (!ec)
        acceptor_.listen(asio::socket_base::max_listen_connections, ec);
    if (ec)
        throw std::runtime_error("cannot listen on " + address + ": " + ec.message());
}

void Listener::close() {
    boost::system::error_code ignored;
    acceptor_.close(ignored);
}

namespace {

// Replies are assembled whole before they are written (a command's answer,
// or a batch of pipelined ones), so Nagle's algorithm only ever holds back
// the tail of an answer -- typically the tagged line -- until the client's
// delayed ACK, 40 ms later on Linux.
struct NoDelay {
    Listener::AcceptHandler* next;
    void operator()(asio::ip::tcp::socket socket) const {
        boost::system::error_code ignored;  // a socket already reset: the session finds out
        socket.set_option(asio::ip::tcp::no_delay(true), ignored);
        (*next)(std::move(socket));
    }
};

}  // namespace

asio::awaitable<void> Listener::run() {
    co_await accept_loop(acceptor_, NoDelay{&on_accept_});
}

}  // namespace postimap::net
