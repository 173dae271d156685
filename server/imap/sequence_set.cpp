#include "server/imap/sequence_set.hpp"

#include <algorithm>
#include <limits>

namespace postimap::imap {

namespace {

// seq-number at text[pos]: nz-number (no leading zero, <= 4294967295) or "*".
// Advances pos past it; nullopt on error.
std::optional<std::uint32_t> parse_seq_number(std::string_view text, std::size_t& pos) {
    if (pos >= text.size())
        return std::nullopt;
    if (text[pos] == '*') {
        ++pos;
        return SequenceSet::kStar;
    }
    if (text[pos] < '1' || text[pos] > '9')
        return std::nullopt;
    std::uint64_t value = 0;
    while (pos < text.size() && text[pos] >= '0' && text[pos] <= '9') {
        value = value * 10 + static_cast<std::uint64_t>(text[pos] - '0');
        if (value > std::numeric_limits<std::uint32_t>::max())
            return std::nullopt;
        ++pos;
    }
    return static_cast<std::uint32_t>(value);
}

// A range with "*" replaced by `largest`, ordered, starting at 1 at the lowest.
// nullopt when it names no number (only "*" in an empty mailbox).
std::optional<std::pair<std::uint32_t, std::uint32_t>> resolve_range(SequenceSet::Range r,
                                                                     std::uint32_t largest) {
    std::uint32_t a = r.first == SequenceSet::kStar ? largest : r.first;
    std::uint32_t b = r.last == SequenceSet::kStar ? largest : r.last;
    if (a > b)
        std::swap(a, b);
    if (b == 0)
        return std::nullopt;
    return std::pair{std::max<std::uint32_t>(a, 1), b};
}

}  // namespace

std::optional<SequenceSet> SequenceSet::parse(std::string_view text) {
    std::vector<Range> ranges;
    std::size_t pos = 0;
    while (true) {
        auto first = parse_seq_number(text, pos);
        if (!first)
            return std::nullopt;
        std::uint32_t last = *first;
        if (pos < text.size() && text[pos] == ':') {
            ++pos;
            auto second = parse_seq_number(text, pos);
            if (!second)
                return std::nullopt;
            last = *second;
        }
        ranges.push_back(Range{*first, last});
        if (pos == text.size())
            break;
        if (text[pos] != ',')
            return std::nullopt;
        ++pos;  // a trailing comma then fails on the empty seq-number
    }
    return SequenceSet(std::move(ranges));
}

std::vector<std::pair<std::uint32_t, std::uint32_t>> SequenceSet::resolve(
    std::uint32_t largest) const {
    std::vector<std::pair<std::uint32_t, std::uint32_t>> intervals;
    intervals.reserve(ranges_.size());
    for (const Range& r : ranges_) {
        if (auto iv = resolve_range(r, largest))
            intervals.push_back(*iv);
    }
    std::sort(intervals.begin(), intervals.end());
    std::vector<std::pair<std::uint32_t, std::uint32_t>> merged;
    merged.reserve(intervals.size());
    for (const auto& iv : intervals) {
        // Merge when overlapping or adjacent; 64-bit so last + 1 cannot wrap.
        if (!merged.empty() &&
            static_cast<std::uint64_t>(iv.first) <= std::uint64_t{merged.back().second} + 1) {
            merged.back().second = std::max(merged.back().second, iv.second);
        } else {
            merged.push_back(iv);
        }
    }
    return merged;
}

bool SequenceSet::contains(std::uint32_t n, std::uint32_t largest) const {
    if (n == 0)
        return false;
    return std::any_of(ranges_.begin(), ranges_.end(), [&](const Range& r) {
        auto iv = resolve_range(r, largest);
        return iv && iv->first <= n && n <= iv->second;
    });
}

std::string format_sequence(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& intervals) {
    std::string out;
    auto append = [&out](std::uint32_t first, std::uint32_t last) {
        if (!out.empty())
            out += ',';
        out += std::to_string(first);
        if (last != first) {
            out += ':';
            out += std::to_string(last);
        }
    };
    bool have = false;
    std::uint32_t first = 0;
    std::uint32_t last = 0;
    for (const auto& [a, b] : intervals) {
        if (have && a >= first && std::uint64_t{a} <= std::uint64_t{last} + 1) {
            last = std::max(last, b);
            continue;
        }
        if (have)
            append(first, last);
        have = true;
        first = a;
        last = b;
    }
    if (have)
        append(first, last);
    return out;
}

}  // namespace postimap::imap
