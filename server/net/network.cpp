#include "server/net/network.hpp"

#include <stdexcept>

namespace postimap::net {
namespace {

// IPv4-mapped IPv6 addresses (::ffff:a.b.c.d, from dual-stack listeners)
// are compared as the IPv4 address they carry.
asio::ip::address unmapped(const asio::ip::address& a) {
    if (a.is_v6() && a.to_v6().is_v4_mapped())
        return asio::ip::make_address_v4(asio::ip::v4_mapped, a.to_v6());
    return a;
}

template <std::size_t N>
bool prefix_equal(const std::array<unsigned char, N>& x, const std::array<unsigned char, N>& y,
                  unsigned bits) {
    for (std::size_t i = 0; i < N && bits > 0; ++i) {
        unsigned take = bits >= 8 ? 8 : bits;
        unsigned char mask = static_cast<unsigned char>(0xff << (8 - take));
        if ((x[i] & mask) != (y[i] & mask))
            return false;
        bits -= take;
    }
    return true;
}

}  // namespace

bool Network::contains(const asio::ip::address& candidate) const {
    auto a = unmapped(candidate);
    if (a.is_v4() != address.is_v4())
        return false;
    if (a.is_v4())
        return prefix_equal(a.to_v4().to_bytes(), address.to_v4().to_bytes(), prefix);
    return prefix_equal(a.to_v6().to_bytes(), address.to_v6().to_bytes(), prefix);
}

std::vector<Network> parse_networks(const std::string& text) {
    std::vector<Network> out;
    std::size_t i = 0;
    while (i < text.size()) {
        while (i < text.size() && (text[i] == ',' || text[i] == ' ' || text[i] == '\t'))
            ++i;
        std::size_t end = i;
        while (end < text.size() && text[end] != ',' && text[end] != ' ' && text[end] != '\t')
            ++end;
        if (end == i)
            break;
        std::string entry = text.substr(i, end - i);
        i = end;
        auto slash = entry.find('/');
        boost::system::error_code ec;
        Network n;
        n.address = unmapped(asio::ip::make_address(entry.substr(0, slash), ec));
        if (ec)
            throw std::runtime_error("invalid network address: " + entry);
        const unsigned max_bits = n.address.is_v4() ? 32 : 128;
        n.prefix = max_bits;
        if (slash != std::string::npos) {
            std::string bits = entry.substr(slash + 1);
            if (bits.empty() || bits.size() > 3 ||
                bits.find_first_not_of("0123456789") != std::string::npos ||
                std::stoul(bits) > max_bits)
                throw std::runtime_error("invalid network prefix: " + entry);
            n.prefix = static_cast<unsigned>(std::stoul(bits));
        }
        out.push_back(n);
    }
    return out;
}

bool in_any(const std::vector<Network>& networks, const asio::ip::address& a) {
    for (const auto& n : networks)
        if (n.contains(a))
            return true;
    return false;
}

}  // namespace postimap::net
