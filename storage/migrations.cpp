#include "storage/migrations.hpp"

#include <exception>
#include <string>

#include "log/log.hpp"
#include "storage/pg/error.hpp"

namespace postimap::storage {
namespace {

// Any constant works as long as every worker uses the same one.
constexpr const char* kLockKey = "7031996";  // 'postimap migrate'

const pg::Statement kCreateTable{"migrations_create_table",
                                 "create table if not exists schema_migrations ("
                                 " version integer primary key, name text not null,"
                                 " applied_at timestamptz not null default now())"};
const pg::Statement kApplied{"migrations_applied",
                             "select coalesce(max(version), 0) from schema_migrations"};
const pg::Statement kRecord{"migrations_record",
                            "insert into schema_migrations (version, name) values ($1, $2)"};
const pg::Statement kTableExists{"migrations_table_exists",
                                 "select to_regclass('schema_migrations') is not null"};

}  // namespace

int latest_migration_version() {
    const auto& all = embedded_migrations();
    return all.empty() ? 0 : all.back().version;
}

boost::asio::awaitable<int> applied_migration_version(pg::Pool& pool) {
    auto conn = co_await pool.acquire();
    auto exists = co_await conn->exec(kTableExists);
    if (!exists[0].boolean(0))
        co_return 0;
    auto r = co_await conn->exec(kApplied);
    co_return static_cast<int>(r[0].int64(0));
}

boost::asio::awaitable<int> migrate(pg::Pool& pool) {
    auto conn = co_await pool.acquire();
    // Session-level lock: held across the per-step transactions below and
    // released when we unlock (or the connection ends).
    co_await conn->exec_script(std::string("select pg_advisory_lock(") + kLockKey + ")");
    int applied = 0;
    std::exception_ptr failure;
    try {
        co_await conn->exec(kCreateTable);
        int have = static_cast<int>((co_await conn->exec(kApplied))[0].int64(0));
        for (const auto& m : embedded_migrations()) {
            if (m.version <= have)
                continue;
            log::info("migration_apply", "version=", m.version, " name=", m.name);
            co_await conn->exec_script("BEGIN");
            co_await conn->exec_script(m.sql);
            co_await conn->exec(kRecord, pg::Params(std::int32_t{m.version}, m.name));
            co_await conn->exec_script("COMMIT");
            ++applied;
        }
    } catch (const pg::Error&) {
        failure = std::current_exception();  // co_await is not allowed in a handler
    }
    if (failure)
        co_await conn->exec_script("ROLLBACK");
    co_await conn->exec_script(std::string("select pg_advisory_unlock(") + kLockKey + ")");
    if (failure)
        std::rethrow_exception(failure);
    co_return applied;
}

}  // namespace postimap::storage
