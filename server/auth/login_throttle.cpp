#include "server/auth/login_throttle.hpp"

#include <algorithm>
#include <vector>

namespace postimap::auth {

std::string throttle_account_key(const std::string& account) {
    std::string key = account;
    for (char& c : key)
        if (c >= 'A' && c <= 'Z')
            c = static_cast<char>(c - 'A' + 'a');
    return key;
}

unsigned LoginThrottle::recent(const Map& map, const std::string& key,
                               Clock::time_point now) const {
    if (key.empty())
        return 0;
    auto it = map.find(key);
    if (it == map.end() || now - it->second.first > settings_.window)
        return 0;
    return it->second.failures;
}

unsigned LoginThrottle::add(Map& map, const std::string& key, Clock::time_point now) {
    if (key.empty())
        return 0;
    if (map.size() >= settings_.max_tracked && !map.count(key))
        prune(map, now);
    auto& e = map[key];
    if (e.failures == 0 || now - e.first > settings_.window) {
        e.failures = 0;
        e.first = now;
    }
    return ++e.failures;
}

// Forgets expired entries; if the map is still full (an address-spraying
// attack), forgets the oldest half, so memory stays bounded.
void LoginThrottle::prune(Map& map, Clock::time_point now) {
    for (auto it = map.begin(); it != map.end();)
        it = now - it->second.first > settings_.window ? map.erase(it) : std::next(it);
    if (map.size() < settings_.max_tracked)
        return;
    std::vector<Clock::time_point> starts;
    starts.reserve(map.size());
    for (const auto& [key, e] : map)
        starts.push_back(e.first);
    auto middle = starts.begin() + static_cast<std::ptrdiff_t>(starts.size() / 2);
    std::nth_element(starts.begin(), middle, starts.end());
    const auto cutoff = *middle;
    for (auto it = map.begin(); it != map.end();)
        it = it->second.first <= cutoff ? map.erase(it) : std::next(it);
}

bool LoginThrottle::blocked(const std::string& address, const std::string& account,
                            Clock::time_point now) const {
    return recent(by_address_, address, now) >= settings_.max_failures ||
           recent(by_account_, throttle_account_key(account), now) >= settings_.max_failures;
}

std::chrono::milliseconds LoginThrottle::failed(const std::string& address,
                                                const std::string& account, Clock::time_point now) {
    unsigned n = std::max(add(by_address_, address, now),
                          add(by_account_, throttle_account_key(account), now));
    if (n == 0 || settings_.base_delay.count() == 0)
        return std::chrono::milliseconds(0);
    auto delay = settings_.base_delay;
    for (unsigned i = 1; i < n && delay < settings_.max_delay; ++i)
        delay *= 2;
    return std::min(delay, settings_.max_delay);
}

void LoginThrottle::succeeded(const std::string& address, const std::string& account) {
    by_address_.erase(address);
    by_account_.erase(throttle_account_key(account));
}

}  // namespace postimap::auth
