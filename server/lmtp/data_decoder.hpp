// The DATA phase of SMTP/LMTP (RFC 5321 4.1.1.4, 4.5.2): lines until a lone
// ".", a leading dot removed from every line that has one. Lines end in
// CRLF in the result even when the sender used a bare LF, as IMAP wants
// them. Bytes in, message out; no I/O.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

namespace postimap::lmtp {

class DataDecoder {
  public:
    // Beyond max_size the message is no longer kept, only read to its end.
    explicit DataDecoder(std::size_t max_size) : max_size_(max_size) {}

    // Consumes input up to and including the end marker; returns how many
    // bytes it took. What follows belongs to the next command (pipelining).
    std::size_t feed(std::string_view input);
    bool done() const { return done_; }
    bool too_large() const { return too_large_; }
    std::string take_message() { return std::move(message_); }

  private:
    void end_line();

    std::size_t max_size_;
    std::string line_;  // the line being read (only its start once too large)
    std::size_t line_length_ = 0;
    std::string message_;
    bool done_ = false;
    bool too_large_ = false;
};

}  // namespace postimap::lmtp
