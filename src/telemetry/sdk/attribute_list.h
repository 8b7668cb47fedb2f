// File: telemetry/sdk/attribute_list.h
//
// AttributeList: the ordered key/value attributes of a span, event, link or
// resource, as exporters read them:
//
//   for (const auto& [key, value] : span.attributes) ...
//
// It reads like a std::vector of pairs, with one difference that matters on
// the request path: clear() keeps the entries' storage, and the next Put()
// writes into it. A recycled span (span_data_pool.h) therefore sets its
// attributes without allocating once its slots have grown to the sizes a
// service uses, where a plain vector would free and reallocate every key and
// string value on every span.
//
// Plain value; thread-compatible. Copies hold only the live entries.
#pragma once

#include <algorithm>
#include <cstddef>
#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "telemetry/api/attribute.h"

namespace aura::telemetry::sdk {

class AttributeList {
 public:
  using value_type = std::pair<std::string, AttributeValue>;
  using iterator = std::vector<value_type>::iterator;
  using const_iterator = std::vector<value_type>::const_iterator;

  // A kept string longer than this is freed by ReleaseLargeStorage() rather
  // than kept for reuse, so that a pool of recycled spans stays small.
  static constexpr size_t kMaxKeptStringBytes = 512;

  AttributeList() = default;
  AttributeList(std::initializer_list<value_type> entries) : slots_(entries), size_(slots_.size()) {}
  AttributeList(const AttributeList& other) : slots_(other.begin(), other.end()), size_(other.size_) {}
  AttributeList(AttributeList&& other) noexcept
      : slots_(std::move(other.slots_)), size_(std::exchange(other.size_, 0)) {}
  AttributeList& operator=(const AttributeList& other) {
    if (this != &other) {
      slots_.assign(other.begin(), other.end());
      size_ = other.size_;
    }
    return *this;
  }
  AttributeList& operator=(AttributeList&& other) noexcept {
    slots_ = std::move(other.slots_);
    size_ = std::exchange(other.size_, 0);
    return *this;
  }

  iterator begin() noexcept { return slots_.begin(); }
  iterator end() noexcept { return slots_.begin() + static_cast<std::ptrdiff_t>(size_); }
  const_iterator begin() const noexcept { return slots_.begin(); }
  const_iterator end() const noexcept { return slots_.begin() + static_cast<std::ptrdiff_t>(size_); }
  size_t size() const noexcept { return size_; }
  bool empty() const noexcept { return size_ == 0; }
  // Entries whose storage is kept (live ones included).
  size_t capacity() const noexcept { return slots_.size(); }
  value_type& operator[](size_t i) noexcept { return slots_[i]; }
  const value_type& operator[](size_t i) const noexcept { return slots_[i]; }

  // Asks the CPU to start fetching the kept entries (at most 1 KiB of them)
  // for writing, so that the misses overlap with the work that comes before
  // the first Put() instead of stalling each Put() in turn. A hint only.
  void PrefetchForWrite() const noexcept {
    const char* p = reinterpret_cast<const char*>(slots_.data());
    const size_t bytes = std::min<size_t>(slots_.size() * sizeof(value_type), 1024);
    for (size_t offset = 0; offset < bytes; offset += 64) __builtin_prefetch(p + offset, 1, 3);
  }

  // Empties the list and keeps the entries' storage for the next Put(). Does
  // not touch the entries: a span recycled from another thread is reset
  // without pulling their memory into this core's cache.
  void clear() noexcept { size_ = 0; }

  // Frees the kept storage that is not worth keeping: strings longer than
  // kMaxKeptStringBytes and arrays. Called when a span goes back to the pool.
  void ReleaseLargeStorage() noexcept {
    for (value_type& slot : slots_) {
      if (slot.first.capacity() > kMaxKeptStringBytes) std::string().swap(slot.first);
      if (auto* s = std::get_if<std::string>(&slot.second)) {
        if (s->capacity() > kMaxKeptStringBytes) std::string().swap(*s);
      } else {
        slot.second = false;  // frees an array's storage; scalars hold none
      }
    }
  }

  // The value of `key`, or nullptr.
  const AttributeValue* Find(std::string_view key) const noexcept {
    for (size_t i = 0; i < size_; ++i) {
      if (slots_[i].first == key) return &slots_[i].second;
    }
    return nullptr;
  }

  // Sets `key` to `value`: replaces the value when the key is present,
  // appends otherwise. Returns false (and changes nothing) when the key is new
  // and the list already holds `limit` entries. May throw std::bad_alloc.
  bool Put(std::string_view key, AttributeValue&& value, size_t limit) {
    if (AttributeValue* existing = FindMutable(key)) {
      *existing = std::move(value);
      return true;
    }
    value_type* slot = NextSlot(key, limit);
    if (slot == nullptr) return false;
    slot->second = std::move(value);
    ++size_;
    return true;
  }
  // The same for a string value, written into a kept string's buffer.
  bool PutString(std::string_view key, std::string_view value, size_t limit) {
    AttributeValue* target = FindMutable(key);
    bool appended = false;
    if (target == nullptr) {
      value_type* slot = NextSlot(key, limit);
      if (slot == nullptr) return false;
      target = &slot->second;
      appended = true;
    }
    if (auto* s = std::get_if<std::string>(target)) {
      s->assign(value);
    } else {
      target->emplace<std::string>(value);
    }
    if (appended) ++size_;  // only once the value is written: no stale value is ever live
    return true;
  }

  void emplace_back(std::string key, AttributeValue value) {
    if (size_ < slots_.size()) {
      slots_[size_] = value_type(std::move(key), std::move(value));
    } else {
      slots_.emplace_back(std::move(key), std::move(value));
    }
    ++size_;
  }
  void push_back(value_type entry) { emplace_back(std::move(entry.first), std::move(entry.second)); }

  friend bool operator==(const AttributeList& a, const AttributeList& b) {
    if (a.size_ != b.size_) return false;
    for (size_t i = 0; i < a.size_; ++i) {
      if (a.slots_[i] != b.slots_[i]) return false;
    }
    return true;
  }

 private:
  AttributeValue* FindMutable(std::string_view key) noexcept {
    return const_cast<AttributeValue*>(std::as_const(*this).Find(key));
  }
  // The next free entry with its key set to `key` (not yet live: the caller
  // writes the value, then counts it), or nullptr at `limit`.
  value_type* NextSlot(std::string_view key, size_t limit) {
    if (size_ >= limit) return nullptr;
    if (size_ == slots_.size()) {
      if (slots_.capacity() == slots_.size()) slots_.reserve(slots_.empty() ? 8 : slots_.size() * 2);
      slots_.emplace_back();
    }
    value_type& slot = slots_[size_];
    slot.first.assign(key);
    return &slot;
  }

  std::vector<value_type> slots_;  // [0, size_) live; the rest kept for reuse
  size_t size_ = 0;
};

}  // namespace aura::telemetry::sdk
