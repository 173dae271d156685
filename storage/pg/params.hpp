// Query parameters: text format for everything but bytea, which goes binary
// so message bodies are never escaped.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace postimap::pg {

// Marks a parameter as bytea, sent in binary.
struct Bytea {
    std::string_view bytes;
};

class Params {
  public:
    Params() = default;

    template <typename... Args>
    explicit Params(const Args&... args) {
        values_.reserve(sizeof...(args));
        (add(args), ...);
    }

    void add(std::nullopt_t) { push(std::nullopt, false); }
    void add(std::string_view text) { push(std::string(text), false); }
    void add(const std::string& text) { push(text, false); }
    void add(const char* text) { push(std::string(text), false); }
    void add(std::int64_t v) { push(std::to_string(v), false); }
    void add(std::int32_t v) { push(std::to_string(v), false); }
    void add(std::uint32_t v) { push(std::to_string(v), false); }
    void add(bool v) { push(std::string(v ? "t" : "f"), false); }
    void add(Bytea b) { push(std::string(b.bytes), true); }
    // Array parameters (text[], bigint[]), written as array literals.
    void add(const std::vector<std::string>& items);
    void add(const std::vector<std::int64_t>& items);
    template <typename T>
    void add(const std::optional<T>& v) {
        if (v)
            add(*v);
        else
            add(std::nullopt);
    }

    int size() const { return static_cast<int>(values_.size()); }
    // Pointers for PQsendQueryPrepared; valid while this object lives unchanged.
    std::vector<const char*> value_pointers() const;
    std::vector<int> lengths() const;
    std::vector<int> formats() const;

  private:
    void push(std::optional<std::string> value, bool binary) {
        values_.push_back(std::move(value));
        binary_.push_back(binary);
    }
    std::vector<std::optional<std::string>> values_;
    std::vector<bool> binary_;
};

}  // namespace postimap::pg
