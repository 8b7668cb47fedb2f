#include "tests/fakes/otlp_receiver.h"

#include <arpa/inet.h>
#include <grpcpp/generic/async_generic_service.h>
#include <grpcpp/grpcpp.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <list>
#include <stdexcept>
#include <thread>

#include <nlohmann/json.hpp>

#include "opentelemetry/proto/collector/trace/v1/trace_service.grpc.pb.h"
#include "telemetry/exporters/otlp_common/otlp_encoder.h"

namespace aura::fakes {
namespace {

using opentelemetry::proto::collector::trace::v1::ExportTraceServiceRequest;
using opentelemetry::proto::collector::trace::v1::ExportTraceServiceResponse;
using opentelemetry::proto::collector::trace::v1::TraceService;

std::string Lower(std::string s) {
  for (char& c : s) c = static_cast<char>(c >= 'A' && c <= 'Z' ? c - 'A' + 'a' : c);
  return s;
}

std::string Hex(const std::string& bytes) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (unsigned char c : bytes) {
    out.push_back(kHex[c >> 4]);
    out.push_back(kHex[c & 0xF]);
  }
  return out;
}

nlohmann::json AnyToJson(const opentelemetry::proto::common::v1::AnyValue& v) {
  using V = opentelemetry::proto::common::v1::AnyValue;
  switch (v.value_case()) {
    case V::kStringValue: return v.string_value();
    case V::kBoolValue: return v.bool_value();
    case V::kIntValue: return v.int_value();
    case V::kDoubleValue: return v.double_value();
    case V::kArrayValue: {
      nlohmann::json arr = nlohmann::json::array();
      for (const auto& item : v.array_value().values()) arr.push_back(AnyToJson(item));
      return arr;
    }
    default: return nullptr;
  }
}

// One gRPC export: records it and answers with the next scripted reply.
grpc::Status HandleExport(OtlpReceiver* rx, const grpc::ServerContextBase& context,
                          const ExportTraceServiceRequest* request, ExportTraceServiceResponse* response) {
  Reply reply = rx->NextReply();
  if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
  ReceivedRequest info;
  info.protocol = "grpc";
  info.path = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";
  for (const auto& [k, v] : context.client_metadata()) {
    info.headers.emplace(Lower(std::string(k.data(), k.size())), std::string(v.data(), v.size()));
  }
  info.body_bytes = request->ByteSizeLong();
  info.replied = reply.kind;
  bool ok = reply.kind == Reply::kOk || reply.kind == Reply::kPartialSuccess;
  rx->Record(std::move(info), request, ok);
  switch (reply.kind) {
    case Reply::kOk:
      return grpc::Status::OK;
    case Reply::kPartialSuccess: {
      std::string bytes = aura::telemetry::otlp::EncodePartialSuccessResponse(reply.rejected, "scripted rejection");
      response->ParseFromString(bytes);  // kept as unknown fields, serialized back to the client
      return grpc::Status::OK;
    }
    case Reply::kUnavailable:
      return grpc::Status(grpc::StatusCode::UNAVAILABLE, "scripted unavailable");
    case Reply::kThrottled:
      return grpc::Status(grpc::StatusCode::RESOURCE_EXHAUSTED, "scripted throttle",
                          aura::telemetry::otlp::EncodeRetryInfoStatus(
                              static_cast<int>(grpc::StatusCode::RESOURCE_EXHAUSTED), "scripted throttle",
                              reply.retry_after));
    case Reply::kBadRequest:
      return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "scripted bad request");
    case Reply::kInternal:
      return grpc::Status(grpc::StatusCode::INTERNAL, "scripted internal error");
  }
  return grpc::Status::OK;
}

// The receiver that keeps spans for tests: a synchronous service, so that a
// scripted delay simply holds one of its worker threads.
class TraceServiceImpl final : public TraceService::Service {
 public:
  explicit TraceServiceImpl(OtlpReceiver* rx) : rx_(rx) {}
  grpc::Status Export(grpc::ServerContext* context, const ExportTraceServiceRequest* request,
                      ExportTraceServiceResponse* response) override {
    return HandleExport(rx_, *context, request, response);
  }

 private:
  OtlpReceiver* rx_;
};

