// Address ranges (CIDR) the operator trusts, e.g. to allow plain-text LOGIN
// from a private network before TLS, as Dovecot's login_trusted_networks.
#pragma once

#include <boost/asio/ip/address.hpp>
#include <string>
#include <vector>

namespace postimap::net {

namespace asio = boost::asio;

struct Network {
    asio::ip::address address;
    unsigned prefix = 0;  // bits that must match

    bool contains(const asio::ip::address& a) const;
};

// "10.0.0.0/8, 192.168.1.7, fd00::/8": separated by commas or spaces; a bare
// address is a single host. IPv4-mapped IPv6 peers match IPv4 networks.
// Throws std::runtime_error naming the bad entry.
std::vector<Network> parse_networks(const std::string& text);

bool in_any(const std::vector<Network>& networks, const asio::ip::address& a);

}  // namespace postimap::net
