#include "core/service/ids.h"

#include <cstdint>
#include <random>

namespace aura::core {
namespace {

std::mt19937_64& Engine() {
  thread_local std::mt19937_64 engine{[] {
    std::random_device device;
    return (static_cast<uint64_t>(device()) << 32) ^ device();
  }()};
  return engine;
}

bool IsHex(char c) {
  return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

}  // namespace

std::string NewRequestId() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t hi = Engine()();
  uint64_t lo = Engine()();
  hi = (hi & ~(uint64_t{0xF} << 12)) | (uint64_t{0x4} << 12);  // version 4
  lo = (lo & ~(uint64_t{0x3} << 62)) | (uint64_t{0x2} << 62);  // RFC 4122 variant
  std::string out;
  out.reserve(36);
  auto put = [&](uint64_t word, int from_nibble, int count) {
    for (int i = 0; i < count; ++i) {
      int shift = 60 - 4 * (from_nibble + i);
      out.push_back(kHex[(word >> shift) & 0xF]);
    }
  };
  put(hi, 0, 8);
  out.push_back('-');
  put(hi, 8, 4);
  out.push_back('-');
  put(hi, 12, 4);
  out.push_back('-');
  put(lo, 0, 4);
  out.push_back('-');
  put(lo, 4, 12);
  return out;
}

bool IsUuid(std::string_view text) {
  // Mirrors uuid.UUID(hex=...): drop "urn:" / "uuid:", strip braces, drop hyphens.
  std::string s(text);
  for (std::string_view prefix : {std::string_view("urn:"), std::string_view("uuid:")}) {
    for (size_t pos; (pos = s.find(prefix)) != std::string::npos;) s.erase(pos, prefix.size());
  }
  size_t begin = s.find_first_not_of("{}");
  if (begin == std::string::npos) return false;
  size_t end = s.find_last_not_of("{}");
  s = s.substr(begin, end - begin + 1);
  int digits = 0;
  for (char c : s) {
    if (c == '-') continue;
    if (!IsHex(c)) return false;
    ++digits;
  }
  return digits == 32;
}

}  // namespace aura::core
