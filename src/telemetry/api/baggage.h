// File: telemetry/api/baggage.h
//
// Baggage: immutable key/value pairs that travel with a request across
// processes (W3C `baggage` header). Each entry may carry opaque metadata (the
// `;k=v` properties), re-emitted as given.
//
//   Baggage b = Context::Current().baggage.Set("aura.tenant", "acme");
//   std::optional<std::string_view> t = b.Get("aura.tenant");
//
// Immutable and cheap to copy (shared storage): thread-safe to read.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace aura::telemetry {

class Baggage {
 public:
  struct Entry {
    std::string key;
    std::string value;
    std::string metadata;  // properties without the leading `;`, e.g. "k=v;flag"
    friend bool operator==(const Entry&, const Entry&) = default;
  };

  Baggage() = default;

  std::optional<std::string_view> Get(std::string_view key) const noexcept {
    if (entries_ == nullptr) return std::nullopt;
    for (const Entry& e : *entries_) {
      if (e.key == key) return std::string_view(e.value);
    }
    return std::nullopt;
  }
  // A copy with `key` set (replacing an earlier value, keeping its position).
  Baggage Set(std::string_view key, std::string_view value, std::string_view metadata = {}) const {
    auto next = entries_ == nullptr ? std::make_shared<std::vector<Entry>>()
                                    : std::make_shared<std::vector<Entry>>(*entries_);
    for (Entry& e : *next) {
      if (e.key == key) {
        e.value = std::string(value);
        e.metadata = std::string(metadata);
        return Baggage(std::move(next));
      }
    }
    next->push_back(Entry{std::string(key), std::string(value), std::string(metadata)});
    return Baggage(std::move(next));
  }
  Baggage Remove(std::string_view key) const {
    if (entries_ == nullptr) return *this;
    auto next = std::make_shared<std::vector<Entry>>();
    for (const Entry& e : *entries_) {
      if (e.key != key) next->push_back(e);
    }
    return Baggage(std::move(next));
  }
  bool empty() const noexcept { return entries_ == nullptr || entries_->empty(); }
  size_t size() const noexcept { return entries_ == nullptr ? 0 : entries_->size(); }
  const std::vector<Entry>& entries() const noexcept {
    static const std::vector<Entry> kEmpty;
    return entries_ == nullptr ? kEmpty : *entries_;
  }
  friend bool operator==(const Baggage& a, const Baggage& b) { return a.entries() == b.entries(); }

 private:
  explicit Baggage(std::shared_ptr<const std::vector<Entry>> entries) : entries_(std::move(entries)) {}
  std::shared_ptr<const std::vector<Entry>> entries_;
};

}  // namespace aura::telemetry
