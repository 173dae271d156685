// One line per event on stderr: "<UTC time> <level> <event> key=value ...".
// Callers pass the key=value text; nothing here knows IMAP or SQL.
#pragma once

#include <sstream>
#include <string>
#include <string_view>

namespace postimap::log {

enum class Level { debug = 0, info = 1, warn = 2, error = 3 };

void set_level(Level level);
Level level();
// Accepts debug, info, warn, error; returns false for anything else.
bool parse_level(std::string_view text, Level& out);

// Control characters (CR, LF, ...) become \xNN: one event stays one line
// whatever a client sent (a user name in a literal may hold CRLF).
std::string one_line(std::string_view text);

void write(Level level, std::string_view event, std::string_view fields);

template <typename... Parts>
void emit(Level lv, std::string_view event, const Parts&... parts) {
    if (lv < level())
        return;
    std::ostringstream fields;
    if constexpr (sizeof...(parts) > 0)
        (fields << ... << parts);
    write(lv, event, fields.str());
}

template <typename... Parts>
void debug(std::string_view event, const Parts&... parts) {
    emit(Level::debug, event, parts...);
}
template <typename... Parts>
void info(std::string_view event, const Parts&... parts) {
    emit(Level::info, event, parts...);
}
template <typename... Parts>
void warn(std::string_view event, const Parts&... parts) {
    emit(Level::warn, event, parts...);
}
template <typename... Parts>
void error(std::string_view event, const Parts&... parts) {
    emit(Level::error, event, parts...);
}

}  // namespace postimap::log
