#include "storage/mime/utf8.hpp"

#include <gtest/gtest.h>

namespace postimap::mime {
namespace {

struct Case {
    std::string in, out;
};

class ToValidUtf8 : public ::testing::TestWithParam<Case> {};

TEST_P(ToValidUtf8, Converts) {
    EXPECT_EQ(to_valid_utf8(GetParam().in), GetParam().out);
}

const std::string kReplacement = "\xEF\xBF\xBD";

INSTANTIATE_TEST_SUITE_P(
    Utf8, ToValidUtf8,
    ::testing::Values(Case{"plain", "plain"}, Case{"caf\xC3\xA9", "caf\xC3\xA9"},
                      Case{"\xF0\x9F\x98\x80", "\xF0\x9F\x98\x80"},   // U+1F600
                      Case{std::string("a\0b", 3), "ab"},             // NUL dropped
                      Case{"caf\xE9", "caf" + kReplacement},          // Latin-1 byte
                      Case{"\xC0\xAF", kReplacement + kReplacement},  // overlong
                      Case{"\xED\xA0\x80",
                           kReplacement + kReplacement + kReplacement},  // surrogate
                      Case{"\xF4\x90\x80\x80", kReplacement + kReplacement + kReplacement +
                                                   kReplacement},     // above U+10FFFF
                      Case{"\xE2\x82", kReplacement + kReplacement},  // truncated
                      Case{"\xFF", kReplacement}));

}  // namespace
}  // namespace postimap::mime
