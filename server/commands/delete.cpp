#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Deletes a mailbox and its messages, RFC 3501 section 6.3.4. Its children
// stay; LIST then shows the name as a \Noselect parent.
Awaitable delete_(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    args.expect_end();
    auto& session = ctx.session;
    if (name == "INBOX")
        co_return Completion::no("INBOX cannot be deleted", "CANNOT");
    if (session.has_selected() && session.selected().name == name)
        co_return Completion::no("Cannot delete the selected mailbox; select another first",
                                 "INUSE");
    co_await session.store().delete_mailbox(session.user().id, name);
    co_return Completion::ok("DELETE completed");
}

}  // namespace postimap::commands
