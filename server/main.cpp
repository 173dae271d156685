// postimap: one program, several verbs.
//   postimap serve    run an IMAP worker
//   postimap migrate  apply the schema migrations and exit
// Without a DSN in the configuration, both use the embedded PostgreSQL
// cluster in data_dir, starting it if needed.
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <string>
#include <vector>

#include "log/log.hpp"
#include "server/admin_cli.hpp"
#include "server/config.hpp"
#include "server/database_setup.hpp"
#include "server/serve.hpp"
#include "storage/migrations.hpp"

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
            return serve_command(config, config_path);
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
