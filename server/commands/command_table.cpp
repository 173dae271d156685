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
    session::CommandSpec{"IDLE", idle, kAuthenticated},
    // RFC 5161: "only valid in the authenticated state".
    session::CommandSpec{"ENABLE", enable, StateMask::authenticated},
    session::CommandSpec{"LOGOUT", logout, StateMask::any_state},
    session::CommandSpec{"LOGIN", login, StateMask::not_authenticated},
    session::CommandSpec{"STARTTLS", starttls, StateMask::not_authenticated},
    session::CommandSpec{"AUTHENTICATE", authenticate, StateMask::not_authenticated},
    session::CommandSpec{"LIST", list, kAuthenticated},
    session::CommandSpec{"CREATE", create, kAuthenticated},
    session::CommandSpec{"SELECT", select, kAuthenticated},
    session::CommandSpec{"EXAMINE", select, kAuthenticated},
    session::CommandSpec{"APPEND", append, kAuthenticated},
    session::CommandSpec{"LSUB", list, kAuthenticated},
    session::CommandSpec{"DELETE", delete_, kAuthenticated},
    session::CommandSpec{"RENAME", rename, kAuthenticated},
    session::CommandSpec{"SUBSCRIBE", subscribe, kAuthenticated},
    session::CommandSpec{"UNSUBSCRIBE", subscribe, kAuthenticated},
    session::CommandSpec{"STATUS", status, kAuthenticated},
    session::CommandSpec{"CHECK", noop, StateMask::selected},
    session::CommandSpec{"CLOSE", close, StateMask::selected},
    session::CommandSpec{"UNSELECT", close, StateMask::selected},
    session::CommandSpec{"EXPUNGE", expunge, StateMask::selected},
    session::CommandSpec{"UID EXPUNGE", expunge, StateMask::selected},
    session::CommandSpec{"FETCH", fetch, StateMask::selected},
    session::CommandSpec{"UID FETCH", fetch, StateMask::selected},
    session::CommandSpec{"STORE", store, StateMask::selected},
    session::CommandSpec{"UID STORE", store, StateMask::selected},
    session::CommandSpec{"SEARCH", search, StateMask::selected},
    session::CommandSpec{"UID SEARCH", search, StateMask::selected},
    session::CommandSpec{"COPY", copy, StateMask::selected},
    session::CommandSpec{"UID COPY", copy, StateMask::selected},
    session::CommandSpec{"MOVE", move, StateMask::selected},
    session::CommandSpec{"UID MOVE", move, StateMask::selected},
};

}  // namespace

const session::CommandTable& command_table() {
    static const session::CommandTable table(kCommands);
    return table;
}

std::string capabilities() {
    return "IMAP4rev1 LITERAL+ UIDPLUS UNSELECT CHILDREN IDLE ENABLE CONDSTORE QRESYNC MOVE";
}

}  // namespace postimap::commands
