#include "tests/support/test_database.hpp"

#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>

#include "storage/migrations.hpp"
#include "storage/pg/pool.hpp"

namespace postimap::test {
namespace {

std::unique_ptr<storage::EmbeddedPostgres> the_cluster;
std::filesystem::path the_dir;

// Stops the cluster and removes its directory when the test program ends.
class ClusterCleanup : public ::testing::Environment {
  public:
    void TearDown() override {
        if (the_cluster)
            the_cluster->force_stop();
        the_cluster.reset();
        std::error_code ec;
        if (!the_dir.empty())
            std::filesystem::remove_all(the_dir, ec);
    }
};

[[maybe_unused]] auto* const cleanup = ::testing::AddGlobalTestEnvironment(new ClusterCleanup);

}  // namespace

storage::EmbeddedPostgres& cluster() {
    if (!the_cluster) {
        char tmpl[] = "/tmp/pimtest-XXXXXX";
        if (!mkdtemp(tmpl))
            throw std::runtime_error("mkdtemp failed");
        the_dir = tmpl;
        storage::EmbeddedPostgresOptions options{the_dir, "postgres", false};
        the_cluster = std::make_unique<storage::EmbeddedPostgres>(options);
        the_cluster->start();
    }
    return *the_cluster;
}

std::string fresh_database(bool migrated) {
    static std::atomic<int> counter{0};
    std::string name = "test_" + std::to_string(::getpid()) + "_" + std::to_string(counter++);
    boost::asio::io_context io;
    {
        pg::Pool admin(io.get_executor(), {cluster().admin_dsn("postgres")});
        run(io, [&]() -> boost::asio::awaitable<void> {
            auto conn = co_await admin.acquire();
            co_await conn->exec_script("create database " + name);
        }());
    }
    std::string dsn = cluster().admin_dsn(name);
    if (migrated) {
        pg::Pool pool(io.get_executor(), {dsn});
        run(io, [&]() -> boost::asio::awaitable<void> { co_await storage::migrate(pool); }());
    }
    return dsn;
}

}  // namespace postimap::test
