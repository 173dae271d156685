#include "storage/pg/result.hpp"

#include <charconv>
#include <cstring>
#include <stdexcept>

namespace postimap::pg {
namespace {

constexpr Oid kBoolOid = 16;
constexpr Oid kInt8Oid = 20;
constexpr Oid kInt2Oid = 21;
constexpr Oid kInt4Oid = 23;

std::int64_t read_be(const char* p, int n) {
    std::uint64_t v = 0;
    for (int i = 0; i < n; ++i)
        v = (v << 8) | static_cast<unsigned char>(p[i]);
    // Sign-extend the narrower integer types.
    if (n < 8 && (v & (std::uint64_t{1} << (n * 8 - 1))))
        v |= ~std::uint64_t{0} << (n * 8);
    return static_cast<std::int64_t>(v);
}

int hex_value(char c) {
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

}  // namespace

std::string_view Row::text(int col) const {
    return {PQgetvalue(result_, row_, col),
            static_cast<std::size_t>(PQgetlength(result_, row_, col))};
}

std::int64_t Row::int64(int col) const {
    if (is_null(col))
        throw std::logic_error("int64() of a NULL cell");
    auto cell = text(col);
    if (PQfformat(result_, col) == 1) {
        switch (PQftype(result_, col)) {
            case kInt8Oid:
                return read_be(cell.data(), 8);
            case kInt4Oid:
                return read_be(cell.data(), 4);
            case kInt2Oid:
                return read_be(cell.data(), 2);
            default:
                throw std::logic_error("int64() of a binary non-integer cell");
        }
    }
    std::int64_t v = 0;
    auto [end, ec] = std::from_chars(cell.data(), cell.data() + cell.size(), v);
    if (ec != std::errc() || end != cell.data() + cell.size())
        throw std::logic_error("int64() of a non-integer cell");
    return v;
}

bool Row::boolean(int col) const {
    auto cell = text(col);
    if (PQfformat(result_, col) == 1 && PQftype(result_, col) == kBoolOid)
        return !cell.empty() && cell[0] != 0;
    return cell == "t";
}

std::optional<std::string> Row::opt_str(int col) const {
    if (is_null(col))
        return std::nullopt;
    return str(col);
}

std::optional<std::int64_t> Row::opt_int64(int col) const {
    if (is_null(col))
        return std::nullopt;
    return int64(col);
}

std::string Row::bytea(int col) const {
    auto cell = text(col);
    if (PQfformat(result_, col) == 1)
        return std::string(cell);
    // Text format: "\x" followed by hex digits (bytea_output = hex, the default).
    if (cell.size() < 2 || cell[0] != '\\' || cell[1] != 'x')
        throw std::logic_error("bytea() of a cell not in hex format");
    std::string out;
    out.reserve((cell.size() - 2) / 2);
    for (std::size_t i = 2; i + 1 < cell.size(); i += 2)
        out.push_back(static_cast<char>(hex_value(cell[i]) * 16 + hex_value(cell[i + 1])));
    return out;
}

std::vector<std::string> Row::text_array(int col) const {
    if (is_null(col))
        return {};
    return parse_text_array(text(col));
}

std::vector<std::int64_t> Row::int64_array(int col) const {
    if (is_null(col))
        return {};
    return parse_int64_array(text(col));
}

std::int64_t Result::affected() const {
    if (!result_)
        return 0;
    const char* n = PQcmdTuples(result_.get());
    return n && *n ? std::strtoll(n, nullptr, 10) : 0;
}

std::vector<std::string> parse_text_array(std::string_view s) {
    std::vector<std::string> out;
    if (s.size() < 2 || s.front() != '{' || s.back() != '}')
        throw std::logic_error("not an array literal");
    std::size_t i = 1;
    const std::size_t end = s.size() - 1;
    while (i < end) {
        std::string item;
        if (s[i] == '"') {
            ++i;
            while (i < end && s[i] != '"') {
                if (s[i] == '\\' && i + 1 < end)
                    ++i;
                item += s[i++];
            }
            ++i;  // closing quote
        } else {
            while (i < end && s[i] != ',')
                item += s[i++];
        }
        out.push_back(std::move(item));
        if (i < end && s[i] == ',')
            ++i;
    }
    return out;
}

std::vector<std::int64_t> parse_int64_array(std::string_view s) {
    if (s.size() < 2 || s.front() != '{' || s.back() != '}')
        throw std::logic_error("not an array literal");
    std::vector<std::int64_t> out;
    const char* p = s.data() + 1;
    const char* end = s.data() + s.size() - 1;
    while (p < end) {
        std::int64_t v = 0;
        auto [next, ec] = std::from_chars(p, end, v);
        if (ec != std::errc())
            throw std::logic_error("not an integer array literal");
        out.push_back(v);
        p = next;
        if (p < end && *p == ',')
            ++p;
    }
    return out;
}

}  // namespace postimap::pg