// The request and response of one call on an arena of their own, so that
// parsing a batch of spans costs a few block allocations instead of a malloc
// and a free per string and sub-message.
class ArenaMessages final : public grpc::MessageHolder<ExportTraceServiceRequest, ExportTraceServiceResponse> {
 public:
  ArenaMessages() : arena_(Options()) {
    set_request(google::protobuf::Arena::CreateMessage<ExportTraceServiceRequest>(&arena_));
    set_response(google::protobuf::Arena::CreateMessage<ExportTraceServiceResponse>(&arena_));
  }
  void Release() override { delete this; }

 private:
  static google::protobuf::ArenaOptions Options() {
    google::protobuf::ArenaOptions options;
    options.start_block_size = 64 << 10;
    options.max_block_size = 1 << 20;
    return options;
  }
  google::protobuf::Arena arena_;
};

class ArenaAllocator final : public grpc::MessageAllocator<ExportTraceServiceRequest, ExportTraceServiceResponse> {
 public:
  grpc::MessageHolder<ExportTraceServiceRequest, ExportTraceServiceResponse>* AllocateMessages() override {
    return new ArenaMessages();
  }
};

// The counting receiver of load runs (--count-only): the callback API with
// each request parsed on an arena, so that the receiver, which shares the
// machine with the hive under test, takes as little of it as it can while
// still decoding every span.
class CountingTraceService final : public TraceService::CallbackService {
 public:
  explicit CountingTraceService(OtlpReceiver* rx) : rx_(rx) { SetMessageAllocatorFor_Export(&allocator_); }
  grpc::ServerUnaryReactor* Export(grpc::CallbackServerContext* context, const ExportTraceServiceRequest* request,
                                   ExportTraceServiceResponse* response) override {
    grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
    reactor->Finish(HandleExport(rx_, *context, request, response));
    return reactor;
  }

 private:
  OtlpReceiver* rx_;
  ArenaAllocator allocator_;
};

// The discarding receiver of load runs (--discard): every call is read as
// bytes and answered with an empty ExportTraceServiceResponse, so that the
// receiver's share of a shared machine is little more than its network reads.
class DiscardingTraceService final : public grpc::CallbackGenericService {
 public:
  explicit DiscardingTraceService(OtlpReceiver* rx) : rx_(rx) {}
  grpc::ServerGenericBidiReactor* CreateReactor(grpc::GenericCallbackServerContext* context) override {
    return new Reactor(rx_, context);
  }

 private:
  static constexpr const char* kExportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

  class Reactor final : public grpc::ServerGenericBidiReactor {
   public:
    Reactor(OtlpReceiver* rx, grpc::GenericCallbackServerContext* context) : rx_(rx), context_(context) {
      StartRead(&request_);
    }
    void OnReadDone(bool ok) override {
      if (!ok) {
        Finish(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "no request message"));
        return;
      }
      if (context_->method() != kExportMethod) {
        Finish(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, context_->method()));
        return;
      }
      ReceivedRequest info;
      info.protocol = "grpc";
      info.path = context_->method();
      info.body_bytes = request_.Length();
      rx_->Record(std::move(info), nullptr, true);
      grpc::Slice empty;
      response_ = grpc::ByteBuffer(&empty, 1);
      StartWriteAndFinish(&response_, grpc::WriteOptions(), grpc::Status::OK);
    }
    void OnDone() override { delete this; }

   private:
    OtlpReceiver* rx_;
    grpc::GenericCallbackServerContext* context_;
    grpc::ByteBuffer request_;
    grpc::ByteBuffer response_;
  };

  OtlpReceiver* rx_;
};

int BindLoopback(int port, int* bound_port) {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<uint16_t>(port));
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    ::close(fd);
    return -1;
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  *bound_port = ntohs(addr.sin_port);
  return fd;
}

bool SendAll(int fd, const std::string& data) {
  size_t sent = 0;
  while (sent < data.size()) {
    ssize_t n = ::send(fd, data.data() + sent, data.size() - sent, MSG_NOSIGNAL);
    if (n <= 0) return false;
    sent += static_cast<size_t>(n);
  }
  return true;
}

}  // namespace

struct OtlpReceiver::Impl {
  std::unique_ptr<grpc::Service> service;
  std::unique_ptr<grpc::CallbackGenericService> generic_service;  // --discard
  std::unique_ptr<grpc::Server> grpc_server;
  int http_fd = -1;
  std::atomic<bool> stopping{false};
  std::thread http_thread;
  std::mutex conn_mu;
  std::list<std::pair<int, std::thread>> connections;  // guarded by conn_mu
};

