// The bytes a BODY[section] names (RFC 3501 6.4.5), cut from the stored
// message by the parsed structure's byte ranges.
#pragma once

#include <string>
#include <string_view>

#include "server/commands/fetch_items.hpp"
#include "storage/mime/message.hpp"

namespace postimap::commands {

// Empty when the section does not exist (as Dovecot answers).
std::string section_bytes(std::string_view raw, const mime::Part& root, const BodyRequest& request);

}  // namespace postimap::commands
