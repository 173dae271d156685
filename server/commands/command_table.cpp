#include "server/commands/command_table.hpp"

#include <array>

#include "server/commands/handlers.hpp"

namespace postimap::commands {
namespace {

using session::StateMask;
constexpr unsigned kAuthenticated = StateMask::authenticated | StateMask::selected;

constexpr std::array kCommands = {
    session::CommandSpec{"CAPABILITY", capability, StateMask::any_state},
    session::CommandSpec{"NOOP", noop, StateMask::any_state},
    session::CommandSpec{"LOGOUT", logout, StateMask::any_state},
    session::CommandSpec{"LOGIN", login, StateMask::not_authenticated},
    session::CommandSpec{"LIST", list, kAuthenticated},
    session::CommandSpec{"CREATE", create, kAuthenticated},
    session::CommandSpec{"SELECT", select, kAuthenticated},
    session::CommandSpec{"EXAMINE", select, kAuthenticated},
    session::CommandSpec{"APPEND", append, kAuthenticated},
    session::CommandSpec{"FETCH", fetch, StateMask::selected},
    session::CommandSpec{"UID FETCH", fetch, StateMask::selected},
};

}  // namespace

const session::CommandTable& command_table() {
    static const session::CommandTable table(kCommands);
    return table;
}

std::string capabilities() {
    return "IMAP4rev1 LITERAL+";
}

}  // namespace postimap::commands
