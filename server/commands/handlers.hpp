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
Awaitable idle(CommandContext& ctx, imap::Reader& args);
Awaitable enable(CommandContext& ctx, imap::Reader& args);
Awaitable move(CommandContext& ctx, imap::Reader& args);  // MOVE and UID MOVE
Awaitable logout(CommandContext& ctx, imap::Reader& args);
Awaitable starttls(CommandContext& ctx, imap::Reader& args);
Awaitable authenticate(CommandContext& ctx, imap::Reader& args);
Awaitable login(CommandContext& ctx, imap::Reader& args);
Awaitable list(CommandContext& ctx, imap::Reader& args);  // LIST and LSUB
Awaitable create(CommandContext& ctx, imap::Reader& args);
Awaitable select(CommandContext& ctx, imap::Reader& args);  // SELECT and EXAMINE
Awaitable append(CommandContext& ctx, imap::Reader& args);
Awaitable fetch(CommandContext& ctx, imap::Reader& args);  // FETCH and UID FETCH
Awaitable status(CommandContext& ctx, imap::Reader& args);
Awaitable delete_(CommandContext& ctx, imap::Reader& args);  // DELETE
Awaitable rename(CommandContext& ctx, imap::Reader& args);
Awaitable subscribe(CommandContext& ctx, imap::Reader& args);  // SUBSCRIBE and UNSUBSCRIBE
Awaitable store(CommandContext& ctx, imap::Reader& args);      // STORE and UID STORE
Awaitable expunge(CommandContext& ctx, imap::Reader& args);    // EXPUNGE and UID EXPUNGE
Awaitable close(CommandContext& ctx, imap::Reader& args);      // CLOSE and UNSELECT
Awaitable copy(CommandContext& ctx, imap::Reader& args);       // COPY and UID COPY
Awaitable search(CommandContext& ctx, imap::Reader& args);     // SEARCH and UID SEARCH

}  // namespace postimap::commands
