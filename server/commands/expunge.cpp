#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Removes the messages marked \Deleted, RFC 3501 section 6.4.3; UID
// EXPUNGE (RFC 4315 2.1) only those in a UID set.
Awaitable expunge(CommandContext& ctx, imap::Reader& args) {
    std::optional<std::vector<storage::UidRange>> only;
    auto& box = ctx.session.selected();
    if (ctx.name == "UID EXPUNGE") {
        args.space();
        auto set = args.sequence_set();
        only = uid_ranges(resolve_messages(set, true, box), box);
    }
    args.expect_end();
    if (box.read_only)
        co_return Completion::no("The mailbox is read-only", "READ-ONLY");
    if (only && only->empty())
        co_return Completion::ok(std::string(ctx.name) + " completed");
    auto gone = co_await ctx.session.store().expunge(ctx.session.user().id, box.id, only);
    ctx.session.report_expunged(gone);
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
