#include "storage/pg/params.hpp"

namespace postimap::pg {

void Params::add(const std::vector<std::string>& items) {
    std::string literal = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            literal += ',';
        literal += '"';
        for (char c : items[i]) {
            if (c == '"' || c == '\\')
                literal += '\\';
            literal += c;
        }
        literal += '"';
    }
    literal += '}';
    push(std::move(literal), false);
}

void Params::add(const std::vector<std::int64_t>& items) {
    std::string literal = "{";
    for (std::size_t i = 0; i < items.size(); ++i) {
        if (i)
            literal += ',';
        literal += std::to_string(items[i]);
    }
    literal += '}';
    push(std::move(literal), false);
}

std::vector<const char*> Params::value_pointers() const {
    std::vector<const char*> out;
    out.reserve(values_.size());
    for (const auto& v : values_)
        out.push_back(v ? v->data() : nullptr);
    return out;
}

std::vector<int> Params::lengths() const {
    std::vector<int> out;
    out.reserve(values_.size());
    for (const auto& v : values_)
        out.push_back(v ? static_cast<int>(v->size()) : 0);
    return out;
}

std::vector<int> Params::formats() const {
    std::vector<int> out;
    out.reserve(binary_.size());
    for (bool b : binary_)
        out.push_back(b ? 1 : 0);
    return out;
}

}  // namespace postimap::pg
