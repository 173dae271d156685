#include "server/auth/password.hpp"

#include <gtest/gtest.h>

namespace postimap::auth {
namespace {

// RFC 7677 section 3: user "user", password "pencil", this salt and 4096
// iterations. StoredKey/ServerKey computed independently with python3's
// hashlib.pbkdf2_hmac and hmac (and by schema's scram_sha256_secret()).
constexpr const char* kRfc7677Secret =
    "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:"
    "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=";

TEST(Password, VerifiesTheRfc7677Vector) {
    EXPECT_TRUE(verify_password(kRfc7677Secret, "pencil"));
    EXPECT_FALSE(verify_password(kRfc7677Secret, "pencil "));
    EXPECT_FALSE(verify_password(kRfc7677Secret, "Pencil"));
    EXPECT_FALSE(verify_password(kRfc7677Secret, ""));
}

TEST(Password, MakesTheSameSecretAsTheRfcVector) {
    const std::string salt = "\x5b\x6d\x99\x68\x9d\x12\x35\x8e\xec\xa0\x4b\x14\x12\x36\xfa\x81";
    EXPECT_EQ(make_scram_secret("pencil", salt, 4096), kRfc7677Secret);
}

TEST(Password, ParsesSecrets) {
    auto s = parse_scram_secret(kRfc7677Secret);
    ASSERT_TRUE(s);
    EXPECT_EQ(s->iterations, 4096);
    EXPECT_EQ(s->salt.size(), 16u);
    EXPECT_EQ(s->stored_key.size(), 32u);
    EXPECT_EQ(s->server_key.size(), 32u);
}

class MalformedSecret : public ::testing::TestWithParam<const char*> {};

TEST_P(MalformedSecret, NeverVerifies) {
    EXPECT_FALSE(parse_scram_secret(GetParam()));
    EXPECT_FALSE(verify_password(GetParam(), "pencil"));
}

INSTANTIATE_TEST_SUITE_P(
    Password, MalformedSecret,
    ::testing::Values("", "pencil", "SCRAM-SHA-1$4096:W22ZaJ0SNY7soEsUEjb6gQ==$a:b",
                      "SCRAM-SHA-256$", "SCRAM-SHA-256$0:W22ZaJ0SNY7soEsUEjb6gQ==$x:y",
                      "SCRAM-SHA-256$x:W22ZaJ0SNY7soEsUEjb6gQ==$x:y",
                      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ==$short:"
                      "wfPLwcE6nTWhTAmQ7tl2KeoiWGPlZqQxSrmfPwDl2dU=",
                      "SCRAM-SHA-256$4096:!!!!$WG5d8oPm3OtcPnkdi4Uo7BkeZkBFzpcXkuLmtbsT4qY=:x",
                      "SCRAM-SHA-256$4096:W22ZaJ0SNY7soEsUEjb6gQ=="));

}  // namespace
}  // namespace postimap::auth
