#include "server/net/network.hpp"

#include <gtest/gtest.h>

#include <stdexcept>

namespace postimap::net {
namespace {

asio::ip::address addr(const char* text) {
    return asio::ip::make_address(text);
}

TEST(Network, ParsesListsWithCommasAndSpaces) {
    auto n = parse_networks("127.0.0.0/8, ::1  10.1.2.3,fd00::/8");
    ASSERT_EQ(n.size(), 4u);
    EXPECT_EQ(n[0].prefix, 8u);
    EXPECT_EQ(n[1].prefix, 128u);
    EXPECT_EQ(n[2].prefix, 32u);
    EXPECT_EQ(n[3].prefix, 8u);
    EXPECT_TRUE(parse_networks("").empty());
    EXPECT_TRUE(parse_networks(" , ").empty());
}

TEST(Network, MatchesByPrefix) {
    auto n = parse_networks("10.0.0.0/8, 192.168.1.0/25, 2001:db8::/33");
    EXPECT_TRUE(in_any(n, addr("10.255.0.1")));
    EXPECT_FALSE(in_any(n, addr("11.0.0.1")));
    EXPECT_TRUE(in_any(n, addr("192.168.1.127")));
    EXPECT_FALSE(in_any(n, addr("192.168.1.128")));
    EXPECT_TRUE(in_any(n, addr("2001:db8:7fff::1")));
    EXPECT_FALSE(in_any(n, addr("2001:db8:8000::1")));
    EXPECT_FALSE(in_any(n, addr("::1")));
}

TEST(Network, ZeroPrefixMatchesItsFamilyOnly) {
    auto n = parse_networks("0.0.0.0/0");
    EXPECT_TRUE(in_any(n, addr("203.0.113.9")));
    EXPECT_FALSE(in_any(n, addr("2001:db8::1")));
}

TEST(Network, MappedIpv6PeersMatchIpv4Networks) {
    auto n = parse_networks("127.0.0.0/8");
    EXPECT_TRUE(in_any(n, addr("::ffff:127.0.0.1")));
    EXPECT_FALSE(in_any(n, addr("::ffff:128.0.0.1")));
}

TEST(Network, RejectsBadEntries) {
    EXPECT_THROW(parse_networks("10.0.0.0/33"), std::runtime_error);
    EXPECT_THROW(parse_networks("::/129"), std::runtime_error);
    EXPECT_THROW(parse_networks("10.0.0.0/"), std::runtime_error);
    EXPECT_THROW(parse_networks("10.0.0.0/x"), std::runtime_error);
    EXPECT_THROW(parse_networks("example.com"), std::runtime_error);
    EXPECT_THROW(parse_networks("10.0.0.0/-1"), std::runtime_error);
}

}  // namespace
}  // namespace postimap::net
