#pragma once

#include <string>

#include "server/session/command.hpp"

namespace postimap::commands {

// The commands this server knows, with the states each is allowed in.
const session::CommandTable& command_table();
// What CAPABILITY lists (without the word CAPABILITY).
std::string capabilities();

}  // namespace postimap::commands
