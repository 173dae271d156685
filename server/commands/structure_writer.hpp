// ENVELOPE and BODY/BODYSTRUCTURE (RFC 3501 7.4.2) written from the parsed
// message (storage/mime), strings quoted or as literals by imap::response.
#pragma once

#include <string>

#include "storage/mime/message.hpp"

namespace postimap::commands {

void append_envelope(std::string& out, const mime::Envelope& envelope);
// With `extensible`, BODYSTRUCTURE's extension data (MD5, disposition,
// language, location; multipart parameters); without, BODY's shape.
void append_body_structure(std::string& out, const mime::Part& part, bool extensible);

}  // namespace postimap::commands
