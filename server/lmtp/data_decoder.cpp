#include "server/lmtp/data_decoder.hpp"

namespace postimap::lmtp {

std::size_t DataDecoder::feed(std::string_view input) {
    std::size_t used = 0;
    while (used < input.size() && !done_) {
        std::string_view rest = input.substr(used);
        auto nl = rest.find('\n');
        std::string_view part = rest.substr(0, nl);
        // Once too large, only the line's start matters (is it "."?).
        if (!too_large_ || line_.size() < 3)
            line_.append(part.substr(0, too_large_ ? 3 - line_.size() : part.size()));
        line_length_ += part.size();
        if (!too_large_ && message_.size() + line_.size() > max_size_) {
            too_large_ = true;
            message_.clear();
            message_.shrink_to_fit();
        }
        if (nl == std::string_view::npos) {
            used = input.size();
            break;
        }
        used += nl + 1;
        end_line();
    }
    return used;
}

void DataDecoder::end_line() {
    std::string_view line = line_;
    if (line_length_ == line.size() && !line.empty() && line.back() == '\r')
        line.remove_suffix(1);
    if (line == "." && line_length_ <= 2) {
        done_ = true;
    } else if (!too_large_) {
        if (!line.empty() && line.front() == '.')
            line.remove_prefix(1);
        if (message_.size() + line.size() + 2 > max_size_) {
            too_large_ = true;
            message_.clear();
            message_.shrink_to_fit();
        } else {
            message_.append(line);
            message_.append("\r\n");
        }
    }
    line_.clear();
    line_length_ = 0;
}

}  // namespace postimap::lmtp
