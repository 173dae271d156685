#include "server/net/proxy_protocol.hpp"

#include <boost/asio/read.hpp>
#include <boost/asio/redirect_error.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/use_awaitable.hpp>
#include <charconv>
#include <cstring>
#include <vector>

namespace postimap::net {
namespace {

constexpr std::string_view kV2Signature{"\r\n\r\n\0\r\nQUIT\n", 12};
constexpr std::string_view kV1Prefix = "PROXY ";

ProxyParseResult invalid(std::string why) {
    ProxyParseResult r;
    r.status = ProxyParseStatus::invalid;
    r.error = std::move(why);
    return r;
}

std::optional<unsigned short> parse_port(std::string_view text) {
    unsigned value = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), value);
    if (ec != std::errc() || end != text.data() + text.size() || text.empty() || value > 65535)
        return std::nullopt;
    return static_cast<unsigned short>(value);
}

std::optional<asio::ip::address> parse_address(std::string_view text, bool v6) {
    boost::system::error_code ec;
    auto address = asio::ip::make_address(std::string(text), ec);
    if (ec || address.is_v6() != v6)
        return std::nullopt;
    return address;
}

// "PROXY TCP4 src dst sport dport\r\n" or "PROXY UNKNOWN ...\r\n".
ProxyParseResult parse_v1(std::string_view bytes) {
    auto end = bytes.find("\r\n");
    if (end == std::string_view::npos) {
        if (bytes.size() >= kProxyV1MaxLength)
            return invalid("PROXY v1 line too long");
        if (bytes.find('\n') != std::string_view::npos)
            return invalid("PROXY v1 line without CRLF");
        ProxyParseResult r;
        return r;
    }
    if (end + 2 > kProxyV1MaxLength)
        return invalid("PROXY v1 line too long");
    std::string_view line = bytes.substr(kV1Prefix.size(), end - kV1Prefix.size());
    std::vector<std::string_view> fields;
    for (;;) {
        auto space = line.find(' ');
        fields.push_back(line.substr(0, space));
        if (space == std::string_view::npos || fields.size() > 6)
            break;
        line.remove_prefix(space + 1);
    }
    ProxyParseResult r;
    r.status = ProxyParseStatus::complete;
    r.length = end + 2;
    r.header.version = 1;
    if (fields[0] == "UNKNOWN")
        return r;  // the rest of the line is to be ignored
    if (fields.size() != 5 || (fields[0] != "TCP4" && fields[0] != "TCP6"))
        return invalid("PROXY v1 line is not TCP4, TCP6 or UNKNOWN with two addresses and ports");
    const bool v6 = fields[0] == "TCP6";
    auto src = parse_address(fields[1], v6);
    auto dst = parse_address(fields[2], v6);
    auto sport = parse_port(fields[3]);
    auto dport = parse_port(fields[4]);
    if (!src || !dst || !sport || !dport)
        return invalid("PROXY v1 line has a bad address or port");
    r.header.source = asio::ip::tcp::endpoint(*src, *sport);
    r.header.destination = asio::ip::tcp::endpoint(*dst, *dport);
    return r;
}

unsigned short port_at(std::string_view b, std::size_t at) {
    return static_cast<unsigned short>((static_cast<unsigned char>(b[at]) << 8) |
                                       static_cast<unsigned char>(b[at + 1]));
}

