#include "server/imap/mailbox_name.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <random>
#include <string>
#include <vector>

namespace postimap::imap {
namespace {

// Expected wire forms were computed independently with python3: UTF-16-BE, base64, "=" stripped,
// "/" replaced by ",", e.g. base64.b64encode("台北".encode("utf-16-be")) -> "U/BTFw==".

struct Pair {
    std::string utf8;
    std::string wire;
};

void PrintTo(const Pair& p, std::ostream* os) {
    *os << '"' << p.wire << '"';
}

class Mutf7Pair : public ::testing::TestWithParam<Pair> {};

TEST_P(Mutf7Pair, Decodes) {
    EXPECT_EQ(decode_mutf7(GetParam().wire), std::optional<std::string>(GetParam().utf8));
}

TEST_P(Mutf7Pair, Encodes) {
    EXPECT_EQ(encode_mutf7(GetParam().utf8), GetParam().wire);
}

INSTANTIATE_TEST_SUITE_P(
    All, Mutf7Pair,
    ::testing::Values(
        // RFC 3501 5.1.3's example.
        Pair{"~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97/\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E",
             "~peter/mail/&U,BTFw-/&ZeVnLIqe-"},
        Pair{"", ""}, Pair{"INBOX", "INBOX"},
        Pair{" !\"#$%'()*+,-./0123456789:;<=>?@[\\]^_`{|}~",
             " !\"#$%'()*+,-./0123456789:;<=>?@[\\]^_`{|}~"},
        Pair{"&", "&-"}, Pair{"a&b", "a&-b"}, Pair{"&&", "&-&-"},
        Pair{"\xE2\x98\xBA!", "&Jjo-!"},                    // U+263A, 1 unit: 2 padding bits
        Pair{"Hi Mom -\xE2\x98\xBA-!", "Hi Mom -&Jjo--!"},  // "-" right after a shift
        Pair{"\xC3\xA9", "&AOk-"},                          // U+00E9
        Pair{"\xC3\xA9\xC3\xA9", "&AOkA6Q-"},               // 2 units: 4 padding bits
        Pair{"\xE2\x82\xAC", "&IKw-"},                      // U+20AC
        Pair{"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E", "&ZeVnLIqe-"},  // 3 units: no padding
        Pair{"\xE6\x97\xA5\xE6\x9C\xAC\xE8\xAA\x9E&", "&ZeVnLIqe-&-"},
        Pair{"\xF0\x9F\x98\x80", "&2D3eAA-"},          // U+1F600: a surrogate pair
        Pair{"\xF4\x8F\xBF\xBF", "&2,,f,w-"},          // U+10FFFF
        Pair{"\xEF\xBF\xBD", "&,,0-"},                 // U+FFFD
        Pair{std::string(1, '\0'), "&AAA-"},           // controls decode; validation refuses
        Pair{"\x01", "&AAE-"}, Pair{"\x7F", "&AH8-"},  //
        Pair{"\xC2\x85", "&AIU-"}));                   // C1 NEL

TEST(EncodeMutf7, InvalidUtf8BytesBecomeReplacementCharacters) {
    EXPECT_EQ(encode_mutf7("caf\xE9"), "caf&,,0-");
    EXPECT_EQ(encode_mutf7("\xED\xA0\x80"), "&,,3,,f,9-");  // an encoded surrogate: 3 bytes
    EXPECT_EQ(encode_mutf7("\xC0\xAF"), "&,,3,,Q-");        // overlong "/"
    EXPECT_EQ(encode_mutf7("\xF4\x90\x80\x80"), encode_mutf7("\xEF\xBF\xBD\xEF\xBF\xBD\xEF\xBF\xBD"
                                                             "\xEF\xBF\xBD"));  // > U+10FFFF
    EXPECT_EQ(encode_mutf7("a\xE2\x82"), "a&,,3,,Q-");  // truncated at the end
}

class Mutf7Invalid : public ::testing::TestWithParam<std::string> {};

TEST_P(Mutf7Invalid, IsRejected) {
    EXPECT_EQ(decode_mutf7(GetParam()), std::nullopt);
}

INSTANTIATE_TEST_SUITE_P(NotSevenBitPrintable, Mutf7Invalid,
                         ::testing::Values("caf\xC3\xA9", "\xFF", std::string("a\0b", 3), "a\tb",
                                           "\r", "\x7F", "&AOk-\x80"));
INSTANTIATE_TEST_SUITE_P(Unterminated, Mutf7Invalid,
                         ::testing::Values("&", "a&", "&AOk", "&AOkA6Q", "a/&U,BTFw"));
// RFC 3501: "-&" while in base64 is a null shift and not permitted.
INSTANTIATE_TEST_SUITE_P(NullShift, Mutf7Invalid, ::testing::Values("&AOk-&AOk-", "&AOk-&Jjo-!"));
INSTANTIATE_TEST_SUITE_P(BadBase64, Mutf7Invalid,
                         ::testing::Values("&AO/-", "&U/BTFw-", "&AOk=-", "&AOk==-", "&A.k-",
                                           "&AO k-", "&AO&k-", "&AO\xC3\xA9-"));
// Printable US-ASCII must represent itself, "&" as "&-".
INSTANTIATE_TEST_SUITE_P(ShiftedDirectCharacter, Mutf7Invalid,
                         ::testing::Values("&AGE-", "&ACY-", "&ACA-", "&AH4-", "&AC0-", "&AOkAYQ-",
                                           "&AGEA6Q-"));
// A run's length must leave fewer than 6 bits over: 1, 2, 4, 5 and 7 (mod 8) characters cannot.
INSTANTIATE_TEST_SUITE_P(BadRunLength, Mutf7Invalid,
                         ::testing::Values("&A-", "&AO-", "&AOkA-", "&AOkA6-", "&AOkA6QA-",
                                           "&ZeVnLIqeA-"));
// The bits after the last whole unit must be zero ("&AOk-" is the only spelling of U+00E9).
INSTANTIATE_TEST_SUITE_P(NonZeroPadding, Mutf7Invalid,
                         ::testing::Values("&AOl-", "&AOn-", "&AOkA6R-", "&AOkA6T-", "&Jjp-"));
INSTANTIATE_TEST_SUITE_P(Surrogates, Mutf7Invalid,
                         ::testing::Values("&2D0-",         // lone high surrogate
                                           "&2D0-a",        // high, then a direct character
                                           "&3gA-",         // lone low surrogate
                                           "&2D0A6Q-",      // high, then not a low
                                           "&3gDYPQ-",      // low, then high
                                           "&2D3eANg9-"));  // pair, then a lone high

// ---- properties over many random names ----

char32_t random_code_point(std::mt19937& rng) {
    auto in = [&](char32_t lo, char32_t hi) {
        return std::uniform_int_distribution<char32_t>(lo, hi)(rng);
    };
    switch (std::uniform_int_distribution<int>(0, 6)(rng)) {
        case 0:
            return in(0x20, 0x7E);  // direct, "&" and "-" included
        case 1:
            return std::uniform_int_distribution<int>(0, 1)(rng) ? U'&' : U'-';
        case 2:
            return in(0x00, 0x1F);  // controls, shifted
        case 3:
            return in(0x7F, 0x7FF);
        case 4: {
            char32_t c = in(0x800, 0xFFFF - 0x800);
            return c >= 0xD800 ? c + 0x800 : c;  // the BMP without surrogates
        }
        default:
            return in(0x10000, 0x10FFFF);  // astral: a surrogate pair on the wire
    }
}

std::string to_utf8(const std::u32string& text) {
    std::string out;
    for (char32_t c : text) {
        if (c < 0x80) {
            out += static_cast<char>(c);
        } else if (c < 0x800) {
            out += static_cast<char>(0xC0 | c >> 6);
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else if (c < 0x10000) {
            out += static_cast<char>(0xE0 | c >> 12);
            out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        } else {
            out += static_cast<char>(0xF0 | c >> 18);
            out += static_cast<char>(0x80 | (c >> 12 & 0x3F));
            out += static_cast<char>(0x80 | (c >> 6 & 0x3F));
            out += static_cast<char>(0x80 | (c & 0x3F));
        }
    }
    return out;
}

bool is_seven_bit_printable(const std::string& s) {
    for (char c : s)
        if (c < 0x20 || c > 0x7E)
            return false;
    return true;
}

TEST(Mutf7RoundTrip, RandomUnicodeNames) {
    std::mt19937 rng(20240601);
    for (int n = 0; n < 20000; ++n) {
        std::u32string text(std::uniform_int_distribution<int>(0, 24)(rng), U'\0');
        for (auto& c : text)
            c = random_code_point(rng);
        const std::string utf8 = to_utf8(text);
        const std::string wire = encode_mutf7(utf8);
        ASSERT_TRUE(is_seven_bit_printable(wire)) << wire;
        const auto back = decode_mutf7(wire);
        ASSERT_TRUE(back.has_value()) << wire;
        ASSERT_EQ(*back, utf8) << wire;
    }
}

// decode_mutf7 accepts only canonical spellings, so whatever it accepts encodes back to the same
// bytes. Random text over the wire alphabet and one-byte edits of valid names probe that.
void expect_canonical_if_accepted(const std::string& wire) {
    const auto utf8 = decode_mutf7(wire);
    if (!utf8)
        return;
    ASSERT_EQ(encode_mutf7(*utf8), wire);
    ASSERT_EQ(decode_mutf7(encode_mutf7(*utf8)), utf8);
}

TEST(Mutf7RoundTrip, AcceptedWireFormsAreCanonical) {
    constexpr std::string_view kAlphabet = "&-&-AaZz09+,/=AOk6QgD2Ze xy";
    std::mt19937 rng(7);
    int accepted_edits = 0;
    for (int n = 0; n < 20000; ++n) {
        std::string wire(std::uniform_int_distribution<int>(0, 12)(rng), ' ');
        for (auto& c : wire)
            c = kAlphabet[std::uniform_int_distribution<std::size_t>(0, kAlphabet.size() - 1)(rng)];
        expect_canonical_if_accepted(wire);

        std::u32string text(std::uniform_int_distribution<int>(1, 8)(rng), U'\0');
        for (auto& c : text)
            c = random_code_point(rng);
        std::string edited = encode_mutf7(to_utf8(text));
        const auto at = std::uniform_int_distribution<std::size_t>(0, edited.size() - 1)(rng);
        const char replacement =
            kAlphabet[std::uniform_int_distribution<std::size_t>(0, kAlphabet.size() - 1)(rng)];
        switch (n % 3) {
            case 0:
                edited[at] = replacement;
                break;
            case 1:
                edited.erase(at, 1);
                break;
            default:
                edited.insert(at, 1, replacement);
        }
        if (decode_mutf7(edited))
            ++accepted_edits;
        expect_canonical_if_accepted(edited);
    }
    EXPECT_GT(accepted_edits, 100);  // the property was exercised, not vacuous
}

// ---- validate_mailbox_name ----

TEST(ValidateMailboxName, AcceptsOrdinaryNames) {
    for (std::string name :
         {"INBOX", "a", "a/b", "Archive/2024/Q1", "~peter/mail/\xE5\x8F\xB0\xE5\x8C\x97",
          "with space", "&", "%", "\xF0\x9F\x98\x80", "a.b"})
        EXPECT_EQ(validate_mailbox_name(name), std::nullopt) << name;
}

TEST(ValidateMailboxName, RejectsEmptyNamesAndLevels) {
    EXPECT_EQ(validate_mailbox_name(""), "Mailbox name is empty");
    for (std::string name : {"/", "/a", "a//b", "a/", "a/b/", "//"})
        EXPECT_EQ(validate_mailbox_name(name), "Mailbox name has an empty hierarchy level") << name;
}

TEST(ValidateMailboxName, RejectsControlCharacters) {
    for (std::string name : {std::string("a\0b", 3), std::string("\0", 1), std::string("a\tb"),
                             std::string("a\r\nb"), std::string("\x1F"), std::string("a\x7F"),
                             std::string("\xC2\x80"), std::string("a\xC2\x9F")})
        EXPECT_EQ(validate_mailbox_name(name), "Mailbox name contains a control character");
    EXPECT_EQ(validate_mailbox_name("\xC2\xA0"), std::nullopt);  // U+00A0 is no control
}

TEST(ValidateMailboxName, RejectsInvalidUtf8) {
    for (std::string name :
         {"caf\xE9", "\xFF", "\xC0\xAF", "\xED\xA0\x80", "\xF4\x90\x80\x80", "a\xE2\x82", "\x80"})
        EXPECT_EQ(validate_mailbox_name(name), "Mailbox name is not valid UTF-8");
}

TEST(ValidateMailboxName, LimitsLengthOfNameAndLevels) {
    const std::string level(kMaxMailboxLevelBytes, 'x');
    EXPECT_EQ(validate_mailbox_name(level), std::nullopt);
    EXPECT_EQ(validate_mailbox_name(level + "x"),
              "Mailbox name has a hierarchy level longer than 255 bytes");
    EXPECT_EQ(validate_mailbox_name("a/" + level + "x/b"),
              "Mailbox name has a hierarchy level longer than 255 bytes");
    std::string han;  // 86 three-byte characters: 258 bytes in one level
    for (int i = 0; i < 86; ++i)
        han += "\xE5\x8F\xB0";
    EXPECT_EQ(validate_mailbox_name(han),
              "Mailbox name has a hierarchy level longer than 255 bytes");

    const std::string four = level + "/" + level + "/" + level + "/" + level;
    EXPECT_EQ(four.size(), 1023u);
    EXPECT_EQ(validate_mailbox_name(four), std::nullopt);
    const std::string longest = four.substr(0, 1021) + "/yz";
    EXPECT_EQ(longest.size(), kMaxMailboxNameBytes);
    EXPECT_EQ(validate_mailbox_name(longest), std::nullopt);
    EXPECT_EQ(validate_mailbox_name(longest + "z"), "Mailbox name is longer than 1024 bytes");
}

TEST(ValidateMailboxName, UsesTheGivenDelimiter) {
    EXPECT_EQ(validate_mailbox_name("a//b", '.'), std::nullopt);
    EXPECT_EQ(validate_mailbox_name("a..b", '.'), "Mailbox name has an empty hierarchy level");
}

TEST(ValidateMailboxName, DecodedWireNames) {
    EXPECT_EQ(validate_mailbox_name(*decode_mutf7("~peter/mail/&U,BTFw-/&ZeVnLIqe-")),
              std::nullopt);
    EXPECT_EQ(validate_mailbox_name(*decode_mutf7("a&AAA-b")),
              "Mailbox name contains a control character");
}

}  // namespace
}  // namespace postimap::imap
