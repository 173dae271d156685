// RFC 3501 sequence-set (section 9): comma-separated seq-number / seq-range,
// where seq-number is nz-number or "*". Protocol syntax only; no SQL here.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace postimap::imap {

// A parsed sequence set before "*" is known. Numbers are 1..4294967295; kStar stands for "*".
class SequenceSet {
  public:
    static constexpr std::uint32_t kStar = 0;
    // As written: may be reversed ("7:4"), either end may be kStar; a lone number n is n:n.
    struct Range {
        std::uint32_t first;
        std::uint32_t last;
        friend bool operator==(const Range&, const Range&) = default;
    };

    // nullopt on any syntax error: empty text, empty element (",", "1,", "1,,2"), "0",
    // leading zeros ("01"), numbers > 4294967295, "1:" / ":1" / "1:2:3", any space or other
    // character. "$" (RFC 5182) is not supported.
    static std::optional<SequenceSet> parse(std::string_view text);

    const std::vector<Range>& ranges() const { return ranges_; }

    // Resolves "*" to `largest` (the highest MSN or UID in use; 0 for an empty mailbox) and
    // returns ascending, merged (overlapping or adjacent), non-overlapping closed intervals.
    // 5:* with largest 3 means 3:5. Intervals may extend beyond `largest`; callers clamp.
    // With largest 0, an end written "*" becomes 0, the interval then starts at 1 ("5:*" ->
    // 1:5) and a range that is "*" at both ends ("*", "*:*") is dropped, so a set using only
    // "*" resolves to nothing. O(r log r) in the number of ranges, independent of their size.
    std::vector<std::pair<std::uint32_t, std::uint32_t>> resolve(std::uint32_t largest) const;

    // True if n is in the set (with * = largest). Same rules as resolve(); n == 0 is never in.
    bool contains(std::uint32_t n, std::uint32_t largest) const;

  private:
    explicit SequenceSet(std::vector<Range> ranges) : ranges_(std::move(ranges)) {}
    std::vector<Range> ranges_;
};

// Formats intervals back into compact IMAP text ("1:3,5,7:9"); used for UIDPLUS / VANISHED.
// Expects ascending intervals of non-zero numbers with first <= last (as resolve() returns);
// neighbours that touch or overlap are merged ("1:3" + "4:5" -> "1:5"). Empty input gives "".
std::string format_sequence(const std::vector<std::pair<std::uint32_t, std::uint32_t>>& intervals);

}  // namespace postimap::imap
