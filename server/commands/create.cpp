#include "server/commands/handlers.hpp"
#include "server/imap/mailbox_name.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Creates a mailbox, RFC 3501 section 6.3.3. Parents need not exist: LIST
// shows a missing parent as \Noselect.
Awaitable create(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    args.expect_end();
    while (name.ends_with('/'))
        name.pop_back();  // a trailing delimiter only hints at children
    if (name == "INBOX")
        co_return Completion::no("Mailbox already exists", "ALREADYEXISTS");
    if (auto problem = imap::validate_mailbox_name(name))
        co_return Completion::no(*problem, "CANNOT");
    co_await ctx.session.store().create_mailbox(ctx.session.user().id, name);
    co_return Completion::ok("CREATE completed");
}

}  // namespace postimap::commands
