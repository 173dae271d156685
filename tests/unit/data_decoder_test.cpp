#include "server/lmtp/data_decoder.hpp"

#include <gtest/gtest.h>

namespace postimap::lmtp {
namespace {

TEST(DataDecoder, UnstuffsDotsAndStopsAtTheLoneDot) {
    DataDecoder d(1000);
    const std::string input = "Subject: x\r\n\r\n..leading\r\n.\r\nQUIT\r\n";
    const std::size_t used = d.feed(input);
    ASSERT_TRUE(d.done());
    EXPECT_EQ(input.substr(used), "QUIT\r\n");
    EXPECT_FALSE(d.too_large());
    EXPECT_EQ(d.take_message(), "Subject: x\r\n\r\n.leading\r\n");
}

TEST(DataDecoder, BareLineFeedsBecomeCrlf) {
    DataDecoder d(1000);
    d.feed("a\nb\r\n.\n");
    ASSERT_TRUE(d.done());
    EXPECT_EQ(d.take_message(), "a\r\nb\r\n");
}

TEST(DataDecoder, SplitAtEveryByteGivesTheSameMessage) {
    const std::string input = "H: v\r\n\r\nbody\r\n..\r\n.x\r\n\r\n.\r\nNEXT";
    DataDecoder whole(1000);
    whole.feed(input);
    const std::string expected = whole.take_message();
    for (std::size_t cut = 0; cut <= input.size(); ++cut) {
        DataDecoder d(1000);
        std::size_t used = d.feed(input.substr(0, cut));
        if (!d.done())
            used = cut + d.feed(input.substr(cut));
        ASSERT_TRUE(d.done()) << cut;
        EXPECT_EQ(input.substr(used), "NEXT") << cut;
        EXPECT_EQ(d.take_message(), expected) << cut;
    }
}

TEST(DataDecoder, DotsInsideLinesAndLongerDotLinesAreData) {
    DataDecoder d(1000);
    d.feed("a.\r\n. \r\n...\r\n.\r\n");
    ASSERT_TRUE(d.done());
    EXPECT_EQ(d.take_message(), "a.\r\n \r\n..\r\n");
}

TEST(DataDecoder, TooLargeIsReadToItsEndButNotKept) {
    DataDecoder d(10);
    std::string big(5000, 'x');
    std::size_t used = d.feed(big + "\r\nmore\r\n.\r\nRSET\r\n");
    ASSERT_TRUE(d.done());
    EXPECT_TRUE(d.too_large());
    EXPECT_EQ(d.take_message(), "");
    EXPECT_EQ(used, big.size() + 2 + 6 + 3);
}

}  // namespace
}  // namespace postimap::lmtp