std::unique_ptr<OtlpReceiver> OtlpReceiver::Start(Options options) {
  std::unique_ptr<OtlpReceiver> rx(new OtlpReceiver());
  rx->keep_spans_ = options.keep_spans;
  rx->impl_ = std::make_unique<Impl>();
  Impl& impl = *rx->impl_;

  grpc::ServerBuilder builder;
  if (options.keep_spans) {
    impl.service = std::make_unique<TraceServiceImpl>(rx.get());
    builder.RegisterService(impl.service.get());
  } else if (options.decode) {
    impl.service = std::make_unique<CountingTraceService>(rx.get());
    builder.RegisterService(impl.service.get());
  } else {
    impl.generic_service = std::make_unique<DiscardingTraceService>(rx.get());
    builder.RegisterCallbackGenericService(impl.generic_service.get());
  }
  int grpc_port = 0;
  builder.AddListeningPort("127.0.0.1:" + std::to_string(options.grpc_port), grpc::InsecureServerCredentials(),
                           &grpc_port);
  impl.grpc_server = builder.BuildAndStart();
  if (impl.grpc_server == nullptr || grpc_port == 0) {
    throw std::runtime_error("otlp receiver: cannot listen for gRPC on port " + std::to_string(options.grpc_port));
  }
  rx->grpc_port_ = grpc_port;

  impl.http_fd = BindLoopback(options.http_port, &rx->http_port_);
  if (impl.http_fd < 0) {
    impl.grpc_server->Shutdown();
    throw std::runtime_error("otlp receiver: cannot listen for HTTP on port " + std::to_string(options.http_port));
  }
  OtlpReceiver* self = rx.get();
  impl.http_thread = std::thread([self] {
    Impl& im = *self->impl_;
    while (!im.stopping.load()) {
      pollfd p{im.http_fd, POLLIN, 0};
      if (::poll(&p, 1, 50) <= 0) continue;
      int conn = ::accept(im.http_fd, nullptr, nullptr);
      if (conn < 0) continue;
      std::lock_guard lock(im.conn_mu);
      im.connections.emplace_back(conn, std::thread([self, conn] {
        Impl& i = *self->impl_;
        std::string buf;
        char chunk[65536];
        while (!i.stopping.load()) {
          // Read one request: headers, then Content-Length bytes.
          size_t header_end;
          while ((header_end = buf.find("\r\n\r\n")) == std::string::npos) {
            ssize_t n = ::recv(conn, chunk, sizeof chunk, 0);
            if (n <= 0) return;
            buf.append(chunk, static_cast<size_t>(n));
          }
          std::string head = buf.substr(0, header_end);
          buf.erase(0, header_end + 4);
          ReceivedRequest req;
          req.protocol = "http";
          size_t line_end = head.find("\r\n");
          std::string request_line = head.substr(0, line_end);
          size_t sp1 = request_line.find(' ');
          size_t sp2 = request_line.find(' ', sp1 + 1);
          req.method = request_line.substr(0, sp1);
          req.path = request_line.substr(sp1 + 1, sp2 - sp1 - 1);
          size_t content_length = 0;
          size_t pos = line_end == std::string::npos ? head.size() : line_end + 2;
          while (pos < head.size()) {
            size_t e = head.find("\r\n", pos);
            if (e == std::string::npos) e = head.size();
            std::string line = head.substr(pos, e - pos);
            size_t colon = line.find(':');
            if (colon != std::string::npos) {
              std::string name = Lower(line.substr(0, colon));
              std::string value = line.substr(colon + 1);
              while (!value.empty() && value.front() == ' ') value.erase(0, 1);
              if (name == "content-length") content_length = std::stoul(value);
              req.headers.emplace(name, value);
            }
            pos = e + 2;
          }
          while (buf.size() < content_length) {
            ssize_t n = ::recv(conn, chunk, sizeof chunk, 0);
            if (n <= 0) return;
            buf.append(chunk, static_cast<size_t>(n));
          }
          std::string body = buf.substr(0, content_length);
          buf.erase(0, content_length);
          req.body_bytes = body.size();

          std::string status_line = "200 OK";
          std::string extra_headers;
          std::string response_body;
          std::string content_type = "application/x-protobuf";
          if (req.method == "GET" && req.path == "/dump") {
            response_body = self->DumpJson();
            content_type = "application/json";
          } else if (req.method == "POST" && req.path.rfind("/script", 0) == 0) {
            // /script?reply=unavailable&count=N&retry_after_ms=M&delay_ms=D
            Reply r;
            int count = 1;
            std::string q = req.path.find('?') == std::string::npos ? "" : req.path.substr(req.path.find('?') + 1);
            size_t s = 0;
            while (s < q.size()) {
              size_t amp = q.find('&', s);
              std::string kv = q.substr(s, amp == std::string::npos ? std::string::npos : amp - s);
              std::string k = kv.substr(0, kv.find('='));
              std::string v = kv.find('=') == std::string::npos ? "" : kv.substr(kv.find('=') + 1);
              if (k == "reply") {
                r.kind = v == "unavailable" ? Reply::kUnavailable
                         : v == "throttled" ? Reply::kThrottled
                         : v == "bad_request" ? Reply::kBadRequest
                         : v == "internal" ? Reply::kInternal
                         : v == "partial" ? Reply::kPartialSuccess
                                          : Reply::kOk;
              } else if (k == "count") {
                count = std::stoi(v);
              } else if (k == "retry_after_ms") {
                r.retry_after = std::chrono::milliseconds(std::stoll(v));
              } else if (k == "delay_ms") {
                r.delay = std::chrono::milliseconds(std::stoll(v));
              }
              if (amp == std::string::npos) break;
              s = amp + 1;
            }
            if (count < 0) {
              self->SetDefaultReply(r);
            } else {
              self->QueueReplies(r, count);
            }
            content_type = "application/json";
            response_body = "{}";
          } else if (req.method == "POST" && req.path == "/v1/traces") {
            Reply reply = self->NextReply();
            if (reply.delay.count() > 0) std::this_thread::sleep_for(reply.delay);
            req.replied = reply.kind;
            std::string decoded = body;
            auto enc = req.headers.find("content-encoding");
            if (enc != req.headers.end() && enc->second == "gzip") {
              auto inflated = aura::telemetry::otlp::Gunzip(body);
              decoded = inflated.value_or("");
            }
            auto ct = req.headers.find("content-type");
            bool is_protobuf = ct != req.headers.end() && ct->second == "application/x-protobuf";
            bool ok = reply.kind == Reply::kOk || reply.kind == Reply::kPartialSuccess;
            ExportTraceServiceRequest parsed;
            bool parsed_ok = is_protobuf && parsed.ParseFromString(decoded);
            self->Record(req, parsed_ok ? &parsed : nullptr, ok);
            switch (reply.kind) {
              case Reply::kOk:
                break;
              case Reply::kPartialSuccess:
                response_body = aura::telemetry::otlp::EncodePartialSuccessResponse(reply.rejected, "scripted rejection");
                break;
              case Reply::kUnavailable:
                status_line = "503 Service Unavailable";
                break;
              case Reply::kThrottled:
                status_line = "429 Too Many Requests";
                extra_headers = "Retry-After: " + std::to_string((reply.retry_after.count() + 999) / 1000) + "\r\n";
                break;
              case Reply::kBadRequest:
                status_line = "400 Bad Request";
                break;
              case Reply::kInternal:
                status_line = "500 Internal Server Error";
                break;
            }
          } else {
            status_line = "404 Not Found";
          }
          std::string response = "HTTP/1.1 " + status_line + "\r\nContent-Type: " + content_type +
                                 "\r\nContent-Length: " + std::to_string(response_body.size()) + "\r\n" +
                                 extra_headers + "\r\n" + response_body;
          if (!SendAll(conn, response)) return;
        }
      }));
    }
  });
  return rx;
}

