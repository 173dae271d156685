#include "server/auth/login_throttle.hpp"

#include <gtest/gtest.h>

namespace postimap::auth {
namespace {

using namespace std::chrono_literals;
using Clock = LoginThrottle::Clock;

ThrottleSettings small() {
    ThrottleSettings s;
    s.base_delay = 100ms;
    s.max_delay = 1000ms;
    s.max_failures = 5;
    s.window = 60s;
    return s;
}

TEST(LoginThrottle, DelayDoublesPerFailureUpToTheCap) {
    LoginThrottle t(small());
    const auto now = Clock::time_point{} + 1h;
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 100ms);
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 200ms);
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 400ms);
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 800ms);
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 1000ms);
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 1000ms);
}

TEST(LoginThrottle, BlocksAnAddressAfterTheLimitWithinTheWindow) {
    LoginThrottle t(small());
    const auto now = Clock::time_point{} + 1h;
    for (int i = 0; i < 4; ++i)
        t.failed("10.0.0.1", "user" + std::to_string(i) + "@x", now);
    EXPECT_FALSE(t.blocked("10.0.0.1", "", now));
    t.failed("10.0.0.1", "user9@x", now);
    EXPECT_TRUE(t.blocked("10.0.0.1", "", now));
    EXPECT_FALSE(t.blocked("10.0.0.2", "someone@x", now));
    // The window passes: forgotten.
    EXPECT_FALSE(t.blocked("10.0.0.1", "", now + 61s));
    EXPECT_EQ(t.failed("10.0.0.1", "z@x", now + 61s), 100ms);
}

TEST(LoginThrottle, BlocksAnAccountAttackedFromManyAddresses) {
    LoginThrottle t(small());
    const auto now = Clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i)
        t.failed("10.0.0." + std::to_string(i), "Victim@Example.com", now);
    EXPECT_TRUE(t.blocked("192.168.7.7", "victim@example.com", now));
    EXPECT_FALSE(t.blocked("192.168.7.7", "other@example.com", now));
    // Each new address still gets the account's long delay.
    EXPECT_EQ(t.failed("10.9.9.9", "victim@example.com", now), 1000ms);
}

TEST(LoginThrottle, SuccessClearsTheRecord) {
    LoginThrottle t(small());
    const auto now = Clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i)
        t.failed("10.0.0.1", "a@x", now);
    EXPECT_TRUE(t.blocked("10.0.0.1", "a@x", now));
    t.succeeded("10.0.0.1", "A@X");
    EXPECT_FALSE(t.blocked("10.0.0.1", "a@x", now));
    EXPECT_EQ(t.failed("10.0.0.1", "a@x", now), 100ms);
}

TEST(LoginThrottle, ZeroDelayTurnsDelaysOffButStillCounts) {
    auto s = small();
    s.base_delay = 0ms;
    LoginThrottle t(s);
    const auto now = Clock::time_point{} + 1h;
    for (int i = 0; i < 5; ++i)
        EXPECT_EQ(t.failed("10.0.0.1", "", now), 0ms);
    EXPECT_TRUE(t.blocked("10.0.0.1", "", now));
}

TEST(LoginThrottle, MemoryStaysBoundedUnderAddressSpraying) {
    auto s = small();
    s.max_tracked = 1000;
    LoginThrottle t(s);
    auto now = Clock::time_point{} + 1h;
    for (int i = 0; i < 10000; ++i) {
        now += 1ms;
        t.failed("addr" + std::to_string(i), "", now);
    }
    EXPECT_LE(t.tracked(), 1000u);
    // The newest are the ones kept.
    for (int i = 0; i < 4; ++i)
        t.failed("addr9999", "", now);
    EXPECT_TRUE(t.blocked("addr9999", "", now));
}

}  // namespace
}  // namespace postimap::auth
