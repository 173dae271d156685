#include "log/log.hpp"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <string>

namespace postimap::log {
namespace {
Level current_level = Level::info;

const char* level_name(Level lv) {
    switch (lv) {
        case Level::debug:
            return "debug";
        case Level::info:
            return "info";
        case Level::warn:
            return "warn";
        case Level::error:
            return "error";
    }
    return "?";
}
}  // namespace

void set_level(Level lv) {
    current_level = lv;
}
Level level() {
    return current_level;
}

bool parse_level(std::string_view text, Level& out) {
    for (Level lv : {Level::debug, Level::info, Level::warn, Level::error}) {
        if (text == level_name(lv)) {
            out = lv;
            return true;
        }
    }
    return false;
}

std::string one_line(std::string_view text) {
    std::string out;
    out.reserve(text.size());
    for (char c : text) {
        const auto u = static_cast<unsigned char>(c);
        if (u < 0x20 || u == 0x7f) {
            static const char* hex = "0123456789abcdef";
            out += "\\x";
            out += hex[u >> 4];
            out += hex[u & 15];
        } else {
            out += c;
        }
    }
    return out;
}

void write(Level lv, std::string_view event, std::string_view raw_fields) {
    const std::string fields = one_line(raw_fields);
    using namespace std::chrono;
    auto now = system_clock::now();
    std::time_t secs = system_clock::to_time_t(now);
    auto millis = duration_cast<milliseconds>(now.time_since_epoch()).count() % 1000;
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char stamp[32];
    std::strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
    // One fprintf per line keeps lines whole even when several processes
    // share the terminal.
    std::fprintf(stderr, "%s.%03dZ %s %.*s%s%.*s\n", stamp, static_cast<int>(millis),
                 level_name(lv), static_cast<int>(event.size()), event.data(),
                 fields.empty() ? "" : " ", static_cast<int>(fields.size()), fields.data());
}

}  // namespace postimap::log
