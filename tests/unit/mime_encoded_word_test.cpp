#include "storage/mime/encoded_word.hpp"

#include <gtest/gtest.h>

#include <string>

#include "storage/mime/charset.hpp"
#include "storage/mime/transfer_encoding.hpp"
#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

const std::string kReplacement = "\xEF\xBF\xBD";

struct TextCase {
    const char* label;
    std::string in;
    std::string out;
};

std::ostream& operator<<(std::ostream& os, const TextCase& c) {
    return os << c.label;
}

class DecodeHeaderText : public ::testing::TestWithParam<TextCase> {};

TEST_P(DecodeHeaderText, Decodes) {
    std::string out = decode_header_text(GetParam().in);
    EXPECT_EQ(out, GetParam().out);
    EXPECT_TRUE(is_valid_utf8(out));
}

INSTANTIATE_TEST_SUITE_P(
    Rfc2047Section8, DecodeHeaderText,
    ::testing::Values(
        TextCase{"one_word", "(=?ISO-8859-1?Q?a?=)", "(a)"},
        TextCase{"word_then_text", "(=?ISO-8859-1?Q?a?= b)", "(a b)"},
        TextCase{"two_words", "(=?ISO-8859-1?Q?a?= =?ISO-8859-1?Q?b?=)", "(ab)"},
        TextCase{"two_words_two_spaces", "(=?ISO-8859-1?Q?a?=  =?ISO-8859-1?Q?b?=)", "(ab)"},
        TextCase{"two_words_folded", "(=?ISO-8859-1?Q?a?=\r\n    =?ISO-8859-1?Q?b?=)", "(ab)"},
        TextCase{"underscore_is_space", "(=?ISO-8859-1?Q?a_b?=)", "(a b)"},
        TextCase{"space_inside_second_word", "(=?ISO-8859-1?Q?a?= =?ISO-8859-2?Q?_b?=)", "(a b)"},
        TextCase{"keith_moore", "=?US-ASCII?Q?Keith_Moore?= <moore@cs.utk.edu>",
                 "Keith Moore <moore@cs.utk.edu>"},
        TextCase{"keld", "=?ISO-8859-1?Q?Keld_J=F8rn_Simonsen?= <keld@dkuug.dk>",
                 "Keld J\xC3\xB8rn Simonsen <keld@dkuug.dk>"},
        TextCase{"andre", "=?ISO-8859-1?Q?Andr=E9?= Pirard <PIRARD@vm1.ulg.ac.be>",
                 "Andr\xC3\xA9 Pirard <PIRARD@vm1.ulg.ac.be>"},
        TextCase{"base64_two_charsets",
                 "=?ISO-8859-1?B?SWYgeW91IGNhbiByZWFkIHRoaXMgeW8=?=\r\n"
                 "    =?ISO-8859-2?B?dSB1bmRlcnN0YW5kIHRoZSBleGFtcGxlLg==?=",
                 "If you can read this you understand the example."},
        TextCase{"hebrew_in_comment",
                 "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n"
                 "    (=?iso-8859-8?b?7eXs+SDv4SDp7Oj08A==?=)",
                 "Nathaniel Borenstein <nsb@thumper.bellcore.com>\r\n    ("
                 "\xD7\x9D\xD7\x95\xD7\x9C\xD7\xA9\x20\xD7\x9F\xD7\x91\x20\xD7\x99\xD7\x9C\xD7\x98"
                 "\xD7\xA4\xD7\xA0)"}));

