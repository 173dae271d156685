// Cuts the client's byte stream into whole commands: a command is a line,
// or several lines joined by literals ({N} / {N+}, RFC 3501 4.3, RFC 7888).
// It never writes to the socket: it tells the session when the client waits
// for "+" (a synchronizing literal it accepts), when a command is complete,
// and when a limit refused something. Pure and incremental: fed any split of
// the same bytes, it yields the same events.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>

namespace postimap::imap {

struct FramerLimits {
    std::size_t max_line = 65536;         // one line, literals excluded
    std::size_t max_literal = 64u << 20;  // one literal
    std::size_t max_command = 72u << 20;  // lines and literals together
};

struct NeedMore {};
// The client sent a synchronizing literal we accept: answer "+ ...".
struct SendContinuation {};
// A whole command: its bytes, literals included, without the final CRLF.
struct CompleteCommand {
    std::string bytes;
};
// A limit refused the command. The framer has already skipped what it can;
// if `fatal`, the stream cannot be followed any more (the client sends a
// literal we refused without waiting), so the session must say BYE.
struct RejectedCommand {
    enum class Reason { line_too_long, literal_too_large, command_too_large };
    std::string tag;  // empty if none could be read
    Reason reason;
    std::uint64_t limit = 0;
    bool fatal = false;
};

using FramerEvent = std::variant<NeedMore, SendContinuation, CompleteCommand, RejectedCommand>;

class CommandFramer {
  public:
    explicit CommandFramer(FramerLimits limits) : limits_(limits) {}

    void feed(std::string_view bytes);
    FramerEvent next();
    // Bytes received and not yet part of a returned event. After STARTTLS,
    // anything pipelined must be dropped: discard_buffered() forgets them and
    // any half-read command.
    std::size_t buffered() const { return in_.size() - pos_ + command_.size(); }
    void discard_buffered();
    // Inside a command that talks back and forth (AUTHENTICATE): the next
    // whole line, without its CRLF, if one is buffered. `too_long` is set
    // (and the buffer dropped) when a line grows past the line limit.
    std::optional<std::string> take_line(bool& too_long);

  private:
    // closed: after a fatal rejection nothing more is read as commands.
    enum class State { line, literal, skip_line, closed };
    FramerEvent finish_line(std::string_view line);
    void start_skipping(std::string_view start);
    void remember_tail(std::string_view bytes);
    RejectedCommand finish_skipping();
    RejectedCommand reject(RejectedCommand::Reason reason, std::uint64_t limit, bool fatal);
    void compact();

    FramerLimits limits_;
    std::string in_;  // received bytes; [pos_, end) not yet consumed
    std::size_t pos_ = 0;
    std::size_t scanned_ = 0;  // bytes of the current line already searched for LF
    std::string command_;      // the command so far
    State state_ = State::line;
    std::uint64_t literal_left_ = 0;
    std::string skip_tag_;   // tag of the over-long line being skipped
    std::string skip_tail_;  // its last bytes: does it announce a literal?
};

// The tag of a command (its first token), or "" if it has none.
std::string_view command_tag(std::string_view command);

}  // namespace postimap::imap
