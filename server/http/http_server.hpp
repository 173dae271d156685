// A minimal HTTP/1.1 server for operators' probes: GET of a few paths, one
// request per connection, small bounded requests. Health checks and
// Prometheus scrapes need no more, and a full HTTP library would be a
// dependency for two URLs.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <functional>
#include <memory>
#include <string>

#include "server/net/listener.hpp"

namespace postimap::http {

namespace asio = boost::asio;

struct Response {
    int status = 200;
    std::string content_type = "text/plain; charset=utf-8";
    std::string body;
};

// Gets the path (query string removed); answers 404 itself for nothing.
using Handler = std::function<asio::awaitable<Response>(std::string path)>;

class Server {
  public:
    // Throws std::runtime_error when the address cannot be bound.
    Server(asio::any_io_executor ex, const std::string& address, Handler handler);
    asio::awaitable<void> run();
    void close();
    asio::ip::tcp::endpoint local_endpoint() const { return listener_.local_endpoint(); }

  private:
    net::Listener listener_;
    std::shared_ptr<Handler> handler_;
};

// The request line of a request head: method and target; false when it is
// not "METHOD SP target SP HTTP/x.y".
bool parse_request_line(std::string_view head, std::string& method, std::string& target);

}  // namespace postimap::http
