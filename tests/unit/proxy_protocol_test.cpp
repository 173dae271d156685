#include "server/net/proxy_protocol.hpp"

#include <gtest/gtest.h>

#include <string>

namespace postimap::net {
namespace {

std::string v2(unsigned char command, unsigned char family, const std::string& body) {
    std::string h("\r\n\r\n\0\r\nQUIT\n", 12);
    h += static_cast<char>(0x20 | command);
    h += static_cast<char>(family);
    h += static_cast<char>(body.size() >> 8);
    h += static_cast<char>(body.size() & 0xff);
    return h + body;
}

std::string v2_tcp4(const std::string& tail = "") {
    // 10.1.2.3:4444 -> 127.0.0.1:143, then optional TLVs.
    std::string body = {10, 1, 2, 3, 127, 0, 0, 1, 0x11, 0x5c, 0x00, static_cast<char>(143)};
    return v2(1, 0x11, body + tail);
}

TEST(ProxyProtocol, ReadsVersion1Tcp4AndTcp6) {
    auto r = parse_proxy_header("PROXY TCP4 192.0.2.7 127.0.0.1 56324 143\r\nA1 LOGIN");
    ASSERT_EQ(r.status, ProxyParseStatus::complete);
    EXPECT_EQ(r.length, 42u);
    EXPECT_EQ(r.header.version, 1);
    EXPECT_EQ(r.header.source->address().to_string(), "192.0.2.7");
    EXPECT_EQ(r.header.source->port(), 56324);
    EXPECT_EQ(r.header.destination->port(), 143);
    auto r6 = parse_proxy_header("PROXY TCP6 2001:db8::1 ::1 1000 993\r\n");
    ASSERT_EQ(r6.status, ProxyParseStatus::complete);
    EXPECT_EQ(r6.header.source->address().to_string(), "2001:db8::1");
}

TEST(ProxyProtocol, Version1UnknownKeepsTheConnectionsAddresses) {
    auto r = parse_proxy_header("PROXY UNKNOWN\r\n");
    ASSERT_EQ(r.status, ProxyParseStatus::complete);
    EXPECT_FALSE(r.header.source);
    auto r2 = parse_proxy_header("PROXY UNKNOWN ffff::1 ffff::2 1 2\r\n");
    ASSERT_EQ(r2.status, ProxyParseStatus::complete);
    EXPECT_FALSE(r2.header.source);
}

TEST(ProxyProtocol, ReadsVersion2Tcp4WithTlvsAndTcp6) {
    const std::string h = v2_tcp4(std::string("\x04\x00\x01Z", 4)) + "after";
    auto r = parse_proxy_header(h);
    ASSERT_EQ(r.status, ProxyParseStatus::complete);
    EXPECT_EQ(r.length, h.size() - 5);
    EXPECT_EQ(r.header.version, 2);
    EXPECT_EQ(r.header.source->address().to_string(), "10.1.2.3");
    EXPECT_EQ(r.header.source->port(), 4444);
    std::string body(36, '\0');
    body[15] = 1;     // ::1
    body[31] = 2;     // ::2
    body[32] = 0x01;  // port 256
    body[35] = 143;
    auto r6 = parse_proxy_header(v2(1, 0x21, body));
    ASSERT_EQ(r6.status, ProxyParseStatus::complete);
    EXPECT_EQ(r6.header.source->address().to_string(), "::1");
    EXPECT_EQ(r6.header.source->port(), 256);
}

TEST(ProxyProtocol, Version2LocalAndOtherFamiliesCarryNoClient) {
    auto local = parse_proxy_header(v2(0, 0x00, ""));
    ASSERT_EQ(local.status, ProxyParseStatus::complete);
    EXPECT_FALSE(local.header.source);
    auto unix_family = parse_proxy_header(v2(1, 0x31, std::string(216, 'x')));
    ASSERT_EQ(unix_family.status, ProxyParseStatus::complete);
    EXPECT_FALSE(unix_family.header.source);
}

TEST(ProxyProtocol, EveryPrefixIsIncomplete) {
    for (const std::string& whole :
         {std::string("PROXY TCP4 192.0.2.7 127.0.0.1 56324 143\r\n"), v2_tcp4()}) {
        for (std::size_t n = 0; n < whole.size(); ++n)
            EXPECT_EQ(parse_proxy_header(whole.substr(0, n)).status, ProxyParseStatus::incomplete)
                << n;
        EXPECT_EQ(parse_proxy_header(whole).status, ProxyParseStatus::complete);
    }
}

TEST(ProxyProtocol, RejectsWhatIsNotAHeader) {
    for (const std::string& bad : {
             std::string("A1 LOGIN x y\r\n"),
             std::string("PROXY TCP4 192.0.2.7 127.0.0.1 56324\r\n"),
             std::string("PROXY TCP4 ::1 127.0.0.1 1 2\r\n"),
             std::string("PROXY TCP4 192.0.2.7 127.0.0.1 99999 143\r\n"),
             std::string("PROXY TCP4 192.0.2.7 127.0.0.1 1 2\n"),
             std::string("PROXY UDP4 192.0.2.7 127.0.0.1 1 2\r\n"),
             std::string("PROXY TCP4 1.2.3.4  5.6.7.8 1 2\r\n"),
             std::string("PROXY ") + std::string(200, '1'),
             v2(2, 0x11, std::string(12, '\0')),
             v2(1, 0x11, std::string(4, '\0')),
             v2(1, 0x21, std::string(12, '\0')),
         }) {
        EXPECT_EQ(parse_proxy_header(bad).status, ProxyParseStatus::invalid) << bad;
    }
    std::string wrong_version = v2_tcp4();
    wrong_version[12] = 0x11;
    EXPECT_EQ(parse_proxy_header(wrong_version).status, ProxyParseStatus::invalid);
}

}  // namespace
}  // namespace postimap::net
