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
    return r;
}

FramerEvent CommandFramer::next() {
    for (;;) {
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
            if (state_ == State::line && scanned_ > limits_.max_line) {
                // Too long: drop the rest of this line, answer when it ends.
                skip_reason_ = RejectedCommand::Reason::line_too_long;
                skip_limit_ = limits_.max_line;
                command_.append(in_, pos_, std::min<std::size_t>(scanned_, 64));
                state_ = State::skip_line;
            }
            if (state_ == State::skip_line) {
                pos_ = in_.size();
                scanned_ = 0;
            }
            return NeedMore{};
        }
        std::string_view line(in_.data() + pos_, lf - pos_);
        pos_ = lf + 1;
        scanned_ = 0;
        if (!line.empty() && line.back() == '\r')
            line.remove_suffix(1);
        if (state_ == State::skip_line) {
            state_ = State::line;
            return reject(skip_reason_, skip_limit_, false);
        }
        if (line.size() > limits_.max_line) {
            command_.append(line.substr(0, 64));
            return reject(RejectedCommand::Reason::line_too_long, limits_.max_line, false);
        }
        auto event = finish_line(line);
        if (!std::holds_alternative<NeedMore>(event))
            return event;
    }
}

FramerEvent CommandFramer::finish_line(std::string_view line) {
    if (command_.empty() && line.empty())
        return NeedMore{};  // stray CRLF: ignore
    command_.append(line);
    auto mark = literal_mark(line);
    if (!mark) {
        CompleteCommand done{std::move(command_)};
        command_.clear();
        return done;
    }
    if (mark->overflow || mark->size > limits_.max_literal)
        // A client that did not wait for "+" sends the bytes anyway: we
        // cannot find the next command, so that one is fatal.
        return reject(RejectedCommand::Reason::literal_too_large, limits_.max_literal,
                      !mark->synchronizing);
    if (command_.size() + mark->size > limits_.max_command)
        return reject(RejectedCommand::Reason::command_too_large, limits_.max_command,
                      !mark->synchronizing);
    command_.append("\r\n");
    literal_left_ = mark->size;
    state_ = State::literal;
    if (mark->synchronizing)
        return SendContinuation{};
    return NeedMore{};  // next() goes on reading the literal
}

}  // namespace postimap::imap
