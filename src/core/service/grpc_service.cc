#include "core/service/grpc_service.h"

#include <chrono>
#include <exception>
#include <memory>
#include <string_view>
#include <utility>

#include "common/log/log.h"
#include "telemetry/api/context.h"
#include "telemetry/api/propagator.h"
#include "telemetry/api/tracer.h"

namespace aura::core {
namespace {

namespace v1 = aura::negotiation::v1;
constexpr char kNegotiationServiceFullName[] = "aura.negotiation.v1.NegotiationService";
using Steady = std::chrono::steady_clock;

std::string ToString(grpc::string_ref ref) { return std::string(ref.data(), ref.size()); }

// The one info line of a call.
void LogCall(std::string_view method, const grpc::Status& status, Steady::time_point start,
             const char* outcome = nullptr, bool replayed = false) {
  const double ms =
      std::chrono::duration<double, std::milli>(Steady::now() - start).count();
  auto code = static_cast<common::StatusCode>(status.error_code());
  common::LogLine line(common::LogLevel::kInfo, "grpc.request");
  line.With("rpc.method", method).With("rpc.grpc.status_code", common::StatusCodeName(code));
  line.With("duration_ms", ms);
  if (outcome != nullptr) line.With("aura.outcome", outcome).With("aura.replayed", replayed);
  if (!status.ok()) line.With("error", status.error_message());
}

const telemetry::Tracer& ServerTracer() {
  static const telemetry::Tracer tracer("aura.core.grpc");
  return tracer;
}

// Codes that mean the server failed (OTEL_CONFORMANCE §7): only these mark
// the SERVER span as an error; the rest are the caller's problem.
bool IsServerError(grpc::StatusCode code) {
  switch (code) {
    case grpc::StatusCode::UNKNOWN:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::UNIMPLEMENTED:
    case grpc::StatusCode::INTERNAL:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    default:
      return false;
  }
}

// The SERVER span of one call, continuing the caller's traceparent.
telemetry::Span StartServerSpan(const grpc::ServerContextBase& context, const char* method) {
  telemetry::HeaderMapCarrier carrier(context.client_metadata());
  telemetry::Context parent = telemetry::ExtractContext(carrier);
  thread_local std::string name;  // kept: the full name is past the short-string buffer
  name.assign(kNegotiationServiceFullName).append("/").append(method);
  telemetry::Span span = ServerTracer().StartSpan(
      name, {.kind = telemetry::SpanKind::kServer, .parent = &parent.span_context,
             .new_root = !parent.span_context.IsValid()});
  span.SetAttribute("rpc.system", "grpc")
      .SetAttribute("rpc.service", kNegotiationServiceFullName)
      .SetAttribute("rpc.method", method);
  return span;
}

void FinishServerSpan(telemetry::Span& span, const grpc::Status& status) {
  span.SetAttribute("rpc.grpc.status_code", static_cast<int64_t>(status.error_code()));
  if (IsServerError(status.error_code())) {
    span.SetAttribute("error.type", common::StatusCodeName(
                                        static_cast<common::StatusCode>(status.error_code())));
    span.SetStatus(telemetry::StatusCode::kError, status.error_message());
  }
  span.End();
}

double SecondsSince(Steady::time_point start) {
  return std::chrono::duration<double>(Steady::now() - start).count();
}

}  // namespace

RequestMetadata ReadRequestMetadata(const grpc::ServerContextBase& context) {
  RequestMetadata md;
  const auto& metadata = context.client_metadata();
  if (auto it = metadata.find("x-request-id"); it != metadata.end()) md.request_id = ToString(it->second);
  return md;
}

grpc::Status ToGrpcStatus(const common::Status& status) {
  if (status.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(status.code()), status.message());
}

void FillNegotiateResponse(const storage::NegotiationRecord& record,
                           v1::NegotiateResponse& response) {
  response.set_session_token(record.session_token);
  response.set_valid_until_timestamp(record.valid_until);
  switch (record.outcome) {
    case storage::Outcome::kAccepted: {
      auto* accepted = response.mutable_accepted();
      accepted->set_final_price(record.price);
      accepted->set_reservation_code(record.reservation_code);
      break;
    }
    case storage::Outcome::kCountered: {
      auto* countered = response.mutable_countered();
      countered->set_proposed_price(record.price);
      countered->set_reason_code(record.reason_code);
      countered->set_human_message(record.message);
      break;
    }
    case storage::Outcome::kRejected:
      response.mutable_rejected()->set_reason_code(record.reason_code);
      break;
    case storage::Outcome::kUiRequired: {
      auto* ui = response.mutable_ui_required();
      ui->set_template_id(record.ui_template);
      for (const auto& [k, v] : record.ui_context) (*ui->mutable_context_data())[k] = v;
      break;
    }
  }
}

GrpcNegotiationService::GrpcNegotiationService(NegotiationService& service, WorkerPool& pool,
                                               common::GrpcMetrics* metrics)
    : service_(service), pool_(pool), metrics_(metrics) {
  if (metrics_ != nullptr) {
    for (const char* m : {"Negotiate", "Search", "GetSystemStatus", "CheckDealStatus"}) {
      metrics_->ForMethod(m);  // label method="Negotiate", as the gateway's client side
    }
  }
}

common::GrpcMetrics::Method* GrpcNegotiationService::MetricsFor(const char* method) noexcept {
  if (metrics_ == nullptr) return nullptr;
  try {
    return &metrics_->ForMethod(method);
  } catch (...) {
    return nullptr;
  }
}

template <typename Work>
grpc::ServerUnaryReactor* GrpcNegotiationService::Offload(grpc::CallbackServerContext* context,
                                                          const char* method,
                                                          std::string log_request_id, Work work) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const Steady::time_point start = Steady::now();
  common::GrpcMetrics::Method* metrics = MetricsFor(method);
  // The span travels with the call onto the worker (std::function needs a
  // copyable task, hence the shared_ptr).
  auto span = std::make_shared<telemetry::Span>(StartServerSpan(*context, method));
  // The worker owns finishing the call from here on; gRPC keeps `context`,
  // the request and the response alive until Finish.
  auto task = [reactor, context, method, start, log_request_id, span, metrics,
               work = std::move(work)]() mutable {
    common::ScopedRequestId rid(log_request_id);
    telemetry::Scope scope(*span);
    CallResult result;
    try {
      if (context->IsCancelled()) {
        result.status = grpc::Status(grpc::StatusCode::CANCELLED, "call cancelled while queued");
      } else if (context->deadline() <= std::chrono::system_clock::now()) {
        result.status =
            grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "deadline passed while queued");
      } else {
        result = work();
      }
    } catch (const std::exception& e) {
      result.status =
          grpc::Status(grpc::StatusCode::INTERNAL, std::string("internal error: ") + e.what());
    }
    LogCall(method, result.status, start, result.outcome, result.replayed);
    if (metrics != nullptr) metrics->Record(result.status.error_code(), SecondsSince(start));
    FinishServerSpan(*span, result.status);
    reactor->Finish(result.status);
  };
  if (!pool_.Submit(std::move(task))) {
    common::ScopedRequestId rid(log_request_id);
    telemetry::Scope scope(*span);
    grpc::Status busy(grpc::StatusCode::RESOURCE_EXHAUSTED, "core is busy, retry later");
    LogCall(method, busy, start);
    if (metrics != nullptr) metrics->Record(busy.error_code(), SecondsSince(start));
    FinishServerSpan(*span, busy);
    reactor->Finish(busy);
  }
  return reactor;
}

