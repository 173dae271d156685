// A client connection that starts as plain TCP and may switch to TLS, either
// at once (implicit TLS port) or when the client asks (STARTTLS). Sessions
// read and write through it without caring which it is.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>
#include <boost/asio/ssl/stream.hpp>
#include <memory>
#include <string>

namespace postimap::net {

namespace asio = boost::asio;

class Stream {
  public:
    explicit Stream(asio::ip::tcp::socket socket);

    asio::any_io_executor get_executor() { return socket().get_executor(); }
    asio::ip::tcp::socket& socket();
    const asio::ip::tcp::socket& socket() const;

    // Runs the server side of the TLS handshake; afterwards every read and
    // write goes through TLS. The context stays alive as long as the stream.
    asio::awaitable<void> start_tls(std::shared_ptr<asio::ssl::context> context);
    bool is_tls() const { return tls_ != nullptr; }
    // "TLSv1.3 TLS_AES_256_GCM_SHA384", for the logs; empty before TLS.
    std::string tls_description() const;

    asio::awaitable<std::size_t> read_some(asio::mutable_buffer buffer);
    asio::awaitable<void> write_all(asio::const_buffer buffer);
    // Best effort, never blocks for long: for a last BYE before closing.
    void write_now(asio::const_buffer buffer);

    // Makes pending reads and writes fail with operation_aborted.
    void cancel();
    // Closes without a TLS close_notify (the peer may be gone).
    void close();

  private:
    asio::ip::tcp::socket plain_;
    std::shared_ptr<asio::ssl::context> context_;
    std::unique_ptr<asio::ssl::stream<asio::ip::tcp::socket>> tls_;
};

}  // namespace postimap::net
