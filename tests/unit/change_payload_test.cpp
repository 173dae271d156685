#include <gtest/gtest.h>

#include "storage/change_listener.hpp"

namespace postimap::storage {
namespace {

TEST(ChangePayload, ParsesUserMailboxModseq) {
    auto c = parse_change("12 345 6789");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->user.value, 12);
    EXPECT_EQ(c->mailbox.value, 345);
    EXPECT_EQ(c->modseq.value, 6789u);
    auto subs = parse_change("7 0 0");
    ASSERT_TRUE(subs);
    EXPECT_EQ(subs->mailbox.value, 0);
    EXPECT_EQ(subs->sent_us, 0);
}

TEST(ChangePayload, ReadsTheSendTimeWhenPresent) {
    auto c = parse_change("12 345 6789 1764129600123456");
    ASSERT_TRUE(c);
    EXPECT_EQ(c->modseq.value, 6789u);
    EXPECT_EQ(c->sent_us, 1764129600123456);
}

TEST(ChangePayload, RejectsAnythingElse) {
    for (const char* bad : {"", "1", "1 2", "1 2 3 4 5", "1 2 3 x", "1 2 3 4 ", "a b c", "1 2 x",
                            "1  2 3", "-1 2 3", "1 2 3 ", "99999999999999999999999 1 1"})
        EXPECT_FALSE(parse_change(bad)) << bad;
}

}  // namespace
}  // namespace postimap::storage
