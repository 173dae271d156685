#include "server/admin_cli.hpp"

#include <boost/asio/co_spawn.hpp>
#include <boost/asio/io_context.hpp>
#include <cstdio>
#include <iostream>
#include <optional>

#include "storage/pg/error.hpp"
#include "storage/provisioning.hpp"

namespace postimap {
namespace {

namespace asio = boost::asio;

constexpr const char* kUsage =
    "usage:\n"
    "  postimap tenant add DOMAIN\n"
    "  postimap user add USER@DOMAIN [PASSWORD]      (password read from stdin if omitted)\n"
    "  postimap user passwd USER@DOMAIN [PASSWORD]\n"
    "  postimap user disable USER@DOMAIN\n"
    "  postimap user enable USER@DOMAIN\n"
    "  postimap user del USER@DOMAIN\n"
    "  postimap quota set USER@DOMAIN BYTES|unlimited\n";

// The password from the command line, or the first line of stdin (so it
// stays out of the process list and shell history).
std::string password_from(const std::vector<std::string>& args, std::size_t index) {
    if (args.size() > index)
        return args[index];
    std::string line;
    std::getline(std::cin, line);
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    return line;
}

}  // namespace

bool is_admin_verb(const std::string& verb) {
    return verb == "tenant" || verb == "user" || verb == "quota";
}

int run_admin_command(const std::string& verb, const std::vector<std::string>& args,
                      const std::string& dsn) {
    const std::string sub = args.empty() ? "" : args[0];
    auto arity = [&](std::size_t min, std::size_t max) {
        return args.size() >= min && args.size() <= max;
    };
    asio::io_context io(1);
    pg::Pool pool(io.get_executor(), {dsn, 1});
    std::optional<asio::awaitable<void>> work;
    std::string done;
    if (verb == "tenant" && sub == "add" && arity(2, 2)) {
        work.emplace(storage::create_tenant(pool, args[1]));
        done = "tenant " + args[1] + " created";
    } else if (verb == "user" && sub == "add" && arity(2, 3)) {
        work.emplace(storage::create_user(pool, args[1], password_from(args, 2)));
        done = "user " + args[1] + " created";
    } else if (verb == "user" && sub == "passwd" && arity(2, 3)) {
        work.emplace(storage::set_password(pool, args[1], password_from(args, 2)));
        done = "password of " + args[1] + " changed";
    } else if (verb == "user" && (sub == "disable" || sub == "enable") && arity(2, 2)) {
        work.emplace(storage::set_user_enabled(pool, args[1], sub == "enable"));
        done = "user " + args[1] + " " + sub + "d";
    } else if (verb == "user" && sub == "del" && arity(2, 2)) {
        work.emplace(storage::delete_user(pool, args[1]));
        done = "user " + args[1] + " and their mail deleted";
    } else if (verb == "quota" && sub == "set" && arity(3, 3)) {
        std::optional<std::int64_t> bytes;
        if (args[2] != "unlimited") {
            try {
                std::size_t used = 0;
                bytes = std::stoll(args[2], &used);
                if (used != args[2].size() || *bytes < 0)
                    throw std::invalid_argument("bytes");
            } catch (const std::exception&) {
                std::fprintf(stderr, "postimap: quota must be a number of bytes or unlimited\n");
                return 2;
            }
        }
        work.emplace(storage::set_quota(pool, args[1], bytes));
        done = "quota of " + args[1] + " set to " + args[2];
    } else {
        std::fputs(kUsage, stderr);
        return 2;
    }

    std::exception_ptr failure;
    asio::co_spawn(io, std::move(*work), [&](std::exception_ptr e) { failure = e; });
    io.run();
    try {
        if (failure)
            std::rethrow_exception(failure);
    } catch (const pg::Error& e) {
        // The provisioning functions word their errors for operators.
        std::fprintf(stderr, "postimap: %s\n", e.what());
        return 1;
    } catch (const pg::ConnectionError& e) {
        std::fprintf(stderr, "postimap: %s\n", e.what());
        return 1;
    }
    std::printf("%s\n", done.c_str());
    return 0;
}

}  // namespace postimap
