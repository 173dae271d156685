#include "storage/flag_table.hpp"

#include <gtest/gtest.h>

namespace postimap::storage {
namespace {

ChangedFlags change(std::uint32_t uid, bool seen, std::vector<std::string> keywords = {}) {
    ChangedFlags c;
    c.uid = Uid{uid};
    c.flags.system.seen = seen;
    c.flags.keywords = std::move(keywords);
    return c;
}

TEST(FlagTable, AppliesExpungesChangesAndAdditions) {
    FlagTable t;
    t.modseq = ModSeq{5};
    t.uids = {Uid{1}, Uid{2}, Uid{3}, Uid{4}};
    t.bits = {1, 1, 0, 1};
    t.keywords[2] = {"Work"};
    MailboxDelta d;
    d.highestmodseq = ModSeq{9};
    d.expunged = {Uid{2}, Uid{3}};
    d.changed = {change(4, false, {"Later"}), change(3, true)};  // 3 is gone: ignored
    d.added = {change(7, true), change(6, false)};               // 6 is not above 7: ignored
    t.apply(d);
    EXPECT_EQ(t.modseq.value, 9u);
    EXPECT_EQ(t.uids, (std::vector<Uid>{Uid{1}, Uid{4}, Uid{7}}));
    EXPECT_EQ(t.bits, (std::vector<std::uint8_t>{1, 0, 1}));
    EXPECT_EQ(t.keywords.count(2), 0u);
    EXPECT_EQ(t.keywords.at(4), std::vector<std::string>{"Later"});
    auto rows = t.rows(Uid{2}, Uid{7});
    ASSERT_EQ(rows.size(), 2u);
    EXPECT_EQ(rows[0].uid.value, 4u);
    EXPECT_FALSE(rows[0].flags.system.seen);
    EXPECT_EQ(rows[1].uid.value, 7u);
    EXPECT_TRUE(rows[1].flags.system.seen);
    EXPECT_TRUE(t.rows(Uid{8}, Uid{100}).empty());
}

}  // namespace
}  // namespace postimap::storage
