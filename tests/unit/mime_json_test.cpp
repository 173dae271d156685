#include "storage/mime/part_json.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <string>

#include "storage/mime/json.hpp"
#include "storage/mime/utf8.hpp"

namespace postimap::mime {
namespace {

struct JsonCase {
    const char* label;
    std::string text;
    bool valid;
};

std::ostream& operator<<(std::ostream& os, const JsonCase& c) {
    return os << c.label;
}

class JsonParse : public ::testing::TestWithParam<JsonCase> {};

TEST_P(JsonParse, AcceptsOnlyValid) {
    EXPECT_EQ(json::parse(GetParam().text).has_value(), GetParam().valid);
}

INSTANTIATE_TEST_SUITE_P(
    Strict, JsonParse,
    ::testing::Values(
        JsonCase{"object", " { \"a\" : [ 1 , true , false , null , \"x\" ] } ", true},
        JsonCase{"empty_containers", "[{},[]]", true},
        JsonCase{"escapes", "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\"", true},
        JsonCase{"max_number", "18446744073709551615", true}, JsonCase{"zero", "0", true},
        JsonCase{"raw_utf8", "\"caf\xC3\xA9\"", true}, JsonCase{"empty", "", false},
        JsonCase{"only_space", "  ", false}, JsonCase{"unclosed_object", "{", false},
        JsonCase{"trailing_comma_array", "[1,]", false},
        JsonCase{"trailing_comma_object", "{\"a\":1,}", false},
        JsonCase{"missing_colon", "{\"a\" 1}", false}, JsonCase{"unquoted_key", "{a:1}", false},
        JsonCase{"duplicate_key", "{\"a\":1,\"a\":2}", false},
        JsonCase{"leading_zero", "01", false}, JsonCase{"negative", "-1", false},
        JsonCase{"fraction", "1.5", false}, JsonCase{"exponent", "1e3", false},
        JsonCase{"overflow", "18446744073709551616", false},
        JsonCase{"bad_escape", "\"\\x\"", false},
        JsonCase{"short_unicode_escape", "\"\\u12\"", false},
        JsonCase{"raw_control_char", "\"a\x01\"", false},
        JsonCase{"raw_newline", "\"a\nb\"", false},
        JsonCase{"lone_high_surrogate", "\"\\ud800\"", false},
        JsonCase{"lone_low_surrogate", "\"\\udc00\"", false},
        JsonCase{"invalid_utf8", "\"\xFF\"", false},
        JsonCase{"unterminated_string", "\"abc", false},
        JsonCase{"trailing_garbage", "[] x", false}, JsonCase{"two_documents", "1 2", false},
        JsonCase{"bad_literal", "tru", false}, JsonCase{"bad_null", "nul", false},
        JsonCase{"deep_ok", std::string(200, '[') + std::string(200, ']'), true},
        JsonCase{"too_deep", std::string(100000, '[') + std::string(100000, ']'), false}));

TEST(JsonParse, Values) {
    auto v =
        json::parse("{\"a\":[18446744073709551615,true,null,\"\\u00e9\\ud83d\\ude00\"],\"b\":{}}");
    ASSERT_TRUE(v);
    ASSERT_EQ(v->kind, json::Value::Kind::object);
    const json::Value* a = v->find("a");
    ASSERT_NE(a, nullptr);
    ASSERT_EQ(a->items.size(), 4u);
    EXPECT_EQ(a->items[0].number, UINT64_MAX);
    EXPECT_TRUE(a->items[1].boolean);
    EXPECT_EQ(a->items[2].kind, json::Value::Kind::null);
    EXPECT_EQ(a->items[3].string, "\xC3\xA9\xF0\x9F\x98\x80");
    EXPECT_EQ(v->find("b")->kind, json::Value::Kind::object);
    EXPECT_EQ(v->find("c"), nullptr);
}

// Duplicates are found by a look along the members in small objects and by
// a set in large ones: a duplicate on either side of that line, or across it.
TEST(JsonParse, DuplicateKeysInObjectsOfEverySize) {
    auto object = [](int n, int dup_of, int dup_at) {
        std::string text = "{";
        for (int i = 0; i < n; ++i) {
            const int name = i == dup_at ? dup_of : i;
            text += (i ? ",\"k" : "\"k") + std::to_string(name) + "\":" + std::to_string(i);
        }
        return text + "}";
    };
    for (int n : {1, 2, 15, 16, 17, 40}) {
        auto whole = json::parse(object(n, -1, -1));
        ASSERT_TRUE(whole) << n;
        EXPECT_EQ(whole->members.size(), static_cast<std::size_t>(n));
        EXPECT_EQ(whole->find("k" + std::to_string(n - 1))->number,
                  static_cast<std::uint64_t>(n - 1));
    }
    const std::pair<int, int> duplicates[] = {{0, 1},  {3, 15},  {3, 16}, {15, 16},
                                              {2, 39}, {20, 39}, {38, 39}};
    for (auto [of, at] : duplicates)
        EXPECT_FALSE(json::parse(object(40, of, at))) << "k" << of << " again at " << at;
}

TEST(JsonWriteString, EscapesAndRoundTrips) {
    std::string text;
    for (int c = 1; c < 128; ++c)
        text += static_cast<char>(c);
    text += "\xC3\xA9\xF0\x9F\x98\x80";
    std::string out;
    json::write_string(out, text);
    for (char c : out)
        EXPECT_GE(static_cast<unsigned char>(c), 0x20);
    auto back = json::parse(out);
    ASSERT_TRUE(back);
    EXPECT_EQ(back->string, text);
    out.clear();
    json::write_string(out, "a\"b\\c\n\x01");
    EXPECT_EQ(out, "\"a\\\"b\\\\c\\n\\u0001\"");
}

// What PostgreSQL's jsonb gives back: keys sorted (shorter first, then
// bytewise), ", " and ": " between items.
void write_like_jsonb(const json::Value& v, std::string& out) {
    switch (v.kind) {
        case json::Value::Kind::null:
            out += "null";
            break;
        case json::Value::Kind::boolean:
            out += v.boolean ? "true" : "false";
            break;
        case json::Value::Kind::number:
            out += std::to_string(v.number);
            break;
        case json::Value::Kind::string:
            json::write_string(out, v.string);
            break;
        case json::Value::Kind::array:
            out += '[';
            for (std::size_t i = 0; i < v.items.size(); ++i) {
                if (i > 0)
                    out += ", ";
                write_like_jsonb(v.items[i], out);
            }
            out += ']';
            break;
        case json::Value::Kind::object: {
            auto members = v.members;
            std::sort(members.begin(), members.end(), [](const auto& a, const auto& b) {
                if (a.key.size() != b.key.size())
                    return a.key.size() < b.key.size();
                return a.key < b.key;
            });
            out += '{';
            for (std::size_t i = 0; i < members.size(); ++i) {
                if (i > 0)
                    out += ", ";
                json::write_string(out, members[i].key);
                out += ": ";
                write_like_jsonb(members[i].value, out);
            }
            out += '}';
            break;
        }
    }
}

std::string as_jsonb(const std::string& json_text) {
    auto v = json::parse(json_text);
    EXPECT_TRUE(v);
    std::string out;
    if (v)
        write_like_jsonb(*v, out);
    return out;
}

Part every_field() {
    Part inner;
    inner.header = {100, 20};
    inner.body = {120, 5};
    inner.lines = 1;
    inner.envelope = Envelope{};
    inner.envelope->subject = "inner";

    Part rfc822;
    rfc822.header = {60, 40};
    rfc822.body = {100, 25};
    rfc822.type = "message";
    rfc822.subtype = "rfc822";
    rfc822.lines = 3;
    rfc822.children.push_back(inner);

    Part root;
    root.header = {0, 40};
    root.body = {40, 1000};
    root.type = "multipart";
    root.subtype = "mixed";
    root.params = {{"boundary", "b \"q\" \\"}, {"name", "caf\xE9"}};
    root.id = "<id@x>";
    root.description = std::string("nul\0inside", 10);
    root.encoding = "7BIT";
    root.md5 = "abc=";
    root.disposition = "inline";
    root.disposition_params = {{"filename", "\xC3\xA9t\xC3\xA9.txt"}};
    root.language = {"en", "\xFF"};
    root.location = "http://x/\x01\x1F\x7F";
    root.lines = 12345678901234ULL;
    Envelope e;
    e.date = "Mon, 1 Jan 2024 00:00:00 +0000";
    e.subject = "Caf\xE9 \xF0\x9F\x98\x80 =?utf-8?q?x?=";
    e.from = {Address{"J\xF6rg", std::nullopt, "joerg", "example.test"}};
    e.sender = e.from;
    e.reply_to = {Address{std::nullopt, "@route", "a", ""}};
    e.to = {Address{std::nullopt, std::nullopt, "Group", std::nullopt}, Address{},
            Address{"", "", "", ""}};
    e.cc = {Address{"x", std::nullopt, "y", "z"}};
    e.bcc = e.cc;
    e.in_reply_to = "";
    e.message_id = "<m@x>";
    root.envelope = e;
    root.children = {rfc822, Part{}};
    return root;
}

TEST(PartJson, RoundTripsEveryField) {
    const Part part = every_field();
    const std::string text = to_json(part);
    EXPECT_TRUE(is_valid_utf8(text));
    for (char c : text)
        EXPECT_GE(static_cast<unsigned char>(c), 0x20) << "raw control character";
    auto back = part_from_json(text);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, part);
    EXPECT_EQ(to_json(*back), text);
}

TEST(PartJson, InvalidUtf8AndNulAreStoredAsBase64) {
    Part part;
    part.description = std::string("a\0b", 3);
    part.location = "caf\xE9";
    part.id = "caf\xC3\xA9";
    const std::string text = to_json(part);
    EXPECT_NE(text.find("\"description\":{\"b64\":\"YQBi\"}"), std::string::npos) << text;
    EXPECT_NE(text.find("\"location\":{\"b64\":\"Y2Fm6Q==\"}"), std::string::npos) << text;
    EXPECT_NE(text.find("\"id\":\"caf\xC3\xA9\""), std::string::npos) << text;
}

TEST(PartJson, ReadsWhatJsonbGivesBack) {
    const Part part = every_field();
    const std::string reformatted = as_jsonb(to_json(part));
    EXPECT_NE(reformatted, to_json(part));
    auto back = part_from_json(reformatted);
    ASSERT_TRUE(back);
    EXPECT_EQ(*back, part);
}

TEST(PartJson, MinimalAndUnknownMembers) {
    auto p = part_from_json(
        "{\"header\":[0,2],\"body\":[2,0],\"type\":\"text\",\"subtype\":\"plain\","
        "\"encoding\":\"7BIT\",\"lines\":0,\"future\":{\"x\":[1]}}");
    ASSERT_TRUE(p);
    EXPECT_EQ(p->header, (Range{0, 2}));
    EXPECT_TRUE(p->params.empty());
    EXPECT_FALSE(p->envelope);
}

class PartJsonRejects : public ::testing::TestWithParam<JsonCase> {};

TEST_P(PartJsonRejects, Malformed) {
    EXPECT_FALSE(part_from_json(GetParam().text));
}

const std::string kBase =
    "\"header\":[0,2],\"body\":[2,0],\"type\":\"text\",\"subtype\":\"plain\","
    "\"encoding\":\"7BIT\"";

INSTANTIATE_TEST_SUITE_P(
    Layout, PartJsonRejects,
    ::testing::Values(
        JsonCase{"not_json", "{", false}, JsonCase{"not_object", "[]", false},
        JsonCase{"missing_lines", "{" + kBase + "}", false},
        JsonCase{"missing_header",
                 "{\"body\":[2,0],\"type\":\"text\",\"subtype\":\"plain\","
                 "\"encoding\":\"7BIT\",\"lines\":0}",
                 false},
        JsonCase{"range_too_short",
                 "{\"header\":[0],\"body\":[2,0],\"type\":\"text\",\"subtype\":\"plain\","
                 "\"encoding\":\"7BIT\",\"lines\":0}",
                 false},
        JsonCase{"range_negative",
                 "{\"header\":[0,-2],\"body\":[2,0],\"type\":\"text\",\"subtype\":\"plain\","
                 "\"encoding\":\"7BIT\",\"lines\":0}",
                 false},
        JsonCase{"lines_not_number", "{" + kBase + ",\"lines\":\"0\"}", false},
        JsonCase{"params_not_pairs", "{" + kBase + ",\"lines\":0,\"params\":[[\"a\"]]}", false},
        JsonCase{"type_not_string",
                 "{\"header\":[0,2],\"body\":[2,0],\"type\":1,\"subtype\":"
                 "\"plain\",\"encoding\":\"7BIT\",\"lines\":0}",
                 false},
        JsonCase{"b64_not_canonical", "{" + kBase + ",\"lines\":0,\"id\":{\"b64\":\"YQ\"}}", false},
        JsonCase{"b64_with_extra_member",
                 "{" + kBase + ",\"lines\":0,\"id\":{\"b64\":\"YQ==\",\"x\":1}}", false},
        JsonCase{"address_wrong_arity",
                 "{" + kBase + ",\"lines\":0,\"envelope\":{\"from\":[[null,null,\"a\"]]}}", false},
        JsonCase{"child_not_part", "{" + kBase + ",\"lines\":0,\"children\":[1]}", false},
        JsonCase{"envelope_not_object", "{" + kBase + ",\"lines\":0,\"envelope\":[]}", false}));

// The rejected documents above differ from this one in one place each.
TEST(PartJson, BaseIsValid) {
    EXPECT_TRUE(part_from_json("{" + kBase + ",\"lines\":0}"));
}

}  // namespace
}  // namespace postimap::mime
