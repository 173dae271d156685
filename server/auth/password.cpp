#include "server/auth/password.hpp"

#include "server/auth/base64.hpp"

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/hmac.h>

#include <memory>

namespace postimap::auth {
namespace {

std::string hmac_sha256(std::string_view key, std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    HMAC(EVP_sha256(), key.data(), static_cast<int>(key.size()),
         reinterpret_cast<const unsigned char*>(data.data()), data.size(), md, &len);
    return std::string(reinterpret_cast<char*>(md), len);
}

std::string sha256(std::string_view data) {
    unsigned char md[EVP_MAX_MD_SIZE];
    unsigned int len = 0;
    EVP_Digest(data.data(), data.size(), md, &len, EVP_sha256(), nullptr);
    return std::string(reinterpret_cast<char*>(md), len);
}

std::string salted_password(std::string_view password, std::string_view salt, int iterations) {
    std::string out(32, '\0');
    PKCS5_PBKDF2_HMAC(password.data(), static_cast<int>(password.size()),
                      reinterpret_cast<const unsigned char*>(salt.data()),
                      static_cast<int>(salt.size()), iterations, EVP_sha256(), 32,
                      reinterpret_cast<unsigned char*>(out.data()));
    return out;
}

}  // namespace

std::optional<ScramSecret> parse_scram_secret(std::string_view text) {
    constexpr std::string_view prefix = "SCRAM-SHA-256$";
    if (!text.starts_with(prefix))
        return std::nullopt;
    text.remove_prefix(prefix.size());
    auto dollar = text.find('$');
    if (dollar == std::string_view::npos)
        return std::nullopt;
    auto left = text.substr(0, dollar), right = text.substr(dollar + 1);
    auto c1 = left.find(':'), c2 = right.find(':');
    if (c1 == std::string_view::npos || c2 == std::string_view::npos)
        return std::nullopt;
    ScramSecret s;
    try {
        s.iterations = std::stoi(std::string(left.substr(0, c1)));
    } catch (const std::exception&) {
        return std::nullopt;
    }
    auto salt = base64_decode(left.substr(c1 + 1));
    auto stored = base64_decode(right.substr(0, c2));
    auto server = base64_decode(right.substr(c2 + 1));
    if (s.iterations < 1 || !salt || !stored || !server || stored->size() != 32)
        return std::nullopt;
    s.salt = std::move(*salt);
    s.stored_key = std::move(*stored);
    s.server_key = std::move(*server);
    return s;
}

std::string make_scram_secret(std::string_view password, std::string_view salt, int iterations) {
    auto salted = salted_password(password, salt, iterations);
    auto stored_key = sha256(hmac_sha256(salted, "Client Key"));
    auto server_key = hmac_sha256(salted, "Server Key");
    return "SCRAM-SHA-256$" + std::to_string(iterations) + ":" + base64_encode(salt) + "$" +
           base64_encode(stored_key) + ":" + base64_encode(server_key);
}

bool verify_password(std::string_view secret_text, std::string_view password) {
    auto secret = parse_scram_secret(secret_text);
    if (!secret)
        return false;
    auto salted = salted_password(password, secret->salt, secret->iterations);
    auto stored_key = sha256(hmac_sha256(salted, "Client Key"));
    return CRYPTO_memcmp(stored_key.data(), secret->stored_key.data(), 32) == 0;
}

const std::string& unknown_user_secret() {
    static const std::string secret = make_scram_secret("no such user", "fixed-dummy-salt", 4096);
    return secret;
}

}  // namespace postimap::auth
