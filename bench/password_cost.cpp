// Prints the CPU cost of one password check (PBKDF2-HMAC-SHA-256, 4096
// iterations, as LOGIN does), and so how many logins per second one core
// can verify.
#include <chrono>
#include <cstdio>

#include "server/auth/password.hpp"

int main() {
    using namespace std::chrono;
    const auto secret = postimap::auth::make_scram_secret("secret", "0123456789abcdef", 4096);
    constexpr int kRounds = 300;
    int matches = 0;
    auto start = steady_clock::now();
    for (int i = 0; i < kRounds; ++i)
        matches += postimap::auth::verify_password(secret, "secret");
    double seconds = duration<double>(steady_clock::now() - start).count();
    std::printf("password check: %.3f ms each, %.0f per second per core (%d/%d matched)\n",
                seconds * 1000 / kRounds, kRounds / seconds, matches, kRounds);
    return matches == kRounds ? 0 : 1;
}
