#include "core/search/redis_result_cache.h"

#include <hiredis/hiredis.h>

#include <charconv>
#include <exception>
#include <nlohmann/json.hpp>

#include "common/log/log.h"
#include "telemetry/api/redis_span.h"
#include "telemetry/api/tracer.h"

namespace aura::core::search {
namespace {

// Redis commands, named as the telemetry layer will label them.
constexpr char kCmdGet[] = "GET %b";
constexpr char kCmdSetPx[] = "SET %b %b PX %lld";
constexpr char kCmdScan[] = "SCAN %s MATCH %b COUNT 500";
constexpr char kCmdDel[] = "DEL %b";

const telemetry::Tracer& CacheTracer() {
  static const telemetry::Tracer tracer("aura.core.search");
  return tracer;
}

struct ReplyDeleter {
  void operator()(redisReply* r) const { freeReplyObject(r); }
};
using Reply = std::unique_ptr<redisReply, ReplyDeleter>;

timeval ToTimeval(std::chrono::milliseconds ms) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(ms.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((ms.count() % 1000) * 1000);
  return tv;
}

bool ParseInt(std::string_view s, int& out) {
  const auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

std::string Serialize(const std::vector<SearchHit>& hits) {
  nlohmann::json arr = nlohmann::json::array();
  for (const SearchHit& h : hits) {
    arr.push_back({{"id", h.item_id}, {"name", h.name}, {"price", h.base_price},
                   {"sim", h.similarity}, {"snip", h.description_snippet}});
  }
  return arr.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

common::Result<std::vector<SearchHit>> Deserialize(std::string_view text) {
  try {
    const nlohmann::json arr = nlohmann::json::parse(text);
    std::vector<SearchHit> hits;
    for (const auto& h : arr) {
      hits.push_back(SearchHit{h.at("id").get<std::string>(), h.at("name").get<std::string>(),
                               h.at("price").get<double>(), h.at("sim").get<double>(),
                               h.at("snip").get<std::string>()});
    }
    return hits;
  } catch (const std::exception& e) {
    return common::InternalError(std::string("cached search answer does not parse: ") + e.what());
  }
}

}  // namespace

common::Result<RedisAddress> ParseRedisUrl(const std::string& url) {
  constexpr std::string_view kScheme = "redis://";
  std::string_view rest = url;
  if (rest.substr(0, kScheme.size()) != kScheme) {
    return common::InvalidArgumentError("redis URL must start with redis:// (got '" + url + "')");
  }
  rest.remove_prefix(kScheme.size());
  RedisAddress a;
  if (const size_t at = rest.rfind('@'); at != std::string_view::npos) {
    const std::string_view auth = rest.substr(0, at);
    rest.remove_prefix(at + 1);
    const size_t colon = auth.find(':');
    if (colon == std::string_view::npos) {
      a.password = std::string(auth);
    } else {
      a.user = std::string(auth.substr(0, colon));
      a.password = std::string(auth.substr(colon + 1));
    }
  }
  std::string_view hostport = rest;
  if (const size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (const size_t q = db.find('?'); q != std::string_view::npos) db = db.substr(0, q);
    if (!db.empty() && (!ParseInt(db, a.db) || a.db < 0)) {
      return common::InvalidArgumentError("redis URL has a bad database number: '" + url + "'");
    }
  }
  if (const size_t colon = hostport.rfind(':'); colon != std::string_view::npos &&
                                                hostport.find(']') == std::string_view::npos) {
    if (!ParseInt(hostport.substr(colon + 1), a.port) || a.port < 1 || a.port > 65535) {
      return common::InvalidArgumentError("redis URL has a bad port: '" + url + "'");
    }
    hostport = hostport.substr(0, colon);
  }
  if (!hostport.empty()) a.host = std::string(hostport);
  return a;
}

RedisResultCache::RedisResultCache(RedisResultCacheOptions options, RedisAddress address,
                                   const common::Clock& clock)
    : options_(std::move(options)), address_(std::move(address)), clock_(clock) {}

RedisResultCache::~RedisResultCache() {
  if (context_ != nullptr) redisFree(context_);
}

common::Status RedisResultCache::FailLocked(const std::string& what) {
  if (context_ != nullptr) {
    redisFree(context_);
    context_ = nullptr;
  }
  retry_after_ = clock_.Now() + options_.retry_interval;
  if (!degraded_.exchange(true)) {
    AURA_LOG_WARNING("search.cache_degraded")
        .With("backend", "redis")
        .With("error", what)
        .With("effect", "search answers uncached until Redis is back");
  }
  return common::UnavailableError("redis cache: " + what);
}

void RedisResultCache::SucceededLocked() {
  if (degraded_.exchange(false)) AURA_LOG_INFO("search.cache_recovered").With("backend", "redis");
}

common::Status RedisResultCache::EnsureConnectedLocked() {
  if (context_ != nullptr) return common::OkStatus();
  if (clock_.Now() < retry_after_) return common::UnavailableError("redis cache: backing off");
  const timeval connect = ToTimeval(options_.connect_timeout);
  context_ = redisConnectWithTimeout(address_.host.c_str(), address_.port, connect);
  if (context_ == nullptr) return FailLocked("cannot allocate a connection");
  if (context_->err != 0) return FailLocked(std::string("connect: ") + context_->errstr);
  const timeval command = ToTimeval(options_.command_timeout);
  if (redisSetTimeout(context_, command) != REDIS_OK) return FailLocked("cannot set timeout");
  if (!address_.password.empty()) {
    Reply r(static_cast<redisReply*>(
        address_.user.empty()
            ? redisCommand(context_, "AUTH %s", address_.password.c_str())
            : redisCommand(context_, "AUTH %s %s", address_.user.c_str(), address_.password.c_str())));
    if (!r || r->type == REDIS_REPLY_ERROR) return FailLocked("AUTH refused");
  }
  if (address_.db != 0) {
    Reply r(static_cast<redisReply*>(redisCommand(context_, "SELECT %d", address_.db)));
    if (!r || r->type == REDIS_REPLY_ERROR) return FailLocked("SELECT refused");
  }
  return common::OkStatus();
}

common::Result<std::optional<std::vector<SearchHit>>> RedisResultCache::Get(const std::string& key) {
  const std::string full = options_.key_prefix + key;
  std::string value;
  {
    std::lock_guard lock(mu_);
    AURA_RETURN_IF_ERROR(EnsureConnectedLocked());
    telemetry::ScopedSpan span(telemetry::StartRedisSpan(
        CacheTracer(), {"GET", full}, {.host = address_.host, .port = address_.port, .db = address_.db}));
    Reply r(static_cast<redisReply*>(redisCommand(context_, kCmdGet, full.data(), full.size())));
    if (!r || r->type == REDIS_REPLY_ERROR) {
      const std::string error = std::string("GET: ") + (r ? r->str : context_->errstr);
      span.SetStatus(telemetry::StatusCode::kError, error);
      return FailLocked(error);
    }
    SucceededLocked();
    if (r->type != REDIS_REPLY_STRING) return std::optional<std::vector<SearchHit>>();
    value.assign(r->str, r->len);
  }
  AURA_ASSIGN_OR_RETURN(std::vector<SearchHit> hits, Deserialize(value));
  return std::optional<std::vector<SearchHit>>(std::move(hits));
}

common::Status RedisResultCache::Put(const std::string& key, const std::vector<SearchHit>& hits,
                                     std::chrono::milliseconds ttl) {
  if (ttl.count() <= 0) return common::OkStatus();
  const std::string full = options_.key_prefix + key;
  const std::string value = Serialize(hits);
  std::lock_guard lock(mu_);
  AURA_RETURN_IF_ERROR(EnsureConnectedLocked());
  telemetry::ScopedSpan span(telemetry::StartRedisSpan(
      CacheTracer(), {"SET", full, value, "PX", std::to_string(ttl.count())},
      {.host = address_.host, .port = address_.port, .db = address_.db}));
  Reply r(static_cast<redisReply*>(redisCommand(context_, kCmdSetPx, full.data(), full.size(),
                                                value.data(), value.size(),
                                                static_cast<long long>(ttl.count()))));
  if (!r || r->type == REDIS_REPLY_ERROR) {
    const std::string error = std::string("SET: ") + (r ? r->str : context_->errstr);
    span.SetStatus(telemetry::StatusCode::kError, error);
    return FailLocked(error);
  }
  SucceededLocked();
  return common::OkStatus();
}

common::Status RedisResultCache::Clear() {
  const std::string pattern = options_.key_prefix + "*";
  std::lock_guard lock(mu_);
  AURA_RETURN_IF_ERROR(EnsureConnectedLocked());
  std::string cursor = "0";
  do {
    Reply r(static_cast<redisReply*>(
        redisCommand(context_, kCmdScan, cursor.c_str(), pattern.data(), pattern.size())));
    if (!r) return FailLocked(std::string("SCAN: ") + context_->errstr);
    if (r->type != REDIS_REPLY_ARRAY || r->elements != 2) return FailLocked("SCAN: unexpected reply");
    cursor.assign(r->element[0]->str, r->element[0]->len);
    const redisReply* keys = r->element[1];
    for (size_t i = 0; i < keys->elements; ++i) {
      Reply d(static_cast<redisReply*>(
          redisCommand(context_, kCmdDel, keys->element[i]->str, keys->element[i]->len)));
      if (!d) return FailLocked(std::string("DEL: ") + context_->errstr);
    }
  } while (cursor != "0");
  SucceededLocked();
  return common::OkStatus();
}

SearchCacheStats RedisResultCache::BackendStats() const {
  SearchCacheStats s;
  s.redis = true;
  s.degraded = degraded_.load();
  return s;
}

common::Result<std::unique_ptr<ResultCache>> MakeRedisResultCache(RedisResultCacheOptions options,
                                                                  const common::Clock& clock) {
  AURA_ASSIGN_OR_RETURN(RedisAddress address, ParseRedisUrl(options.url));
  return std::unique_ptr<ResultCache>(
      std::make_unique<RedisResultCache>(std::move(options), std::move(address), clock));
}

}  // namespace aura::core::search
