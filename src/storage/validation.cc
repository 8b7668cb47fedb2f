#include "storage/validation.h"

#include <bit>
#include <cmath>
#include <cstdint>
#include <cstring>
#include <nlohmann/json.hpp>
#include <sstream>

namespace aura::storage {
namespace {

std::string FormatPrice(double v) {
  std::ostringstream out;
  out << v;
  return out.str();
}

}  // namespace

common::Status ValidateItem(const Item& item) {
  if (item.id.empty()) return common::InvalidArgumentError("id must not be empty");
  if (item.id.size() > kMaxItemIdLength) {
    return common::InvalidArgumentError("id is longer than " + std::to_string(kMaxItemIdLength) +
                                        " characters");
  }
  if (item.name.empty()) return common::InvalidArgumentError("name must not be empty");
  if (!std::isfinite(item.base_price) || item.base_price <= 0) {
    return common::InvalidArgumentError("base_price must be a finite number > 0, got " +
                                        FormatPrice(item.base_price));
  }
  if (!std::isfinite(item.floor_price) || item.floor_price <= 0) {
    return common::InvalidArgumentError("floor_price must be a finite number > 0, got " +
                                        FormatPrice(item.floor_price));
  }
  if (item.floor_price > item.base_price) {
    return common::InvalidArgumentError("floor_price " + FormatPrice(item.floor_price) +
                                        " exceeds base_price " + FormatPrice(item.base_price));
  }
  common::Result<std::string> meta = NormalizeJsonObject(item.meta_json);
  if (!meta.ok()) return common::InvalidArgumentError("meta: " + meta.status().message());
  return common::OkStatus();
}

common::Status ValidateNegotiation(const NegotiationRecord& record) {
  if (record.request_id.empty()) {
    return common::InvalidArgumentError("request_id must not be empty");
  }
  if (!std::isfinite(record.bid_amount) || !std::isfinite(record.price)) {
    return common::InvalidArgumentError("bid_amount and price must be finite");
  }
  return common::OkStatus();
}

common::Result<std::string> NormalizeJsonObject(std::string_view text) {
  if (text.empty()) return std::string("{}");
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (parsed.is_discarded()) return common::InvalidArgumentError("not valid JSON");
  if (!parsed.is_object()) return common::InvalidArgumentError("must be a JSON object");
  try {
    return parsed.dump();
  } catch (const nlohmann::json::exception& e) {  // invalid UTF-8
    return common::InvalidArgumentError(e.what());
  }
}

std::string StringMapToJson(const std::map<std::string, std::string>& map) {
  nlohmann::json obj = nlohmann::json::object();
  for (const auto& [k, v] : map) obj[k] = v;
  return obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

common::Result<std::map<std::string, std::string>> StringMapFromJson(std::string_view text) {
  std::map<std::string, std::string> out;
  if (text.empty()) return out;
  nlohmann::json parsed = nlohmann::json::parse(text, nullptr, false);
  if (parsed.is_discarded() || !parsed.is_object()) {
    return common::InvalidArgumentError("ui_context is not a JSON object");
  }
  for (const auto& [k, v] : parsed.items()) {
    if (!v.is_string()) return common::InvalidArgumentError("ui_context." + k + " is not a string");
    out.emplace(k, v.get<std::string>());
  }
  return out;
}

std::string EncodeEmbedding(const std::vector<float>& embedding) {
  std::string out(embedding.size() * 4, '\0');
  for (size_t i = 0; i < embedding.size(); ++i) {
    uint32_t bits = std::bit_cast<uint32_t>(embedding[i]);
    for (int b = 0; b < 4; ++b) out[i * 4 + b] = static_cast<char>((bits >> (8 * b)) & 0xff);
  }
  return out;
}

common::Result<std::vector<float>> DecodeEmbedding(std::string_view bytes) {
  if (bytes.size() % 4 != 0) {
    return common::InternalError("stored embedding has " + std::to_string(bytes.size()) +
                                 " bytes, not a multiple of 4");
  }
  std::vector<float> out(bytes.size() / 4);
  for (size_t i = 0; i < out.size(); ++i) {
    uint32_t bits = 0;
    for (int b = 0; b < 4; ++b) {
      bits |= static_cast<uint32_t>(static_cast<unsigned char>(bytes[i * 4 + b])) << (8 * b);
    }
    out[i] = std::bit_cast<float>(bits);
  }
  return out;
}

}  // namespace aura::storage
