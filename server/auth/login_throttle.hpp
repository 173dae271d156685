// Slows down password guessing: every failed login is answered only after a
// delay that doubles with the failures from that client address or against
// that account, and past a limit within a time window the address (or the
// account) is refused without the credentials even being checked. Pure
// bookkeeping with the time passed in, so tests need no clock.
#pragma once

#include <chrono>
#include <cstddef>
#include <string>
#include <unordered_map>

namespace postimap::auth {

struct ThrottleSettings {
    std::chrono::milliseconds base_delay{1000};  // after the first failure
    std::chrono::milliseconds max_delay{15000};  // doubling stops here
    unsigned max_failures = 20;                  // per address, per account, per window
    std::chrono::seconds window{600};            // failures older than this are forgotten
    std::size_t max_tracked = 100000;            // entries kept per map (memory bound)
};

class LoginThrottle {
  public:
    using Clock = std::chrono::steady_clock;

    explicit LoginThrottle(ThrottleSettings settings = {}) : settings_(settings) {}

    // Too many recent failures from `address` or against `account` (either
    // may be empty: not known yet).
    bool blocked(const std::string& address, const std::string& account,
                 Clock::time_point now) const;
    // Records a failure; returns how long to wait before answering it.
    std::chrono::milliseconds failed(const std::string& address, const std::string& account,
                                     Clock::time_point now);
    // A good login clears the record of its address and account.
    void succeeded(const std::string& address, const std::string& account);

    const ThrottleSettings& settings() const { return settings_; }
    std::size_t tracked() const { return by_address_.size() + by_account_.size(); }

  private:
    struct Entry {
        unsigned failures = 0;
        Clock::time_point first;  // of the current window
    };
    using Map = std::unordered_map<std::string, Entry>;

    unsigned recent(const Map& map, const std::string& key, Clock::time_point now) const;
    unsigned add(Map& map, const std::string& key, Clock::time_point now);
    void prune(Map& map, Clock::time_point now);

    ThrottleSettings settings_;
    Map by_address_;
    Map by_account_;
};

// Account names compare case-insensitively (addresses are lower-cased when
// stored).
std::string throttle_account_key(const std::string& account);

}  // namespace postimap::auth
