// A self-signed certificate for the embedded default, so that TLS works on
// the first run without an operator making one.
#pragma once

#include <string>

namespace postimap::net {

// Writes a new P-256 key (mode 0600) and a self-signed certificate for
// `common_name` (also as a DNS subjectAltName, plus IP 127.0.0.1), valid for
// ten years, unless both files exist already. Throws std::runtime_error.
void ensure_self_signed_certificate(const std::string& cert_file, const std::string& key_file,
                                    const std::string& common_name);

}  // namespace postimap::net
