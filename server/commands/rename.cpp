#include "server/commands/handlers.hpp"
#include "server/imap/mailbox_name.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Renames a mailbox with everything below it, RFC 3501 section 6.3.5;
// renaming INBOX moves its messages to the new name and leaves INBOX empty.
Awaitable rename(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string from = args.mailbox();
    args.space();
    std::string to = args.mailbox();
    args.expect_end();
    while (to.ends_with('/'))
        to.pop_back();
    if (to.empty() || to == "INBOX")
        co_return Completion::no("Mailbox already exists", "ALREADYEXISTS");
    if (auto problem = imap::validate_mailbox_name(to))
        co_return Completion::no(*problem, "CANNOT");
    if (to == from || to.starts_with(from + "/"))
        co_return Completion::no("Cannot rename a mailbox into itself", "CANNOT");

    auto& session = ctx.session;
    const auto user = session.user().id;
    if (from == "INBOX") {
        co_await session.store().rename_inbox(user, to);
        // Its messages moved away: a session on INBOX sees them go.
        if (session.has_selected() && session.selected().name == "INBOX") {
            auto gone = session.selected().uids.list();
            session.report_expunged(gone);
        }
        co_return Completion::ok("RENAME completed");
    }
    co_await session.store().rename_mailbox(user, from, to);
    // The selected mailbox keeps its identity under its new name.
    if (session.has_selected()) {
        auto& selected = session.selected().name;
        if (selected == from || selected.starts_with(from + "/"))
            selected = to + selected.substr(from.size());
    }
    co_return Completion::ok("RENAME completed");
}

}  // namespace postimap::commands
