#include "log/log.hpp"

#include <gtest/gtest.h>

namespace postimap::log {
namespace {

TEST(Log, ControlCharactersCannotStartANewLine) {
    EXPECT_EQ(one_line("user=a\r\n2026-01-01 info login user=admin"),
              "user=a\\x0d\\x0a2026-01-01 info login user=admin");
    EXPECT_EQ(one_line(std::string("tab\there\x7f\x01", 10)), "tab\\x09here\\x7f\\x01");
    EXPECT_EQ(one_line("plain \"quoted\" é"), "plain \"quoted\" é");
}

}  // namespace
}  // namespace postimap::log
