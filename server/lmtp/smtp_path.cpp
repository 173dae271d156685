#include "server/lmtp/smtp_path.hpp"

#include <algorithm>
#include <cctype>

namespace postimap::lmtp {
namespace {

bool is_space(char c) {
    return c == ' ' || c == '\t';
}

std::string upper(std::string_view s) {
    std::string out(s);
    std::transform(out.begin(), out.end(), out.begin(),
                   [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
    return out;
}

bool valid_address_char(char c) {
    const auto u = static_cast<unsigned char>(c);
    return u > 32 && u != 127 && c != '<' && c != '>';
}

}  // namespace

std::optional<PathArgument> parse_path_argument(std::string_view text) {
    while (!text.empty() && is_space(text.front()))
        text.remove_prefix(1);
    PathArgument result;
    std::string_view path;
    if (!text.empty() && text.front() == '<') {
        auto close = text.find('>');
        if (close == std::string_view::npos)
            return std::nullopt;
        path = text.substr(1, close - 1);
        text.remove_prefix(close + 1);
    } else {
        auto end = std::find_if(text.begin(), text.end(), is_space);
        path = text.substr(0, static_cast<std::size_t>(end - text.begin()));
        text.remove_prefix(path.size());
        if (path.empty())
            return std::nullopt;
    }
    // A source route ("@a,@b:") is obsolete; the mailbox follows the colon.
    if (!path.empty() && path.front() == '@') {
        auto colon = path.find(':');
        if (colon == std::string_view::npos)
            return std::nullopt;
        path.remove_prefix(colon + 1);
    }
    if (!std::all_of(path.begin(), path.end(), valid_address_char))
        return std::nullopt;
    result.address = std::string(path);
    // Parameters: SP keyword["=" value], separated by spaces.
    while (!text.empty()) {
        if (!is_space(text.front()))
            return std::nullopt;
        while (!text.empty() && is_space(text.front()))
            text.remove_prefix(1);
        if (text.empty())
            break;
        auto end = std::find_if(text.begin(), text.end(), is_space);
        std::string_view param = text.substr(0, static_cast<std::size_t>(end - text.begin()));
        text.remove_prefix(param.size());
        auto eq = param.find('=');
        std::string_view keyword = param.substr(0, eq);
        if (keyword.empty() || !std::all_of(keyword.begin(), keyword.end(), [](char c) {
                return std::isalnum(static_cast<unsigned char>(c)) || c == '-';
            }))
            return std::nullopt;
        result.params[upper(keyword)] =
            eq == std::string_view::npos ? std::string() : std::string(param.substr(eq + 1));
    }
    return result;
}

std::optional<RecipientAddress> split_recipient(std::string_view address, char delimiter) {
    auto at = address.rfind('@');
    if (at == std::string_view::npos || at == 0 || at + 1 == address.size())
        return std::nullopt;
    std::string_view local = address.substr(0, at);
    std::string_view domain = address.substr(at + 1);
    RecipientAddress r;
    if (auto d = local.find(delimiter); d != std::string_view::npos && delimiter != '\0') {
        r.detail = std::string(local.substr(d + 1));
        local = local.substr(0, d);
        if (local.empty())
            return std::nullopt;
    }
    std::string user = std::string(local) + "@" + std::string(domain);
    std::transform(user.begin(), user.end(), user.begin(),
                   [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
    r.user = std::move(user);
    return r;
}

}  // namespace postimap::lmtp
