#include "server/commands/handlers.hpp"
#include "server/imap/list_pattern.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace {

bool has_children(const std::vector<storage::MailboxInfo>& all, const std::string& name) {
    std::string prefix = name + imap::kHierarchyDelimiter;
    for (const auto& m : all)
        if (m.name.starts_with(prefix))
            return true;
    return false;
}

}  // namespace

// Lists the user's mailboxes matching a reference and a pattern, RFC 3501
// section 6.3.8, with \HasChildren/\HasNoChildren (RFC 3348).
Awaitable list(CommandContext& ctx, imap::Reader& args) {
    args.space();
    std::string reference = args.astring();
    args.space();
    std::string pattern = args.list_mailbox();
    args.expect_end();

    if (pattern.empty()) {
        // The delimiter and root of the reference's hierarchy.
        ctx.session.write(imap::untagged("LIST (\\Noselect) \"/\" \"\""));
        co_return Completion::ok("LIST completed");
    }
    const std::string canonical = imap::canonical_list_pattern(reference, pattern);
    auto mailboxes = co_await ctx.session.store().list_mailboxes(ctx.session.user().id);
    for (const auto& m : mailboxes) {
        if (!imap::list_pattern_matches(canonical, m.name))
            continue;
        std::string line = "LIST (";
        line += has_children(mailboxes, m.name) ? "\\HasChildren" : "\\HasNoChildren";
        line += ") \"/\" ";
        imap::append_astring(line, m.name);
        ctx.session.write(imap::untagged(line));
    }
    co_return Completion::ok("LIST completed");
}

}  // namespace postimap::commands
