#include "cli/bench/request_pool.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "cli/request_signing.h"
#include "common/clock.h"
#include "common/thread_name.h"

namespace aura::cli {
namespace {

constexpr std::array<std::string_view, kBenchOutcomeCount> kNames = {"accepted", "countered",
                                                                    "ui_required", "rejected"};

// SplitMix64: a well-mixed hash of the sequence number, so the outcomes
// interleave instead of coming in runs.
uint64_t Mix(uint64_t x) {
  x += 0x9e3779b97f4a7c15ULL;
  x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ULL;
  x = (x ^ (x >> 27)) * 0x94d049bb133111ebULL;
  return x ^ (x >> 31);
}

int64_t NowUnix() { return common::SystemClock::Instance().NowUnixSeconds(); }

}  // namespace

std::string_view BenchOutcomeName(BenchOutcome outcome) noexcept {
  return kNames[static_cast<size_t>(outcome)];
}

common::Result<OutcomeMix> ParseOutcomeMix(std::string_view text) {
  OutcomeMix mix;
  mix.weights = {0, 0, 0, 0};
  std::array<bool, kBenchOutcomeCount> seen{};
  while (!text.empty()) {
    size_t comma = text.find(',');
    std::string_view part = text.substr(0, comma);
    text = comma == std::string_view::npos ? std::string_view() : text.substr(comma + 1);
    size_t eq = part.find('=');
    if (eq == std::string_view::npos) {
      return common::InvalidArgumentError("mix part '" + std::string(part) +
                                          "' is not name=weight");
    }
    std::string_view name = part.substr(0, eq);
    std::string_view value = part.substr(eq + 1);
    auto it = std::find(kNames.begin(), kNames.end(), name);
    if (it == kNames.end()) {
      return common::InvalidArgumentError(
          "mix outcome '" + std::string(name) +
          "' is not one of accepted, countered, ui_required, rejected");
    }
    size_t index = static_cast<size_t>(it - kNames.begin());
    if (seen[index]) {
      return common::InvalidArgumentError("mix outcome '" + std::string(name) + "' is given twice");
    }
    seen[index] = true;
    double w = 0;
    auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), w);
    if (ec != std::errc() || p != value.data() + value.size() || !std::isfinite(w) || w < 0) {
      return common::InvalidArgumentError("mix weight '" + std::string(value) + "' for " +
                                          std::string(name) + " is not a number >= 0");
    }
    mix.weights[index] = w;
  }
  double total = 0;
  for (double w : mix.weights) total += w;
  if (total <= 0) return common::InvalidArgumentError("mix needs at least one positive weight");
  return mix;
}

RequestFactory::RequestFactory(RequestFactoryOptions options) : options_(std::move(options)) {
  double total = 0;
  for (double w : options_.mix.weights) total += w;
  double acc = 0;
  for (int i = 0; i < kBenchOutcomeCount; ++i) {
    acc += total > 0 ? options_.mix.weights[static_cast<size_t>(i)] / total : 0.25;
    cumulative_[static_cast<size_t>(i)] = acc;
  }
  cumulative_[kBenchOutcomeCount - 1] = 1.0;
  int agents = std::max(1, options_.agents);
  agents_.reserve(static_cast<size_t>(agents));
  for (int i = 0; i < agents; ++i) {
    auto key = AgentKey::Generate();
    AURA_CHECK(key.ok());
    agents_.push_back(std::move(key).value());
  }
}

BenchOutcome RequestFactory::OutcomeFor(uint64_t seq) const {
  double u = static_cast<double>(Mix(seq ^ (options_.seed * 0x2545f4914f6cdd1dULL)) >> 11) *
             (1.0 / 9007199254740992.0);
  for (int i = 0; i < kBenchOutcomeCount; ++i) {
    if (u < cumulative_[static_cast<size_t>(i)]) return static_cast<BenchOutcome>(i);
  }
  return BenchOutcome::kRejected;
}

