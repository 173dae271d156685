#include "server/auth/base64.hpp"

#include <openssl/evp.h>

namespace postimap::auth {

std::string base64_encode(std::string_view bytes) {
    std::string out(4 * ((bytes.size() + 2) / 3) + 1, '\0');
    int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(bytes.data()),
                            static_cast<int>(bytes.size()));
    out.resize(static_cast<std::size_t>(n));
    return out;
}

std::optional<std::string> base64_decode(std::string_view text) {
    if (text.size() % 4 != 0)
        return std::nullopt;
    for (std::size_t i = 0; i < text.size(); ++i) {
        char c = text[i];
        bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                  c == '+' || c == '/' || (c == '=' && i + 2 >= text.size());
        if (!ok)
            return std::nullopt;
    }
    if (text.size() >= 2 && text[text.size() - 2] == '=' && text.back() != '=')
        return std::nullopt;
    std::string out(text.size() / 4 * 3, '\0');
    int n = EVP_DecodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                            reinterpret_cast<const unsigned char*>(text.data()),
                            static_cast<int>(text.size()));
    if (n < 0)
        return std::nullopt;
    // EVP_DecodeBlock counts padding as output bytes.
    std::size_t pad = 0;
    if (!text.empty() && text.back() == '=')
        pad = text.size() >= 2 && text[text.size() - 2] == '=' ? 2 : 1;
    out.resize(static_cast<std::size_t>(n) - pad);
    return out;
}

}  // namespace postimap::auth
