// The PROXY protocol (HAProxy's, versions 1 and 2): a load balancer in TCP
// mode tells the server who the real client is before any byte of the
// protocol it carries. Read only from connections of trusted balancers; the
// caller decides which, this file only speaks the format.
#pragma once

#include <boost/asio/awaitable.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <chrono>
#include <cstddef>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "server/net/network.hpp"

namespace postimap::net {

namespace asio = boost::asio;

struct ProxyHeader {
    // The client's and the balancer's listening ends. None for a v2 LOCAL
    // command (the balancer's own health check), v1 UNKNOWN, or a family
    // other than TCP over IPv4/IPv6: the connection's own addresses stand.
    std::optional<asio::ip::tcp::endpoint> source;
    std::optional<asio::ip::tcp::endpoint> destination;
    int version = 0;
};

enum class ProxyParseStatus { incomplete, invalid, complete };

struct ProxyParseResult {
    ProxyParseStatus status = ProxyParseStatus::incomplete;
    std::size_t length = 0;  // bytes of the header, when complete
    ProxyHeader header;
    std::string error;  // why, when invalid
};

// Longest v1 header, CRLF included (the specification's limit).
inline constexpr std::size_t kProxyV1MaxLength = 107;

// Parses a header at the start of `bytes`; bytes after it are not looked
// at. Incomplete: more bytes could still make a valid header.
ProxyParseResult parse_proxy_header(std::string_view bytes);

class ProxyError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

// Reads exactly one header from the socket (never a byte of what follows,
// which may be a TLS handshake). Throws ProxyError when the bytes are not a
// header or none came within `timeout`.
asio::awaitable<ProxyHeader> read_proxy_header(asio::ip::tcp::socket& socket,
                                               std::chrono::milliseconds timeout);

// Who is on the other end of an accepted connection: for one from a
// balancer (in `balancers`), the client its PROXY header names; for anyone
// else, the socket's peer, and no header is looked for. Throws ProxyError
// for a balancer's connection without a valid header.
asio::awaitable<asio::ip::tcp::endpoint> real_client(asio::ip::tcp::socket& socket,
                                                     const std::vector<Network>& balancers,
                                                     std::chrono::milliseconds timeout);

}  // namespace postimap::net
