// postimap: one program, several verbs.
//   postimap serve    run an IMAP worker
//   postimap migrate  apply the schema migrations and exit
// Without a DSN in the configuration, both use the embedded PostgreSQL
// cluster in data_dir, starting it if needed.
#include <sys/stat.h>
#include <boost/asio/co_spawn.hpp>
#include <boost/asio/detached.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <algorithm>
#include <cstdio>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>

#include "log/log.hpp"
#include "server/admin_cli.hpp"
#include "server/auth/password_checker.hpp"
#include "server/commands/command_table.hpp"
#include "server/config.hpp"
#include "server/net/listener.hpp"
#include "server/net/network.hpp"
#include "server/net/self_signed.hpp"
#include "server/net/tls_context.hpp"
#include "server/session/session.hpp"
#include "storage/change_listener.hpp"
#include "storage/embedded_postgres.hpp"
#include "storage/mail_store.hpp"
#include "storage/migrations.hpp"
#include "storage/pg/error.hpp"
#include "storage/provisioning.hpp"

namespace asio = boost::asio;
using namespace postimap;

namespace {

void usage() {
    std::fprintf(stderr,
                 "usage: postimap <command> [--config FILE]\n"
                 "  serve     run an IMAP worker\n"
                 "  migrate   apply schema migrations, then exit\n"
                 "  tenant, user, quota   provision (run `postimap user` for the list)\n"
                 "  version   print the version\n"
                 "Settings come from FILE, $POSTIMAP_CONFIG or ./postimap.conf, then POSTIMAP_*\n"
                 "environment variables; see postimap.conf.example.\n");
}

// Runs a coroutine to completion on `io`, rethrowing what it throws.
void run_to_completion(asio::io_context& io, asio::awaitable<void> work) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { failure = e; });
    io.run();
    io.restart();
    if (failure)
        std::rethrow_exception(failure);
}

struct Database {
    std::optional<storage::EmbeddedPostgres> embedded;
    std::string dsn;
};

// Starts the embedded cluster unless a DSN names the database.
void open_database(const Config& config, Database& db) {
    db.dsn = config.dsn;
    if (config.embedded()) {
        db.embedded.emplace(storage::EmbeddedPostgresOptions{config.data_dir});
        db.embedded->start();
        db.dsn = db.embedded->dsn();
    }
}

pg::PoolOptions pool_options(const Config& config, const std::string& dsn) {
    pg::PoolOptions o;
    o.dsn = dsn;
    o.max_size = config.pool_size;
    return o;
}

int migrate_command(const Config& config) {
    Database db;
    open_database(config, db);
    asio::io_context io(1);
    pg::Pool pool(io.get_executor(), pool_options(config, db.dsn));
    run_to_completion(io, [&]() -> asio::awaitable<void> {
        int applied = co_await storage::migrate(pool);
        std::printf("applied %d migration(s); schema version %d\n", applied,
                    storage::latest_migration_version());
    }());
    return 0;
}

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

void print_how_to_connect(const asio::ip::tcp::endpoint& ep, const net::Listener* tls_listener,
                          const net::TlsContextHolder* tls, bool embedded) {
    std::string host = ep.address().to_string();
    std::string port = std::to_string(ep.port());
    std::printf("Postimap is listening for IMAP on %s:%s\n", host.c_str(), port.c_str());
    if (tls_listener) {
        auto tls_ep = tls_listener->local_endpoint();
        std::printf("Postimap is listening for IMAPS on %s:%u\n",
                    tls_ep.address().to_string().c_str(), tls_ep.port());
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
    }
    std::printf("Stop with Ctrl-C.\n");
    std::fflush(stdout);
}

