#include "gateway/error_mapping.h"

#include "gateway/json_writer.h"

namespace aura::gateway {

HttpError MapCoreError(const grpc::Status& status) {
  switch (status.error_code()) {
    case grpc::StatusCode::INVALID_ARGUMENT:
      return {422, status.error_message().empty() ? "Invalid argument" : status.error_message()};
    case grpc::StatusCode::UNAVAILABLE:
    case grpc::StatusCode::CANCELLED:
      return {503, "Core service unavailable"};
    case grpc::StatusCode::DEADLINE_EXCEEDED:
      return {504, "Core service timeout"};
    case grpc::StatusCode::UNIMPLEMENTED:
      return {501, status.error_message().empty() ? "Not implemented" : status.error_message()};
    default:
      return {500, "Core service error"};
  }
}

http::HttpResponse CoreErrorResponse(const grpc::Status& status) {
  HttpError e = MapCoreError(status);
  return http::HttpResponse::Error(e.status, e.detail);
}

HttpError MapGatewayStatus(const common::Status& status) {
  switch (status.code()) {
    case common::StatusCode::kUnauthenticated: return {401, status.message()};
    case common::StatusCode::kInvalidArgument: return {400, status.message()};
    case common::StatusCode::kResourceExhausted: return {429, status.message()};
    case common::StatusCode::kUnavailable: return {503, status.message()};
    case common::StatusCode::kDeadlineExceeded: return {504, status.message()};
    default: return {500, "Internal Server Error"};
  }
}

http::HttpResponse GatewayErrorResponse(const common::Status& status) {
  HttpError e = MapGatewayStatus(status);
  return http::HttpResponse::Error(e.status, e.detail);
}

http::HttpResponse ValidationErrorResponse(const std::vector<FieldError>& errors) {
  JsonWriter w;
  w.BeginObject().Key("detail").BeginArray();
  for (const auto& e : errors) {
    w.BeginObject().Key("loc").BeginArray();
    for (const auto& part : e.loc) w.String(part);
    w.EndArray().Key("msg").String(e.msg).Key("type").String(e.type).EndObject();
  }
  w.EndArray().EndObject();
  return http::HttpResponse::Json(422, std::move(w).Take());
}

}  // namespace aura::gateway
