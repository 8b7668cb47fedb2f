// File: core/service/negotiation_service.h
//
// NegotiationService: the core's request logic, free of gRPC types so it can be
// tested and benchmarked on its own. The gRPC adapter (grpc_service.h) maps
// protos to these plain structs and Status codes to grpc::Status.
//
// Negotiate validates the bid, replays the stored answer when the request_id
// was seen before, otherwise asks the PricingStrategy, stores the decision
// (before answering: a decision that is not stored is not given out) and
// returns it. Two concurrent requests with one request_id both get the one
// stored decision: the loser of the insert race reads the winner's back.
//
//   NegotiationService service(rules, store, SystemClock::Instance(), {});
//   Result<NegotiateOutput> out = service.Negotiate(
//       {.request_id = "r-1", .item_id = "hotel_alpha", .bid_amount = 850.0});
//   // out->record.outcome == Outcome::kAccepted, out->record.session_token == "sess_r-1"
//
// Thread-safe: holds no locks of its own; the strategy and store are
// thread-safe and every store call is a plain blocking round trip, so callers
// run Negotiate on worker threads, never on I/O threads.
//
// Status codes: INVALID_ARGUMENT for bad input (nothing stored); UNAVAILABLE
// when storage fails; UNIMPLEMENTED for Search and CheckDealStatus (crypto
// payments are off); whatever the strategy returns when it cannot decide.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "common/clock.h"
#include "common/metrics/instruments.h"
#include "common/status.h"
#include "core/pricing/pricing_strategy.h"
#include "core/status/system_status.h"
#include "storage/store.h"
#include "storage/types.h"

namespace aura::core {

inline constexpr size_t kMaxItemIdBytes = 256;
inline constexpr size_t kMaxRequestIdBytes = 256;

struct SearchQuery {
  std::string query;
  int limit = 3;
  double min_similarity = 0;
};

struct SearchHit {
  std::string item_id;
  std::string name;
  double base_price = 0;
  double similarity_score = 0;
  std::string description_snippet;
};

// The search index, plugged in by whoever owns it (see core/search); it may
// block (remote embedders), so the adapter calls it on worker threads.
using SearchFunction = std::function<common::Result<std::vector<SearchHit>>(const SearchQuery&)>;

struct NegotiationServiceOptions {
  // How long a negotiation session stays valid (valid_until = now + ttl).
  std::chrono::seconds session_ttl{600};
  // Answers GetSystemStatus; not owned, must outlive the service. null = this
  // process's own figures (LocalSystemStatus).
  SystemStatusSource* system_status = nullptr;
  // Answers Search; empty = UNIMPLEMENTED.
  SearchFunction search;
  // Counts each fresh decision (aura_negotiation_outcomes_total); not owned,
  // may be null. Every decision also runs inside a `pricing.decide` span.
  common::NegotiationMetrics* metrics = nullptr;
};

// One bid, as the adapter hands it over.
struct NegotiateInput {
  // Idempotency key; empty = a fresh UUID is generated (no replay possible).
  std::string request_id;
  std::string item_id;
  double bid_amount = 0;
  // Three ASCII letters (upper-cased when stored); empty = "USD".
  std::string currency;
  std::string agent_did;
  float reputation_score = 0;
  // 32 hex digits of the current trace, stored with the decision; "" = none.
  std::string trace_id;
};

struct NegotiateOutput {
  // The stored decision (session_token, valid_until, outcome and its fields).
  storage::NegotiationRecord record;
  // True when this answer is a stored one given again for a repeated request_id.
  bool replayed = false;
};

class NegotiationService {
 public:
  // `strategy`, `store` and `clock` are borrowed and must outlive the service.
  NegotiationService(PricingStrategy& strategy, storage::Store& store, const common::Clock& clock,
                     NegotiationServiceOptions options = {});
  NegotiationService(const NegotiationService&) = delete;
  NegotiationService& operator=(const NegotiationService&) = delete;

  // See the file comment. INVALID_ARGUMENT (with a message naming the field),
  // UNAVAILABLE (storage), or the strategy's own error.
  common::Result<NegotiateOutput> Negotiate(const NegotiateInput& input);

  // The configured SystemStatusSource's answer (Prometheus may take up to its
  // timeout), or this process's /proc figures. Never fails.
  SystemStatus GetSystemStatus();

  // INVALID_ARGUMENT when deal_id is not a UUID; otherwise UNIMPLEMENTED
  // ("Crypto payments not enabled").
  common::Status CheckDealStatus(const std::string& deal_id);

  // The search function's answer; UNIMPLEMENTED when none is plugged in.
  common::Result<std::vector<SearchHit>> Search(const SearchQuery& query);

  // The checks Negotiate applies before anything else, exposed for the
  // gateway-facing tests and benchmarks: OK or INVALID_ARGUMENT.
  static common::Status Validate(const NegotiateInput& input);

 private:
  PricingStrategy& strategy_;
  storage::Store& store_;
  const common::Clock& clock_;
  const NegotiationServiceOptions options_;
  std::unique_ptr<SystemStatusSource> local_status_;  // when options_.system_status is null
};

}  // namespace aura::core
