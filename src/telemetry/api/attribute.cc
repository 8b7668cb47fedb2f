#include "telemetry/api/attribute.h"

#include <algorithm>
#include <array>

namespace aura::telemetry {
namespace {

constexpr std::array<std::string_view, 11> kSensitiveWords = {
    "signature", "api_key",  "apikey", "token",       "password", "passwd",
    "authorization", "reservation_code", "secret", "private_key", "cookie"};

char Fold(char c) noexcept {
  if (c >= 'A' && c <= 'Z') return static_cast<char>(c - 'A' + 'a');
  if (c == '-') return '_';
  return c;
}

// True when the folded `text` ends with `word`.
bool FoldedEndsWith(std::string_view text, std::string_view word) noexcept {
  if (text.size() < word.size()) return false;
  size_t off = text.size() - word.size();
  for (size_t i = 0; i < word.size(); ++i) {
    if (Fold(text[off + i]) != word[i]) return false;
  }
  return true;
}

bool FoldedStartsWith(std::string_view text, std::string_view prefix) noexcept {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (Fold(text[i]) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

bool IsSensitiveKey(std::string_view key) noexcept {
  if (key.empty()) return false;
  // Most keys are cleared by their last character alone.
  const char last = Fold(key.back());
  if (std::none_of(kSensitiveWords.begin(), kSensitiveWords.end(),
                   [last](std::string_view w) { return w.back() == last; })) {
    return false;
  }
  size_t dot = key.rfind('.');
  std::string_view leaf = dot == std::string_view::npos ? key : key.substr(dot + 1);
  for (std::string_view w : kSensitiveWords) {
    if (FoldedEndsWith(leaf, w)) return true;
  }
  return false;
}

bool LooksLikeSecretValue(std::string_view value) noexcept {
  if (value.size() < 6) return false;
  if (FoldedStartsWith(value, "bearer ") || FoldedStartsWith(value, "basic ")) return true;
  // `word=` anywhere: scan each '=' and look at the name before it.
  for (size_t eq = value.find('='); eq != std::string_view::npos; eq = value.find('=', eq + 1)) {
    size_t start = eq;
    while (start > 0) {
      char c = value[start - 1];
      if (c == '&' || c == '?' || c == ';' || c == ',' || c == ' ' || c == '.') break;
      --start;
    }
    if (IsSensitiveKey(value.substr(start, eq - start))) return true;
  }
  return false;
}

}  // namespace aura::telemetry
