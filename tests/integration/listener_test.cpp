// The TCP listener on a real loopback socket: what it sets on the sockets it
// hands on.
#include "server/net/listener.hpp"

#include <gtest/gtest.h>

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <chrono>
#include <optional>

namespace postimap::net {
namespace {

// Without TCP_NODELAY the tail of a large answer waits for the client's
// delayed ACK (40 ms on Linux): FETCH 1:* (FLAGS) of 100 000 messages took
// 57 ms at the client for 17 ms of work.
TEST(Listener, AcceptedSocketsSendWithoutNagleDelay) {
    asio::io_context io;
    std::optional<bool> no_delay;
    Listener listener(io.get_executor(), "127.0.0.1:0", [&](asio::ip::tcp::socket socket) {
        asio::ip::tcp::no_delay option;
        socket.get_option(option);
        no_delay = option.value();
        io.stop();
    });
    asio::co_spawn(io, listener.run(), asio::detached);
    asio::ip::tcp::socket client(io);
    client.connect(listener.local_endpoint());
    io.run_for(std::chrono::seconds(10));
    ASSERT_TRUE(no_delay.has_value()) << "no connection was accepted within 10 s";
    EXPECT_TRUE(*no_delay);
}

}  // namespace
}  // namespace postimap::net
