#include "gateway/ratelimit/redis_link.h"

#include <hiredis/hiredis.h>
#include <sys/time.h>

#include <cctype>
#include <charconv>

#include "common/log/log.h"
#include "telemetry/api/redis_span.h"
#include "telemetry/api/tracer.h"

namespace aura::gateway {

namespace {

bool ParseInt(std::string_view s, int& out) {
  if (s.empty()) return false;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && ptr == s.data() + s.size();
}

timeval ToTimeval(std::chrono::milliseconds d) {
  timeval tv{};
  tv.tv_sec = static_cast<time_t>(d.count() / 1000);
  tv.tv_usec = static_cast<suseconds_t>((d.count() % 1000) * 1000);
  return tv;
}

RedisReply Convert(const redisReply* r) {
  RedisReply out;
  switch (r->type) {
    case REDIS_REPLY_INTEGER:
      out.type = RedisReply::Type::kInteger;
      out.integer = r->integer;
      break;
    case REDIS_REPLY_STRING:
      out.type = RedisReply::Type::kString;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_STATUS:
      out.type = RedisReply::Type::kStatus;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ERROR:
      out.type = RedisReply::Type::kError;
      out.str.assign(r->str, r->len);
      break;
    case REDIS_REPLY_ARRAY:
      out.type = RedisReply::Type::kArray;
      for (size_t i = 0; i < r->elements; ++i) out.elements.push_back(Convert(r->element[i]));
      break;
    default:
      out.type = RedisReply::Type::kNil;
      break;
  }
  return out;
}

}  // namespace

common::Result<RedisUrl> ParseRedisUrl(std::string_view url) {
  constexpr std::string_view kScheme = "redis://";
  if (url.substr(0, kScheme.size()) != kScheme) {
    return common::InvalidArgumentError("Redis URL must start with redis://");
  }
  std::string_view rest = url.substr(kScheme.size());
  RedisUrl out;
  if (size_t at = rest.rfind('@'); at != std::string_view::npos) {
    std::string_view userinfo = rest.substr(0, at);
    rest = rest.substr(at + 1);
    if (size_t colon = userinfo.find(':'); colon != std::string_view::npos) {
      out.username = std::string(userinfo.substr(0, colon));
      out.password = std::string(userinfo.substr(colon + 1));
    } else {
      out.password = std::string(userinfo);
    }
  }
  std::string_view hostport = rest;
  if (size_t slash = rest.find('/'); slash != std::string_view::npos) {
    hostport = rest.substr(0, slash);
    std::string_view db = rest.substr(slash + 1);
    if (size_t q = db.find('?'); q != std::string_view::npos) db = db.substr(0, q);
    if (!db.empty() && (!ParseInt(db, out.db) || out.db < 0)) {
      return common::InvalidArgumentError("Redis URL has an invalid database number");
    }
  }
  if (size_t colon = hostport.rfind(':'); colon != std::string_view::npos) {
    if (!ParseInt(hostport.substr(colon + 1), out.port) || out.port < 1 || out.port > 65535) {
      return common::InvalidArgumentError("Redis URL has an invalid port");
    }
    hostport = hostport.substr(0, colon);
  }
  if (hostport.empty()) return common::InvalidArgumentError("Redis URL has no host");
  out.host = std::string(hostport);
  return out;
}

RedisLink::RedisLink(RedisLinkOptions options)
    : options_(std::move(options)), url_(ParseRedisUrl(options_.url)) {
  if (options_.clock == nullptr) options_.clock = &common::SystemClock::Instance();
  if (options_.connections == 0) options_.connections = 1;
  for (size_t i = 0; i < options_.connections; ++i) slots_.push_back(std::make_unique<Slot>());
  if (!url_.ok()) {
    down_ = true;
    AURA_LOG_ERROR("redis.invalid_url").With("component", options_.name).With("error", url_.status().message());
  }
}

RedisLink::~RedisLink() {
  for (auto& slot : slots_) {
    std::lock_guard lock(slot->mu);
    if (slot->ctx != nullptr) redisFree(slot->ctx);
    slot->ctx = nullptr;
  }
}

int64_t RedisLink::NowNanos() const noexcept {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(options_.clock->Now().time_since_epoch())
      .count();
}

common::Status RedisLink::Connect(redisContext*& ctx) {
  const RedisUrl& url = url_.value();
  ctx = redisConnectWithTimeout(url.host.c_str(), url.port, ToTimeval(options_.timeout));
  if (ctx == nullptr) return common::UnavailableError("cannot allocate a Redis context");
  if (ctx->err != 0) return common::UnavailableError(std::string("connect: ") + ctx->errstr);
  if (redisSetTimeout(ctx, ToTimeval(options_.timeout)) != REDIS_OK) {
    return common::UnavailableError("cannot set the Redis timeout");
  }
  std::vector<std::vector<std::string>> setup;
  if (!url.password.empty()) {
    if (url.username.empty()) {
      setup.push_back({"AUTH", url.password});
    } else {
      setup.push_back({"AUTH", url.username, url.password});
    }
  }
  if (url.db != 0) setup.push_back({"SELECT", std::to_string(url.db)});
  for (const auto& cmd : setup) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    auto* reply = static_cast<redisReply*>(
        redisCommandArgv(ctx, static_cast<int>(argv.size()), argv.data(), lens.data()));
    if (reply == nullptr) return common::UnavailableError(std::string("setup: ") + ctx->errstr);
    bool error = reply->type == REDIS_REPLY_ERROR;
    std::string message = error ? std::string(reply->str, reply->len) : "";
    freeReplyObject(reply);
    if (error) return common::UnavailableError("setup: " + message);
  }
  return common::OkStatus();
}

