#include "common/log/log.h"

#include <atomic>
#include <charconv>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <cstdio>
#include <ctime>
#include <deque>
#include <mutex>
#include <thread>

#include "common/thread_name.h"

namespace aura::common {
namespace {

thread_local std::string tls_request_id;

class Logger {
 public:
  explicit Logger(LoggerOptions options) : options_(std::move(options)) {
    if (!options_.sink) {
      options_.sink = [](std::string_view line) {
        std::fwrite(line.data(), 1, line.size(), stderr);
        std::fputc('\n', stderr);
      };
    }
    if (!options_.synchronous) writer_ = std::thread([this] {
      SetCurrentThreadName("log-writer");
      Run();
    });
  }
  ~Logger() { Stop(); }

  void Stop() noexcept {
    {
      std::lock_guard lock(mu_);
      if (stopping_) return;
      stopping_ = true;
    }
    cv_.notify_all();
    if (writer_.joinable()) writer_.join();
    if (options_.synchronous) return;
    for (auto& l : queue_) options_.sink(l);
    queue_.clear();
    std::fflush(stderr);
  }

  void Emit(std::string&& line) noexcept {
    if (options_.synchronous) {
      std::lock_guard lock(mu_);
      options_.sink(line);
      return;
    }
    {
      std::lock_guard lock(mu_);
      if (stopping_ || queue_.size() >= options_.max_queue_lines) {
        dropped_.fetch_add(1, std::memory_order_relaxed);
        return;
      }
      queue_.push_back(std::move(line));
    }
    cv_.notify_one();
  }

  const LoggerOptions& options() const { return options_; }
  uint64_t dropped() const { return dropped_.load(std::memory_order_relaxed); }

 private:
  void Run() {
    std::deque<std::string> batch;
    for (;;) {
      {
        std::unique_lock lock(mu_);
        cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
        if (queue_.empty() && stopping_) return;
        batch.swap(queue_);
      }
      for (auto& l : batch) options_.sink(l);
      batch.clear();
      std::fflush(stderr);
    }
  }

  LoggerOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::string> queue_;
  bool stopping_ = false;
  std::atomic<uint64_t> dropped_{0};
  std::thread writer_;
};

std::mutex g_install_mu;
std::shared_ptr<Logger> g_logger;  // replaced only under g_install_mu
std::atomic<Logger*> g_current{nullptr};
std::atomic<int> g_level{static_cast<int>(LogLevel::kInfo)};
std::atomic<LogContextHook> g_hook{nullptr};

void AppendTimestamp(std::string& out) {
  auto now = std::chrono::system_clock::now();
  auto secs = std::chrono::time_point_cast<std::chrono::seconds>(now);
  auto micros = std::chrono::duration_cast<std::chrono::microseconds>(now - secs).count();
  std::time_t t = std::chrono::system_clock::to_time_t(secs);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[40];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  n += static_cast<size_t>(std::snprintf(buf + n, sizeof buf - n, ".%06lldZ", static_cast<long long>(micros)));
  out.append(buf, n);
}

}  // namespace

void InitLogging(LoggerOptions options) {
  std::lock_guard lock(g_install_mu);
  g_level.store(static_cast<int>(options.level));
  auto next = std::make_shared<Logger>(std::move(options));
  if (g_logger) g_logger->Stop();
  g_current.store(next.get());
  // The old logger is kept alive (stopped) so racing writers never touch freed memory.
  static std::deque<std::shared_ptr<Logger>> retired;
  if (g_logger) retired.push_back(g_logger);
  g_logger = std::move(next);
}

void ShutdownLogging() noexcept {
  std::lock_guard lock(g_install_mu);
  if (g_logger) g_logger->Stop();
}

void SetLogContextHook(LogContextHook hook) noexcept { g_hook.store(hook); }

bool LogEnabled(LogLevel level) noexcept { return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed); }

uint64_t LogLinesDropped() noexcept {
  Logger* l = g_current.load();
  return l ? l->dropped() : 0;
}

void EmitLogLine(std::string&& line) noexcept {
  Logger* l = g_current.load(std::memory_order_acquire);
  if (l == nullptr) {
    std::fwrite(line.data(), 1, line.size(), stderr);
    std::fputc('\n', stderr);
    return;
  }
  l->Emit(std::move(line));
}

void AppendJsonString(std::string& out, std::string_view s) {
  out.push_back('"');
  // Runs of characters that need no escaping are appended in one piece.
  size_t run = 0;
  for (size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default: {
        static constexpr char kHex[] = "0123456789abcdef";
        const char escaped[6] = {'\\', 'u', '0', '0', kHex[c >> 4], kHex[c & 0xF]};
        out.append(escaped, sizeof escaped);
      }
    }
  }
  out.append(s.data() + run, s.size() - run);
  out.push_back('"');
}

ScopedRequestId::ScopedRequestId(std::string request_id) : previous_(std::move(tls_request_id)) {
  tls_request_id = std::move(request_id);
}
ScopedRequestId::~ScopedRequestId() { tls_request_id = std::move(previous_); }
const std::string& ScopedRequestId::Current() noexcept { return tls_request_id; }

LogLine::LogLine(LogLevel level, std::string_view event) noexcept : enabled_(LogEnabled(level)) {
  if (!enabled_) return;
  try {
    buf_.reserve(256);
    buf_ += "{\"timestamp\":\"";
    AppendTimestamp(buf_);
    buf_ += "\",\"level\":\"";
    buf_ += LogLevelName(level);
    buf_ += "\",\"event\":";
    AppendJsonString(buf_, event);
    buf_ += ",\"logger\":";
    Logger* l = g_current.load(std::memory_order_acquire);
    AppendJsonString(buf_, l ? std::string_view(l->options().logger) : std::string_view("aura"));
    if (!tls_request_id.empty()) {
      buf_ += ",\"request_id\":";
      AppendJsonString(buf_, tls_request_id);
    }
    if (LogContextHook hook = g_hook.load(std::memory_order_relaxed)) hook(buf_);
  } catch (...) {
    enabled_ = false;
  }
}

LogLine::~LogLine() {
  if (!enabled_) return;
  buf_.push_back('}');
  EmitLogLine(std::move(buf_));
}

LogLine& LogLine::With(std::string_view key, std::string_view value) {
  if (!enabled_) return *this;
  buf_.push_back(',');
  AppendJsonString(buf_, key);
  buf_.push_back(':');
  AppendJsonString(buf_, value);
  return *this;
}

LogLine& LogLine::With(std::string_view key, bool value) {
  if (!enabled_) return *this;
  buf_.push_back(',');
  AppendJsonString(buf_, key);
  buf_ += value ? ":true" : ":false";
  return *this;
}

LogLine& LogLine::With(std::string_view key, double value) {
  if (!enabled_) return *this;
  buf_.push_back(',');
  AppendJsonString(buf_, key);
  buf_.push_back(':');
  if (!std::isfinite(value)) {
    buf_ += std::isnan(value) ? "\"NaN\"" : (value > 0 ? "\"Infinity\"" : "\"-Infinity\"");
    return *this;
  }
  char tmp[32];
  auto [p, ec] = std::to_chars(tmp, tmp + sizeof tmp, value);
  buf_.append(tmp, p);
  return *this;
}

LogLine& LogLine::With(std::string_view key, int64_t value) {
  if (!enabled_) return *this;
  buf_.push_back(',');
  AppendJsonString(buf_, key);
  buf_.push_back(':');
  buf_ += std::to_string(value);
  return *this;
}

}  // namespace aura::common
