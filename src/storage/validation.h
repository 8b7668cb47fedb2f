// File: storage/validation.h
//
// The invariants every stored record keeps, checked in one place so that the
// stores and the inventory importer refuse the same things with the same words.
//
//   Status s = ValidateItem(item);   // INVALID_ARGUMENT "floor_price 900 exceeds base_price 800"
//
// Pure functions; thread-safe.
#pragma once

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "storage/types.h"

namespace aura::storage {

// Longest item id accepted.
inline constexpr size_t kMaxItemIdLength = 256;

// OK, or INVALID_ARGUMENT naming the first broken rule: id non-empty and at
// most kMaxItemIdLength bytes, name non-empty, prices finite and > 0,
// floor_price <= base_price, meta_json a JSON object.
common::Status ValidateItem(const Item& item);

// OK, or INVALID_ARGUMENT: request_id non-empty, bid and price finite.
common::Status ValidateNegotiation(const NegotiationRecord& record);

// `text` parsed as a JSON object and written back compactly with sorted keys
// (the form every store returns). INVALID_ARGUMENT if it is not a JSON object.
common::Result<std::string> NormalizeJsonObject(std::string_view text);

// ui_context as a JSON object of strings, and back (INVALID_ARGUMENT when the
// text is not an object of strings).
std::string StringMapToJson(const std::map<std::string, std::string>& map);
common::Result<std::map<std::string, std::string>> StringMapFromJson(std::string_view text);

// Embeddings as stored: float32 values, little-endian, back to back.
std::string EncodeEmbedding(const std::vector<float>& embedding);
common::Result<std::vector<float>> DecodeEmbedding(std::string_view bytes);

}  // namespace aura::storage
