// Authentication through Cyrus SASL (RFC 4422): PLAIN, LOGIN, SCRAM-SHA-256
// and SCRAM-SHA-1, verified against the secrets in our users table.
//
// Cyrus SASL is synchronous: its steps run on the auth thread pool, never on
// the event loop. When a mechanism needs a user's secret, our in-process
// auxprop plugin (and the checkpass callback for PLAIN/LOGIN) asks the
// SecretSource, which runs the database lookup as a coroutine on the event
// loop while the pool thread waits for it: the event loop never blocks, and
// every query goes through the one asynchronous connection pool.
#pragma once

#include <sasl/sasl.h>

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/asio/thread_pool.hpp>
#include <chrono>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace postimap::auth {

// The user's stored secrets (RFC 5803 authPassword values, see password.hpp:
// SCRAM-SHA-256 first, then SCRAM-SHA-1 if there is one), or none for an
// unknown or disabled user.
using SecretSource =
    std::function<boost::asio::awaitable<std::vector<std::string>>(std::string user)>;

struct SaslStep {
    enum class Status { next, done, failed, error };
    Status status = Status::error;
    std::string challenge;  // what to send the client ("+ base64"), may be empty
    std::string reason;     // Cyrus' detail for the log (never sent to the client)
};

class SaslService {
  public:
    // Initializes the library once per process. `loop` runs the lookups.
    SaslService(boost::asio::any_io_executor loop, SecretSource secrets, std::size_t threads = 2);
    ~SaslService();
    SaslService(const SaslService&) = delete;
    SaslService& operator=(const SaslService&) = delete;

    // Mechanisms the library offers, in our order. Plain-text ones (PLAIN,
    // LOGIN) are left out when the connection is not secure.
    std::vector<std::string> mechanisms(bool secure) const;
    static bool is_plaintext(std::string_view mechanism);

    boost::asio::thread_pool& pool() { return pool_; }
    // Blocks the calling pool thread until the event loop has looked up the
    // secret (bounded by a timeout; nothing on timeout).
    std::vector<std::string> lookup_secret_blocking(const std::string& user);

  private:
    boost::asio::any_io_executor loop_;
    SecretSource secrets_;
    boost::asio::thread_pool pool_;
    std::vector<std::string> available_;
};

// One AUTHENTICATE exchange. Its steps run on the service's pool.
class SaslExchange {
  public:
    SaslExchange(SaslService& service, bool secure, const std::string& local_ip_port,
                 const std::string& remote_ip_port);
    ~SaslExchange();
    SaslExchange(const SaslExchange&) = delete;
    SaslExchange& operator=(const SaslExchange&) = delete;

    // `initial`: the client's initial response (SASL-IR), if any.
    boost::asio::awaitable<SaslStep> start(std::string mechanism,
                                           std::optional<std::string> initial);
    boost::asio::awaitable<SaslStep> step(std::string response);
    // The authenticated identity, after a step said done.
    std::string username() const;

  private:
    SaslStep result(int rc, const char* out, unsigned out_len) const;

    SaslService& service_;
    sasl_conn_t* conn_ = nullptr;
    std::string setup_error_;
};

}  // namespace postimap::auth
