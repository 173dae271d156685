#include "server/database_setup.hpp"

#include <boost/asio/co_spawn.hpp>

#include "storage/migrations.hpp"
#include "storage/provisioning.hpp"

namespace postimap {

namespace asio = boost::asio;

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

void run_to_completion(asio::io_context& io, asio::awaitable<void> work) {
    std::exception_ptr failure;
    asio::co_spawn(io, std::move(work), [&](std::exception_ptr e) { failure = e; });
    io.run();
    io.restart();
    if (failure)
        std::rethrow_exception(failure);
}

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

}  // namespace postimap
