// File: storage/types.h
//
// The records the hive stores: inventory items and negotiation decisions.
// Plain values with ==; no behaviour.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

namespace aura::storage {

// One thing a seller offers. Invariants the stores enforce:
// 0 < floor_price <= base_price, id non-empty.
struct Item {
  std::string id;
  std::string name;
  std::string description;
  double base_price = 0;
  double floor_price = 0;
  bool active = true;
  // A JSON object as text ("{}" when empty).
  std::string meta_json = "{}";
  // Embedding of name + description, and the model that made it ("" = none).
  std::vector<float> embedding;
  std::string embedding_model;
  int64_t created_at = 0;  // Unix seconds, set by the store
  int64_t updated_at = 0;  // Unix seconds, set by the store

  friend bool operator==(const Item&, const Item&) = default;
};

// An answer of Store::ListItemsUpdatedSince: the changed items and the cursor
// to ask from next time.
struct ItemChanges {
  std::vector<Item> items;
  int64_t next_cursor = 0;

  friend bool operator==(const ItemChanges&, const ItemChanges&) = default;
};

// Outcome of one negotiation, as stored and as replayed for a repeated request_id.
enum class Outcome { kAccepted, kCountered, kRejected, kUiRequired };

// "accepted", "countered", "rejected", "ui_required".
const char* OutcomeName(Outcome outcome) noexcept;
bool ParseOutcome(const std::string& name, Outcome& out) noexcept;

// Every decision the core makes, stored before it is answered.
struct NegotiationRecord {
  std::string request_id;     // idempotency key, unique
  std::string session_token;  // "sess_" + request_id
  std::string agent_did;
  std::string item_id;
  double bid_amount = 0;
  std::string currency;  // three letters
  Outcome outcome = Outcome::kRejected;
  double price = 0;              // final price (accepted) or proposed price (countered), else 0
  std::string reason_code;       // BELOW_FLOOR, ITEM_NOT_FOUND, ...
  std::string message;           // human message of a counter
  std::string reservation_code;  // accepted only
  std::string ui_template;       // ui_required only, e.g. "high_value_confirm"
  std::map<std::string, std::string> ui_context;  // ui_required only
  std::string strategy;                           // "rule" or the LLM model
  std::string trace_id;                           // 32 hex, or "" when not traced
  int64_t created_at = 0;                         // Unix seconds
  int64_t valid_until = 0;                        // Unix seconds

  friend bool operator==(const NegotiationRecord&, const NegotiationRecord&) = default;
};

}  // namespace aura::storage
