#include "server/config.hpp"

#include <cctype>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <stdexcept>

#include "log/log.hpp"

extern char** environ;

namespace postimap {
namespace {

std::string trim(const std::string& s) {
    auto b = s.find_first_not_of(" \t\r");
    if (b == std::string::npos)
        return "";
    auto e = s.find_last_not_of(" \t\r");
    return s.substr(b, e - b + 1);
}

std::size_t parse_size(const std::string& key, const std::string& v) {
    std::size_t pos = 0;
    unsigned long long n = 0;
    try {
        n = std::stoull(v, &pos);
    } catch (const std::exception&) {
        throw std::runtime_error(key + ": not a number: " + v);
    }
    std::string unit = trim(v.substr(pos));
    if (unit == "k" || unit == "K")
        n <<= 10;
    else if (unit == "M")
        n <<= 20;
    else if (unit == "G")
        n <<= 30;
    else if (!unit.empty())
        throw std::runtime_error(key + ": unknown unit: " + unit);
    return static_cast<std::size_t>(n);
}

bool parse_bool(const std::string& key, const std::string& v) {
    if (v == "true" || v == "yes" || v == "on" || v == "1")
        return true;
    if (v == "false" || v == "no" || v == "off" || v == "0")
        return false;
    throw std::runtime_error(key + ": expected true or false: " + v);
}

}  // namespace

bool apply_setting(Config& c, const std::string& key, const std::string& value) {
    if (key == "listen")
        c.listen = value;
    else if (key == "dsn")
        c.dsn = value;
    else if (key == "data_dir")
        c.data_dir = value;
    else if (key == "db_role")
        c.db_role = value;
    else if (key == "pool_size")
        c.pool_size = parse_size(key, value);
    else if (key == "max_line_length")
        c.max_line_length = parse_size(key, value);
    else if (key == "max_literal_size")
        c.max_literal_size = parse_size(key, value);
    else if (key == "max_connections")
        c.max_connections = parse_size(key, value);
    else if (key == "login_timeout")
        c.login_timeout = std::chrono::seconds(parse_size(key, value));
    else if (key == "idle_command_timeout")
        c.idle_command_timeout = std::chrono::seconds(parse_size(key, value));
    else if (key == "idle_keepalive")
        c.idle_keepalive = std::chrono::seconds(parse_size(key, value));
    else if (key == "idle_timeout")
        c.idle_timeout = std::chrono::seconds(parse_size(key, value));
    else if (key == "login_failure_delay")
        c.login_failure_delay = std::chrono::milliseconds(parse_size(key, value));
    else if (key == "login_failure_max_delay")
        c.login_failure_max_delay = std::chrono::milliseconds(parse_size(key, value));
    else if (key == "login_max_failures")
        c.login_max_failures = parse_size(key, value);
    else if (key == "login_failure_window")
        c.login_failure_window = std::chrono::seconds(parse_size(key, value));
    else if (key == "tls_listen")
        c.tls_listen = value;
    else if (key == "tls_cert")
        c.tls_cert = value;
    else if (key == "tls_key")
        c.tls_key = value;
    else if (key == "trusted_networks")
        c.trusted_networks = value;
    else if (key == "proxy_networks")
        c.proxy_networks = value;
    else if (key == "proxy_timeout")
        c.proxy_timeout = std::chrono::milliseconds(parse_size(key, value));
    else if (key == "lmtp_listen")
        c.lmtp_listen = value;
    else if (key == "lmtp_socket")
        c.lmtp_socket = value;
    else if (key == "lmtp_quota_tempfail")
        c.lmtp_quota_tempfail = parse_bool(key, value);
    else if (key == "lmtp_max_recipients")
        c.lmtp_max_recipients = parse_size(key, value);
    else if (key == "recipient_delimiter") {
        if (value.size() > 1)
            throw std::runtime_error("recipient_delimiter: one character or empty");
        c.recipient_delimiter = value;
    } else if (key == "hostname")
        c.hostname = value;
    else if (key == "http_listen")
        c.http_listen = value == "off" ? "" : value;
    else if (key == "drain_timeout")
        c.drain_timeout = std::chrono::seconds(parse_size(key, value));
    else if (key == "auto_migrate")
        c.auto_migrate = parse_bool(key, value);
    else if (key == "log_level") {
        log::Level lv;
        if (!log::parse_level(value, lv))
            throw std::runtime_error("log_level: expected debug, info, warn or error");
        c.log_level = value;
    } else
        return false;
    if (c.pool_size == 0)
        throw std::runtime_error("pool_size must be at least 1");
    return true;
}

Config load_config(const std::string& given_path) {
    Config c;
    std::string path = given_path;
    if (path.empty()) {
        if (const char* env = std::getenv("POSTIMAP_CONFIG"))
            path = env;
        else if (std::filesystem::exists("postimap.conf"))
            path = "postimap.conf";
    }
    if (!path.empty()) {
        std::ifstream in(path);
        if (!in)
            throw std::runtime_error("cannot read config file " + path);
        std::string line;
        for (int n = 1; std::getline(in, line); ++n) {
            auto hash = line.find('#');
            if (hash != std::string::npos)
                line.erase(hash);
            line = trim(line);
            if (line.empty())
                continue;
            auto eq = line.find('=');
            if (eq == std::string::npos)
                throw std::runtime_error(path + ":" + std::to_string(n) + ": expected key = value");
            std::string key = trim(line.substr(0, eq)), value = trim(line.substr(eq + 1));
            try {
                if (!apply_setting(c, key, value))
                    throw std::runtime_error("unknown setting '" + key + "'");
            } catch (const std::runtime_error& e) {
                throw std::runtime_error(path + ":" + std::to_string(n) + ": " + e.what());
            }
        }
    }
    // POSTIMAP_<KEY> overrides, e.g. POSTIMAP_DSN, POSTIMAP_MAX_LITERAL_SIZE.
    for (char** e = environ; *e; ++e) {
        std::string entry = *e;
        if (!entry.starts_with("POSTIMAP_"))
            continue;
        auto eq = entry.find('=');
        std::string key = entry.substr(9, eq - 9);
        if (key == "CONFIG" || key == "PG_BINDIR")
            continue;
        for (auto& ch : key)
            ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
        try {
            if (!apply_setting(c, key, entry.substr(eq + 1)))
                throw std::runtime_error("unknown setting");
        } catch (const std::runtime_error& ex) {
            throw std::runtime_error("environment " + entry.substr(0, eq) + ": " + ex.what());
        }
    }
    return c;
}

}  // namespace postimap
