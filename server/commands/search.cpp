#include <algorithm>
#include <cctype>

#include "server/commands/handlers.hpp"
#include "server/commands/message_set.hpp"
#include "server/imap/response.hpp"
#include "server/imap/search_key.hpp"
#include "server/session/session.hpp"
#include "storage/search.hpp"

namespace postimap::commands {
namespace {

using storage::SearchNode;
using Key = imap::SearchKey;

std::string lower(std::string s) {
    for (auto& c : s)
        c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
    return s;
}

SearchNode leaf(SearchNode::Kind kind) {
    SearchNode n;
    n.kind = kind;
    return n;
}

SearchNode uid_node(std::vector<storage::UidRange> ranges) {
    if (ranges.empty())
        return leaf(SearchNode::Kind::none);
    SearchNode n = leaf(SearchNode::Kind::uid_in);
    n.ranges = std::move(ranges);
    return n;
}

// Turns the session-independent IMAP tree into storage's, resolving what
// only the session knows: sequence numbers and \Recent.
class Translator {
  public:
    explicit Translator(const session::SelectedMailbox& box) : box_(box) {}

    SearchNode operator()(const Key::All&) const { return leaf(SearchNode::Kind::all); }

    SearchNode operator()(const Key::Flag& f) const {
        static const std::pair<const char*, SearchNode::SystemFlag> system[] = {
            {"\\seen", SearchNode::SystemFlag::seen},
            {"\\answered", SearchNode::SystemFlag::answered},
            {"\\flagged", SearchNode::SystemFlag::flagged},
            {"\\deleted", SearchNode::SystemFlag::deleted},
            {"\\draft", SearchNode::SystemFlag::draft}};
        const std::string name = lower(f.name);
        for (auto [text, flag] : system) {
            if (name == text) {
                SearchNode n = leaf(SearchNode::Kind::flag);
                n.flag = flag;
                return n;
            }
        }
        SearchNode n = leaf(SearchNode::Kind::keyword);
        n.text = f.name;
        return n;
    }

    SearchNode operator()(const Key::Recent&) const {
        std::vector<storage::UidRange> ranges;
        for (auto uid : box_.recent_uids)
            ranges.push_back({uid, uid});
        return uid_node(std::move(ranges));
    }

    SearchNode operator()(const Key::Header& h) const {
        SearchNode n = leaf(SearchNode::Kind::header);
        n.field = lower(h.field);
        n.text = h.value;
        return n;
    }
    SearchNode operator()(const Key::Body& b) const {
        SearchNode n = leaf(SearchNode::Kind::body);
        n.text = b.text;
        return n;
    }
    SearchNode operator()(const Key::Text& t) const {
        SearchNode n = leaf(SearchNode::Kind::text);
        n.text = t.text;
        return n;
    }
    SearchNode operator()(const Key::Date& d) const {
        SearchNode n = leaf(SearchNode::Kind::date);
        n.date_field = d.field == Key::DateField::internal ? SearchNode::DateField::internal
                                                           : SearchNode::DateField::sent;
        n.relation = d.relation == Key::DateRelation::before  ? SearchNode::DateRelation::before
                     : d.relation == Key::DateRelation::since ? SearchNode::DateRelation::since
                                                              : SearchNode::DateRelation::on;
        n.number = d.day;
        return n;
    }
    SearchNode operator()(const Key::Size& s) const {
        SearchNode n = leaf(s.relation == Key::SizeRelation::larger ? SearchNode::Kind::larger
                                                                    : SearchNode::Kind::smaller);
        n.number = s.octets;
        return n;
    }
    SearchNode operator()(const Key::ModSeq& m) const {
        SearchNode n = leaf(SearchNode::Kind::modseq);
        n.number = static_cast<std::int64_t>(m.value);
        return n;
    }
    SearchNode operator()(const Key::Uid& u) const {
        return uid_node(uid_ranges(resolve_messages(u.set, true, box_), box_));
    }
    SearchNode operator()(const Key::Msn& m) const {
        // Numbers beyond the mailbox match nothing rather than fail, so that
        // "SEARCH 1:*" in an empty mailbox is fine.
        std::vector<MsnInterval> intervals;
        for (auto [a, b] : m.set.resolve(box_.exists()))
            if (a <= box_.exists())
                intervals.push_back({a, std::min(b, box_.exists())});
        return uid_node(uid_ranges(intervals, box_));
    }
    SearchNode operator()(const Key::Not& k) const {
        SearchNode n = leaf(SearchNode::Kind::not_);
        n.children.push_back(translate(*k.key));
        return n;
    }
    SearchNode operator()(const Key::Or& k) const {
        SearchNode n = leaf(SearchNode::Kind::or_);
        n.children.push_back(translate(*k.left));
        n.children.push_back(translate(*k.right));
        return n;
    }
    SearchNode operator()(const Key::And& k) const {
        SearchNode n = leaf(SearchNode::Kind::and_);
        for (const auto& child : k.keys)
            n.children.push_back(translate(child));
        return n;
    }

    SearchNode translate(const Key& key) const { return std::visit(*this, key.node); }

  private:
    const session::SelectedMailbox& box_;
};

}  // namespace

namespace {

bool uses_modseq(const SearchNode& n) {
    if (n.kind == SearchNode::Kind::modseq)
        return true;
    return std::any_of(n.children.begin(), n.children.end(), uses_modseq);
}

}  // namespace

// Finds messages matching search keys, RFC 3501 sections 6.4.4 and 6.4.8
// (UID SEARCH answers UIDs). One SQL query per command, on indexes.
Awaitable search(CommandContext& ctx, imap::Reader& args) {
    const bool by_uid = ctx.name == "UID SEARCH";
    args.space();
    auto program = imap::read_search_program(args);
    args.expect_end();

    auto& session = ctx.session;
    auto& box = session.selected();
    const auto criteria = Translator(box).translate(program.root);
    auto uids = co_await session.store().search(session.user().id, box.id, criteria);
    std::string line = "* SEARCH";
    for (auto uid : uids) {
        if (by_uid) {
            line += " " + std::to_string(uid.value);
        } else if (auto msn = box.msn_of(uid)) {
            line += " " + std::to_string(msn->value);
        }
    }
    if (uses_modseq(criteria)) {
        // RFC 7162 3.1.5: a CONDSTORE enabling command, answered with the
        // highest MODSEQ of the messages found.
        session.enable_condstore();
        if (!uids.empty()) {
            std::vector<storage::UidRange> ranges;
            for (auto uid : uids) {
                if (!ranges.empty() && ranges.back().last.value + 1 == uid.value)
                    ranges.back().last = uid;
                else
                    ranges.push_back({uid, uid});
            }
            auto rows = co_await session.store().fetch(session.user().id, box.id, ranges, {});
            std::uint64_t highest = 0;
            for (const auto& m : rows)
                highest = std::max(highest, m.modseq.value);
            line += " (MODSEQ " + std::to_string(highest) + ")";
        }
    }
    session.write(line + "\r\n");
    co_return Completion::ok(std::string(ctx.name) + " completed");
}

}  // namespace postimap::commands
