#include <set>

#include "server/commands/handlers.hpp"
#include "server/imap/list_pattern.hpp"
#include "server/imap/response.hpp"
#include "server/session/session.hpp"

namespace postimap::commands {
namespace {

// Every name and every parent above it ("a/b/c" gives "a" and "a/b" too):
// a parent that does not exist is still listed, as \Noselect.
std::set<std::string> with_parents(const std::set<std::string>& names) {
    std::set<std::string> out = names;
    for (const auto& n : names)
        for (auto slash = n.find(imap::kHierarchyDelimiter); slash != std::string::npos;
             slash = n.find(imap::kHierarchyDelimiter, slash + 1))
            out.insert(n.substr(0, slash));
    return out;
}

bool has_children(const std::set<std::string>& names, const std::string& name) {
    const std::string prefix = name + imap::kHierarchyDelimiter;
    auto first = names.lower_bound(prefix);
    return first != names.end() && first->starts_with(prefix);
}

}  // namespace

// Lists mailboxes (LIST, RFC 3501 6.3.8, with RFC 3348's \HasChildren and
// \HasNoChildren) or subscriptions (LSUB, 6.3.9) matching a reference and
// a pattern.
Awaitable list(CommandContext& ctx, imap::Reader& args) {
    const bool lsub = ctx.name == "LSUB";
    const std::string verb = lsub ? "LSUB" : "LIST";
    args.space();
    std::string reference = args.mailbox_text(args.astring());
    args.space();
    std::string pattern = args.mailbox_text(args.list_mailbox());
    args.expect_end();

    if (pattern.empty()) {
        // The hierarchy delimiter and root (RFC 3501 6.3.8).
        ctx.session.write(imap::untagged(verb + " (\\Noselect) \"/\" \"\""));
        co_return Completion::ok(verb + " completed");
    }
    const std::string canonical = imap::canonical_list_pattern(reference, pattern);
    auto& store = ctx.session.store();
    const auto user = ctx.session.user().id;
    std::set<std::string> existing;
    for (auto& m : co_await store.list_mailboxes(user))
        existing.insert(std::move(m.name));
    std::set<std::string> subscribed;
    if (lsub)
        for (auto& s : co_await store.subscriptions(user))
            subscribed.insert(std::move(s));
    const auto& listed = lsub ? subscribed : existing;

    for (const auto& name : with_parents(listed)) {
        if (!imap::list_pattern_matches(canonical, name))
            continue;
        std::string attrs;
        if (lsub) {
            // An unsubscribed parent shows only where "%" stops at it
            // (RFC 3501 6.3.9); "*" reaches the subscribed names themselves.
            if (!subscribed.contains(name)) {
                if (canonical.find('%') == std::string::npos)
                    continue;
                attrs = "\\Noselect";
            }
        } else {
            if (!existing.contains(name))
                attrs = "\\Noselect ";
            attrs += has_children(existing, name) ? "\\HasChildren" : "\\HasNoChildren";
        }
        std::string line = verb + " (" + attrs + ") \"/\" ";
        imap::append_mailbox(line, name);
        ctx.session.write(imap::untagged(line));
    }
    co_return Completion::ok(verb + " completed");
}

}  // namespace postimap::commands
