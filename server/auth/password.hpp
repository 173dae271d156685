// Checking a password against its stored secret. Secrets are RFC 5803
// authPassword values for SCRAM-SHA-256 (made by scram_sha256_secret() in
// schema/provisioning.sql), so one stored value serves LOGIN and SCRAM:
//   SCRAM-SHA-256$<iterations>:<salt b64>$<StoredKey b64>:<ServerKey b64>
// The check derives StoredKey from the password (RFC 5802 section 3) and
// compares in constant time. It costs `iterations` HMACs: run it off the
// event loop (PasswordChecker).
#pragma once

#include <optional>
#include <string>
#include <string_view>

namespace postimap::auth {

struct ScramSecret {
    int iterations = 0;
    std::string salt;        // raw bytes
    std::string stored_key;  // raw bytes
    std::string server_key;  // raw bytes
};

std::optional<ScramSecret> parse_scram_secret(std::string_view text);
// Makes a secret the same way the SQL function does (for tests and tools).
std::string make_scram_secret(std::string_view password, std::string_view salt, int iterations);
bool verify_password(std::string_view secret, std::string_view password);
// A fixed secret no password is checked against on purpose: an unknown user's
// check runs against it, so it costs what a wrong password costs.
const std::string& unknown_user_secret();

}  // namespace postimap::auth
