#include "server/imap/command_framer.hpp"

#include <gtest/gtest.h>

#include <cstddef>
#include <cstdint>
#include <random>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::imap {
namespace {

using Reason = RejectedCommand::Reason;

// Events as comparable text. NeedMore is not an event of the stream: it only
// says "feed me", and how often it appears depends on how the bytes arrive.
std::string continuation() {
    return "continue";
}

std::string command(std::string_view bytes) {
    return "command " + std::string(bytes);
}

std::string rejected(std::string_view tag, Reason reason, std::uint64_t limit, bool fatal) {
    const char* names[] = {"line_too_long", "literal_too_large", "command_too_large"};
    return "rejected tag=" + std::string(tag) + " reason=" + names[static_cast<int>(reason)] +
           " limit=" + std::to_string(limit) + " fatal=" + (fatal ? "true" : "false");
}

std::string describe(const FramerEvent& event) {
    if (std::holds_alternative<SendContinuation>(event))
        return continuation();
    if (auto* done = std::get_if<CompleteCommand>(&event))
        return command(done->bytes);
    const auto& r = std::get<RejectedCommand>(event);
    return rejected(r.tag, r.reason, r.limit, r.fatal);
}

// Calls next() until it wants more bytes.
void drain(CommandFramer& framer, std::vector<std::string>& events) {
    for (int guard = 0; guard < 100000; ++guard) {
        auto event = framer.next();
        if (std::holds_alternative<NeedMore>(event))
            return;
        events.push_back(describe(event));
    }
    ADD_FAILURE() << "next() never asked for more bytes";
}

std::vector<std::string> run(const FramerLimits& limits, const std::vector<std::string>& chunks) {
    CommandFramer framer(limits);
    std::vector<std::string> events;
    for (const auto& chunk : chunks) {
        framer.feed(chunk);
        drain(framer, events);
    }
    return events;
}

std::vector<std::string> run_whole(const FramerLimits& limits, const std::string& input) {
    return run(limits, {input});
}

std::vector<std::string> run_split(const FramerLimits& limits, const std::string& input,
                                   std::size_t at) {
    return run(limits, {input.substr(0, at), input.substr(at)});
}

std::vector<std::string> run_bytewise(const FramerLimits& limits, const std::string& input) {
    std::vector<std::string> chunks;
    for (char c : input)
        chunks.emplace_back(1, c);
    return run(limits, chunks);
}

// The message of the APPEND example in RFC 3501 6.3.11: exactly 310 bytes.
const std::string kRfcMessage =
    "Date: Mon, 7 Feb 1994 21:52:25 -0800 (PST)\r\n"
    "From: Fred Foobar <foobar@Blurdybloop.COM>\r\n"
    "Subject: afternoon meeting\r\n"
    "To: mooch@owatagu.siam.edu\r\n"
    "Message-Id: <B27397-0100000@Blurdybloop.COM>\r\n"
    "MIME-Version: 1.0\r\n"
    "Content-Type: TEXT/PLAIN; CHARSET=US-ASCII\r\n"
    "\r\n"
    "Hello Joe, do you think we can meet at 3:30 tomorrow?\r\n";

// A literal's bytes are opaque: line ends, literal marks, NUL and 8-bit inside.
const std::string kOpaqueLiteral = std::string("a\r\nb {5}\r\n\0\xff\n}", 14);

const FramerLimits kSmall{.max_line = 20, .max_literal = 100, .max_command = 150};
const FramerLimits kTight{.max_line = 100, .max_literal = 100, .max_command = 50};
const FramerLimits kDefault{};

struct FramerCase {
    std::string name;
    FramerLimits limits;
    std::string input;
    std::vector<std::string> events;
};

std::ostream& operator<<(std::ostream& os, const FramerCase& c) {
    return os << c.name;
}

std::vector<FramerCase> framer_cases() {
    return {
        {"Rfc3501AppendSynchronizingLiteral",
         kDefault,
         "A003 APPEND saved-messages (\\Seen) {310}\r\n" + kRfcMessage + "\r\n",
         {continuation(), command("A003 APPEND saved-messages (\\Seen) {310}\r\n" + kRfcMessage)}},
        {"Rfc3501LoginTwoLiterals",  // RFC 3501 7.5
         kDefault,
         "A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man\r\n",
         {continuation(), continuation(),
          command("A001 LOGIN {11}\r\nFRED FOOBAR {7}\r\nfat man")}},
        {"Rfc7888LiteralPlus",
         kDefault,
         "A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man\r\n",
         {command("A001 LOGIN {11+}\r\nFRED FOOBAR {7+}\r\nfat man")}},
        {"MixedSynchronizingAndNot",
         kDefault,
         "A1 LOGIN {4+}\r\nfred {6}\r\nsecret\r\n",
         {continuation(), command("A1 LOGIN {4+}\r\nfred {6}\r\nsecret")}},
        {"PipelinedCommands",
         kDefault,
         "A1 NOOP\r\nA2 CAPABILITY\r\nA3 LOGOUT\r\n",
         {command("A1 NOOP"), command("A2 CAPABILITY"), command("A3 LOGOUT")}},
        {"PipelinedAroundLiterals",
         kDefault,
         "a1 APPEND x {3+}\r\nabc\r\na2 NOOP\r\na3 APPEND y {2}\r\nde\r\na4 CHECK\r\n",
         {command("a1 APPEND x {3+}\r\nabc"), command("a2 NOOP"), continuation(),
          command("a3 APPEND y {2}\r\nde"), command("a4 CHECK")}},
        {"BareLineFeeds",
         kDefault,
         "A1 NOOP\nA2 LOGIN {3}\nabc {2}\nde\n",
         {command("A1 NOOP"), continuation(), continuation(),
          command("A2 LOGIN {3}\r\nabc {2}\r\nde")}},
        {"EmptyLinesBetweenCommandsIgnored",
         kDefault,
         "\r\n\n\r\nA1 NOOP\r\n\r\n\nA2 NOOP\r\n\r\n",
         {command("A1 NOOP"), command("A2 NOOP")}},
        {"LiteralBytesAreOpaque",
         kDefault,
         "A1 APPEND m {14}\r\n" + kOpaqueLiteral + "\r\nA2 NOOP\r\n",
         {continuation(), command("A1 APPEND m {14}\r\n" + kOpaqueLiteral), command("A2 NOOP")}},
        {"LiteralEndingInCarriageReturn",
         kDefault,
         "A1 APPEND m {2}\r\nx\r\nA2 NOOP\r\n",
         {continuation(), command("A1 APPEND m {2}\r\nx\r"), command("A2 NOOP")}},
        {"ZeroLengthLiterals",
         kDefault,
         "A1 LOGIN {0}\r\n {0+}\r\n\r\n",
         {continuation(), command("A1 LOGIN {0}\r\n {0+}\r\n")}},
        {"LeadingZerosInLiteralSize",
         kDefault,
         "A1 LOGIN {003}\r\nabc x\r\n",
         {continuation(), command("A1 LOGIN {003}\r\nabc x")}},
        {"BracesThatAreNoLiteral",
         kDefault,
         "A1 X {}\r\nA2 X {+}\r\nA3 X {1a}\r\nA4 X {-1}\r\nA5 X { 1}\r\nA6 X 1}\r\n",
         {command("A1 X {}"), command("A2 X {+}"), command("A3 X {1a}"), command("A4 X {-1}"),
          command("A5 X { 1}"), command("A6 X 1}")}},
        {"IncompleteLineYieldsNothing", kDefault, "A1 NOOP\r\nA2 NOO", {command("A1 NOOP")}},
        {"IncompleteLiteralYieldsOnlyContinuation",
         kDefault,
         "A1 APPEND x {5}\r\nabc",
         {continuation()}},
        {"LineOfMaxLineAccepted",  // bare LF: see LineOfMaxLineWithCrlf below
         kSmall,
         "A1 NOOP 234567890123\nA2 NOOP\n",
         {command("A1 NOOP 234567890123"), command("A2 NOOP")}},
        {"LineTooLongThenNextCommand",
         kSmall,
         "A1 SEARCH TEXT aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa\r\nA2 NOOP\r\n",
         {rejected("A1", Reason::line_too_long, 20, false), command("A2 NOOP")}},
        {"LineOneOverMaxLine",
         kSmall,
         "A1 NOOP 2345678901234\r\nA2 NOOP\r\n",
         {rejected("A1", Reason::line_too_long, 20, false), command("A2 NOOP")}},
        {"LineTooLongWithoutTag",
         kSmall,
         "(((((((((((((((((((((((((((((\r\nA2 NOOP\r\n",
         {rejected("", Reason::line_too_long, 20, false), command("A2 NOOP")}},
        {"LineTooLongAfterLiteral",
         kSmall,
         "A1 APPEND x {3}\r\nabc (\\Seen \\Flagged \\Deleted)\r\nA2 NOOP\r\n",
         {continuation(), rejected("A1", Reason::line_too_long, 20, false), command("A2 NOOP")}},
        {"LiteralOfMaxLiteralAccepted",
         kSmall,
         "A1 X {100}\r\n" + std::string(100, 'm') + "\r\n",
         {continuation(), command("A1 X {100}\r\n" + std::string(100, 'm'))}},
        {"SynchronizingLiteralTooLargeThenNextCommand",
         kSmall,
         "A1 X {101}\r\nA2 NOOP\r\n",
         {rejected("A1", Reason::literal_too_large, 100, false), command("A2 NOOP")}},
        {"SecondLiteralTooLarge",
         kSmall,
         "A1 X {3}\r\nabc {101}\r\nA2 NOOP\r\n",
         {continuation(), rejected("A1", Reason::literal_too_large, 100, false),
          command("A2 NOOP")}},
        {"NonSynchronizingLiteralTooLargeIsFatal",
         kSmall,
         "A1 X {101+}\r\n",
         {rejected("A1", Reason::literal_too_large, 100, true)}},
        {"LiteralSizeOverflowSynchronizing",
         kDefault,
         "A1 APPEND x {9999999999999999999999999}\r\nA2 NOOP\r\n",
         {rejected("A1", Reason::literal_too_large, kDefault.max_literal, false),
          command("A2 NOOP")}},
        {"LiteralSizeTwoToThe64",
         kDefault,
         "A1 APPEND x {18446744073709551616}\r\nA2 NOOP\r\n",
         {rejected("A1", Reason::literal_too_large, kDefault.max_literal, false),
          command("A2 NOOP")}},
        {"LiteralSizeOverflowNonSynchronizing",
         kDefault,
         "A1 APPEND x {9999999999999999999999999+}\r\n",
         {rejected("A1", Reason::literal_too_large, kDefault.max_literal, true)}},
        {"CommandTooLargeThenNextCommand",  // 16 bytes of line + 40 of literal > 50
         kTight,
         "A1 APPEND x {40}\r\nA2 NOOP\r\n",
         {rejected("A1", Reason::command_too_large, 50, false), command("A2 NOOP")}},
        {"CommandTooLargeNonSynchronizingIsFatal",
         kTight,
         "A1 APPEND x {40+}\r\n",
         {rejected("A1", Reason::command_too_large, 50, true)}},
        {"CommandTooLargeOnSecondLiteral",
         kTight,
         "A1 LOGIN {20}\r\n" + std::string(20, 'u') + " {20}\r\nA2 NOOP\r\n",
         {continuation(), rejected("A1", Reason::command_too_large, 50, false),
          command("A2 NOOP")}},
    };
}

class FramerTable : public ::testing::TestWithParam<FramerCase> {};

TEST_P(FramerTable, WholeInput) {
    const auto& c = GetParam();
    EXPECT_EQ(run_whole(c.limits, c.input), c.events);
}

TEST_P(FramerTable, SplitAtEveryByte) {
    const auto& c = GetParam();
    for (std::size_t at = 0; at <= c.input.size(); ++at)
        ASSERT_EQ(run_split(c.limits, c.input, at), c.events) << "split at " << at;
}

TEST_P(FramerTable, OneByteAtATime) {
    const auto& c = GetParam();
    EXPECT_EQ(run_bytewise(c.limits, c.input), c.events);
}

TEST_P(FramerTable, RandomChunks) {
    const auto& c = GetParam();
    std::mt19937 rng(20240601);
    for (int round = 0; round < 50; ++round) {
        std::vector<std::string> chunks;
        for (std::size_t at = 0; at < c.input.size();) {
            std::size_t n = std::uniform_int_distribution<std::size_t>(1, 7)(rng);
            chunks.push_back(c.input.substr(at, n));
            at += n;
        }
        ASSERT_EQ(run(c.limits, chunks), c.events) << "round " << round;
    }
}

INSTANTIATE_TEST_SUITE_P(Rfc, FramerTable, ::testing::ValuesIn(framer_cases()),
                         [](const auto& info) { return info.param.name; });

TEST(CommandFramer, ProcessesNothingBeforeNext) {
    CommandFramer framer(kDefault);
    framer.feed("A1 NOOP\r\n");
    EXPECT_EQ(framer.buffered(), 9u);
    EXPECT_EQ(describe(framer.next()), command("A1 NOOP"));
    EXPECT_EQ(framer.buffered(), 0u);
    EXPECT_TRUE(std::holds_alternative<NeedMore>(framer.next()));
}

TEST(CommandFramer, RejectsLongLineOnlyWhenItEnds) {
    CommandFramer framer(kSmall);
    std::vector<std::string> events;
    for (int i = 0; i < 10; ++i) {
        framer.feed("A7 SEARCH TEXT xxxxxxxxxxxxxxxxxxxxxxxxxxxx");
        drain(framer, events);
    }
    EXPECT_TRUE(events.empty());
    framer.feed("\r\nA8 NOOP\r\n");
    drain(framer, events);
    EXPECT_EQ(events, (std::vector<std::string>{rejected("A7", Reason::line_too_long, 20, false),
                                                command("A8 NOOP")}));
}

TEST(CommandFramer, DoesNotBufferTheRestOfALongLine) {
    CommandFramer framer(kSmall);
    std::vector<std::string> events;
    framer.feed("A1 ");
    for (int i = 0; i < 1000; ++i) {
        framer.feed(std::string(1024, 'z'));
        drain(framer, events);
        ASSERT_LE(framer.buffered(), 1024u + 3);
    }
    framer.feed("\r\n");
    drain(framer, events);
    EXPECT_EQ(events, (std::vector<std::string>{rejected("A1", Reason::line_too_long, 20, false)}));
}

// Over 64 KiB consumed in one buffer, so the framer compacts while commands
// are pending; the literal must come through intact whatever the chunking.
TEST(CommandFramer, LargeLiteralAndPipelineSurviveCompaction) {
    std::string literal;
    for (int i = 0; literal.size() < 200000; ++i)
        literal += "line " + std::to_string(i) + "\r\n";
    std::string input = "A1 APPEND big {" + std::to_string(literal.size()) + "+}\r\n" + literal +
                        "\r\nA2 NOOP\r\nA3 APPEND y {1}\r\nz\r\n";
    std::vector<std::string> expected = {
        command("A1 APPEND big {" + std::to_string(literal.size()) + "+}\r\n" + literal),
        command("A2 NOOP"), continuation(), command("A3 APPEND y {1}\r\nz")};
    EXPECT_EQ(run_whole(kDefault, input), expected);
    for (std::size_t at = 0; at <= input.size(); at += 4099)
        ASSERT_EQ(run_split(kDefault, input, at), expected) << "split at " << at;
    for (std::size_t chunk : {1u, 13u, 16384u}) {
        std::vector<std::string> chunks;
        for (std::size_t at = 0; at < input.size(); at += chunk)
            chunks.push_back(input.substr(at, chunk));
        ASSERT_EQ(run(kDefault, chunks), expected) << "chunks of " << chunk;
    }
}

TEST(CommandFramer, DiscardBufferedDropsPipelinedBytes) {
    CommandFramer framer(kDefault);
    framer.feed("A1 STARTTLS\r\nA2 LOGIN fred secret\r\nA3 NO");
    EXPECT_EQ(describe(framer.next()), command("A1 STARTTLS"));
    EXPECT_EQ(framer.buffered(), 27u);
    framer.discard_buffered();
    EXPECT_EQ(framer.buffered(), 0u);
    EXPECT_TRUE(std::holds_alternative<NeedMore>(framer.next()));
    framer.feed("B1 NOOP\r\n");
    EXPECT_EQ(describe(framer.next()), command("B1 NOOP"));
}

TEST(CommandFramer, DiscardBufferedAfterPartialLineWasScanned) {
    CommandFramer framer(kDefault);
    framer.feed("A1 STARTTLS\r\nA2 NO");
    EXPECT_EQ(describe(framer.next()), command("A1 STARTTLS"));
    EXPECT_TRUE(std::holds_alternative<NeedMore>(framer.next()));
    framer.discard_buffered();
    framer.feed("B1 NOOP\r\n");
    EXPECT_EQ(describe(framer.next()), command("B1 NOOP"));
}

TEST(CommandFramer, DiscardBufferedDropsHalfReadLiteral) {
    // Regression (was a bug): after next() has taken part of a non-synchronizing literal into the
    // command being built, buffered() reports 0 and discard_buffered() keeps
    // that half command (state_, command_, literal_left_ are not reset). The
    // bytes fed next (after STARTTLS: the first encrypted command) complete
    // it: "A2 LOGIN {5+}\r\nab" + "B1 NOOP\r\n" yields the command
    // "A2 LOGIN {5+}\r\nabB1 NOOP" instead of "B1 NOOP".
    CommandFramer framer(kDefault);
    framer.feed("A1 STARTTLS\r\nA2 LOGIN {5+}\r\nab");
    EXPECT_EQ(describe(framer.next()), command("A1 STARTTLS"));
    EXPECT_TRUE(std::holds_alternative<NeedMore>(framer.next()));
    EXPECT_GT(framer.buffered(), 0u);
    framer.discard_buffered();
    framer.feed("B1 NOOP\r\n");
    EXPECT_EQ(describe(framer.next()), command("B1 NOOP"));
}

TEST(CommandFramerLimits, LineOfMaxLineWithCrlfAcceptedWhateverTheSplit) {
    // Regression (was a bug): a line of exactly max_line bytes ended by CRLF is accepted when
    // the CR and LF arrive together, but rejected as line_too_long when a
    // read ends between CR and LF (or bytes arrive one at a time): the
    // check in next() for a line without LF yet counts the CR. max_line 20,
    // "A1 NOOP 234567890123\r\n": whole -> command, split before "\n" ->
    // rejected tag=A1 line_too_long.
    const std::string input = "A1 NOOP 234567890123\r\nA2 NOOP\r\n";
    const std::vector<std::string> expected = {command("A1 NOOP 234567890123"), command("A2 NOOP")};
    EXPECT_EQ(run_whole(kSmall, input), expected);
    EXPECT_EQ(run_split(kSmall, input, 21), expected);
    EXPECT_EQ(run_bytewise(kSmall, input), expected);
}

TEST(CommandFramerLimits, LongTagOfTooLongLineIsNotTruncated) {
    // Regression (was a bug): the tag of a line_too_long rejection is read from the first 64
    // bytes of the line only; a longer tag comes back cut at 64 bytes, so the
    // BAD answers a tag the client never sent (it should be the whole tag,
    // or "" if it cannot be read). Tag of 80 'T' -> reported as 64 'T'.
    const std::string tag(80, 'T');
    const std::string input = tag + " SEARCH " + std::string(200, 'x') + "\r\n";
    EXPECT_EQ(run_whole(kTight, input),
              (std::vector<std::string>{rejected(tag, Reason::line_too_long, 100, false)}));
}

TEST(CommandFramerLimits, CompleteCommandNeverExceedsMaxCommand) {
    // Regression (was a bug): max_command ("lines and literals together") is checked only when a
    // literal is announced, against the command so far plus the literal; the
    // CRLF added after each literal mark and the line that follows the last
    // literal are never counted. max_command 50: "A1 APPEND x {10}" (16) + 10
    // bytes passes the check, then a 60-byte final line makes an 88-byte
    // CompleteCommand instead of a command_too_large rejection.
    const std::string input = "A1 APPEND x {10}\r\n0123456789" + std::string(60, 't') + "\r\n";
    EXPECT_EQ(run_whole(kTight, input),
              (std::vector<std::string>{continuation(),
                                        rejected("A1", Reason::command_too_large, 50, false)}));
}

TEST(CommandFramerLimits, TooLongLineAnnouncingNonSynchronizingLiteralIsFatal) {
    // Regression (was a bug): a line over max_line that ends in "{N+}" is rejected as not fatal,
    // yet the client sends the N literal bytes without waiting; the framer
    // then reads them as commands. max_line 20:
    // "A1 APPEND INBOX (\\Seen \\Draft) {9+}\r\nX2 NOOP\r\n\r\n" gives
    // rejected tag=A1 line_too_long fatal=false, then "command X2 NOOP" (a
    // line of the message body executed as a command).
    const std::string input = "A1 APPEND INBOX (\\Seen \\Draft) {9+}\r\nX2 NOOP\r\n\r\n";
    const std::vector<std::string> expected = {rejected("A1", Reason::line_too_long, 20, true)};
    EXPECT_EQ(run_whole(kSmall, input), expected);
    EXPECT_EQ(run_bytewise(kSmall, input), expected);
}

// ---- command_tag ----

struct TagCase {
    std::string command;
    std::string tag;
};

class CommandTag : public ::testing::TestWithParam<TagCase> {};

TEST_P(CommandTag, Extracts) {
    EXPECT_EQ(command_tag(GetParam().command), GetParam().tag);
}

INSTANTIATE_TEST_SUITE_P(
    All, CommandTag,
    ::testing::Values(TagCase{"A1 NOOP", "A1"}, TagCase{"a.b-c_d NOOP", "a.b-c_d"},
                      TagCase{"A1", "A1"}, TagCase{"A]1 NOOP", "A]1"},
                      TagCase{"A1 APPEND x {3}\r\nabc", "A1"}, TagCase{"", ""},
                      TagCase{" A1 NOOP", ""}, TagCase{"A+1 NOOP", ""}, TagCase{"+ NOOP", ""},
                      TagCase{"* NOOP", ""}, TagCase{"A%1 NOOP", ""}, TagCase{"A\"1 NOOP", ""},
                      TagCase{"A\\1 NOOP", ""}, TagCase{"A(1 NOOP", ""}, TagCase{"A{1 NOOP", ""},
                      TagCase{"A1\tNOOP", ""}, TagCase{"A1\r\n", ""},
                      TagCase{"\xc3\xa4"
                              "1 NOOP",
                              ""},
                      TagCase{"A1\x7f NOOP", ""}));

}  // namespace
}  // namespace postimap::imap