grpc::ServerUnaryReactor* GrpcNegotiationService::Negotiate(grpc::CallbackServerContext* context,
                                                            const v1::NegotiateRequest* request,
                                                            v1::NegotiateResponse* response) {
  RequestMetadata md = ReadRequestMetadata(*context);
  NegotiateInput input{
      .request_id = request->request_id(),
      .item_id = request->item_id(),
      .bid_amount = request->bid_amount(),
      .currency = request->currency_code(),
      .agent_did = request->agent().did(),
      .reputation_score = request->agent().reputation_score(),
  };
  std::string log_id = md.request_id.empty() ? input.request_id : md.request_id;
  return Offload(context, "Negotiate", std::move(log_id),
                 [this, response, input = std::move(input)]() mutable {
                   CallResult result;
                   const telemetry::Context current = telemetry::Context::Current();
                   if (current.span_context.IsValid()) {
                     input.trace_id = current.span_context.trace_id.ToHex();
                   }
                   common::Result<NegotiateOutput> out = service_.Negotiate(input);
                   if (out.ok()) {
                     FillNegotiateResponse(out->record, *response);
                     result.outcome = storage::OutcomeName(out->record.outcome);
                     result.replayed = out->replayed;
                   } else {
                     result.status = ToGrpcStatus(out.status());
                   }
                   return result;
                 });
}

