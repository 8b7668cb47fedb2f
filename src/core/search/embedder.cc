#include "core/search/embedder.h"

#include <cmath>

namespace aura::core::search {

Result<std::vector<std::vector<float>>> Embedder::EmbedBatch(const std::vector<std::string>& texts) {
  std::vector<std::vector<float>> out;
  out.reserve(texts.size());
  for (const std::string& text : texts) {
    AURA_ASSIGN_OR_RETURN(std::vector<float> v, Embed(text));
    out.push_back(std::move(v));
  }
  return out;
}

float Dot(std::span<const float> a, std::span<const float> b) noexcept {
  const size_t n = a.size() < b.size() ? a.size() : b.size();
  float sum = 0;
  for (size_t i = 0; i < n; ++i) sum += a[i] * b[i];
  return sum;
}

float NormalizeInPlace(std::vector<float>& v) noexcept {
  double sq = 0;
  for (float x : v) sq += static_cast<double>(x) * x;
  const double norm = std::sqrt(sq);
  if (norm > 0 && std::isfinite(norm)) {
    const auto inv = static_cast<float>(1.0 / norm);
    for (float& x : v) x *= inv;
  } else if (!std::isfinite(norm)) {
    for (float& x : v) x = 0;
    return 0;
  }
  return static_cast<float>(norm);
}

bool IsZero(std::span<const float> v) noexcept {
  for (float x : v) {
    if (x != 0) return false;
  }
  return true;
}

}  // namespace aura::core::search
