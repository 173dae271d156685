#include "storage/embedded_postgres.hpp"

#include <fcntl.h>
#include <pwd.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <fstream>
#include <stdexcept>

#include "log/log.hpp"

namespace postimap::storage {
namespace fs = std::filesystem;
namespace {

constexpr const char* kClusterUser = "postgres";  // created by Debian's postgresql package
constexpr const char* kSocketName = ".s.PGSQL.5432";
constexpr std::size_t kMaxSocketPath = 107;  // sizeof(sockaddr_un::sun_path) - 1

bool running_as_root() {
    return ::geteuid() == 0;
}

// Finds the newest /usr/lib/postgresql/<version>/bin, unless POSTIMAP_PG_BINDIR says.
fs::path find_bindir() {
    if (const char* env = std::getenv("POSTIMAP_PG_BINDIR"))
        return env;
    fs::path best;
    int best_version = -1;
    std::error_code ec;
    for (const auto& entry : fs::directory_iterator("/usr/lib/postgresql", ec)) {
        int version = std::atoi(entry.path().filename().c_str());
        if (version > best_version && fs::exists(entry.path() / "bin" / "initdb")) {
            best_version = version;
            best = entry.path() / "bin";
        }
    }
    if (best.empty())
        throw std::runtime_error(
            "PostgreSQL server binaries not found under /usr/lib/postgresql "
            "(install postgresql, or set POSTIMAP_PG_BINDIR)");
    return best;
}

// Runs a command, its output appended to `log`; returns the exit status.
int run(const std::vector<std::string>& args, const fs::path& cwd, const fs::path& log) {
    pid_t pid = ::fork();
    if (pid < 0)
        throw std::runtime_error("fork failed");
    if (pid == 0) {
        // A session of its own: Ctrl-C in the terminal stops the server,
        // which then stops PostgreSQL in order, not both at once.
        ::setsid();
        int fd = ::open(log.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0600);
        if (fd >= 0) {
            ::dup2(fd, 1);
            ::dup2(fd, 2);
            ::close(fd);
        }
        int devnull = ::open("/dev/null", O_RDONLY);
        if (devnull >= 0)
            ::dup2(devnull, 0);
        if (::chdir(cwd.c_str()) != 0)
            _exit(126);
        std::vector<char*> argv;
        for (const auto& a : args)
            argv.push_back(const_cast<char*>(a.c_str()));
        argv.push_back(nullptr);
        ::execvp(argv[0], argv.data());
        _exit(127);
    }
    int status = 0;
    while (::waitpid(pid, &status, 0) < 0 && errno == EINTR) {
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

void give_to_cluster_user(const fs::path& path) {
    if (!running_as_root())
        return;
    passwd* pw = ::getpwnam(kClusterUser);
    if (!pw)
        throw std::runtime_error(std::string("running as root needs the unprivileged user '") +
                                 kClusterUser +
                                 "' (from the postgresql package) to run PostgreSQL");
    if (::chown(path.c_str(), pw->pw_uid, pw->pw_gid) != 0)
        throw std::runtime_error("cannot hand " + path.string() + " to user " + kClusterUser);
}

}  // namespace

EmbeddedPostgres::EmbeddedPostgres(EmbeddedPostgresOptions options) : options_(std::move(options)) {
    options_.dir = fs::absolute(options_.dir).lexically_normal();
}

EmbeddedPostgres::~EmbeddedPostgres() {
    try {
        stop();
    } catch (const std::exception& e) {
        log::error("embedded_postgres_stop_failed", "error=\"", e.what(), "\"");
    }
}

std::vector<std::string> EmbeddedPostgres::as_cluster_owner(std::vector<std::string> args) const {
    if (!running_as_root())
        return args;
    std::vector<std::string> wrapped = {"runuser", "-u", kClusterUser, "--"};
    wrapped.insert(wrapped.end(), args.begin(), args.end());
    return wrapped;
}

std::string EmbeddedPostgres::tool(const std::string& name) const {
    return (bindir_ / name).string();
}

std::string EmbeddedPostgres::dsn() const {
    return admin_dsn(options_.database);
}

std::string EmbeddedPostgres::admin_dsn(const std::string& database) const {
    return "host=" + options_.dir.string() + " port=5432 user=postgres dbname=" + database;
}

bool EmbeddedPostgres::running() const {
    if (bindir_.empty())
        return false;
    auto log = options_.dir / "setup.log";
    return run(as_cluster_owner(
                   {tool("pg_ctl"), "status", "-D", (options_.dir / "pgdata").string()}),
               options_.dir, log) == 0;
}

void EmbeddedPostgres::init_cluster() {
    auto pgdata = options_.dir / "pgdata";
    auto log = options_.dir / "setup.log";
    log::info("embedded_postgres_init", "dir=", options_.dir.string());
    // A half-made cluster from an interrupted first run holds no mail yet.
    std::error_code ec;
    fs::remove_all(pgdata, ec);
    std::vector<std::string> args = {
        tool("initdb"), "-D",   pgdata.string(),   "-U", "postgres", "-A", "trust",
        "-E",           "UTF8", "--locale=C.UTF-8"};
    // C.UTF-8 (always in glibc): code point order, and case folding for all
    // of Unicode, which SEARCH's ILIKE relies on.
    if (!options_.durable)
        args.push_back("--no-sync");
    int rc = run(as_cluster_owner(args), options_.dir, log);
    if (rc != 0)
        throw std::runtime_error("initdb failed; see " + log.string());
    // Only a Unix socket inside our own directory: nothing listens on TCP.
    std::ofstream conf(pgdata / "postgresql.conf", std::ios::app);
    conf << "\n# Added by postimap for its embedded cluster\n"
         << "listen_addresses = ''\n"
         << "unix_socket_directories = '" << options_.dir.string() << "'\n"
         << "unix_socket_permissions = 0700\n";
    if (!options_.durable)
        conf << "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n";
    created_now_ = true;
}

void EmbeddedPostgres::start() {
    bindir_ = find_bindir();
    if ((options_.dir / kSocketName).string().size() > kMaxSocketPath)
        throw std::runtime_error("the data directory path " + options_.dir.string() +
                                 " is too long for a Unix socket; choose a shorter one");
    fs::create_directories(options_.dir);
    fs::permissions(options_.dir, fs::perms::owner_all, fs::perm_options::replace);
    give_to_cluster_user(options_.dir);
    auto log = options_.dir / "setup.log";
    if (running_as_root() &&
        run({"runuser", "-u", kClusterUser, "--", "test", "-w", options_.dir.string()}, "/", log) !=
            0)
        throw std::runtime_error("user " + std::string(kClusterUser) + " cannot reach " +
                                 options_.dir.string() +
                                 " (a parent directory is not searchable by others); choose a "
                                 "data directory elsewhere, e.g. under /var/tmp");
    if (!fs::exists(options_.dir / "pgdata" / "PG_VERSION"))
        init_cluster();
    if (running()) {
        log::info("embedded_postgres_running", "dir=", options_.dir.string());
    } else {
        auto server_log = options_.dir / "postgres.log";
        int rc =
            run(as_cluster_owner({tool("pg_ctl"), "start", "-w", "-t", "60", "-D",
                                  (options_.dir / "pgdata").string(), "-l", server_log.string()}),
                options_.dir, log);
        if (rc != 0)
            throw std::runtime_error("PostgreSQL did not start; see " + server_log.string());
        started_here_ = true;
        log::info("embedded_postgres_started", "dir=", options_.dir.string());
    }
    ensure_database();
}

void EmbeddedPostgres::ensure_database() {
    auto log = options_.dir / "setup.log";
    const std::string& db = options_.database;
    auto psql = [&](const std::string& database, const std::string& sql) {
        return run(as_cluster_owner({tool("psql"), "-X", "-q", "-h", options_.dir.string(), "-U",
                                     "postgres", "-d", database, "-c", sql}),
                   options_.dir, log);
    };
    if (psql(db, "select 1") == 0)
        return;
    if (psql("postgres", "create database \"" + db + "\"") != 0)
        throw std::runtime_error("cannot create database " + db + "; see " + log.string());
}

void EmbeddedPostgres::stop() {
    if (!started_here_)
        return;
    force_stop();
}

void EmbeddedPostgres::force_stop() {
    if (bindir_.empty())
        return;
    auto log = options_.dir / "setup.log";
    run(as_cluster_owner(
            {tool("pg_ctl"), "stop", "-w", "-m", "fast", "-D", (options_.dir / "pgdata").string()}),
        options_.dir, log);
    started_here_ = false;
}

}  // namespace postimap::storage
