// The one place where failures become IMAP responses (style: Dovecot's
// imap_get_error_string). Commands throw; the session calls this.
#pragma once

#include <exception>

#include "server/session/command.hpp"

namespace postimap::session {

Completion completion_for(std::exception_ptr error);

}  // namespace postimap::session