OtlpReceiver::~OtlpReceiver() { Stop(); }

void OtlpReceiver::Stop() {
  if (impl_ == nullptr) return;
  Impl& impl = *impl_;
  if (impl.stopping.exchange(true)) return;
  impl.grpc_server->Shutdown(std::chrono::system_clock::now() + std::chrono::milliseconds(200));
  impl.grpc_server->Wait();
  if (impl.http_thread.joinable()) impl.http_thread.join();
  ::close(impl.http_fd);
  std::list<std::pair<int, std::thread>> conns;
  {
    std::lock_guard lock(impl.conn_mu);
    conns.swap(impl.connections);
  }
  for (auto& [fd, t] : conns) ::shutdown(fd, SHUT_RDWR);
  for (auto& [fd, t] : conns) {
    if (t.joinable()) t.join();
    ::close(fd);
  }
}

void OtlpReceiver::QueueReplies(Reply reply, int count) {
  std::lock_guard lock(mu_);
  for (int i = 0; i < count; ++i) queued_.push_back(reply);
}

void OtlpReceiver::SetDefaultReply(Reply reply) {
  std::lock_guard lock(mu_);
  default_reply_ = reply;
}

Reply OtlpReceiver::NextReply() {
  std::lock_guard lock(mu_);
  if (queued_.empty()) return default_reply_;
  Reply r = queued_.front();
  queued_.pop_front();
  return r;
}

