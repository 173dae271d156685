#include "storage/mime/search_text.hpp"

#include <gtest/gtest.h>

#include <string>

#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

TEST(SearchText, DecodesTransferEncodingAndCharset) {
    const std::string raw =
        "Content-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\nContent-Type: text/plain; charset=iso-8859-1\r\n"
        "Content-Transfer-Encoding: quoted-printable\r\n\r\n"
        "caf=E9 cr=E8me=\r\n br=FBl=E9e\r\n"
        "--b\r\nContent-Type: text/html; charset=utf-8\r\n"
        "Content-Transfer-Encoding: base64\r\n\r\n"
        "PHA+Y2Fmw6k8L3A+\r\n"
        "--b\r\nContent-Type: image/png\r\nContent-Transfer-Encoding: base64\r\n\r\n"
        "iVBORw0KGgo=\r\n"
        "--b\r\nContent-Type: text/plain; charset=koi8-r\r\n\r\n"
        "\xD0\xD2\xC9\xD7\xC5\xD4\r\n"
        "--b--\r\n";
    Part root = parse_message(raw);
    EXPECT_EQ(search_text(root, raw),
              "caf\xC3\xA9 cr\xC3\xA8me br\xC3\xBBl\xC3\xA9"
              "e\n"
              "<p>caf\xC3\xA9</p>\n"
              "\xD0\xBF\xD1\x80\xD0\xB8\xD0\xB2\xD0\xB5\xD1\x82");
}

TEST(SearchText, EncapsulatedMessageHeaderAndBody) {
    const std::string raw =
        "Subject: outer\r\nContent-Type: multipart/mixed; boundary=b\r\n\r\n"
        "--b\r\n\r\nsee below\r\n"
        "--b\r\nContent-Type: message/rfc822\r\n\r\n"
        "Subject: =?utf-8?q?r=C3=A9union?=\r\nFrom: a@b.test\r\n\r\n"
        "inner text\r\n"
        "--b--\r\n";
    Part root = parse_message(raw);
    EXPECT_EQ(search_text(root, raw),
              "see below\nSubject: r\xC3\xA9union\nFrom: a@b.test\ninner text");
}

TEST(SearchText, UnknownCharsetAndDefaults) {
    const std::string raw = "Content-Type: text/plain; charset=x-bogus\r\n\r\ncaf\xC3\xA9 \xE9";
    EXPECT_EQ(search_text(parse_message(raw), raw), "caf\xC3\xA9 \xEF\xBF\xBD");
    const std::string plain = "Subject: x\r\n\r\nhello";
    EXPECT_EQ(search_text(parse_message(plain), plain), "hello");
    const std::string binary = "Content-Type: application/octet-stream\r\n\r\nhello";
    EXPECT_EQ(search_text(parse_message(binary), binary), "");
}

TEST(SearchText, LimitCutsAtCharacterBoundary) {
    std::string raw = "Content-Type: text/plain; charset=utf-8\r\n\r\n";
    for (int i = 0; i < 1000; ++i)
        raw += "\xC3\xA9";  // two bytes each
    Part root = parse_message(raw);
    std::string cut = search_text(root, raw, 101);
    EXPECT_EQ(cut.size(), 100u);
    EXPECT_TRUE(is_valid_utf8(cut));
    EXPECT_EQ(search_text(root, raw, 0), "");
    EXPECT_EQ(search_text(root, raw).size(), 2000u);
}

TEST(SearchText, DefaultLimitAppliesToHugeBodies) {
    std::string raw =
        "Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: base64\r\n\r\n";
    std::string line =
        "YWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFhYWFh\r\n";
    while (raw.size() < 3 * kSearchTextLimit)
        raw += line;
    std::string text = search_text(parse_message(raw), raw);
    EXPECT_EQ(text.size(), kSearchTextLimit);
    EXPECT_EQ(text.find_first_not_of('a'), std::string::npos);
}

}  // namespace
}  // namespace postimap::mime
