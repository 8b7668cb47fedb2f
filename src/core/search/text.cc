#include "core/search/text.h"

#include <cstdint>

namespace aura::core::search {
namespace {

constexpr size_t kMaxTokenBytes = 64;
constexpr char32_t kInvalid = 0xFFFFFFFF;

// Decodes one UTF-8 code point at s[i]; sets len (>= 1). Returns kInvalid for
// malformed, overlong or surrogate sequences (len = 1 then, to resync).
char32_t Decode(std::string_view s, size_t i, size_t& len) {
  const auto b0 = static_cast<unsigned char>(s[i]);
  len = 1;
  if (b0 < 0x80) return b0;
  size_t n = 0;
  char32_t cp = 0;
  if ((b0 & 0xE0) == 0xC0) {
    n = 2;
    cp = b0 & 0x1F;
  } else if ((b0 & 0xF0) == 0xE0) {
    n = 3;
    cp = b0 & 0x0F;
  } else if ((b0 & 0xF8) == 0xF0) {
    n = 4;
    cp = b0 & 0x07;
  } else {
    return kInvalid;
  }
  if (i + n > s.size()) return kInvalid;
  for (size_t k = 1; k < n; ++k) {
    const auto b = static_cast<unsigned char>(s[i + k]);
    if ((b & 0xC0) != 0x80) return kInvalid;
    cp = (cp << 6) | (b & 0x3F);
  }
  static constexpr char32_t kMin[5] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return kInvalid;
  len = n;
  return cp;
}

void Encode(char32_t cp, std::string& out) {
  if (cp < 0x80) {
    out.push_back(static_cast<char>(cp));
  } else if (cp < 0x800) {
    out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else if (cp < 0x10000) {
    out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  } else {
    out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
    out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
  }
}

bool IsControl(char32_t cp) { return cp < 0x20 || (cp >= 0x7F && cp <= 0x9F); }

bool IsSpace(char32_t cp) {
  return cp == ' ' || cp == '\t' || cp == '\n' || cp == '\r' || cp == '\v' || cp == '\f' ||
         cp == 0xA0 || cp == 0x1680 || (cp >= 0x2000 && cp <= 0x200A) || cp == 0x2028 ||
         cp == 0x2029 || cp == 0x202F || cp == 0x205F || cp == 0x3000;
}

// Zero-width and formatting characters that carry no text.
bool IsInvisible(char32_t cp) {
  return (cp >= 0x200B && cp <= 0x200F) || (cp >= 0x202A && cp <= 0x202E) ||
         (cp >= 0x2060 && cp <= 0x206F) || cp == 0xFEFF || (cp >= 0xFE00 && cp <= 0xFE0F);
}

bool IsLetter(char32_t cp) {
  if (cp < 0x80) return (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z');
  if (cp <= 0xBF) return cp == 0xAA || cp == 0xB5 || cp == 0xBA;
  if (cp == 0xD7 || cp == 0xF7) return false;
  if (cp >= 0x2000 && cp <= 0x2BFF) return false;  // punctuation, symbols, arrows, math
  if (cp >= 0x3000 && cp <= 0x303F) return false;  // CJK punctuation
  if (cp >= 0xE000 && cp <= 0xF8FF) return false;  // private use
  if (cp >= 0xFE00 && cp <= 0xFE0F) return false;  // variation selectors
  if (cp >= 0xFE30 && cp <= 0xFE4F) return false;  // CJK compatibility forms
  if (cp >= 0xFF00 && cp <= 0xFF0F) return false;  // full-width punctuation
  if (cp >= 0xFF1A && cp <= 0xFF20) return false;
  if (cp >= 0xFFF0) return cp >= 0x10000 && !(cp >= 0x1F000 && cp <= 0x1FAFF);  // emoji
  return true;
}

char32_t Lower(char32_t cp) {
  if (cp < 0x80) return (cp >= 'A' && cp <= 'Z') ? cp + 32 : cp;
  if (cp >= 0xC0 && cp <= 0xDE && cp != 0xD7) return cp + 0x20;
  if (cp >= 0x100 && cp <= 0x137) return cp | 1;
  if (cp >= 0x139 && cp <= 0x148) return (cp & 1) ? cp + 1 : cp;
  if (cp >= 0x14A && cp <= 0x177) return cp | 1;
  if (cp == 0x178) return 0xFF;
  if (cp >= 0x179 && cp <= 0x17E) return (cp & 1) ? cp + 1 : cp;
  if (cp >= 0x391 && cp <= 0x3A9 && cp != 0x3A2) return cp + 0x20;
  if (cp >= 0x400 && cp <= 0x40F) return cp + 0x50;
  if (cp >= 0x410 && cp <= 0x42F) return cp + 0x20;
  return cp;
}

// Apostrophes and hyphens that may join two letters inside a word.
char32_t Joiner(char32_t cp) {
  if (cp == '\'' || cp == 0x2019) return '\'';
  if (cp == '-' || cp == 0x2010 || cp == 0x2011) return '-';
  return 0;
}

void FlushToken(std::string& token, std::vector<std::string>& out) {
  if (!token.empty() && token.size() <= kMaxTokenBytes) out.push_back(std::move(token));
  token.clear();
}

// True when a sentence ends at s[i] ('.', '!' or '?'): followed by the end, or
// by a space and then an upper-case ASCII letter, a digit, a quote or non-ASCII text.
bool SentenceEndsAt(std::string_view s, size_t i) {
  if (s[i] != '.' && s[i] != '!' && s[i] != '?') return false;
  if (i + 1 == s.size()) return true;
  if (s[i + 1] != ' ' || i + 2 >= s.size()) return false;
  const auto next = static_cast<unsigned char>(s[i + 2]);
  return (next >= 'A' && next <= 'Z') || (next >= '0' && next <= '9') || next == '"' ||
         next >= 0x80;
}

}  // namespace

std::vector<std::string> Tokenize(std::string_view text) {
  std::vector<std::string> out;
  std::string token;
  size_t i = 0;
  while (i < text.size()) {
    size_t len = 0;
    const char32_t cp = Decode(text, i, len);
    i += len;
    if (cp != kInvalid && IsLetter(cp)) {
      Encode(Lower(cp), token);
      continue;
    }
    if (const char32_t joiner = cp == kInvalid ? 0 : Joiner(cp); joiner != 0 && !token.empty() &&
                                                                 i < text.size()) {
      size_t next_len = 0;
      const char32_t next = Decode(text, i, next_len);
      if (next != kInvalid && IsLetter(next) && token.back() != '\'' && token.back() != '-') {
        token.push_back(static_cast<char>(joiner));
        continue;
      }
    }
    FlushToken(token, out);
  }
  FlushToken(token, out);
  return out;
}

std::string CleanQuery(std::string_view query) {
  std::string out;
  out.reserve(query.size());
  bool pending_space = false;
  size_t i = 0;
  while (i < query.size()) {
    size_t len = 0;
    const char32_t cp = Decode(query, i, len);
    const size_t start = i;
    i += len;
    if (cp == kInvalid || IsInvisible(cp)) continue;
    if (IsSpace(cp)) {
      pending_space = !out.empty();
      continue;
    }
    if (IsControl(cp)) continue;
    if (pending_space) out.push_back(' ');
    pending_space = false;
    out.append(query.substr(start, len));
  }
  return out;
}

std::string NormalizeQuery(std::string_view query) {
  const std::string clean = CleanQuery(query);
  std::string out;
  out.reserve(clean.size());
  size_t i = 0;
  while (i < clean.size()) {
    size_t len = 0;
    const char32_t cp = Decode(clean, i, len);
    i += len;
    Encode(Lower(cp), out);
  }
  return out;
}

std::string Snippet(std::string_view description, size_t max_bytes) {
  const std::string text = CleanQuery(description);
  for (size_t i = 0; i < text.size() && i < max_bytes; ++i) {
    if (SentenceEndsAt(text, i)) return text.substr(0, i + 1);
  }
  if (text.size() <= max_bytes) return text;
  size_t cut = text.rfind(' ', max_bytes);
  if (cut == std::string::npos || cut < max_bytes / 2) {
    // No usable word boundary: cut at a character boundary instead.
    cut = max_bytes;
    while (cut > 0 && (static_cast<unsigned char>(text[cut]) & 0xC0) == 0x80) --cut;
  }
  std::string out = text.substr(0, cut);
  while (!out.empty() && (out.back() == ',' || out.back() == ';' || out.back() == ':' ||
                          out.back() == '-' || out.back() == ' ')) {
    out.pop_back();
  }
  out += "\xE2\x80\xA6";  // …
  return out;
}

}  // namespace aura::core::search
