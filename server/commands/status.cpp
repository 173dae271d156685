#include "server/commands/handlers.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {

// Reports a mailbox's counters without selecting it, RFC 3501 section
// 6.3.10 (HIGHESTMODSEQ: RFC 7162 3.1.8).
Awaitable status(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string name = args.mailbox();
    args.space();
    args.expect('(');
    std::vector<std::string> items;
    for (;;) {
        std::string item = imap::ascii_upper(args.atom());
        if (item != "MESSAGES" && item != "RECENT" && item != "UIDNEXT" && item != "UIDVALIDITY" &&
            item != "UNSEEN" && item != "HIGHESTMODSEQ")
            throw imap::SyntaxError("Unknown STATUS item " + item);
        if (item == "HIGHESTMODSEQ")
            ctx.session.enable_condstore();  // a CONDSTORE enabling command (RFC 7162 3.1)
        items.push_back(item);
        if (args.accept(')'))
            break;
        args.space();
    }
    args.expect_end();

    auto st = co_await ctx.session.store().mailbox_status(ctx.session.user().id, name);
    if (!st)
        co_return Completion::no("Mailbox does not exist", "NONEXISTENT");
    std::string line = "STATUS ";
    imap::append_mailbox(line, name);
    line += " (";
    for (std::size_t i = 0; i < items.size(); ++i) {
        const auto& item = items[i];
        std::uint64_t value = item == "MESSAGES"      ? st->messages
                              : item == "RECENT"      ? st->recent
                              : item == "UIDNEXT"     ? st->uidnext.value
                              : item == "UIDVALIDITY" ? st->uidvalidity
                              : item == "UNSEEN"      ? st->unseen
                                                      : st->highestmodseq.value;
        line += (i ? " " : "") + item + " " + std::to_string(value);
    }
    line += ")";
    ctx.session.write(imap::untagged(line));
    co_return Completion::ok("STATUS completed");
}

}  // namespace postimap::commands
