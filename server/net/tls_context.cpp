#include "server/net/tls_context.hpp"

#include <openssl/ssl.h>

#include <stdexcept>

namespace postimap::net {
namespace {

// TLS 1.2 suites: ECDHE key exchange with AES-GCM or ChaCha20-Poly1305 only
// (Mozilla's "intermediate" profile). TLS 1.3 suites are OpenSSL's defaults.
constexpr const char* kTls12Ciphers =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

}  // namespace

std::shared_ptr<asio::ssl::context> make_server_context(const TlsFiles& files) {
    auto ctx = std::make_shared<asio::ssl::context>(asio::ssl::context::tls_server);
    SSL_CTX* native = ctx->native_handle();
    SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION);
    SSL_CTX_set_options(
        native, SSL_OP_NO_COMPRESSION | SSL_OP_NO_RENEGOTIATION | SSL_OP_CIPHER_SERVER_PREFERENCE);
    if (SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
        throw std::runtime_error("TLS: cipher list rejected by OpenSSL");
    boost::system::error_code ec;
    ctx->use_certificate_chain_file(files.cert_file, ec);
    if (ec)
        throw std::runtime_error("TLS: cannot use certificate " + files.cert_file + ": " +
                                 ec.message());
    ctx->use_private_key_file(files.key_file, asio::ssl::context::pem, ec);
    if (ec)
        throw std::runtime_error("TLS: cannot use private key " + files.key_file + ": " +
                                 ec.message());
    if (SSL_CTX_check_private_key(native) != 1)
        throw std::runtime_error("TLS: private key " + files.key_file +
                                 " does not match certificate " + files.cert_file);
    return ctx;
}

TlsContextHolder::TlsContextHolder(TlsFiles files)
    : files_(std::move(files)), current_(make_server_context(files_)) {}

std::string TlsContextHolder::reload() {
    try {
        current_ = make_server_context(files_);
        return {};
    } catch (const std::exception& e) {
        return e.what();
    }
}

}  // namespace postimap::net