INSTANTIATE_TEST_SUITE_P(
    Lenient, DecodeHeaderText,
    ::testing::Values(
        TextCase{"plain", "Hello world", "Hello world"}, TextCase{"empty", "", ""},
        TextCase{"rfc2231_language", "=?US-ASCII*EN?Q?Keith_Moore?=", "Keith Moore"},
        TextCase{"lower_case_encoding",
                 "=?utf-8?q?caf=c3=a9?= =?utf-8?b?w6k=?=", "caf\xC3\xA9\xC3\xA9"},
        TextCase{"character_split_across_words", "=?UTF-8?Q?=C3?= =?UTF-8?Q?=A9?=", "\xC3\xA9"},
        TextCase{"character_split_across_base64_words",
                 "=?utf-8?B?ww==?= =?UTF-8?B?qQ==?=", "\xC3\xA9"},
        TextCase{"split_character_not_joined_across_charsets",
                 "=?utf-8?B?ww==?= =?iso-8859-1?B?qQ==?=", kReplacement + "\xC2\xA9"},
        TextCase{"text_between_words_kept", "=?utf-8?q?a?= - =?utf-8?q?b?=", "a - b"},
        TextCase{"trailing_space_kept", "=?utf-8?q?a?= ", "a "},
        TextCase{"glued_to_text", "Re:=?utf-8?q?caf=C3=A9?=!", "Re:caf\xC3\xA9!"},
        TextCase{"unknown_charset_utf8_bytes", "=?x-unknown?Q?caf=C3=A9?=", "caf\xC3\xA9"},
        TextCase{"unknown_charset_8bit", "=?x-bogus?Q?caf=E9?=", "caf" + kReplacement},
        TextCase{"bad_encoding_letter", "=?utf-8?x?abc?=", "=?utf-8?x?abc?="},
        TextCase{"unterminated", "=?utf-8?q?abc", "=?utf-8?q?abc"},
        TextCase{"space_inside", "=?utf-8?q?a b?=", "=?utf-8?q?a b?="},
        TextCase{"empty_charset",
                 "=?"
                 "?q?a?=",
                 "=?"
                 "?q?a?="},
        TextCase{"empty_payload",
                 "x =?utf-8?q?"
                 "?= y",
                 "x  y"},
        TextCase{"junk_then_word", "=?=?utf-8?q?a?=", "=?a"},
        TextCase{"q_bad_escape", "=?utf-8?q?a=ZZ=4?=", "a=ZZ=4"},
        TextCase{"raw_utf8", "Caf\xC3\xA9", "Caf\xC3\xA9"},
        TextCase{"raw_latin1", "Caf\xE9", "Caf" + kReplacement},
        TextCase{"nul_dropped", std::string("a\0b", 3), "ab"}));

TEST(DecodeHeaderText, Iso2022JpIsStateful) {
    EXPECT_EQ(decode_header_text("=?ISO-2022-JP?B?GyRCJDMkcyRLJEEkTxsoQg==?="),
              "\xE3\x81\x93\xE3\x82\x93\xE3\x81\xAB\xE3\x81\xA1\xE3\x81\xAF");
}

struct CharsetCase {
    const char* label;
    std::string bytes;
    std::string charset;
    std::optional<std::string> out;
};

std::ostream& operator<<(std::ostream& os, const CharsetCase& c) {
    return os << c.label;
}

class ConvertToUtf8 : public ::testing::TestWithParam<CharsetCase> {};

