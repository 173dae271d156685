#include "server/http/http_server.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>
#include <chrono>

#include "log/log.hpp"

namespace postimap::http {
namespace {

constexpr std::size_t kMaxRequestHead = 8192;
constexpr std::chrono::seconds kRequestTimeout{5};

const char* reason(int status) {
    switch (status) {
        case 200:
            return "OK";
        case 400:
            return "Bad Request";
        case 404:
            return "Not Found";
        case 405:
            return "Method Not Allowed";
        case 503:
            return "Service Unavailable";
        default:
            return "Error";
    }
}

asio::awaitable<void> serve_one(asio::ip::tcp::socket socket, std::shared_ptr<Handler> handler) {
    asio::steady_timer timer(socket.get_executor());
    timer.expires_after(kRequestTimeout);
    timer.async_wait([&socket](const boost::system::error_code& ec) {
        if (!ec) {
            boost::system::error_code ignored;
            socket.cancel(ignored);
        }
    });
    std::string head;
    char buffer[2048];
    Response response;
    try {
        while (head.find("\r\n\r\n") == std::string::npos &&
               head.find("\n\n") == std::string::npos) {
            if (head.size() > kMaxRequestHead)
                throw std::runtime_error("request head too large");
            std::size_t n =
                co_await socket.async_read_some(asio::buffer(buffer), asio::use_awaitable);
            head.append(buffer, n);
        }
        std::string method, target;
        if (!parse_request_line(head, method, target)) {
            response = {400, "text/plain; charset=utf-8", "bad request\n"};
        } else if (method != "GET" && method != "HEAD") {
            response = {405, "text/plain; charset=utf-8", "only GET\n"};
        } else {
            response = co_await (*handler)(target.substr(0, target.find('?')));
            if (method == "HEAD")
                response.body.clear();
        }
        std::string out = "HTTP/1.1 " + std::to_string(response.status) + " " +
                          reason(response.status) + "\r\nContent-Type: " + response.content_type +
                          "\r\nContent-Length: " + std::to_string(response.body.size()) +
                          "\r\nConnection: close\r\n\r\n" + response.body;
        co_await asio::async_write(socket, asio::buffer(out), asio::use_awaitable);
    } catch (const std::exception& e) {
        log::debug("http_request_failed", "error=\"", e.what(), "\"");
    }
    timer.cancel();
    boost::system::error_code ignored;
    socket.shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket.close(ignored);
}

}  // namespace

bool parse_request_line(std::string_view head, std::string& method, std::string& target) {
    auto end = head.find_first_of("\r\n");
    std::string_view line = head.substr(0, end);
    auto sp1 = line.find(' ');
    if (sp1 == std::string_view::npos || sp1 == 0)
        return false;
    auto sp2 = line.find(' ', sp1 + 1);
    if (sp2 == std::string_view::npos || sp2 == sp1 + 1)
        return false;
    if (line.substr(sp2 + 1).rfind("HTTP/", 0) != 0)
        return false;
    method = std::string(line.substr(0, sp1));
    target = std::string(line.substr(sp1 + 1, sp2 - sp1 - 1));
    return !target.empty() && target.front() == '/';
}

Server::Server(asio::any_io_executor ex, const std::string& address, Handler handler)
    : listener_(ex, address,
                [this](asio::ip::tcp::socket socket) {
                    auto ex = socket.get_executor();
                    asio::co_spawn(ex, serve_one(std::move(socket), handler_), asio::detached);
                }),
      handler_(std::make_shared<Handler>(std::move(handler))) {}

asio::awaitable<void> Server::run() {
    co_await listener_.run();
}

void Server::close() {
    listener_.close();
}

}  // namespace postimap::http
