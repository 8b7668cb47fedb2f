#include "gateway/core_client/core_client.h"

#include <algorithm>
#include <charconv>

#include "common/status.h"
#include "telemetry/api/propagator.h"

namespace aura::gateway {

namespace {

grpc::ChannelArguments ChannelArgs(const CoreClientOptions& options) {
  grpc::ChannelArguments args;
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.min_reconnect_backoff.count()));
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.min_reconnect_backoff.count()));
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS,
              static_cast<int>(options.max_reconnect_backoff.count()));
  return args;
}

// Decodes grpc.health.v1.HealthCheckResponse: field 1 (status) as a varint.
// 0 UNKNOWN, 1 SERVING, 2 NOT_SERVING, 3 SERVICE_UNKNOWN.
int HealthStatusOf(const grpc::ByteBuffer& buffer) {
  std::vector<grpc::Slice> slices;
  if (!buffer.Dump(&slices).ok()) return 0;
  std::string bytes;
  for (const auto& s : slices) bytes.append(reinterpret_cast<const char*>(s.begin()), s.size());
  size_t i = 0;
  int status = 0;
  while (i < bytes.size()) {
    uint8_t tag = static_cast<uint8_t>(bytes[i++]);
    int wire = tag & 7;
    uint64_t value = 0;
    if (wire == 0) {
      int shift = 0;
      while (i < bytes.size() && shift < 64) {
        uint8_t b = static_cast<uint8_t>(bytes[i++]);
        value |= static_cast<uint64_t>(b & 0x7f) << shift;
        shift += 7;
        if ((b & 0x80) == 0) break;
      }
      if ((tag >> 3) == 1) status = static_cast<int>(value);
    } else {
      return status;  // unknown layout: stop at what we understood
    }
  }
  return status;
}

}  // namespace

CoreClient::CoreClient(CoreClientOptions options) : options_(std::move(options)) {
  // server.address / server.port of the client spans: "host:port" or "[v6]:port".
  std::string_view a = options_.address;
  if (auto scheme = a.find("://"); scheme != std::string_view::npos) a.remove_prefix(scheme + 3);
  size_t colon = a.rfind(':');
  if (colon != std::string_view::npos && a.find(']', colon) == std::string_view::npos) {
    std::string_view port = a.substr(colon + 1);
    std::from_chars(port.data(), port.data() + port.size(), server_port_);
    a = a.substr(0, colon);
  }
  if (a.size() >= 2 && a.front() == '[' && a.back() == ']') a = a.substr(1, a.size() - 2);
  server_host_ = std::string(a);
  if (options_.metrics != nullptr) {
    for (const char* m : {"Negotiate", "Search", "GetSystemStatus", "CheckDealStatus"}) {
      options_.metrics->ForMethod(m);
    }
  }
  channel_ = grpc::CreateCustomChannel(options_.address, grpc::InsecureChannelCredentials(),
                                       ChannelArgs(options_));
  stub_ = proto::NegotiationService::NewStub(channel_);
  generic_stub_ = std::make_unique<grpc::GenericStub>(channel_);
}

CoreClient::~CoreClient() { Shutdown(); }

void CoreClient::ApplyMetadata(grpc::ClientContext& context, const CallMetadata& metadata,
                               const telemetry::Context& trace) {
  if (!metadata.request_id.empty()) context.AddMetadata("x-request-id", metadata.request_id);
  telemetry::GrpcClientContextCarrier carrier(context);
  telemetry::InjectContext(carrier, trace);
}

bool CoreClient::Enter() {
  std::lock_guard lock(mu_);
  if (shut_down_) return false;
  ++in_flight_;
  return true;
}

void CoreClient::Leave() {
  std::lock_guard lock(mu_);
  --in_flight_;
  if (in_flight_ == 0) idle_cv_.notify_all();
}

template <typename Request, typename Response, typename Invoke>
void CoreClient::Call(const char* method, const Request& request, const CallMetadata& metadata,
                      Callback<Response> done, Invoke invoke) {
  struct State {
    grpc::ClientContext context;
    Request request;
    Response response;
    Callback<Response> done;
    telemetry::Context caller;  // where the callback runs
    telemetry::Span span;       // the CLIENT span of this call
    std::chrono::steady_clock::time_point start;
  };
  if (!Enter()) {
    done(grpc::Status(grpc::StatusCode::UNAVAILABLE, "gateway shutting down"), Response());
    return;
  }
  auto* state = new State{};
  state->request = request;
  state->done = std::move(done);
  state->caller = telemetry::Context::Current();
  state->start = std::chrono::steady_clock::now();
  static constexpr std::string_view kService = "aura.negotiation.v1.NegotiationService";
  thread_local std::string name;  // kept: the full name is past the short-string buffer
  name.assign(kService).append("/").append(method);
  state->span = tracer_.StartSpan(name, {.kind = telemetry::SpanKind::kClient});
  state->span.SetAttribute("rpc.system", "grpc")
      .SetAttribute("rpc.service", kService)
      .SetAttribute("rpc.method", method)
      .SetAttribute("server.address", server_host_);
  if (server_port_ > 0) state->span.SetAttribute("server.port", server_port_);
  state->context.set_deadline(std::chrono::system_clock::now() + options_.timeout);
  ApplyMetadata(state->context, metadata, state->caller.WithSpanContext(state->span.context()));
  {
    std::lock_guard lock(mu_);
    contexts_.push_back(&state->context);
  }
  invoke(&state->context, &state->request, &state->response,
         [this, state, method](grpc::Status status) {
    {
      std::lock_guard lock(mu_);
      contexts_.erase(std::find(contexts_.begin(), contexts_.end(), &state->context));
    }
    std::unique_ptr<State> owned(state);
    int code = static_cast<int>(status.error_code());
    owned->span.SetAttribute("rpc.grpc.status_code", code);
    if (!status.ok()) {
      owned->span.SetStatus(telemetry::StatusCode::kError, status.error_message());
      owned->span.SetAttribute(
          "error.type", common::StatusCodeName(static_cast<common::StatusCode>(code)));
    }
    owned->span.End();
    if (options_.metrics != nullptr) {
      options_.metrics->ForMethod(method).Record(
          code, std::chrono::duration<double>(std::chrono::steady_clock::now() - owned->start)
                    .count());
    }
    {
      telemetry::Scope scope(owned->caller);
      try {
        owned->done(status, std::move(owned->response));
      } catch (...) {
        // A route callback must not throw; nothing may escape into gRPC's thread.
      }
    }
    owned.reset();
    Leave();
  });
}