TEST_P(ConvertToUtf8, Converts) {
    EXPECT_EQ(convert_to_utf8(GetParam().bytes, GetParam().charset), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Charsets, ConvertToUtf8,
    ::testing::Values(CharsetCase{"latin1", "caf\xE9", "ISO-8859-1", "caf\xC3\xA9"},
                      CharsetCase{"latin1_read_as_cp1252", "\x80", "iso-8859-1", "\xE2\x82\xAC"},
                      CharsetCase{"cp1252", "\x80", "windows-1252", "\xE2\x82\xAC"},
                      CharsetCase{"latin2", "\xB1", "iso-8859-2", "\xC4\x85"},
                      CharsetCase{"koi8r", "\xC1", "KOI8-R", "\xD0\xB0"},
                      CharsetCase{"utf16le", std::string("a\0", 2), "UTF-16LE", "a"},
                      CharsetCase{"utf16_truncated", std::string("a\0b", 3), "UTF-16LE",
                                  "a" + kReplacement},
                      CharsetCase{"shift_jis_invalid_byte",
                                  "a\xFF"
                                  "b",
                                  "Shift_JIS", "a" + kReplacement + "b"},
                      CharsetCase{"gb2312_as_gbk", "\xC4\xE3", "gb2312", "\xE4\xBD\xA0"},
                      CharsetCase{"utf8_cleaned", "a\xFF", "UTF-8", "a" + kReplacement},
                      CharsetCase{"us_ascii_passes_utf8", "caf\xC3\xA9", "us-ascii", "caf\xC3\xA9"},
                      CharsetCase{"padded_name", "x", "  utf-8 ", "x"},
                      CharsetCase{"nul_dropped", std::string("a\0", 2), "iso-8859-1", "a"},
                      CharsetCase{"unknown", "x", "x-no-such-charset", std::nullopt},
                      CharsetCase{"unknown_8bit", "x", "unknown-8bit", std::nullopt},
                      CharsetCase{"empty_name", "x", "", std::nullopt},
                      CharsetCase{"iconv_suffix_refused", "x", "UTF-8//TRANSLIT", std::nullopt},
                      CharsetCase{"overlong_name", "x", std::string(100, 'a'), std::nullopt}));

TEST(CharsetToUtf8, UnknownCharsetFallsBackToUtf8Cleaning) {
    EXPECT_EQ(charset_to_utf8("caf\xC3\xA9\xE9", "x-bogus"), "caf\xC3\xA9" + kReplacement);
}

struct CodingCase {
    const char* label;
    std::string in;
    std::string out;
};

std::ostream& operator<<(std::ostream& os, const CodingCase& c) {
    return os << c.label;
}

class DecodeBase64 : public ::testing::TestWithParam<CodingCase> {};

TEST_P(DecodeBase64, Decodes) {
    EXPECT_EQ(decode_base64(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Base64, DecodeBase64,
    ::testing::Values(CodingCase{"empty", "", ""}, CodingCase{"padded", "SGVsbG8=", "Hello"},
                      CodingCase{"two_pad", "SGk=", "Hi"}, CodingCase{"no_pad", "SGVsbG8", "Hello"},
                      CodingCase{"line_breaks", "SGVs\r\nbG8g\nd29y\r\nbGQ=\r\n", "Hello world"},
                      CodingCase{"junk_skipped", "SG*V s!bG8=", "Hello"},
                      CodingCase{"concatenated_chunks", "QQ==QQ==", "AA"},
                      CodingCase{"lone_sextet_dropped", "QUJDR", "ABC"},
                      CodingCase{"binary", "AP8A/w==", std::string("\0\xFF\0\xFF", 4)}));

TEST(EncodeBase64, RoundTripsEveryLength) {
    std::string bytes;
    for (int i = 0; i < 70; ++i) {
        std::string encoded = encode_base64(bytes);
        EXPECT_EQ(encoded.size() % 4, 0u);
        EXPECT_EQ(decode_base64(encoded), bytes);
        bytes += static_cast<char>(i * 37);
    }
    EXPECT_EQ(encode_base64("Hello"), "SGVsbG8=");
    EXPECT_EQ(encode_base64("Hi"), "SGk=");
    EXPECT_EQ(encode_base64(""), "");
}

class DecodeQuotedPrintable : public ::testing::TestWithParam<CodingCase> {};

TEST_P(DecodeQuotedPrintable, Decodes) {
    EXPECT_EQ(decode_quoted_printable(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    QuotedPrintable, DecodeQuotedPrintable,
    ::testing::Values(CodingCase{"plain", "abc\r\ndef", "abc\r\ndef"},
                      CodingCase{"escape", "a=3Db", "a=b"},
                      CodingCase{"lower_case_hex", "=4a=c3=a9", "J\xC3\xA9"},
                      CodingCase{"soft_break_crlf", "abc=\r\ndef", "abcdef"},
                      CodingCase{"soft_break_lf", "abc=\ndef", "abcdef"},
                      CodingCase{"soft_break_with_padding", "abc= \t\r\ndef", "abcdef"},
                      CodingCase{"soft_break_at_end", "abc=", "abc"},
                      CodingCase{"trailing_space_dropped", "abc  \r\ndef \t", "abc\r\ndef"},
                      CodingCase{"inner_space_kept", "a  b", "a  b"},
                      CodingCase{"bad_escape_kept", "a=zz=4", "a=zz=4"}));

TEST(DecodeTransferEncoding, ByToken) {
    EXPECT_EQ(decode_transfer_encoding("SGk=", "BASE64"), "Hi");
    EXPECT_EQ(decode_transfer_encoding("SGk=", " base64 "), "Hi");
    EXPECT_EQ(decode_transfer_encoding("a=3Db", "Quoted-Printable"), "a=b");
    EXPECT_EQ(decode_transfer_encoding("a=3Db", "7BIT"), "a=3Db");
    EXPECT_EQ(decode_transfer_encoding("SGk=", "x-uuencode"), "SGk=");
}

}  // namespace
}  // namespace postimap::mime