// Migrates when configured to (always for the embedded default, which also
// gets its demo account), so every verb finds the schema it expects.
void prepare_schema(const Config& config, const Database& db, asio::io_context& io,
                    pg::Pool& pool) {
    if (!config.migrate_on_start())
        return;
    run_to_completion(io, [&]() -> asio::awaitable<void> {
        co_await storage::migrate(pool);
        if (db.embedded) {
            co_await storage::ensure_tenant(pool, "example.com");
            co_await storage::ensure_user(pool, "demo@example.com", "demo");
        }
    }());
}

int serve_command(const Config& config) {
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

    auto start_session = [&](asio::ip::tcp::socket socket, bool implicit_tls) {
        auto s = std::make_shared<session::Session>(std::move(socket), context,
                                                    commands::command_table(), implicit_tls);
        // The lambda (and so `s`) lives in the spawned coroutine's frame,
        // keeping the session alive until run() returns.
        asio::co_spawn(
            io, [s]() -> asio::awaitable<void> { co_await s->run(); }, asio::detached);
    };
    net::Listener listener(io.get_executor(), config.listen, [&](asio::ip::tcp::socket socket) {
        start_session(std::move(socket), false);
    });
    asio::co_spawn(io, listener.run(), asio::detached);
    std::optional<net::Listener> tls_listener;
    if (const std::string address = config.implicit_tls_listen(); !address.empty()) {
        if (!tls)
            throw std::runtime_error("tls_listen is set but tls_cert and tls_key are not");
        tls_listener.emplace(io.get_executor(), address, [&](asio::ip::tcp::socket socket) {
            start_session(std::move(socket), true);
        });
        asio::co_spawn(io, tls_listener->run(), asio::detached);
    }

    // Push: one LISTEN connection; each notification reaches the sessions of
    // its user on this worker, which read the change themselves.
    storage::ChangeListener listener_db(
        io.get_executor(), db.dsn,
        [&context](const std::vector<storage::MailboxChange>& changes) {
            for (const auto& change : changes) {
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
    // SIGHUP: read the certificate again. Sessions keep the context they
    // started with; new handshakes use the new one.
    asio::signal_set reload_signals(io, SIGHUP);
    signals.async_wait([&](const boost::system::error_code& ec, int sig) {
        if (ec)
            return;
        log::info("shutdown", "signal=", sig);
        listener.close();
        if (tls_listener)
            tls_listener->close();
        reload_signals.cancel();
        listener_db.stop();
        stopping = true;
        queue_watch.cancel();
        for (auto* s : context.sessions)
            s->close();
    });
    std::function<void()> wait_for_reload = [&] {
        reload_signals.async_wait([&](const boost::system::error_code& ec, int) {
            if (ec)
                return;
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
                         tls ? &*tls : nullptr, db.embedded.has_value());
    log::info("listening", "address=", config.listen);
    if (tls_listener)
        log::info("listening_tls", "address=", config.implicit_tls_listen());
    io.run();
    log::info("stopped");
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) {
        usage();
        return 2;
    }
    std::string verb = argv[1];
    std::string config_path;
    std::vector<std::string> rest;
    for (int i = 2; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--config" && i + 1 < argc) {
            config_path = argv[++i];
        } else if (is_admin_verb(verb)) {
            rest.push_back(arg);
        } else {
            usage();
            return 2;
        }
    }
    if (verb == "version") {
        std::printf("postimap 0.1.0\n");
        return 0;
    }
    try {
        Config config = load_config(config_path);
        log::Level level;
        if (log::parse_level(config.log_level, level))
            log::set_level(level);
        if (verb == "serve")
            return serve_command(config);
        if (verb == "migrate")
            return migrate_command(config);
        if (is_admin_verb(verb)) {
            Database db;
            open_database(config, db);
            {
                asio::io_context io(1);
                pg::Pool pool(io.get_executor(), pool_options(config, db.dsn));
                prepare_schema(config, db, io, pool);
            }
            return run_admin_command(verb, rest, db.dsn);
        }
    } catch (const std::exception& e) {
        std::fprintf(stderr, "postimap: %s\n", e.what());
        return 1;
    }
    usage();
    return 2;
}
