#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Creates a mailbox, RFC 3501 section 6.3.3. (Hierarchy and modified UTF-7
// names come with the full RFC 3501 work.)
Awaitable create(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    args.expect_end();
    while (name.ends_with('/'))
        name.pop_back();  // a trailing delimiter only hints at children
    if (name.empty() || name == "INBOX")
        co_return Completion::no("Mailbox already exists", "ALREADYEXISTS");
    co_await ctx.session.store().create_mailbox(ctx.session.user().id, name);
    co_return Completion::ok("CREATE completed");
}

}  // namespace postimap::commands
