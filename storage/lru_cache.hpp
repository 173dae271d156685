// A map that forgets its least recently used entries once their total
// weight passes a bound: the worker-local caches of storage (UID lists,
// flag tables) that SQL can always rebuild. One event loop, no locks.
#pragma once

#include <cstddef>
#include <list>
#include <map>
#include <utility>

namespace postimap::storage {

template <typename Key, typename Value>
class LruCache {
  public:
    using Weigh = std::size_t (*)(const Value&);

    LruCache(std::size_t max_weight, Weigh weigh) : max_weight_(max_weight), weigh_(weigh) {}

    // The entry, now the most recently used; null when absent.
    const Value* find(const Key& key) {
        auto it = entries_.find(key);
        if (it == entries_.end())
            return nullptr;
        order_.splice(order_.begin(), order_, it->second.position);
        return &it->second.value;
    }

    // Stores (or replaces) the entry; one heavier than the bound is not kept.
    void put(const Key& key, Value value) {
        erase(key);
        const std::size_t w = weigh_(value);
        if (w > max_weight_)
            return;
        order_.push_front(key);
        entries_.emplace(key, Entry{std::move(value), w, order_.begin()});
        weight_ += w;
        while (weight_ > max_weight_ && !order_.empty()) {
            auto victim = entries_.find(order_.back());
            weight_ -= victim->second.weight;
            entries_.erase(victim);
            order_.pop_back();
        }
    }

    void erase(const Key& key) {
        auto it = entries_.find(key);
        if (it == entries_.end())
            return;
        weight_ -= it->second.weight;
        order_.erase(it->second.position);
        entries_.erase(it);
    }

    std::size_t size() const { return entries_.size(); }
    std::size_t weight() const { return weight_; }

  private:
    struct Entry {
        Value value;
        std::size_t weight;
        typename std::list<Key>::iterator position;  // in order_ (front: most recent)
    };

    std::size_t max_weight_;
    Weigh weigh_;
    std::size_t weight_ = 0;
    std::map<Key, Entry> entries_;
    std::list<Key> order_;
};

}  // namespace postimap::storage
