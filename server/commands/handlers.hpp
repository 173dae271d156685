// Every command handler, one file each (or one per tight family). Each is
// documented where it is defined, with its RFC section.
#pragma once

#include "server/session/command.hpp"

namespace postimap::commands {

using session::CommandContext;
using session::Completion;
using Awaitable = boost::asio::awaitable<Completion>;

Awaitable capability(CommandContext& ctx, imap::Reader& args);
Awaitable noop(CommandContext& ctx, imap::Reader& args);
Awaitable logout(CommandContext& ctx, imap::Reader& args);
Awaitable login(CommandContext& ctx, imap::Reader& args);
Awaitable list(CommandContext& ctx, imap::Reader& args);
Awaitable create(CommandContext& ctx, imap::Reader& args);
Awaitable select(CommandContext& ctx, imap::Reader& args);  // SELECT and EXAMINE
Awaitable append(CommandContext& ctx, imap::Reader& args);
Awaitable fetch(CommandContext& ctx, imap::Reader& args);  // FETCH and UID FETCH

}  // namespace postimap::commands
