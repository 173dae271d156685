// A mailbox's UIDs in ascending order, shared until changed. SELECT hands a
// session the worker's cached list (storage/uid_list_cache) as it is; the
// session copies it only when its own view changes (new messages, expunges).
// Copying 100 000 UIDs took a tenth of a SELECT, and every session that had
// a large mailbox open held a copy of its own.
#pragma once

#include <cstddef>
#include <memory>
#include <vector>

#include "storage/types.hpp"

namespace postimap::storage {

class SharedUids {
  public:
    using const_iterator = std::vector<Uid>::const_iterator;

    SharedUids() = default;
    explicit SharedUids(std::shared_ptr<const std::vector<Uid>> list) : list_(std::move(list)) {}
    explicit SharedUids(std::vector<Uid> list)
        : list_(std::make_shared<std::vector<Uid>>(std::move(list))), owned_(true) {}

    const std::vector<Uid>& list() const { return list_ ? *list_ : kEmpty; }
    bool empty() const { return list().empty(); }
    std::size_t size() const { return list().size(); }
    Uid back() const { return list().back(); }
    Uid operator[](std::size_t i) const { return list()[i]; }
    Uid at(std::size_t i) const { return list().at(i); }
    const_iterator begin() const { return list().begin(); }
    const_iterator end() const { return list().end(); }
    const_iterator cbegin() const { return list().cbegin(); }
    const_iterator cend() const { return list().cend(); }

    void push_back(Uid uid) { own().push_back(uid); }
    void erase(const_iterator at) {
        const auto offset = at - begin();
        auto& mine = own();
        mine.erase(mine.begin() + offset);
    }

    friend bool operator==(const SharedUids& a, const std::vector<Uid>& b) { return a.list() == b; }

  private:
    // The list to change: this object's alone, copied first if anyone else
    // (the cache, another view) holds it. Only a list made here, never the
    // cache's, is changed in place.
    std::vector<Uid>& own() {
        if (!owned_ || list_.use_count() != 1) {
            list_ = std::make_shared<std::vector<Uid>>(list());
            owned_ = true;
        }
        // Made by make_shared<std::vector<Uid>> above or in the constructor:
        // not a const object, so changing it is defined.
        return const_cast<std::vector<Uid>&>(*list_);
    }

    static inline const std::vector<Uid> kEmpty{};
    std::shared_ptr<const std::vector<Uid>> list_;
    bool owned_ = false;
};

}  // namespace postimap::storage
