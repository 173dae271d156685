#include "storage/uid_list_cache.hpp"

#include <gtest/gtest.h>
#include "tests/support/uid_list.hpp"

namespace postimap::storage {
namespace {

using test::uid_list;

UidListCache::Snapshot snapshot(std::int64_t id, std::uint64_t modseq, std::vector<Uid> list) {
    return {MailboxId{id}, 7, ModSeq{modseq},
            std::make_shared<const std::vector<Uid>>(std::move(list))};
}

TEST(UidDelta, RemovesExpungedAndAppendsAdded) {
    EXPECT_EQ(
        apply_uid_delta(uid_list({1, 2, 3, 5, 8}), uid_list({2, 5, 6, 9}), uid_list({10, 11})),
        uid_list({1, 3, 8, 10, 11}));
    EXPECT_EQ(apply_uid_delta({}, uid_list({1}), uid_list({4})), uid_list({4}));
    EXPECT_EQ(apply_uid_delta(uid_list({1, 2}), {}, {}), uid_list({1, 2}));
    // An added UID already listed (a concurrent open saw it) is not doubled.
    EXPECT_EQ(apply_uid_delta(uid_list({1, 2}), {}, uid_list({2, 3})), uid_list({1, 2, 3}));
}

TEST(UidListCache, KeepsTheNewestSnapshotPerMailbox) {
    UidListCache cache;
    const UserId user{1};
    EXPECT_EQ(cache.find(user, "INBOX"), nullptr);
    cache.put(user, "INBOX", snapshot(5, 10, uid_list({1, 2})));
    cache.put(user, "INBOX", snapshot(5, 9, uid_list({1})));  // older: ignored
    ASSERT_NE(cache.find(user, "INBOX"), nullptr);
    EXPECT_EQ(cache.find(user, "INBOX")->modseq.value, 10u);
    cache.put(user, "INBOX", snapshot(6, 1, uid_list({})));  // recreated: replaces
    EXPECT_EQ(cache.find(user, "INBOX")->id.value, 6);
    EXPECT_EQ(cache.find(UserId{2}, "INBOX"), nullptr);
    cache.erase(user, "INBOX");
    EXPECT_EQ(cache.find(user, "INBOX"), nullptr);
    EXPECT_EQ(cache.cached_uids(), 0u);
}

TEST(UidListCache, EvictsTheLeastRecentlyUsedBeyondItsSize) {
    UidListCache cache(5);
    const UserId user{1};
    cache.put(user, "a", snapshot(1, 1, uid_list({1, 2})));
    cache.put(user, "b", snapshot(2, 1, uid_list({1, 2})));
    ASSERT_NE(cache.find(user, "a"), nullptr);  // a is now the most recent
    cache.put(user, "c", snapshot(3, 1, uid_list({1, 2})));
    EXPECT_NE(cache.find(user, "a"), nullptr);
    EXPECT_EQ(cache.find(user, "b"), nullptr);
    EXPECT_NE(cache.find(user, "c"), nullptr);
    EXPECT_LE(cache.cached_uids(), 5u);
    cache.put(user, "huge", snapshot(4, 1, uid_list({1, 2, 3, 4, 5, 6})));  // never fits
    EXPECT_EQ(cache.find(user, "huge"), nullptr);
}

}  // namespace
}  // namespace postimap::storage
