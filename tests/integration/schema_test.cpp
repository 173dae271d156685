// Migrations: idempotent, safe when run concurrently, and equal to the
// readable schema in schema/.
#include <gtest/gtest.h>

#include <boost/asio/detached.hpp>
#include <fstream>
#include <sstream>

#include "storage/migrations.hpp"
#include "storage/pg/pool.hpp"
#include "tests/support/test_database.hpp"

namespace postimap {
namespace {

namespace asio = boost::asio;
using test::run;

const pg::Statement kVersions{"versions", "select count(*), max(version) from schema_migrations"};

TEST(Migrations, SecondRunAppliesNothing) {
    asio::io_context io;
    pg::Pool pool(io.get_executor(), {test::fresh_database(false)});
    EXPECT_EQ(run(io, storage::migrate(pool)),
              static_cast<int>(storage::embedded_migrations().size()));
    EXPECT_EQ(run(io, storage::migrate(pool)), 0);
    EXPECT_EQ(run(io, storage::applied_migration_version(pool)),
              storage::latest_migration_version());
}

TEST(Migrations, ConcurrentRunsApplyEachStepOnce) {
    asio::io_context io;
    std::string dsn = test::fresh_database(false);
    pg::Pool a(io.get_executor(), {dsn}), b(io.get_executor(), {dsn});
    int applied_a = -1, applied_b = -1;
    run(io, [&]() -> asio::awaitable<void> {
        // Two "workers" start at once; the advisory lock serializes them.
        asio::co_spawn(
            io, [&]() -> asio::awaitable<void> { applied_a = co_await storage::migrate(a); },
            asio::detached);
        applied_b = co_await storage::migrate(b);
    }());
    io.restart();
    io.run();
    EXPECT_EQ(applied_a + applied_b, static_cast<int>(storage::embedded_migrations().size()));
    auto r = run(io, [&]() -> asio::awaitable<std::pair<std::int64_t, std::int64_t>> {
        auto c = co_await a.acquire();
        auto res = co_await c->exec(kVersions);
        co_return std::pair{res[0].int64(0), res[0].int64(1)};
    }());
    EXPECT_EQ(r.first, static_cast<std::int64_t>(storage::embedded_migrations().size()));
    EXPECT_EQ(r.second, storage::latest_migration_version());
}

std::string read_file(const std::string& path) {
    std::ifstream in(path);
    if (!in)
        throw std::runtime_error("cannot read " + path);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
}

// Everything a schema defines that matters to the server, as text rows.
const pg::Statement kCatalog{
    "catalog",
    "select 'column ' || table_name || '.' || column_name || ' ' || data_type || ' '"
    "       || is_nullable || ' ' || coalesce(column_default, '')"
    "  from information_schema.columns where table_schema = 'public'"
    " union all select 'index ' || indexdef from pg_indexes where schemaname = 'public'"
    " union all select 'constraint ' || conrelid::regclass || ' ' || pg_get_constraintdef(oid)"
    "  from pg_constraint where connamespace = 'public'::regnamespace"
    " union all select 'function ' || p.oid::regprocedure || ' ' || md5(prosrc)"
    "  from pg_proc p where pronamespace = 'public'::regnamespace"
    "   and not exists (select 1 from pg_depend d where d.objid = p.oid and d.deptype = 'e')"
    " union all select 'compression ' || attrelid::regclass || '.' || attname || ' '"
    "       || attcompression::text from pg_attribute"
    "  where attcompression <> '' and attrelid::regclass::text not like 'pg_%'"
    " union all select 'policy ' || tablename || ' ' || policyname || ' ' || cmd || ' '"
    "       || array_to_string(roles, ',') || ' ' || coalesce(qual, '') || ' '"
    "       || coalesce(with_check, '') from pg_policies where schemaname = 'public'"
    " union all select 'rls ' || relname from pg_class"
    "  where relnamespace = 'public'::regnamespace and relrowsecurity"
    " union all select 'grant ' || table_name || ' ' || privilege_type"
    "  from information_schema.role_table_grants where grantee = 'postimap_app'"
    " union all select 'trigger ' || pg_get_triggerdef(oid) from pg_trigger"
    "  where not tgisinternal"
    " union all select 'definer ' || p.oid::regprocedure from pg_proc p"
    "  where pronamespace = 'public'::regnamespace and prosecdef"
    " order by 1"};

std::vector<std::string> catalog_of(asio::io_context& io, pg::Pool& pool) {
    return run(io, [&]() -> asio::awaitable<std::vector<std::string>> {
        auto c = co_await pool.acquire();
        auto r = co_await c->exec(kCatalog);
        std::vector<std::string> rows;
        for (int i = 0; i < r.rows(); ++i)
            rows.push_back(r[i].str(0));
        co_return rows;
    }());
}

TEST(Schema, MigrationsMatchTheReadableSchema) {
    asio::io_context io;
    pg::Pool migrated(io.get_executor(), {test::fresh_database(true)});
    pg::Pool from_files(io.get_executor(), {test::fresh_database(false)});
    const std::string dir = POSTIMAP_SOURCE_DIR "/schema/";
    const std::vector<std::string> files{
        "extensions.sql",       "tenants.sql",      "mailboxes.sql", "messages.sql",
        "mailbox_messages.sql", "provisioning.sql", "security.sql"};
    run(io, [&]() -> asio::awaitable<void> {
        auto c = co_await from_files.acquire();
        // The migration table is bookkeeping, not schema (but security.sql
        // grants on it).
        co_await c->exec_script(
            "create table schema_migrations (version integer primary key, name text not null,"
            " applied_at timestamptz not null default now())");
        for (const auto& f : files)
            co_await c->exec_script(read_file(dir + f));
    }());
    auto want = catalog_of(io, migrated);
    auto have = catalog_of(io, from_files);
    EXPECT_GT(want.size(), 50u);
    EXPECT_EQ(have, want) << "schema/*.sql and migrations/ disagree";
}

}  // namespace
}  // namespace postimap