void OtlpReceiver::Record(ReceivedRequest request, const ExportTraceServiceRequest* parsed, bool store_spans) {
  std::vector<ReceivedSpan> spans;
  size_t count = 0;
  if (store_spans && parsed != nullptr) {
    for (const auto& rs : parsed->resource_spans()) {
      if (!keep_spans_) {
        for (const auto& ss : rs.scope_spans()) count += static_cast<size_t>(ss.spans_size());
        continue;
      }
      std::map<std::string, std::string> resource;
      for (const auto& kv : rs.resource().attributes()) {
        if (kv.value().has_string_value()) resource[kv.key()] = kv.value().string_value();
      }
      for (const auto& ss : rs.scope_spans()) {
        for (const auto& sp : ss.spans()) {
          spans.push_back(ReceivedSpan{resource, ss.scope().name(), sp, request.protocol});
        }
      }
    }
  }
  std::lock_guard lock(mu_);
  ++request_count_;
  span_count_ += count + spans.size();
  if (keep_spans_) requests_.push_back(std::move(request));
  for (auto& s : spans) spans_.push_back(std::move(s));
  cv_.notify_all();
}

std::vector<ReceivedSpan> OtlpReceiver::Spans() const {
  std::lock_guard lock(mu_);
  return spans_;
}
size_t OtlpReceiver::SpanCount() const {
  std::lock_guard lock(mu_);
  return span_count_;
}
std::vector<ReceivedRequest> OtlpReceiver::Requests() const {
  std::lock_guard lock(mu_);
  return requests_;
}
size_t OtlpReceiver::RequestCount() const {
  std::lock_guard lock(mu_);
  return request_count_;
}
bool OtlpReceiver::WaitForSpans(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return span_count_ >= count; });
}
bool OtlpReceiver::WaitForRequests(size_t count, std::chrono::milliseconds timeout) const {
  std::unique_lock lock(mu_);
  return cv_.wait_for(lock, timeout, [&] { return request_count_ >= count; });
}

std::string OtlpReceiver::DumpJson() const {
  std::lock_guard lock(mu_);
  nlohmann::json out;
  out["request_count"] = request_count_;
  out["span_count"] = span_count_;
  out["spans"] = nlohmann::json::array();
  for (const ReceivedSpan& r : spans_) {
    const auto& s = r.span;
    nlohmann::json j;
    j["trace_id"] = Hex(s.trace_id());
    j["span_id"] = Hex(s.span_id());
    j["parent_span_id"] = Hex(s.parent_span_id());
    j["name"] = s.name();
    j["kind"] = static_cast<int>(s.kind());
    j["service"] = r.resource.count("service.name") ? r.resource.at("service.name") : "";
    j["scope"] = r.scope_name;
    j["start_time_unix_nano"] = s.start_time_unix_nano();
    j["end_time_unix_nano"] = s.end_time_unix_nano();
    nlohmann::json attrs = nlohmann::json::object();
    for (const auto& kv : s.attributes()) attrs[kv.key()] = AnyToJson(kv.value());
    j["attributes"] = attrs;
    j["status"] = {{"code", static_cast<int>(s.status().code())}, {"message", s.status().message()}};
    nlohmann::json events = nlohmann::json::array();
    for (const auto& e : s.events()) events.push_back({{"name", e.name()}});
    j["events"] = events;
    out["spans"].push_back(j);
  }
  return out.dump();
}

}  // namespace aura::fakes
