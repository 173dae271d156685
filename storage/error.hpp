// What went wrong in storage, as a kind the protocol layer maps to a response
// in one place. Storage never words IMAP responses itself.
#pragma once

#include <stdexcept>
#include <string>

namespace postimap::storage {

enum class ErrorKind {
    not_found,       // no such mailbox (or one the user may not see)
    already_exists,  // e.g. CREATE of an existing mailbox
    no_permission,
    over_quota,
    invalid,      // the request is impossible as asked (e.g. a bad name)
    unavailable,  // the database cannot be reached right now
};

class Error : public std::runtime_error {
  public:
    Error(ErrorKind kind, const std::string& message) : std::runtime_error(message), kind_(kind) {}
    ErrorKind kind() const { return kind_; }

  private:
    ErrorKind kind_;
};

}  // namespace postimap::storage
