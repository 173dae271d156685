// A query's result, owned, with typed access to its cells. Cells may come in
// text or binary format; the accessors read both, so a statement can ask for
// binary results where decoding text would cost (bytea).
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::pg {

struct ResultDeleter {
    void operator()(PGresult* r) const { PQclear(r); }
};
using ResultPtr = std::unique_ptr<PGresult, ResultDeleter>;

class Row {
  public:
    Row(const PGresult* result, int row) : result_(result), row_(row) {}

    bool is_null(int col) const { return PQgetisnull(result_, row_, col) != 0; }
    std::int64_t int64(int col) const;
    bool boolean(int col) const;
    // The cell as text (text format), or raw bytes (binary format).
    std::string_view text(int col) const;
    std::string str(int col) const { return std::string(text(col)); }
    std::optional<std::string> opt_str(int col) const;
    std::optional<std::int64_t> opt_int64(int col) const;
    // A bytea cell's bytes, decoding text-format hex when needed.
    std::string bytea(int col) const;
    // A text[] cell (text format) split into its elements.
    std::vector<std::string> text_array(int col) const;
    // A bigint[] cell (text format): parsed in place, no string per element
    // (a mailbox's 100 000 UIDs).
    std::vector<std::int64_t> int64_array(int col) const;

  private:
    const PGresult* result_;
    int row_;
};

class Result {
  public:
    Result() = default;
    explicit Result(ResultPtr r) : result_(std::move(r)) {}

    int rows() const { return result_ ? PQntuples(result_.get()) : 0; }
    bool empty() const { return rows() == 0; }
    Row row(int i) const { return Row(result_.get(), i); }
    Row operator[](int i) const { return row(i); }
    // Rows touched by INSERT/UPDATE/DELETE.
    std::int64_t affected() const;

  private:
    ResultPtr result_;
};

// Parses a PostgreSQL text array literal of text elements: {a,"b c",NULL}.
std::vector<std::string> parse_text_array(std::string_view literal);
std::vector<std::int64_t> parse_int64_array(std::string_view literal);

}  // namespace postimap::pg
