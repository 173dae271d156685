// Errors from PostgreSQL, with the SQLSTATE kept so callers can catch the
// condition they handle (a unique violation, say) and let the rest through.
#pragma once

#include <stdexcept>
#include <string>

namespace postimap::pg {

// The server answered with an error; the connection is still usable.
class Error : public std::runtime_error {
  public:
    Error(std::string sqlstate, const std::string& message)
        : std::runtime_error(message), sqlstate_(std::move(sqlstate)) {}
    const std::string& sqlstate() const { return sqlstate_; }
    bool is_unique_violation() const { return sqlstate_ == "23505"; }
    bool is_serialization_failure() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }

  private:
    std::string sqlstate_;
};

// No usable connection: connecting failed, the connection dropped, or the pool
// had none to give in time. The database may be down; retrying later may work.
class ConnectionError : public std::runtime_error {
  public:
    using std::runtime_error::runtime_error;
};

}  // namespace postimap::pg