ProxyParseResult parse_v2(std::string_view bytes) {
    if (bytes.size() < 16)
        return ProxyParseResult{};
    const auto version_command = static_cast<unsigned char>(bytes[12]);
    const auto family = static_cast<unsigned char>(bytes[13]);
    const std::size_t length = port_at(bytes, 14);
    if ((version_command >> 4) != 2)
        return invalid("PROXY v2 header with an unknown version");
    const unsigned command = version_command & 0x0f;
    if (command > 1)
        return invalid("PROXY v2 header with an unknown command");
    if (bytes.size() < 16 + length)
        return ProxyParseResult{};
    ProxyParseResult r;
    r.status = ProxyParseStatus::complete;
    r.length = 16 + length;
    r.header.version = 2;
    if (command == 0)
        return r;  // LOCAL: the balancer speaking for itself
    std::string_view body = bytes.substr(16, length);
    if (family == 0x11) {  // TCP over IPv4
        if (body.size() < 12)
            return invalid("PROXY v2 IPv4 addresses truncated");
        asio::ip::address_v4::bytes_type src, dst;
        std::memcpy(src.data(), body.data(), 4);
        std::memcpy(dst.data(), body.data() + 4, 4);
        r.header.source = asio::ip::tcp::endpoint(asio::ip::address_v4(src), port_at(body, 8));
        r.header.destination =
            asio::ip::tcp::endpoint(asio::ip::address_v4(dst), port_at(body, 10));
    } else if (family == 0x21) {  // TCP over IPv6
        if (body.size() < 36)
            return invalid("PROXY v2 IPv6 addresses truncated");
        asio::ip::address_v6::bytes_type src, dst;
        std::memcpy(src.data(), body.data(), 16);
        std::memcpy(dst.data(), body.data() + 16, 16);
        r.header.source = asio::ip::tcp::endpoint(asio::ip::address_v6(src), port_at(body, 32));
        r.header.destination =
            asio::ip::tcp::endpoint(asio::ip::address_v6(dst), port_at(body, 34));
    }
    // Other families (UDP, Unix, unspecified): the addresses say nothing we
    // can use; TLVs after the addresses are skipped.
    return r;
}

}  // namespace

ProxyParseResult parse_proxy_header(std::string_view bytes) {
    const std::size_t n2 = std::min(bytes.size(), kV2Signature.size());
    if (bytes.substr(0, n2) == kV2Signature.substr(0, n2) && n2 > 0)
        return n2 < kV2Signature.size() ? ProxyParseResult{} : parse_v2(bytes);
    const std::size_t n1 = std::min(bytes.size(), kV1Prefix.size());
    if (bytes.substr(0, n1) == kV1Prefix.substr(0, n1))
        return n1 < kV1Prefix.size() ? ProxyParseResult{} : parse_v1(bytes);
    return invalid("no PROXY protocol header");
}

asio::awaitable<ProxyHeader> read_proxy_header(asio::ip::tcp::socket& socket,
                                               std::chrono::milliseconds timeout) {
    asio::steady_timer timer(socket.get_executor());
    bool timed_out = false;
    timer.expires_after(timeout);
    timer.async_wait([&](const boost::system::error_code& ec) {
        if (ec)
            return;
        timed_out = true;
        boost::system::error_code ignored;
        socket.cancel(ignored);
    });
    // Read no further than the header can reach: 8 bytes tell v1 from v2,
    // v2 then says its length, v1 ends at CRLF (read a byte at a time, as
    // it is short and rare next to v2).
    std::string bytes;
    auto read = [&](std::size_t n) -> asio::awaitable<void> {
        const std::size_t at = bytes.size();
        bytes.resize(at + n);
        boost::system::error_code ec;
        co_await asio::async_read(socket, asio::buffer(bytes.data() + at, n),
                                  asio::redirect_error(asio::use_awaitable, ec));
        if (ec) {
            timer.cancel();
            throw ProxyError(timed_out ? "no PROXY header in time"
                                       : "connection ended in the PROXY header: " + ec.message());
        }
    };
    co_await read(8);
    for (;;) {
        auto result = parse_proxy_header(bytes);
        if (result.status == ProxyParseStatus::complete) {
            timer.cancel();
            co_return result.header;
        }
        if (result.status == ProxyParseStatus::invalid) {
            timer.cancel();
            throw ProxyError(result.error);
        }
        if (bytes.size() == 8 && bytes.compare(0, 8, kV2Signature.substr(0, 8)) == 0)
            co_await read(8);
        else if (bytes.size() == 16 && bytes.compare(0, 12, kV2Signature) == 0)
            co_await read(port_at(bytes, 14));
        else
            co_await read(1);
    }
}

asio::awaitable<asio::ip::tcp::endpoint> real_client(asio::ip::tcp::socket& socket,
                                                     const std::vector<Network>& balancers,
                                                     std::chrono::milliseconds timeout) {
    auto peer = socket.remote_endpoint();
    if (!in_any(balancers, peer.address()))
        co_return peer;
    auto header = co_await read_proxy_header(socket, timeout);
    co_return header.source ? *header.source : peer;
}

}  // namespace postimap::net