grpc::ServerUnaryReactor* GrpcNegotiationService::Search(grpc::CallbackServerContext* context,
                                                         const v1::SearchRequest* request,
                                                         v1::SearchResponse* response) {
  SearchQuery query{.query = request->query(),
                    .limit = request->limit(),
                    .min_similarity = request->min_similarity()};
  return Offload(context, "Search", ReadRequestMetadata(*context).request_id,
                 [this, response, query = std::move(query)]() {
                   CallResult result;
                   common::Result<std::vector<SearchHit>> hits = service_.Search(query);
                   if (!hits.ok()) {
                     result.status = ToGrpcStatus(hits.status());
                     return result;
                   }
                   for (const SearchHit& hit : *hits) {
                     v1::SearchResultItem* item = response->add_results();
                     item->set_item_id(hit.item_id);
                     item->set_name(hit.name);
                     item->set_base_price(hit.base_price);
                     item->set_similarity_score(hit.similarity_score);
                     item->set_description_snippet(hit.description_snippet);
                   }
                   return result;
                 });
}

grpc::ServerUnaryReactor* GrpcNegotiationService::GetSystemStatus(
    grpc::CallbackServerContext* context, const v1::GetSystemStatusRequest* /*request*/,
    v1::GetSystemStatusResponse* response) {
  return Offload(context, "GetSystemStatus", ReadRequestMetadata(*context).request_id,
                 [this, response]() {
                   SystemStatus s = service_.GetSystemStatus();
                   response->set_status(s.status);
                   response->set_cpu_usage_percent(s.cpu_usage_percent);
                   response->set_memory_usage_mb(s.memory_usage_mb);
                   response->set_timestamp(s.timestamp);
                   response->set_cached(s.cached);
                   return CallResult{};
                 });
}

grpc::ServerUnaryReactor* GrpcNegotiationService::CheckDealStatus(
    grpc::CallbackServerContext* context, const v1::CheckDealStatusRequest* request,
    v1::CheckDealStatusResponse* /*response*/) {
  grpc::ServerUnaryReactor* reactor = context->DefaultReactor();
  const Steady::time_point start = Steady::now();
  common::ScopedRequestId rid(ReadRequestMetadata(*context).request_id);
  telemetry::Span span = StartServerSpan(*context, "CheckDealStatus");
  grpc::Status status;
  {
    telemetry::Scope scope(span);
    status = ToGrpcStatus(service_.CheckDealStatus(request->deal_id()));
    LogCall("CheckDealStatus", status, start);
  }
  if (auto* metrics = MetricsFor("CheckDealStatus")) {
    metrics->Record(status.error_code(), SecondsSince(start));
  }
  FinishServerSpan(span, status);
  reactor->Finish(status);
  return reactor;
}

}  // namespace aura::core