void CoreClient::Negotiate(const proto::NegotiateRequest& request, const CallMetadata& metadata,
                           Callback<proto::NegotiateResponse> done) {
  Call<proto::NegotiateRequest, proto::NegotiateResponse>(
      "Negotiate", request, metadata, std::move(done), [this](auto* ctx, auto* req, auto* resp, auto cb) {
        stub_->async()->Negotiate(ctx, req, resp, std::move(cb));
      });
}

void CoreClient::Search(const proto::SearchRequest& request, const CallMetadata& metadata,
                        Callback<proto::SearchResponse> done) {
  Call<proto::SearchRequest, proto::SearchResponse>(
      "Search", request, metadata, std::move(done), [this](auto* ctx, auto* req, auto* resp, auto cb) {
        stub_->async()->Search(ctx, req, resp, std::move(cb));
      });
}

void CoreClient::GetSystemStatus(const CallMetadata& metadata,
                                 Callback<proto::GetSystemStatusResponse> done) {
  Call<proto::GetSystemStatusRequest, proto::GetSystemStatusResponse>(
      "GetSystemStatus", proto::GetSystemStatusRequest(), metadata, std::move(done),
      [this](auto* ctx, auto* req, auto* resp, auto cb) {
        stub_->async()->GetSystemStatus(ctx, req, resp, std::move(cb));
      });
}

void CoreClient::CheckDealStatus(const proto::CheckDealStatusRequest& request,
                                 const CallMetadata& metadata,
                                 Callback<proto::CheckDealStatusResponse> done) {
  Call<proto::CheckDealStatusRequest, proto::CheckDealStatusResponse>(
      "CheckDealStatus", request, metadata, std::move(done), [this](auto* ctx, auto* req, auto* resp, auto cb) {
        stub_->async()->CheckDealStatus(ctx, req, resp, std::move(cb));
      });
}

void CoreClient::CheckHealth(std::function<void(const CoreHealth&)> done) {
  struct State {
    grpc::ClientContext context;
    grpc::ByteBuffer request;
    grpc::ByteBuffer response;
    std::function<void(const CoreHealth&)> done;
    std::chrono::steady_clock::time_point start;
  };
  if (!Enter()) {
    done(CoreHealth{.serving = false, .detail = "UNAVAILABLE: gateway shutting down"});
    return;
  }
  auto* state = new State{};
  state->done = std::move(done);
  state->start = std::chrono::steady_clock::now();
  // An empty HealthCheckRequest (service "") serialises to zero bytes.
  grpc::Slice empty("");
  state->request = grpc::ByteBuffer(&empty, 1);
  state->context.set_deadline(std::chrono::system_clock::now() + options_.health_timeout);
  {
    std::lock_guard lock(mu_);
    contexts_.push_back(&state->context);
  }
  generic_stub_->UnaryCall(
      &state->context, "/grpc.health.v1.Health/Check", grpc::StubOptions(), &state->request,
      &state->response, [this, state](grpc::Status status) {
        {
          std::lock_guard lock(mu_);
          contexts_.erase(std::find(contexts_.begin(), contexts_.end(), &state->context));
        }
        std::unique_ptr<State> owned(state);
        CoreHealth health;
        health.latency = std::chrono::duration_cast<std::chrono::microseconds>(
            std::chrono::steady_clock::now() - owned->start);
        if (status.ok()) {
          int s = HealthStatusOf(owned->response);
          health.serving = s == 1;
          static constexpr const char* kNames[] = {"UNKNOWN", "SERVING", "NOT_SERVING",
                                                   "SERVICE_UNKNOWN"};
          health.detail = (s >= 0 && s <= 3) ? kNames[s] : "UNKNOWN";
        } else {
          health.detail = std::string(common::StatusCodeName(
                              static_cast<common::StatusCode>(status.error_code()))) +
                          ": " + status.error_message();
        }
        try {
          owned->done(health);
        } catch (...) {
        }
        owned.reset();
        Leave();
      });
}

void CoreClient::Shutdown(std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  shut_down_ = true;
  for (auto* ctx : contexts_) ctx->TryCancel();
  idle_cv_.wait_for(lock, wait, [this] { return in_flight_ == 0; });
}

}  // namespace aura::gateway
