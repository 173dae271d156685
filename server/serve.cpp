// `postimap serve`: one worker. It listens for IMAP (plain with STARTTLS,
// and implicit TLS), LMTP (TCP and a Unix socket) and HTTP (/healthz,
// /metrics), takes pushes from PostgreSQL's NOTIFY, and on SIGTERM drains:
// stops accepting, says BYE to sessions that wait, lets commands finish.
#include "server/serve.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/generic/stream_protocol.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/local/stream_protocol.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <chrono>
#include <cstdio>
#include <functional>
#include <memory>
#include <optional>

#include "log/log.hpp"
#include "server/auth/password_checker.hpp"
#include "server/commands/command_table.hpp"
#include "server/database_setup.hpp"
#include "server/http/http_server.hpp"
#include "server/lmtp/lmtp_session.hpp"
#include "server/metrics/worker_metrics.hpp"
#include "server/net/listener.hpp"
#include "server/net/network.hpp"
#include "server/net/proxy_protocol.hpp"
#include "server/net/self_signed.hpp"
#include "server/net/tls_context.hpp"
#include "server/session/session.hpp"
#include "storage/change_listener.hpp"
#include "storage/mail_store.hpp"
#include "storage/migrations.hpp"
#include "storage/pg/error.hpp"

namespace postimap {
namespace {

namespace asio = boost::asio;

// The certificate files to use, making the embedded default's self-signed
// pair when none is configured. Empty when TLS is off.
std::optional<net::TlsFiles> tls_files(const Config& config) {
    if (!config.tls_cert.empty() || !config.tls_key.empty()) {
        if (config.tls_cert.empty() || config.tls_key.empty())
            throw std::runtime_error("tls_cert and tls_key must be set together");
        return net::TlsFiles{config.tls_cert, config.tls_key};
    }
    if (!config.embedded())
        return std::nullopt;
    const std::string dir = config.data_dir + "/tls";
    ::mkdir(dir.c_str(), 0700);
    net::TlsFiles files{dir + "/cert.pem", dir + "/key.pem"};
    net::ensure_self_signed_certificate(files.cert_file, files.key_file, "localhost");
    return files;
}

std::string host_name(const Config& config) {
    if (!config.hostname.empty())
        return config.hostname;
    char buf[256] = {};
    if (::gethostname(buf, sizeof buf - 1) != 0 || buf[0] == '\0')
        return "localhost";
    return buf;
}

// What the accepting coroutines share; lives as long as serve_command.
struct Front {
    session::ServerContext& imap;
    lmtp::LmtpContext& lmtp;
    metrics::Registry& metrics;
    std::vector<net::Network> balancers;
    std::chrono::milliseconds proxy_timeout;
};

// The client behind a balancer's PROXY header, or the socket's peer;
// nothing when a balancer's connection brought no valid header.
asio::awaitable<std::optional<asio::ip::tcp::endpoint>> client_of(asio::ip::tcp::socket& socket,
                                                                  Front& front) {
    try {
        auto client = co_await net::real_client(socket, front.balancers, front.proxy_timeout);
        if (!front.balancers.empty() &&
            net::in_any(front.balancers, socket.remote_endpoint().address()))
            front.metrics.add(metrics::kProxyHeaders, {{"result", "ok"}});
        co_return client;
    } catch (const std::exception& e) {
        boost::system::error_code ec;
        auto peer = socket.remote_endpoint(ec);
        log::warn("proxy_refused",
                  "peer=", ec ? std::string("unknown") : peer.address().to_string(), " error=\"",
                  e.what(), "\"");
        front.metrics.add(metrics::kProxyHeaders, {{"result", "invalid"}});
        co_return std::nullopt;
    }
}

asio::awaitable<void> serve_imap(asio::ip::tcp::socket socket, bool implicit_tls, Front& front) {
    front.metrics.add(metrics::kConnectionsAccepted, {{"protocol", "imap"}});
    auto client = co_await client_of(socket, front);
    if (!client)
        co_return;
    auto s = std::make_shared<session::Session>(std::move(socket), front.imap,
                                                commands::command_table(), implicit_tls, *client);
    co_await s->run();
}

asio::awaitable<void> serve_lmtp(asio::generic::stream_protocol::socket socket, std::string peer,
                                 Front& front) {
    auto s = std::make_shared<lmtp::LmtpSession>(std::move(socket), front.lmtp, std::move(peer));
    co_await s->run();
}

asio::awaitable<void> serve_lmtp_tcp(asio::ip::tcp::socket socket, Front& front) {
    front.metrics.add(metrics::kConnectionsAccepted, {{"protocol", "lmtp"}});
    auto client = co_await client_of(socket, front);
    if (!client)
        co_return;
    std::string peer = client->address().to_string() + ":" + std::to_string(client->port());
    co_await serve_lmtp(asio::generic::stream_protocol::socket(std::move(socket)), std::move(peer),
                        front);
}

// LMTP on a Unix socket (Postfix's lmtp:unix:...): no PROXY header there.
class UnixListener {
  public:
    UnixListener(asio::any_io_executor ex, std::string path) : acceptor_(ex), path_(path) {
        ::unlink(path.c_str());  // a socket file left by a previous run
        asio::local::stream_protocol::endpoint endpoint(path);
        acceptor_.open(endpoint.protocol());
        acceptor_.bind(endpoint);
        acceptor_.listen();
        // The MTA's user must be able to connect; restrict with the
        // directory's permissions.
        ::chmod(path.c_str(), 0666);
    }
    asio::awaitable<void> run(Front& front) {
        co_await net::accept_loop(acceptor_, [&](asio::local::stream_protocol::socket socket) {
            front.metrics.add(metrics::kConnectionsAccepted, {{"protocol", "lmtp"}});
            asio::co_spawn(acceptor_.get_executor(),
                           serve_lmtp(asio::generic::stream_protocol::socket(std::move(socket)),
                                      "unix", front),
                           asio::detached);
        });
    }
    void close() {
        boost::system::error_code ignored;
        acceptor_.close(ignored);
        ::unlink(path_.c_str());
    }

