// A private PostgreSQL cluster in a directory of our own: the embedded
// default for development and the database of the integration tests.
// PostgreSQL refuses to run as root, so when we are root the cluster runs as
// the unprivileged `postgres` user (from Debian's package). It listens only
// on a Unix socket inside the directory. Setup is blocking process work and
// happens before any event loop runs.
#pragma once

#include <filesystem>
#include <string>
#include <vector>

namespace postimap::storage {

struct EmbeddedPostgresOptions {
    std::filesystem::path dir;  // holds pgdata/, the socket and postgres.log
    std::string database = "postimap";
    bool durable = true;  // false (tests): fsync off, faster, unsafe on power loss
};

class EmbeddedPostgres {
  public:
    explicit EmbeddedPostgres(EmbeddedPostgresOptions options);
    ~EmbeddedPostgres();  // stops the cluster if start() started it
    EmbeddedPostgres(const EmbeddedPostgres&) = delete;
    EmbeddedPostgres& operator=(const EmbeddedPostgres&) = delete;

    // Creates the cluster on first use and starts it unless it already runs
    // (another worker of the same directory started it). Throws
    // std::runtime_error with the reason and the log's location.
    void start();
    // Stops the cluster if this object started it.
    void stop();
    // Stops the cluster whoever started it (tests that kill the database).
    void force_stop();
    bool running() const;

    std::string dsn() const;
    // The DSN of the maintenance database, for creating others (tests).
    std::string admin_dsn(const std::string& database = "postgres") const;
    bool created_now() const { return created_now_; }
    const std::filesystem::path& dir() const { return options_.dir; }

  private:
    std::vector<std::string> as_cluster_owner(std::vector<std::string> args) const;
    std::string tool(const std::string& name) const;
    void init_cluster();
    void ensure_database();

    EmbeddedPostgresOptions options_;
    std::filesystem::path bindir_;
    bool started_here_ = false;
    bool created_now_ = false;
};

}  // namespace postimap::storage
