// The shape of a command handler and of the table that names them. The
// table is built in commands/ and handed to sessions by main.cpp; a session
// runs whatever handler the table names and knows no command by itself.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <span>
#include <string>
#include <string_view>

#include "server/imap/reader.hpp"
#include "server/imap/response.hpp"

namespace postimap::session {

class Session;

// How a command ends: OK by default; the first error wins.
struct Completion {
    imap::Status status = imap::Status::ok;
    std::string code;
    std::string text;

    static Completion ok(std::string text, std::string code = {}) {
        return {imap::Status::ok, std::move(code), std::move(text)};
    }
    static Completion no(std::string text, std::string code = {}) {
        return {imap::Status::no, std::move(code), std::move(text)};
    }
    static Completion bad(std::string text, std::string code = {}) {
        return {imap::Status::bad, std::move(code), std::move(text)};
    }
};

struct CommandContext {
    Session& session;
    std::string_view tag;
    std::string_view name;  // upper-cased, "UID FETCH" for UID commands
};

// A handler reads all its arguments from the Reader before touching
// storage, then does its work and writes untagged data through the session.
using Handler = boost::asio::awaitable<Completion> (*)(CommandContext&, imap::Reader&);

enum StateMask : unsigned {
    not_authenticated = 1,
    authenticated = 2,
    selected = 4,
    any_state = 7,
};

struct CommandSpec {
    std::string_view name;
    Handler handler;
    unsigned states;
};

class CommandTable {
  public:
    explicit CommandTable(std::span<const CommandSpec> specs) : specs_(specs) {}
    const CommandSpec* find(std::string_view name) const {
        for (const auto& s : specs_)
            if (s.name == name)
                return &s;
        return nullptr;
    }

  private:
    std::span<const CommandSpec> specs_;
};

}  // namespace postimap::session
