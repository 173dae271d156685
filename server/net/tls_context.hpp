// Server-side TLS settings: which protocol versions and ciphers we accept,
// and the certificate we present. Reloadable: connections keep the context
// they started with; new ones get the newest.
#pragma once

#include <boost/asio/ssl/context.hpp>
#include <memory>
#include <string>

namespace postimap::net {

namespace asio = boost::asio;

struct TlsFiles {
    std::string cert_file;  // PEM: the certificate, then any intermediates
    std::string key_file;   // PEM: the private key
};

// TLS 1.2 and newer, forward-secret AEAD ciphers only (TLS 1.3's are all
// such), server cipher preference, no compression, no renegotiation.
// Throws std::runtime_error naming the file that could not be used.
std::shared_ptr<asio::ssl::context> make_server_context(const TlsFiles& files);

class TlsContextHolder {
  public:
    // Loads the files now; throws as make_server_context does.
    explicit TlsContextHolder(TlsFiles files);

    std::shared_ptr<asio::ssl::context> current() const { return current_; }
    const TlsFiles& files() const { return files_; }
    // Loads the files again (SIGHUP). On failure the old context stays in use
    // and the reason is returned; on success, an empty string.
    std::string reload();

  private:
    TlsFiles files_;
    std::shared_ptr<asio::ssl::context> current_;
};

}  // namespace postimap::net
