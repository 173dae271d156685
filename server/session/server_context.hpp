// What every session of a worker shares: settings, the store, the password
// checker, and the count of open connections.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>
#include <unordered_set>

#include "server/auth/login_throttle.hpp"
#include "server/auth/password_checker.hpp"
#include "server/auth/sasl_service.hpp"
#include "server/imap/command_framer.hpp"
#include "server/metrics/registry.hpp"
#include "server/net/network.hpp"
#include "server/net/tls_context.hpp"
#include "storage/mail_store.hpp"

namespace postimap::session {

class Session;

struct SessionLimits {
    imap::FramerLimits framer;
    std::size_t max_connections = 10000;
    std::chrono::seconds login_timeout{60};
    std::chrono::seconds idle_timeout{1800};
    // IDLE (RFC 2177): the command ends the session after this long (the
    // RFC's guidance: under 30 minutes), and says "* OK Still here" every
    // keepalive so that NATs keep the connection.
    std::chrono::seconds idle_command_timeout{29 * 60};
    std::chrono::seconds idle_keepalive{120};
    // Output is sent once this much is queued, so a FETCH of many messages
    // never holds them all in memory.
    std::size_t output_flush_threshold = 256 * 1024;
};

struct ServerContext {
    storage::MailStore& store;
    auth::PasswordChecker& passwords;
    SessionLimits limits;
    // The CAPABILITY list (without "CAPABILITY"), built by the command table.
    std::string capabilities;
    // TLS for STARTTLS and the implicit-TLS port; null when not configured.
    net::TlsContextHolder* tls = nullptr;
    // AUTHENTICATE; null when Cyrus SASL could not be set up.
    auth::SaslService* sasl = nullptr;
    // Counters for /metrics; null: none kept.
    metrics::Registry* metrics = nullptr;
    // Failed-login delays and limits; null: none.
    auth::LoginThrottle* throttle = nullptr;
    // Where LOGIN before TLS is allowed (loopback by default).
    std::vector<net::Network> trusted_networks{};
    std::unordered_set<Session*> sessions{};  // open connections, for shutdown
    // Logged-in sessions by user id, for push.
    std::unordered_multimap<std::int64_t, Session*> by_user{};
    std::uint64_t next_session_id = 1;
};

}  // namespace postimap::session
