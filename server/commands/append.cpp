#include <ctime>

#include "server/commands/handlers.hpp"
#include "server/imap/date_time.hpp"
#include "server/imap/flag_names.hpp"
#include "server/session/session.hpp"
#include "storage/error.hpp"

namespace postimap::commands {

// Adds a message to a mailbox, RFC 3501 section 6.3.11; answers with
// APPENDUID (RFC 4315). OK is sent only after the message is committed.
Awaitable append(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string mailbox = args.mailbox();
    args.space();
    storage::Flags flags;
    if (args.peek('(')) {
        flags = imap::parse_settable_flags(args.flag_list());
        args.space();
    }
    std::int64_t internal_date = std::time(nullptr);
    if (args.peek('"')) {
        auto text = args.quoted_date_time();
        auto parsed = imap::parse_date_time(text);
        if (!parsed)
            throw imap::SyntaxError("Invalid date-time");
        internal_date = *parsed;
        args.space();
    }
    std::string_view message = args.literal();
    args.expect_end();
    if (message.empty())
        co_return Completion::no("Cannot append an empty message");

    auto& session = ctx.session;
    storage::AppendRequest request{session.user().id, session.user().tenant, mailbox,
                                   message,           std::move(flags),      internal_date};
    storage::AppendResult result;
    try {
        result = co_await session.store().append(request);
    } catch (const storage::Error& e) {
        if (e.kind() != storage::ErrorKind::not_found)
            throw;
        co_return Completion::no("Mailbox does not exist", "TRYCREATE");
    }
    if (session.has_selected() && session.selected().id == result.mailbox)
        session.note_selected_mailbox_changed();
    co_return Completion::ok("APPEND completed", "APPENDUID " + std::to_string(result.uidvalidity) +
                                                     " " + std::to_string(result.uid.value));
}

}  // namespace postimap::commands
