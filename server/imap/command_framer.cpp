#include "server/imap/command_framer.hpp"

#include <algorithm>
#include <optional>

namespace postimap::imap {
namespace {

bool is_tag_char(char c) {
    // ASTRING-CHAR except "+" (RFC 3501 9): no CTL, SP, "(", ")", "{", "%",
    // "*", DQUOTE, "\"; 8-bit excluded too.
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f)
        return false;
    return std::string_view("(){%*\"\\+").find(c) == std::string_view::npos;
}

struct LiteralMark {
    std::uint64_t size = 0;
    bool synchronizing = true;
    bool overflow = false;
};

// A line ending in "{N}" or "{N+}" announces a literal.
std::optional<LiteralMark> literal_mark(std::string_view line) {
    if (line.empty() || line.back() != '}')
        return std::nullopt;
    auto open = line.rfind('{');
    if (open == std::string_view::npos)
        return std::nullopt;
    std::string_view inside = line.substr(open + 1, line.size() - open - 2);
    LiteralMark mark;
    if (!inside.empty() && inside.back() == '+') {
        mark.synchronizing = false;
        inside.remove_suffix(1);
    }
    if (inside.empty())
        return std::nullopt;
    for (char c : inside) {
        if (c < '0' || c > '9')
            return std::nullopt;
        if (mark.size > (UINT64_MAX - 9) / 10)
            mark.overflow = true;
        mark.size = mark.overflow ? mark.size : mark.size * 10 + (c - '0');
    }
    return mark;
}

}  // namespace

std::string_view command_tag(std::string_view command) {
    std::size_t n = 0;
    while (n < command.size() && is_tag_char(command[n]))
        ++n;
    if (n == 0 || (n < command.size() && command[n] != ' '))
        return {};
    return command.substr(0, n);
}

void CommandFramer::feed(std::string_view bytes) {
    compact();
    in_.append(bytes);
}

void CommandFramer::discard_buffered() {
    in_.clear();
    pos_ = 0;
    scanned_ = 0;
    command_.clear();
    state_ = State::line;
    literal_left_ = 0;
    skip_tag_.clear();
    skip_tail_.clear();
}

std::optional<std::string> CommandFramer::take_line(bool& too_long) {
    too_long = false;
    auto lf = in_.find('\n', pos_);
    if (lf == std::string::npos) {
        if (in_.size() - pos_ > limits_.max_line) {
            too_long = true;
            discard_buffered();
        }
        return std::nullopt;
    }
    std::string line = in_.substr(pos_, lf - pos_);
    pos_ = lf + 1;
    scanned_ = 0;
    if (!line.empty() && line.back() == '\r')
        line.pop_back();
    if (line.size() > limits_.max_line) {
        too_long = true;
        return std::nullopt;
    }
    return line;
}

void CommandFramer::compact() {
    if (pos_ > 0 && (pos_ == in_.size() || pos_ > 65536)) {
        in_.erase(0, pos_);
        pos_ = 0;
    }
}

RejectedCommand CommandFramer::reject(RejectedCommand::Reason reason, std::uint64_t limit,
                                      bool fatal) {
    RejectedCommand r{std::string(command_tag(command_)), reason, limit, fatal};
    command_.clear();
    if (fatal)
        state_ = State::closed;
    return r;
}

FramerEvent CommandFramer::next() {
    for (;;) {
        if (state_ == State::closed) {
            discard_buffered();
            state_ = State::closed;
            return NeedMore{};
        }
        if (state_ == State::literal) {
            std::size_t take =
                static_cast<std::size_t>(std::min<std::uint64_t>(literal_left_, in_.size() - pos_));
            command_.append(in_, pos_, take);
            pos_ += take;
            literal_left_ -= take;
            if (literal_left_ > 0)
                return NeedMore{};
            state_ = State::line;
            continue;
        }
        auto lf = in_.find('\n', pos_ + scanned_);
        if (lf == std::string::npos) {
            scanned_ = in_.size() - pos_;
            // A CR at the end may be the start of this line's CRLF.
            std::size_t length = scanned_ - (scanned_ > 0 && in_.back() == '\r' ? 1 : 0);
            if (state_ == State::line && length > limits_.max_line)
                start_skipping(std::string_view(in_).substr(pos_, scanned_));
            if (state_ == State::skip_line) {
                remember_tail(std::string_view(in_).substr(pos_));
                pos_ = in_.size();
                scanned_ = 0;
            }
            return NeedMore{};
        }
        std::string_view line(in_.data() + pos_, lf - pos_);
        pos_ = lf + 1;
        scanned_ = 0;
        if (state_ == State::skip_line) {
            remember_tail(line);
            return finish_skipping();
        }
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (line.size() > limits_.max_line) {
            start_skipping(line);
            remember_tail(line);
            return finish_skipping();
        }
        auto event = finish_line(line);
        if (!std::holds_alternative<NeedMore>(event))
            return event;
    }
}

// An over-long line: keep only its tag and its last bytes, answer when it ends.
void CommandFramer::start_skipping(std::string_view start) {
    skip_tag_ = std::string(command_tag(command_.empty() ? start : std::string_view(command_)));
    skip_tail_.clear();
    command_.clear();
    state_ = State::skip_line;
}

void CommandFramer::remember_tail(std::string_view bytes) {
    constexpr std::size_t kKeep = 32;  // enough for "{<20 digits>+}\r"
    skip_tail_.append(bytes.substr(bytes.size() > kKeep ? bytes.size() - kKeep : 0));
    if (skip_tail_.size() > kKeep)
        skip_tail_.erase(0, skip_tail_.size() - kKeep);
}

RejectedCommand CommandFramer::finish_skipping() {
    state_ = State::line;
    std::string_view tail = skip_tail_;
    if (!tail.empty() && tail.back() == '\r')
        tail.remove_suffix(1);
    // A client that announced a literal without waiting for "+" sends it
    // anyway: its bytes would be taken for commands, so that is fatal.
    auto mark = literal_mark(tail);
    bool fatal = mark && !mark->synchronizing;
    RejectedCommand r{std::move(skip_tag_), RejectedCommand::Reason::line_too_long,
                      limits_.max_line, fatal};
    skip_tag_.clear();
    skip_tail_.clear();
    if (fatal)
        state_ = State::closed;
    return r;
}

FramerEvent CommandFramer::finish_line(std::string_view line) {
    if (command_.empty() && line.empty())
        return NeedMore{};  // stray CRLF: ignore
    command_.append(line);
    auto mark = literal_mark(line);
    const bool waits = !mark || mark->synchronizing;
    if (command_.size() > limits_.max_command)
        return reject(RejectedCommand::Reason::command_too_large, limits_.max_command, !waits);
    if (!mark) {
        CompleteCommand done{std::move(command_)};
        command_.clear();
        return done;
    }
    if (mark->overflow || mark->size > limits_.max_literal)
        // A client that did not wait for "+" sends the bytes anyway: we
        // cannot find the next command, so that one is fatal.
        return reject(RejectedCommand::Reason::literal_too_large, limits_.max_literal, !waits);
    if (command_.size() + 2 + mark->size > limits_.max_command)
        return reject(RejectedCommand::Reason::command_too_large, limits_.max_command, !waits);
    command_.append("\r\n");
    literal_left_ = mark->size;
    state_ = State::literal;
    if (mark->synchronizing)
        return SendContinuation{};
    return NeedMore{};  // next() goes on reading the literal
}

}  // namespace postimap::imap
