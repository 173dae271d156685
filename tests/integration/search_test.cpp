// SEARCH criteria translated to SQL, against a real PostgreSQL.
#include <gtest/gtest.h>

#include "tests/support/mail_store_fixture.hpp"

namespace postimap {
namespace {

using storage::SearchNode;
using Kind = SearchNode::Kind;

SearchNode node(Kind kind, std::string text = {}, std::string field = {}) {
    SearchNode n;
    n.kind = kind;
    n.text = std::move(text);
    n.field = std::move(field);
    return n;
}

SearchNode with(Kind kind, std::vector<SearchNode> children) {
    SearchNode n;
    n.kind = kind;
    n.children = std::move(children);
    return n;
}

class SearchTest : public MailStoreTest {
  protected:
    void SetUp() override {
        MailStoreTest::SetUp();
        box =
            append(alice, "INBOX",
                   "From: Jörg Müller <joerg@example.com>\r\nSubject: Quarterly REPORT\r\n"
                   "Date: Fri, 21 Nov 1997 09:55:06 -0600\r\n\r\nThe numbers: 100% up_and away\r\n")
                .mailbox;
        append(alice, "INBOX",
               "From: alice@example.org\r\nTo: bob@example.net\r\nSubject: lunch?\r\n\r\n"
               "See you at noon. ÄPFEL for dessert.\r\n");
        append(alice, "INBOX", "Subject: empty\r\n\r\n" + std::string(5000, 'x') + "\r\n");
        // Another user's message must never match.
        append(bob, "INBOX", "From: Jörg <joerg@example.com>\r\nSubject: Quarterly\r\n\r\nx\r\n");
    }
    std::vector<std::uint32_t> find(const SearchNode& criteria) {
        std::vector<std::uint32_t> out;
        for (auto uid : run(io, store->search(alice.user, box, criteria)))
            out.push_back(uid.value);
        return out;
    }
    storage::MailboxId box;
};

using Uids = std::vector<std::uint32_t>;

TEST_F(SearchTest, HeaderSubstringsAreCaseInsensitiveAcrossUnicode) {
    EXPECT_EQ(find(node(Kind::header, "quarterly report", "subject")), Uids{1});
    EXPECT_EQ(find(node(Kind::header, "JÖRG", "from")), Uids{1});
    EXPECT_EQ(find(node(Kind::header, "example.", "from")), (Uids{1, 2}));
    EXPECT_EQ(find(node(Kind::header, "bob@", "to")), Uids{2});
    EXPECT_EQ(find(node(Kind::header, "", "to")), Uids{2});  // has the field
    EXPECT_TRUE(find(node(Kind::header, "nobody", "from")).empty());
}

TEST_F(SearchTest, BodyAndTextAndLiteralWildcards) {
    EXPECT_EQ(find(node(Kind::body, "äpfel")), Uids{2});
    EXPECT_EQ(find(node(Kind::body, "100%")), Uids{1});
    EXPECT_EQ(find(node(Kind::body, "up_and")), Uids{1});
    EXPECT_TRUE(find(node(Kind::body, "up%away")).empty());  // % is literal
    EXPECT_TRUE(find(node(Kind::body, "upXand")).empty());   // _ is literal
    EXPECT_EQ(find(node(Kind::text, "lunch")), Uids{2});     // header
    EXPECT_EQ(find(node(Kind::text, "NOON")), Uids{2});      // body
}

TEST_F(SearchTest, FlagsSizesDatesAndLogic) {
    storage::Flags f;
    f.system.flagged = true;
    f.keywords = {"$Work"};
    run(io, store->change_flags(alice.user, box, {{Uid{2}, Uid{3}}}, storage::FlagChange::add, f));
    SearchNode flagged = node(Kind::flag);
    flagged.flag = SearchNode::SystemFlag::flagged;
    EXPECT_EQ(find(flagged), (Uids{2, 3}));
    EXPECT_EQ(find(node(Kind::keyword, "$Work")), (Uids{2, 3}));
    EXPECT_EQ(find(with(Kind::not_, {flagged})), Uids{1});

    SearchNode larger = node(Kind::larger);
    larger.number = 1000;
    EXPECT_EQ(find(larger), Uids{3});

    SearchNode sent_on = node(Kind::date);
    sent_on.date_field = SearchNode::DateField::sent;
    sent_on.relation = SearchNode::DateRelation::on;
    sent_on.number = 880070400;  // 21-Nov-1997 00:00 UTC (15:55 UTC that day)
    EXPECT_EQ(find(sent_on), Uids{1});
    // Messages without a Date header match neither a date nor its negation
    // as NULL: NOT gives them back.
    EXPECT_EQ(find(with(Kind::not_, {sent_on})), (Uids{2, 3}));

    SearchNode internal_before = node(Kind::date);
    internal_before.relation = SearchNode::DateRelation::before;
    internal_before.number = 1000000000 + 86400;
    EXPECT_EQ(find(internal_before), (Uids{1, 2, 3}));

    SearchNode uid = node(Kind::uid_in);
    uid.ranges = {{Uid{1}, Uid{1}}, {Uid{3}, Uid{9}}};
    EXPECT_EQ(find(uid), (Uids{1, 3}));
    EXPECT_EQ(find(with(Kind::and_, {uid, flagged})), Uids{3});
    EXPECT_EQ(find(with(Kind::or_, {node(Kind::body, "äpfel"), larger})), (Uids{2, 3}));
    EXPECT_TRUE(find(node(Kind::none)).empty());
    EXPECT_EQ(find(node(Kind::all)), (Uids{1, 2, 3}));
}

}  // namespace
}  // namespace postimap
