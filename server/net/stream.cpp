#include "server/net/stream.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <boost/asio/write.hpp>

namespace postimap::net {

Stream::Stream(asio::ip::tcp::socket socket) : plain_(std::move(socket)) {}

asio::ip::tcp::socket& Stream::socket() {
    return tls_ ? tls_->next_layer() : plain_;
}

const asio::ip::tcp::socket& Stream::socket() const {
    return tls_ ? tls_->next_layer() : plain_;
}

asio::awaitable<void> Stream::start_tls(std::shared_ptr<asio::ssl::context> context) {
    context_ = std::move(context);
    tls_ = std::make_unique<asio::ssl::stream<asio::ip::tcp::socket>>(std::move(plain_), *context_);
    co_await tls_->async_handshake(asio::ssl::stream_base::server, asio::use_awaitable);
}

std::string Stream::tls_description() const {
    if (!tls_)
        return {};
    SSL* ssl = const_cast<asio::ssl::stream<asio::ip::tcp::socket>&>(*tls_).native_handle();
    return std::string(SSL_get_version(ssl)) + " " + SSL_get_cipher_name(ssl);
}

asio::awaitable<std::size_t> Stream::read_some(asio::mutable_buffer buffer) {
    if (tls_)
        co_return co_await tls_->async_read_some(buffer, asio::use_awaitable);
    co_return co_await plain_.async_read_some(buffer, asio::use_awaitable);
}

asio::awaitable<void> Stream::write_all(asio::const_buffer buffer) {
    if (tls_)
        co_await asio::async_write(*tls_, buffer, asio::use_awaitable);
    else
        co_await asio::async_write(plain_, buffer, asio::use_awaitable);
}

void Stream::write_now(asio::const_buffer buffer) {
    boost::system::error_code ignored;
    if (tls_) {
        // A synchronous TLS write could wait on a renegotiation read; the
        // socket is non-blocking under Asio, so it fails fast instead.
        asio::write(*tls_, buffer, ignored);
    } else {
        asio::write(plain_, buffer, ignored);
    }
}

void Stream::cancel() {
    boost::system::error_code ignored;
    socket().cancel(ignored);
}

void Stream::close() {
    boost::system::error_code ignored;
    socket().shutdown(asio::ip::tcp::socket::shutdown_both, ignored);
    socket().close(ignored);
}

}  // namespace postimap::net