void RedisLink::MarkFailure(std::string_view what, std::string_view detail) {
  failure_generation_.fetch_add(1, std::memory_order_relaxed);
  retry_at_.store(NowNanos() + std::chrono::duration_cast<std::chrono::nanoseconds>(
                                   options_.retry_interval).count(),
                  std::memory_order_relaxed);
  if (!down_.exchange(true)) {
    AURA_LOG_WARNING("redis.unavailable")
        .With("component", options_.name)
        .With("operation", what)
        .With("error", detail)
        .With("fallback", "in-process");
  }
}

void RedisLink::MarkSuccess() {
  if (down_.exchange(false)) {
    AURA_LOG_INFO("redis.recovered").With("component", options_.name);
  }
}

common::Result<std::vector<RedisReply>> RedisLink::Run(
    const std::vector<std::vector<std::string>>& commands) {
  // A CLIENT span per round trip, child of the caller's context, with every
  // argument masked (keys are derived from request signatures).
  static const telemetry::Tracer tracer("aura.gateway.redis");
  telemetry::RedisEndpoint endpoint;
  if (url_.ok()) endpoint = {.host = url_.value().host, .port = url_.value().port, .db = url_.value().db};
  telemetry::Span span = telemetry::StartRedisSpan(tracer, commands, endpoint);
  span.SetAttribute("aura.redis.client", options_.name);
  auto result = RunUntraced(commands);
  if (!result.ok()) {
    span.SetStatus(telemetry::StatusCode::kError, result.status().message())
        .SetAttribute("error.type", "UNAVAILABLE");
  }
  return result;
}

common::Result<std::vector<RedisReply>> RedisLink::RunUntraced(
    const std::vector<std::vector<std::string>>& commands) {
  if (!url_.ok()) return common::UnavailableError("invalid Redis URL: " + url_.status().message());
  if (down_.load(std::memory_order_relaxed)) {
    // One prober per retry interval: whoever moves retry_at_ forward tries.
    int64_t now = NowNanos();
    int64_t retry_at = retry_at_.load(std::memory_order_relaxed);
    if (now < retry_at) return common::UnavailableError("Redis is down; retrying later");
    int64_t next = now + std::chrono::duration_cast<std::chrono::nanoseconds>(options_.retry_interval).count();
    if (!retry_at_.compare_exchange_strong(retry_at, next)) {
      return common::UnavailableError("Redis is down; another caller is probing");
    }
  }

  // Take a free connection if there is one, else wait for one in turn.
  size_t start = next_slot_.fetch_add(1, std::memory_order_relaxed) % slots_.size();
  std::unique_lock<std::mutex> lock;
  Slot* slot = nullptr;
  for (size_t k = 0; k < slots_.size() && slot == nullptr; ++k) {
    Slot* candidate = slots_[(start + k) % slots_.size()].get();
    std::unique_lock<std::mutex> attempt(candidate->mu, std::try_to_lock);
    if (attempt.owns_lock()) {
      lock = std::move(attempt);
      slot = candidate;
    }
  }
  if (slot == nullptr) {
    slot = slots_[start].get();
    lock = std::unique_lock<std::mutex>(slot->mu);
  }

  auto drop = [&] {
    if (slot->ctx != nullptr) redisFree(slot->ctx);
    slot->ctx = nullptr;
  };
  auto fail = [&](std::string_view what, const std::string& detail) -> common::Status {
    drop();
    MarkFailure(what, detail);
    return common::UnavailableError("Redis " + std::string(what) + ": " + detail);
  };
  auto connect = [&]() -> common::Status {
    drop();
    slot->generation = failure_generation_.load(std::memory_order_relaxed);
    redisContext* ctx = nullptr;
    common::Status st = Connect(ctx);
    slot->ctx = ctx;
    return st;
  };

  // A connection opened before the last failure may point at a dead server.
  bool reused = slot->ctx != nullptr &&
                slot->generation == failure_generation_.load(std::memory_order_relaxed);
  if (!reused) {
    if (common::Status st = connect(); !st.ok()) return fail("connect", st.message());
  }
  std::vector<RedisReply> replies;
  std::string error;
  if (!Exchange(*slot, commands, replies, error)) {
    if (!reused) return fail("command", error);
    // An idle connection may have been closed by the server: retry once fresh.
    if (common::Status st = connect(); !st.ok()) return fail("connect", st.message());
    if (!Exchange(*slot, commands, replies, error)) return fail("command", error);
  }
  MarkSuccess();
  return replies;
}

bool RedisLink::Exchange(Slot& slot, const std::vector<std::vector<std::string>>& commands,
                         std::vector<RedisReply>& replies, std::string& error) {
  replies.clear();
  for (const auto& cmd : commands) {
    std::vector<const char*> argv;
    std::vector<size_t> lens;
    argv.reserve(cmd.size());
    lens.reserve(cmd.size());
    for (const auto& a : cmd) {
      argv.push_back(a.data());
      lens.push_back(a.size());
    }
    if (redisAppendCommandArgv(slot.ctx, static_cast<int>(argv.size()), argv.data(), lens.data()) !=
        REDIS_OK) {
      error = slot.ctx->errstr;
      return false;
    }
  }
  replies.reserve(commands.size());
  for (size_t i = 0; i < commands.size(); ++i) {
    void* raw = nullptr;
    if (redisGetReply(slot.ctx, &raw) != REDIS_OK || raw == nullptr) {
      error = slot.ctx->errstr[0] != '\0' ? slot.ctx->errstr : "no reply";
      return false;
    }
    auto* reply = static_cast<redisReply*>(raw);
    replies.push_back(Convert(reply));
    freeReplyObject(reply);
  }
  return true;
}

}  // namespace aura::gateway