PreparedRequest RequestFactory::Make() {
  uint64_t seq = next_seq_.fetch_add(1, std::memory_order_relaxed);
  PreparedRequest r;
  r.expected = OutcomeFor(seq);
  const AgentKey& agent = agents_[seq % agents_.size()];
  double cents = static_cast<double>(seq % 100) / 100.0;
  std::string item = options_.item_id;
  double bid = options_.accepted_bid;
  switch (r.expected) {
    case BenchOutcome::kAccepted: bid = options_.accepted_bid; break;
    case BenchOutcome::kCountered: bid = options_.countered_bid; break;
    case BenchOutcome::kUiRequired: bid = options_.ui_required_bid; break;
    case BenchOutcome::kRejected: item = options_.unknown_item_id; break;
  }
  nlohmann::json body = {{"item_id", item},
                         {"bid_amount", bid + cents},
                         {"currency", "USD"},
                         {"agent_did", agent.did()},
                         {"nonce", seq}};
  std::string text = CanonicalBody(body);
  r.signed_at = NowUnix();
  SignedHeaders h = SignGatewayRequest(agent, "POST", options_.path, text, r.signed_at);
  r.bytes.reserve(400 + text.size());
  r.bytes.append("POST ").append(options_.path).append(" HTTP/1.1\r\nHost: ");
  r.bytes.append(options_.host_header);
  r.bytes.append("\r\nContent-Type: application/json\r\nX-Agent-ID: ").append(h.agent_id);
  r.bytes.append("\r\nX-Timestamp: ").append(h.timestamp);
  r.bytes.append("\r\nX-Signature: ").append(h.signature);
  r.bytes.append("\r\nContent-Length: ").append(std::to_string(text.size()));
  r.bytes.append("\r\n\r\n").append(text);
  return r;
}

RequestPool::RequestPool(RequestFactory& factory, RequestPoolOptions options)
    : factory_(factory), options_(options) {}

RequestPool::~RequestPool() { StopRefiller(); }

size_t RequestPool::size() const {
  std::lock_guard lock(mu_);
  return pool_.size();
}

bool RequestPool::Stale(const PreparedRequest& r, int64_t now) const {
  return now - r.signed_at > options_.max_age.count();
}

void RequestPool::Prefill() {
  size_t have = size();
  if (have >= options_.target_size) return;
  size_t want = options_.target_size - have;
  int threads = std::max(1, options_.prefill_threads);
  std::vector<std::vector<PreparedRequest>> parts(static_cast<size_t>(threads));
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    size_t n = want / static_cast<size_t>(threads) + (static_cast<size_t>(t) < want % static_cast<size_t>(threads) ? 1 : 0);
    workers.emplace_back([this, n, &part = parts[static_cast<size_t>(t)]] {
      common::SetCurrentThreadName("bench-sign");
      part.reserve(n);
      for (size_t i = 0; i < n; ++i) part.push_back(factory_.Make());
    });
  }
  for (auto& w : workers) w.join();
  std::lock_guard lock(mu_);
  for (auto& part : parts) {
    for (auto& r : part) pool_.push_back(std::move(r));
  }
}

void RequestPool::StartRefiller() {
  std::lock_guard lock(mu_);
  if (refiller_.joinable()) return;
  stop_ = false;
  refiller_ = std::thread([this] {
    common::SetCurrentThreadName("bench-refill");
    RefillLoop();
  });
}

void RequestPool::StopRefiller() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (refiller_.joinable()) refiller_.join();
}

PreparedRequest RequestPool::Take() {
  {
    std::lock_guard lock(mu_);
    if (!pool_.empty() && !Stale(pool_.front(), NowUnix())) {
      PreparedRequest r = std::move(pool_.front());
      pool_.pop_front();
      return r;
    }
  }
  signed_inline_.fetch_add(1, std::memory_order_relaxed);
  return factory_.Make();
}

void RequestPool::RefillLoop() {
  const auto low = static_cast<size_t>(static_cast<double>(options_.target_size) * options_.low_water);
  std::unique_lock lock(mu_);
  while (!stop_) {
    cv_.wait_for(lock, std::chrono::milliseconds(100));
    if (stop_) break;
    // Re-sign the oldest before they expire: they are at the front.
    int64_t now = NowUnix();
    size_t stale = 0;
    while (stale < pool_.size() && now - pool_[stale].signed_at > options_.max_age.count() - 5) {
      ++stale;
    }
    size_t missing = pool_.size() - stale < low ? options_.target_size - (pool_.size() - stale) : 0;
    if (stale == 0 && missing == 0) continue;
    pool_.erase(pool_.begin(), pool_.begin() + static_cast<std::ptrdiff_t>(stale));
    resigned_.fetch_add(stale, std::memory_order_relaxed);
    size_t make = std::max(stale, missing);
    refilled_.fetch_add(make - stale, std::memory_order_relaxed);
    // Sign in batches outside the lock so senders are never held up.
    while (make > 0 && !stop_) {
      size_t batch = std::min<size_t>(make, 256);
      lock.unlock();
      std::vector<PreparedRequest> fresh;
      fresh.reserve(batch);
      for (size_t i = 0; i < batch; ++i) fresh.push_back(factory_.Make());
      lock.lock();
      for (auto& r : fresh) pool_.push_back(std::move(r));
      make -= batch;
    }
  }
}

}  // namespace aura::cli
