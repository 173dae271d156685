// Settings: defaults, then the config file, then POSTIMAP_* environment
// variables (for containers). postimap.conf.example documents every key.
#pragma once

#include <chrono>
#include <cstddef>
#include <map>
#include <optional>
#include <string>

namespace postimap {

struct Config {
    std::string listen = "127.0.0.1:1143";  // host:port of the IMAP listener
    std::string dsn;                        // empty: run the embedded PostgreSQL
    std::string data_dir = "var";           // the embedded cluster's directory
    std::size_t pool_size = 8;
    // The role workers act as (SET ROLE), under row-level security; empty:
    // the DSN's user, as it is.
    std::string db_role = "postimap_app";
    std::size_t max_line_length = 65536;
    std::size_t max_literal_size = 50u << 20;
    std::size_t max_connections = 10000;
    std::chrono::seconds login_timeout{60};              // before authentication
    std::chrono::seconds idle_timeout{1800};             // after (RFC 3501 5.4: at least 30 min)
    std::chrono::seconds idle_command_timeout{29 * 60};  // one IDLE (RFC 2177)
    std::chrono::seconds idle_keepalive{120};            // "* OK Still here" during IDLE
    std::string log_level = "info";
    // Failed logins: the first is answered after login_failure_delay, each
    // further one (same address or account, within login_failure_window)
    // after twice the last, up to login_failure_max_delay; after
    // login_max_failures the address or account is refused until the
    // window passes.
    std::chrono::milliseconds login_failure_delay{1000};
    std::chrono::milliseconds login_failure_max_delay{15000};
    std::size_t login_max_failures = 20;
    std::chrono::seconds login_failure_window{600};
    std::optional<bool> auto_migrate;  // default: on for embedded, off with a DSN
    // Implicit TLS listener; unset: 127.0.0.1:1993 for the embedded default,
    // none otherwise. "off" or empty: none.
    std::optional<std::string> tls_listen;
    // PEM files. Both empty: no TLS, except that the embedded default makes
    // a self-signed pair in data_dir/tls.
    std::string tls_cert;
    std::string tls_key;
    // CIDR list where LOGIN before TLS is allowed; "none" for nowhere.
    std::string trusted_networks = "127.0.0.0/8, ::1";
    // Load balancers: connections from these CIDRs must begin with a PROXY
    // protocol header (v1 or v2) naming the real client. Empty: none.
    std::string proxy_networks;
    std::chrono::milliseconds proxy_timeout{5000};
    // LMTP delivery; unset: 127.0.0.1:2424 for the embedded default, none
    // otherwise. "off" or empty: none. lmtp_socket: a Unix socket too.
    std::optional<std::string> lmtp_listen;
    std::string lmtp_socket;
    bool lmtp_quota_tempfail = false;  // 452 instead of 552 when over quota
    std::size_t lmtp_max_recipients = 100;
    std::string recipient_delimiter = "+";  // empty: no +detail addresses
    std::string hostname;                   // empty: the machine's
    // HTTP for /healthz and /metrics; empty: none.
    std::string http_listen;
    // SIGTERM: how long in-flight commands may take before connections
    // are closed regardless.
    std::chrono::seconds drain_timeout{30};

    bool embedded() const { return dsn.empty(); }
    bool migrate_on_start() const { return auto_migrate.value_or(embedded()); }
    std::string lmtp_address() const {
        std::string v = lmtp_listen.value_or(embedded() ? "127.0.0.1:2424" : "");
        return v == "off" ? "" : v;
    }
    std::string implicit_tls_listen() const {
        std::string v = tls_listen.value_or(embedded() ? "127.0.0.1:1993" : "");
        return v == "off" ? "" : v;
    }
};

// Throws std::runtime_error naming the file, line and key on a bad setting.
// `path` empty: use $POSTIMAP_CONFIG, else ./postimap.conf if it exists.
Config load_config(const std::string& path);
// Applies one key=value (file or environment); false for an unknown key.
bool apply_setting(Config& config, const std::string& key, const std::string& value);

}  // namespace postimap
