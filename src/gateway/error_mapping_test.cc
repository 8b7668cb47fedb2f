#include "gateway/error_mapping.h"

#include <gtest/gtest.h>

namespace aura::gateway {
namespace {

TEST(MapCoreError, MapsEachGrpcCodeToItsHttpStatus) {
  EXPECT_EQ(MapCoreError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bid")).status, 422);
  EXPECT_EQ(MapCoreError(grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "bid")).detail, "bid");
  EXPECT_EQ(MapCoreError(grpc::Status(grpc::StatusCode::UNAVAILABLE, "")).status, 503);
  EXPECT_EQ(MapCoreError(grpc::Status(grpc::StatusCode::DEADLINE_EXCEEDED, "")).status, 504);
  EXPECT_EQ(MapCoreError(grpc::Status(grpc::StatusCode::UNIMPLEMENTED, "")).status, 501);
  auto internal = MapCoreError(grpc::Status(grpc::StatusCode::INTERNAL, "secret detail"));
  EXPECT_EQ(internal.status, 500);
  EXPECT_EQ(internal.detail, "Core service error");
}

TEST(MapGatewayStatus, MapsAuthAndParseFailures) {
  EXPECT_EQ(MapGatewayStatus(common::UnauthenticatedError("Invalid signature")).status, 401);
  EXPECT_EQ(MapGatewayStatus(common::InvalidArgumentError("bad json")).status, 400);
}

TEST(ValidationErrorResponse, WritesFastApisShape) {
  auto res = ValidationErrorResponse({{{"body", "bid_amount"}, "Field required", "missing"}});
  EXPECT_EQ(res.status, 422);
  EXPECT_EQ(res.body,
            R"({"detail":[{"loc":["body","bid_amount"],"msg":"Field required","type":"missing"}]})");
}

}  // namespace
}  // namespace aura::gateway
