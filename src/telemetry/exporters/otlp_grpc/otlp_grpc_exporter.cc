#include "telemetry/exporters/otlp_grpc/otlp_grpc_exporter.h"

#include <grpcpp/generic/generic_stub.h>
#include <grpcpp/grpcpp.h>

#include <fstream>
#include <mutex>
#include <sstream>

#include "common/grpc/generic_call.h"
#include "common/log/log.h"
#include "telemetry/exporters/otlp_common/otlp_encoder.h"
#include "telemetry/exporters/otlp_common/request_encoder.h"
#include "telemetry/sdk/resource.h"

namespace aura::telemetry::otlp {
namespace {

// The request goes out as the bytes RequestEncoder wrote, through gRPC's
// generic stub: the generated stub would take a protobuf message and measure
// and serialise it again.
const char* const kExportMethod = "/opentelemetry.proto.collector.trace.v1.TraceService/Export";

std::string ReadFile(const std::string& path) {
  if (path.empty()) return "";
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace

struct OtlpGrpcExporter::Impl {
  std::shared_ptr<grpc::Channel> channel;
  std::unique_ptr<grpc::GenericStub> stub;
  RequestEncoder encoder;  // used by the one Export call running at a time
  // The call in flight, for Shutdown to cancel.
  std::mutex mu;
  grpc::ClientContext* in_flight = nullptr;  // guarded by mu
};

std::string OtlpGrpcExporter::Target(std::string_view endpoint) {
  std::string_view rest = endpoint;
  size_t scheme = rest.find("://");
  if (scheme != std::string_view::npos) rest.remove_prefix(scheme + 3);
  size_t slash = rest.find('/');
  return std::string(rest.substr(0, slash));
}

bool OtlpGrpcExporter::IsRetryable(int code, bool has_retry_info) noexcept {
  switch (static_cast<grpc::StatusCode>(code)) {
    case grpc::StatusCode::CANCELLED:
    case grpc::StatusCode::DEADLINE_EXCEEDED:
    case grpc::StatusCode::ABORTED:
    case grpc::StatusCode::OUT_OF_RANGE:
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::DATA_LOSS:
      return true;
    case grpc::StatusCode::RESOURCE_EXHAUSTED:
      return has_retry_info;
    default:
      return false;
  }
}

OtlpGrpcExporter::OtlpGrpcExporter(OtlpExporterOptions options)
    : options_(std::move(options)), retry_(options_), impl_(std::make_unique<Impl>()) {
  std::shared_ptr<grpc::ChannelCredentials> creds;
  if (options_.use_tls) {
    grpc::SslCredentialsOptions ssl;
    ssl.pem_root_certs = ReadFile(options_.certificate_file);
    ssl.pem_private_key = ReadFile(options_.client_key_file);
    ssl.pem_cert_chain = ReadFile(options_.client_certificate_file);
    creds = grpc::SslCredentials(ssl);
  } else {
    creds = grpc::InsecureChannelCredentials();
  }
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(static_cast<int>(options_.max_response_bytes));
  args.SetMaxSendMessageSize(static_cast<int>(options_.max_request_bytes));
  args.SetUserAgentPrefix("OTel-OTLP-Exporter-Cpp/" + std::string(sdk::kSdkVersion));
  // Reconnect quickly after an outage: the default backoff grows to 2 minutes.
  args.SetInt(GRPC_ARG_MAX_RECONNECT_BACKOFF_MS, 2000);
  args.SetInt(GRPC_ARG_INITIAL_RECONNECT_BACKOFF_MS, 200);
  args.SetInt(GRPC_ARG_MIN_RECONNECT_BACKOFF_MS, 200);
  impl_->channel = grpc::CreateCustomChannel(Target(options_.endpoint), creds, args);
  impl_->stub = std::make_unique<grpc::GenericStub>(impl_->channel);
}

OtlpGrpcExporter::~OtlpGrpcExporter() { Shutdown(std::chrono::milliseconds(0)); }

sdk::ExportResult OtlpGrpcExporter::Export(std::span<const std::unique_ptr<sdk::SpanData>> spans) noexcept {
  if (shutdown_.load(std::memory_order_acquire)) return sdk::ExportResult::kFailure;
  if (spans.empty()) return sdk::ExportResult::kSuccess;
  auto fail = [&](const std::string& error) {
    if (options_.health) options_.health->SetLastError(error);
    return sdk::ExportResult::kFailure;
  };
  try {
    const std::string_view bytes = impl_->encoder.Encode(spans);
    if (bytes.size() > options_.max_request_bytes) return fail("export request above the 64 MiB limit");
    grpc::Slice slice(bytes.data(), bytes.size());
    const grpc::ByteBuffer request(&slice, 1);
    auto deadline = retry_.Deadline();
    for (int attempt = 0;; ++attempt) {
      grpc::ClientContext context;
      context.set_deadline(std::chrono::system_clock::now() +
                           std::chrono::duration_cast<std::chrono::system_clock::duration>(
                               deadline - RetryClock::Clock::now()));
      if (options_.gzip) context.set_compression_algorithm(GRPC_COMPRESS_GZIP);
      for (const auto& [k, v] : options_.headers) context.AddMetadata(k, v);
      grpc::ByteBuffer response;
      {
        // Registered before the flag is checked: Shutdown either sees the
        // call and cancels it or the call sees the flag.
        std::lock_guard lock(impl_->mu);
        if (shutdown_.load(std::memory_order_acquire)) return fail("exporter shut down");
        impl_->in_flight = &context;
      }
      grpc::Status status = common::GenericUnaryCall(*impl_->stub, &context, kExportMethod, request, &response);
      {
        std::lock_guard lock(impl_->mu);
        impl_->in_flight = nullptr;
      }
      if (status.ok()) {
        grpc::Slice body;
        if (!response.DumpToSingleSlice(&body).ok()) body = grpc::Slice();
        if (auto ps = ReadPartialSuccess(std::string_view(reinterpret_cast<const char*>(body.begin()), body.size()))) {
          if (options_.health) options_.health->RecordRejected(static_cast<uint64_t>(ps->rejected_spans));
          AURA_LOG_WARNING("telemetry.export_partial_success")
              .With("rejected_spans", ps->rejected_spans)
              .With("error", ps->error_message);
        }
        return sdk::ExportResult::kSuccess;
      }
      std::optional<std::chrono::milliseconds> retry_info = ReadRetryInfoDelay(status.error_details());
      int code = static_cast<int>(status.error_code());
      std::string error = options_.endpoint + ": gRPC " + std::to_string(code) + " " + status.error_message();
      if (!IsRetryable(code, retry_info.has_value()) || shutdown_.load(std::memory_order_acquire)) return fail(error);
      std::chrono::milliseconds wait = retry_info ? *retry_info : retry_.Backoff(attempt);
      if (!retry_.Sleep(wait, deadline)) return fail(error);
    }
  } catch (...) {
    return fail("unexpected exception while exporting");
  }
}

bool OtlpGrpcExporter::Shutdown(std::chrono::milliseconds) noexcept {
  shutdown_.store(true, std::memory_order_release);
  retry_.Interrupt();
  std::lock_guard lock(impl_->mu);
  if (impl_->in_flight != nullptr) impl_->in_flight->TryCancel();
  return true;
}

}  // namespace aura::telemetry::otlp
