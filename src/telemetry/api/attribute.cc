#include "telemetry/api/attribute.h"

#include <algorithm>
#include <array>
#include <span>

namespace aura::telemetry {
namespace {

// The sensitive words (attribute.h), grouped by their last letter: a key is
// compared only with the words that end as it does, and most keys end in a
// letter no word ends in.
constexpr std::array<std::string_view, 3> kEndingInE = {"signature", "cookie", "reservation_code"};
constexpr std::array<std::string_view, 3> kEndingInY = {"api_key", "apikey", "private_key"};
constexpr std::array<std::string_view, 2> kEndingInN = {"token", "authorization"};
constexpr std::array<std::string_view, 2> kEndingInD = {"password", "passwd"};
constexpr std::array<std::string_view, 1> kEndingInT = {"secret"};

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
  // The last letter picks the words to compare with, and clears most keys
  // before the leaf is looked for.
  std::span<const std::string_view> words;
  switch (Fold(key.back())) {
    case 'e': words = kEndingInE; break;
    case 'y': words = kEndingInY; break;
    case 'n': words = kEndingInN; break;
    case 'd': words = kEndingInD; break;
    case 't': words = kEndingInT; break;
    default: return false;
  }
  size_t dot = key.rfind('.');
  std::string_view leaf = dot == std::string_view::npos ? key : key.substr(dot + 1);
  return std::any_of(words.begin(), words.end(), [leaf](std::string_view w) { return FoldedEndsWith(leaf, w); });
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
