#include "server/lmtp/smtp_path.hpp"

#include <gtest/gtest.h>

namespace postimap::lmtp {
namespace {

TEST(SmtpPath, ReadsAddressAndParameters) {
    auto p = parse_path_argument("<alice@example.com> SIZE=1234 body=8BITMIME");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->address, "alice@example.com");
    EXPECT_EQ(p->params.at("SIZE"), "1234");
    EXPECT_EQ(p->params.at("BODY"), "8BITMIME");
}

TEST(SmtpPath, NullPathSpacesSourceRouteAndNoBrackets) {
    auto null_path = parse_path_argument("<>");
    ASSERT_TRUE(null_path);
    EXPECT_EQ(null_path->address, "");
    EXPECT_EQ(parse_path_argument(" <a@b>")->address, "a@b");
    EXPECT_EQ(parse_path_argument("<@relay.example,@other.example:a@b>")->address, "a@b");
    EXPECT_EQ(parse_path_argument("a@b")->address, "a@b");
    EXPECT_TRUE(parse_path_argument("<a@b> ORCPT=rfc822;a@b")->params.count("ORCPT"));
}

TEST(SmtpPath, RejectsBrokenPaths) {
    for (const char* bad : {"", "<a@b", "<a b@c>", "<a@b>SIZE=1", "<a@b> =1", "<a@b> S!ZE=1",
                            "<@relay a@b>", "<a\x01@b>"})
        EXPECT_FALSE(parse_path_argument(bad)) << bad;
}

TEST(SmtpPath, SplitsTheDetailAndLowerCases) {
    auto r = split_recipient("Alice+Lists@Example.COM", '+');
    ASSERT_TRUE(r);
    EXPECT_EQ(r->user, "alice@example.com");
    EXPECT_EQ(r->detail, "Lists");
    auto plain = split_recipient("bob@example.com", '+');
    EXPECT_EQ(plain->user, "bob@example.com");
    EXPECT_EQ(plain->detail, "");
    auto no_delimiter = split_recipient("a+b@example.com", '\0');
    EXPECT_EQ(no_delimiter->user, "a+b@example.com");
    auto empty_detail = split_recipient("a+@example.com", '+');
    EXPECT_EQ(empty_detail->user, "a@example.com");
    EXPECT_EQ(empty_detail->detail, "");
    for (const char* bad : {"nobody", "@example.com", "a@", "+x@example.com"})
        EXPECT_FALSE(split_recipient(bad, '+')) << bad;
}

}  // namespace
}  // namespace postimap::lmtp
