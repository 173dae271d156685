#include "server/commands/handlers.hpp"
#include "server/session/session.hpp"
#include "storage/error.hpp"

namespace postimap::commands {

// Adds a name to (SUBSCRIBE, RFC 3501 6.3.6) or removes it from
// (UNSUBSCRIBE, 6.3.7) the subscriptions. A name need not exist.
Awaitable subscribe(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    args.expect_end();
    auto& store = ctx.session.store();
    const auto user = ctx.session.user().id;
    if (ctx.name == "SUBSCRIBE") {
        co_await store.subscribe(user, name);
    } else {
        try {
            co_await store.unsubscribe(user, name);
        } catch (const storage::Error&) {
            co_return Completion::no("Not subscribed to that name", "NONEXISTENT");
        }
    }
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