  private:
    asio::local::stream_protocol::acceptor acceptor_;
    std::string path_;
};

const char* state_label(const session::Session& s) {
    if (s.idling())
        return "idle";
    switch (s.state()) {
        case session::State::not_authenticated:
            return "not_authenticated";
        case session::State::authenticated:
            return "authenticated";
        case session::State::selected:
            return "selected";
        case session::State::logout:
            return "logout";
    }
    return "other";
}

void collect_gauges(metrics::Registry& r, const session::ServerContext& imap,
                    const lmtp::LmtpContext& lmtp, const pg::Pool& pool) {
    for (const char* state : {"not_authenticated", "authenticated", "selected", "idle", "logout"})
        r.set_gauge(metrics::kConnections, {{"protocol", "imap"}, {"state", state}}, 0);
    for (const auto* s : imap.sessions)
        r.add(metrics::kConnections, {{"protocol", "imap"}, {"state", state_label(*s)}});
    r.set_gauge(metrics::kConnections, {{"protocol", "lmtp"}, {"state", "open"}},
                static_cast<double>(lmtp.sessions.size()));
    const auto stats = pool.stats();
    r.set_gauge(metrics::kPoolConnections, {{"state", "open"}}, static_cast<double>(stats.open));
    r.set_gauge(metrics::kPoolConnections, {{"state", "idle"}}, static_cast<double>(stats.idle));
    r.set_gauge(metrics::kPoolWaiting, {}, static_cast<double>(stats.waiting));
    r.set_gauge(metrics::kPoolAcquires, {}, static_cast<double>(stats.acquires));
    r.set_gauge(metrics::kPoolWaitSeconds, {}, stats.wait_seconds);
}

void print_how_to_connect(const asio::ip::tcp::endpoint& ep, const net::Listener* tls_listener,
                          const net::TlsContextHolder* tls, const net::Listener* lmtp_listener,
                          bool embedded) {
    std::string host = ep.address().to_string();
    std::string port = std::to_string(ep.port());
    std::printf("Postimap is listening for IMAP on %s:%s\n", host.c_str(), port.c_str());
    if (tls_listener) {
        auto tls_ep = tls_listener->local_endpoint();
        std::printf("Postimap is listening for IMAPS on %s:%u\n",
                    tls_ep.address().to_string().c_str(), tls_ep.port());
    }
    if (lmtp_listener) {
        auto lmtp_ep = lmtp_listener->local_endpoint();
        std::printf("Postimap is listening for LMTP on %s:%u\n",
                    lmtp_ep.address().to_string().c_str(), lmtp_ep.port());
    }
    if (embedded) {
        std::printf(
            "Demo account: demo@example.com, password demo. Try:\n"
            "  curl -s --user demo@example.com:demo imap://%s:%s/\n"
            "  python3 -c \"import imaplib; m = imaplib.IMAP4('%s', %s); "
            "m.login('demo@example.com', 'demo'); print(m.list())\"\n",
            host.c_str(), port.c_str(), host.c_str(), port.c_str());
        if (tls_listener && tls) {
            // The self-signed certificate names localhost (and 127.0.0.1).
            std::printf(
                "  curl -s --cacert %s --user demo@example.com:demo imaps://localhost:%u/\n",
                tls->files().cert_file.c_str(), tls_listener->local_endpoint().port());
        }
        if (lmtp_listener)
            std::printf("  swaks --protocol LMTP --server %s:%u --to demo@example.com\n",
                        lmtp_listener->local_endpoint().address().to_string().c_str(),
                        lmtp_listener->local_endpoint().port());
    }
    std::printf("Stop with Ctrl-C.\n");
    std::fflush(stdout);
}

// SIGHUP: settings that can change while serving take effect for the next
// connection, command or delivery; the others are reported as needing a
// restart. A file that no longer parses changes nothing.
void reload_config(const std::string& path, const Config& started, Config& live,
                   session::ServerContext& imap, lmtp::LmtpContext& lmtp, Front& front) {
    Config fresh;
    std::vector<net::Network> trusted, balancers;
    try {
        fresh = load_config(path);
        if (fresh.trusted_networks != "none")
            trusted = net::parse_networks(fresh.trusted_networks);
        if (!fresh.proxy_networks.empty() && fresh.proxy_networks != "none")
            balancers = net::parse_networks(fresh.proxy_networks);
    } catch (const std::exception& e) {
        log::error("config_reload_failed", "error=\"", e.what(), "\"");
        return;
    }
    log::Level level;
    if (log::parse_level(fresh.log_level, level))
        log::set_level(level);
    imap.trusted_networks = std::move(trusted);
    front.balancers = std::move(balancers);
    front.proxy_timeout = fresh.proxy_timeout;
    lmtp.settings.quota_tempfail = fresh.lmtp_quota_tempfail;
    lmtp.settings.max_recipients = std::max<std::size_t>(fresh.lmtp_max_recipients, 1);
    lmtp.settings.recipient_delimiter =
        fresh.recipient_delimiter.empty() ? '\0' : fresh.recipient_delimiter[0];
    if (!fresh.hostname.empty())
        lmtp.settings.hostname = fresh.hostname;
    live = fresh;
    const std::pair<const char*, bool> fixed[] = {
        {"listen", fresh.listen != started.listen},
        {"tls_listen", fresh.implicit_tls_listen() != started.implicit_tls_listen()},
        {"lmtp_listen", fresh.lmtp_address() != started.lmtp_address()},
        {"lmtp_socket", fresh.lmtp_socket != started.lmtp_socket},
        {"http_listen", fresh.http_listen != started.http_listen},
        {"dsn", fresh.dsn != started.dsn},
        {"db_role", fresh.db_role != started.db_role},
        {"pool_size", fresh.pool_size != started.pool_size},
        {"data_dir", fresh.data_dir != started.data_dir},
    };
    for (const auto& [key, changed] : fixed)
        if (changed)
            log::warn("config_needs_restart", "key=", key);
    log::info("config_reloaded", "log_level=", fresh.log_level, " trusted_networks=\"",
              fresh.trusted_networks, "\" proxy_networks=\"", fresh.proxy_networks, "\"");
}

}  // namespace

int serve_command(const Config& initial_config, const std::string& config_path) {
    // What SIGHUP may change is read from `live`; the rest needs a restart.
    Config live = initial_config;
    const Config& config = initial_config;
    Database db;
    open_database(config, db);
    asio::io_context io(1);
    {
        // Migrations and the demo account need the DSN's own user (the
        // owner); its one connection closes at the end of this block.
        auto setup_options = pool_options(config, db.dsn);
        setup_options.max_size = 1;
        pg::Pool setup(io.get_executor(), setup_options);
        prepare_schema(config, db, io, setup);
        run_to_completion(io, [&]() -> asio::awaitable<void> {
            int applied = co_await storage::applied_migration_version(setup);
            if (applied < storage::latest_migration_version())
                log::warn("schema_outdated", "applied=", applied,
                          " expected=", storage::latest_migration_version(),
                          " hint=\"run postimap migrate\"");
        }());
    }
    // Serving connections act as the workers' role, under row-level security.
    auto serving_options = pool_options(config, db.dsn);
    serving_options.role = config.db_role;
    pg::Pool pool(io.get_executor(), serving_options);
    if (!config.db_role.empty()) {
        // Fail at start, not at the first command, when the role is unusable.
        run_to_completion(io, [&]() -> asio::awaitable<void> {
            try {
                auto conn = co_await pool.acquire();
            } catch (const pg::Error& e) {
                throw std::runtime_error("cannot act as db_role " + config.db_role + ": " +
                                         e.what() + " (run postimap migrate, or set db_role)");
            }
        }());
    }

    metrics::Registry registry;
    metrics::describe_worker_metrics(registry);
    storage::MailStore store(pool);
    auth::PasswordChecker passwords(1);
    session::SessionLimits limits;
    limits.framer.max_line = config.max_line_length;
    limits.framer.max_literal = config.max_literal_size;
    limits.framer.max_command = config.max_literal_size + config.max_line_length * 4;
    limits.max_connections = config.max_connections;
    limits.login_timeout = config.login_timeout;
    limits.idle_timeout = config.idle_timeout;
    limits.idle_command_timeout = config.idle_command_timeout;
    limits.idle_keepalive = std::max(config.idle_keepalive, std::chrono::seconds(1));
    session::ServerContext context{.store = store,
                                   .passwords = passwords,
                                   .limits = limits,
                                   .capabilities = commands::capabilities()};
    context.metrics = &registry;
    if (config.trusted_networks != "none")
        context.trusted_networks = net::parse_networks(config.trusted_networks);
    auth::ThrottleSettings throttle_settings;
    throttle_settings.base_delay = config.login_failure_delay;
    throttle_settings.max_delay =
        std::max(config.login_failure_max_delay, config.login_failure_delay);
    throttle_settings.max_failures = static_cast<unsigned>(config.login_max_failures);
    throttle_settings.window = config.login_failure_window;
    auth::LoginThrottle throttle(throttle_settings);
    context.throttle = &throttle;
    // Cyrus SASL looks secrets up through the store, on this event loop.
    std::optional<auth::SaslService> sasl;
    try {
        sasl.emplace(io.get_executor(),
                     [&store](std::string user) -> asio::awaitable<std::vector<std::string>> {
                         auto record = co_await store.find_login(user);
                         std::vector<std::string> secrets;
                         if (record && !record->disabled) {
                             secrets.push_back(record->password_secret);
                             if (record->scram_sha1_secret)
                                 secrets.push_back(*record->scram_sha1_secret);
                         }
                         co_return secrets;
                     });
        context.sasl = &*sasl;
    } catch (const std::exception& e) {
        log::error("sasl_unavailable", "error=\"", e.what(), "\"");
    }
    std::optional<net::TlsContextHolder> tls;
    if (auto files = tls_files(config)) {
        tls.emplace(*files);
        context.tls = &*tls;
    }

    lmtp::LmtpSettings lmtp_settings;
    lmtp_settings.hostname = host_name(config);
    lmtp_settings.max_message_size = config.max_literal_size;
    lmtp_settings.max_recipients = std::max<std::size_t>(config.lmtp_max_recipients, 1);
    lmtp_settings.quota_tempfail = config.lmtp_quota_tempfail;
    lmtp_settings.recipient_delimiter =
        config.recipient_delimiter.empty() ? '\0' : config.recipient_delimiter[0];
    lmtp::LmtpContext lmtp_context{.store = store, .settings = lmtp_settings};
    lmtp_context.metrics = &registry;

    Front front{context, lmtp_context, registry, {}, config.proxy_timeout};
    if (!config.proxy_networks.empty() && config.proxy_networks != "none")
        front.balancers = net::parse_networks(config.proxy_networks);

    net::Listener listener(io.get_executor(), config.listen, [&](asio::ip::tcp::socket socket) {
        asio::co_spawn(io, serve_imap(std::move(socket), false, front), asio::detached);
    });
    asio::co_spawn(io, listener.run(), asio::detached);
    std::optional<net::Listener> tls_listener;
    if (const std::string address = config.implicit_tls_listen(); !address.empty()) {
        if (!tls)
            throw std::runtime_error("tls_listen is set but tls_cert and tls_key are not");
        tls_listener.emplace(io.get_executor(), address, [&](asio::ip::tcp::socket socket) {
            asio::co_spawn(io, serve_imap(std::move(socket), true, front), asio::detached);
        });
        asio::co_spawn(io, tls_listener->run(), asio::detached);
    }
    std::optional<net::Listener> lmtp_listener;
    if (const std::string address = config.lmtp_address(); !address.empty()) {
        lmtp_listener.emplace(io.get_executor(), address, [&](asio::ip::tcp::socket socket) {
            asio::co_spawn(io, serve_lmtp_tcp(std::move(socket), front), asio::detached);
        });
        asio::co_spawn(io, lmtp_listener->run(), asio::detached);
    }
    std::optional<UnixListener> lmtp_unix;
    if (!config.lmtp_socket.empty()) {
        try {
            lmtp_unix.emplace(io.get_executor(), config.lmtp_socket);
        } catch (const std::exception& e) {
            throw std::runtime_error("cannot listen on " + config.lmtp_socket + ": " + e.what());
        }
        asio::co_spawn(io, lmtp_unix->run(front), asio::detached);
    }

    // Health: a pool of its own, so that a busy serving pool does not make
    // the worker look dead, with short timeouts for the balancer's checks.
    auto health_options = serving_options;
    health_options.max_size = 2;
    health_options.connect_timeout = std::chrono::milliseconds(2000);
    health_options.acquire_timeout = std::chrono::milliseconds(2000);
    pg::Pool health_pool(io.get_executor(), health_options);
    bool draining = false;
    registry.add_collector(
        [&](metrics::Registry& r) { collect_gauges(r, context, lmtp_context, pool); });
    std::optional<http::Server> http_server;
    if (!config.http_listen.empty()) {
        http_server.emplace(
            io.get_executor(), config.http_listen,
            [&](std::string path) -> asio::awaitable<http::Response> {
                if (path == "/metrics")
                    co_return http::Response{200, "text/plain; version=0.0.4; charset=utf-8",
                                             registry.render()};
                if (path != "/healthz")
                    co_return http::Response{404, "text/plain; charset=utf-8", "not found\n"};
                if (draining)
                    co_return http::Response{503, "text/plain; charset=utf-8", "draining\n"};
                std::string problem;
                try {
                    const int applied = co_await storage::applied_migration_version(health_pool);
                    if (applied != storage::latest_migration_version())
                        problem = "schema version " + std::to_string(applied) + ", expected " +
                                  std::to_string(storage::latest_migration_version());
                } catch (const std::exception& e) {
                    problem = std::string("database unreachable: ") + e.what();
                }
                registry.set_gauge(metrics::kDatabaseUp, {},
                                   problem.rfind("database", 0) == 0 ? 0 : 1);
                if (!problem.empty())
                    co_return http::Response{503, "text/plain; charset=utf-8",
                                             "not ready: " + problem + "\n"};
                co_return http::Response{200, "text/plain; charset=utf-8", "ready\n"};
            });
        asio::co_spawn(io, http_server->run(), asio::detached);
    }

    // Push: one LISTEN connection; each notification reaches the sessions of
    // its user on this worker, which read the change themselves.
    storage::ChangeListener listener_db(
        io.get_executor(), db.dsn,
        [&context, &registry](const std::vector<storage::MailboxChange>& changes) {
            const auto now_us = std::chrono::duration_cast<std::chrono::microseconds>(
                                    std::chrono::system_clock::now().time_since_epoch())
                                    .count();
            for (const auto& change : changes) {
                registry.add(metrics::kNotifications);
                if (change.sent_us > 0)
                    registry.observe(
                        metrics::kNotificationLag, {},
                        static_cast<double>(std::max<std::int64_t>(now_us - change.sent_us, 0)) /
                            1e6);
                auto [first, last] = context.by_user.equal_range(change.user.value);
                for (auto it = first; it != last; ++it)
                    it->second->on_change(change.mailbox, change.modseq);
            }
        },
        [&context] {
            for (auto& [user, s] : context.by_user)
                s->resync();
        });
    asio::co_spawn(io, listener_db.run(), asio::detached);
    // Watch the NOTIFY queue: a stalled listener anywhere fills it.
    asio::steady_timer queue_watch(io);
    bool stopping = false;
    asio::co_spawn(
        io,
        [&]() -> asio::awaitable<void> {
            while (!stopping) {
                queue_watch.expires_after(std::chrono::seconds(60));
                boost::system::error_code ec;
                co_await queue_watch.async_wait(asio::redirect_error(asio::use_awaitable, ec));
                if (stopping)
                    break;
                try {
                    double usage = co_await storage::notification_queue_usage(pool);
                    if (usage > 0.25)
                        log::warn(
                            "notify_queue_filling", "usage=", usage,
                            " hint=\"a LISTEN session is not reading; see pg_stat_activity\"");
                } catch (const std::exception& e) {
                    log::debug("notify_queue_check_failed", "error=\"", e.what(), "\"");
                }
            }
        },
        asio::detached);

    asio::signal_set signals(io, SIGINT, SIGTERM);
    // SIGHUP: read the configuration (what can change live) and the
    // certificate again. Sessions keep the TLS context they started with;
    // new handshakes use the new one.
    asio::signal_set reload_signals(io, SIGHUP);
    asio::steady_timer drain_timer(io);
    // Drain: stop accepting, BYE to whoever waits, let commands finish for
    // up to drain_timeout, then close what is left and stop the rest.
    auto drain = [&]() -> asio::awaitable<void> {
        const auto deadline = std::chrono::steady_clock::now() + live.drain_timeout;
        listener.close();
        if (tls_listener)
            tls_listener->close();
        if (lmtp_listener)
            lmtp_listener->close();
        if (lmtp_unix)
            lmtp_unix->close();
        reload_signals.cancel();
        for (auto* s : context.sessions)
            s->drain();
        for (auto* s : lmtp_context.sessions)
            s->drain();
        while (!context.sessions.empty() || !lmtp_context.sessions.empty()) {
            if (std::chrono::steady_clock::now() >= deadline) {
                log::warn("drain_timeout", "imap_sessions=", context.sessions.size(),
                          " lmtp_sessions=", lmtp_context.sessions.size());
                for (auto* s : context.sessions)
                    s->close();
                for (auto* s : lmtp_context.sessions)
                    s->drain();
                break;
            }
            drain_timer.expires_after(std::chrono::milliseconds(20));
            boost::system::error_code ec;
            co_await drain_timer.async_wait(asio::redirect_error(asio::use_awaitable, ec));
        }
        log::info("drained", "remaining=", context.sessions.size() + lmtp_context.sessions.size());
        if (http_server)
            http_server->close();
        listener_db.stop();
        stopping = true;
        queue_watch.cancel();
    };
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        log::info("shutdown", "signal=", sig, " sessions=", context.sessions.size(),
                  " lmtp_sessions=", lmtp_context.sessions.size());
        draining = true;
        asio::co_spawn(io, drain(), asio::detached);
    });
    std::function<void()> wait_for_reload = [&] {
        reload_signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec)
                return;
            reload_config(config_path, config, live, context, lmtp_context, front);
            if (tls) {
                std::string error = tls->reload();
                if (error.empty())
                    log::info("tls_reloaded", "cert=", tls->files().cert_file);
                else
                    log::error("tls_reload_failed", "error=\"", error, "\"");
            }
            wait_for_reload();
        });
    };
    wait_for_reload();
    print_how_to_connect(listener.local_endpoint(), tls_listener ? &*tls_listener : nullptr,
                         tls ? &*tls : nullptr, lmtp_listener ? &*lmtp_listener : nullptr,
                         db.embedded.has_value());
    log::info("listening", "address=", config.listen);
    if (tls_listener)
        log::info("listening_tls", "address=", config.implicit_tls_listen());
    if (lmtp_listener)
        log::info("listening_lmtp", "address=", config.lmtp_address());
    if (lmtp_unix)
        log::info("listening_lmtp", "socket=", config.lmtp_socket);
    if (http_server)
        log::info("listening_http", "address=", config.http_listen);
    io.run();
    log::info("stopped");
    return 0;
}

}  // namespace postimap
