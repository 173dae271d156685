// \Recent bookkeeping of a selected mailbox (RFC 3501 2.3.2): which of the
// messages a session learns of are recent to it.
#include <gtest/gtest.h>

#include "server/session/session_state.hpp"
#include "tests/support/uid_list.hpp"

namespace postimap::session {
namespace {

using storage::RecentClaim;
using storage::Uid;

using test::uid_list;

SelectedMailbox with(std::initializer_list<std::uint32_t> values) {
    SelectedMailbox box;
    box.uids = storage::SharedUids(uid_list(values));
    return box;
}

TEST(SelectedMailbox, AClaimCountsOnlyItsOwnRange) {
    auto box = with({1, 2, 3, 4, 5});
    box.claim_recent(RecentClaim{Uid{3}, Uid{5}}, box.uids.cbegin());
    EXPECT_EQ(box.recent_uids, uid_list({3, 4}));  // 5 arrived after the claim: not ours
    EXPECT_TRUE(box.knows_unclaimed());
}

TEST(SelectedMailbox, MessagesInsideTheClaimButReadLaterAreRecent) {
    // SELECT read 1..3 while its claim covered 1..5 (an APPEND committed
    // between the snapshot and the row lock).
    auto box = with({1, 2, 3});
    box.claim_recent(RecentClaim{Uid{1}, Uid{6}}, box.uids.cbegin());
    EXPECT_FALSE(box.knows_unclaimed());
    const auto before = box.uids.size();
    box.uids.push_back(Uid{5});
    box.add_claimed(box.uids.cbegin() + static_cast<std::ptrdiff_t>(before));
    EXPECT_EQ(box.recent_uids, uid_list({1, 2, 3, 5}));
    EXPECT_FALSE(box.knows_unclaimed());  // no need to claim again
    box.uids.push_back(Uid{6});
    box.add_claimed(box.uids.cend() - 1);
    EXPECT_EQ(box.recent(), 4u);
    EXPECT_TRUE(box.knows_unclaimed());
    // The next claim starts where another session's ended.
    box.claim_recent(RecentClaim{Uid{7}, Uid{8}}, box.uids.cend() - 1);
    EXPECT_EQ(box.recent(), 4u);
    box.uids.push_back(Uid{7});
    box.add_claimed(box.uids.cend() - 1);
    EXPECT_EQ(box.recent_uids, uid_list({1, 2, 3, 5, 7}));
}

TEST(SelectedMailbox, NothingClaimedMeansNothingRecentAndNewsToClaim) {
    auto box = with({1, 2});
    box.claim_recent(RecentClaim{}, box.uids.cbegin());
    EXPECT_EQ(box.recent(), 0u);
    EXPECT_TRUE(box.knows_unclaimed());
    EXPECT_FALSE(with({}).knows_unclaimed());
}

TEST(SelectedMailbox, ExpungedRecentMessagesLeaveTheCount) {
    auto box = with({1, 2, 3});
    box.claim_recent(RecentClaim{Uid{2}, Uid{4}}, box.uids.cbegin());
    ASSERT_EQ(box.remove(Uid{2}), Msn{2});
    EXPECT_EQ(box.recent_uids, uid_list({3}));
    EXPECT_FALSE(box.is_recent(Uid{1}));
    EXPECT_TRUE(box.is_recent(Uid{3}));
}

}  // namespace
}  // namespace postimap::session
