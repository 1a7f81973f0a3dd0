#include "grpcserver/status.hpp"

#include "grpcserver/interceptors.hpp"
#include "gtest/gtest.h"

namespace jieshui::grpcserver {
namespace {

TEST(ToGrpcStatusTest, CanonicalCodesMapOneToOne) {
  const std::pair<absl::StatusCode, grpc::StatusCode> cases[] = {
      {absl::StatusCode::kCancelled, grpc::StatusCode::CANCELLED},
      {absl::StatusCode::kUnknown, grpc::StatusCode::UNKNOWN},
      {absl::StatusCode::kInvalidArgument, grpc::StatusCode::INVALID_ARGUMENT},
      {absl::StatusCode::kDeadlineExceeded, grpc::StatusCode::DEADLINE_EXCEEDED},
      {absl::StatusCode::kNotFound, grpc::StatusCode::NOT_FOUND},
      {absl::StatusCode::kAlreadyExists, grpc::StatusCode::ALREADY_EXISTS},
      {absl::StatusCode::kPermissionDenied, grpc::StatusCode::PERMISSION_DENIED},
      {absl::StatusCode::kResourceExhausted, grpc::StatusCode::RESOURCE_EXHAUSTED},
      {absl::StatusCode::kFailedPrecondition, grpc::StatusCode::FAILED_PRECONDITION},
      {absl::StatusCode::kAborted, grpc::StatusCode::ABORTED},
      {absl::StatusCode::kOutOfRange, grpc::StatusCode::OUT_OF_RANGE},
      {absl::StatusCode::kUnimplemented, grpc::StatusCode::UNIMPLEMENTED},
      {absl::StatusCode::kInternal, grpc::StatusCode::INTERNAL},
      {absl::StatusCode::kUnavailable, grpc::StatusCode::UNAVAILABLE},
      {absl::StatusCode::kDataLoss, grpc::StatusCode::DATA_LOSS},
      {absl::StatusCode::kUnauthenticated, grpc::StatusCode::UNAUTHENTICATED},
  };
  for (const auto& [absl_code, grpc_code] : cases) {
    grpc::Status status = ToGrpcStatus(absl::Status(absl_code, "why"));
    EXPECT_EQ(status.error_code(), grpc_code) << absl::StatusCodeToString(absl_code);
    EXPECT_EQ(status.error_message(), "why");
    EXPECT_EQ(FromGrpcStatus(status).code(), absl_code);
  }
  EXPECT_TRUE(ToGrpcStatus(absl::OkStatus()).ok());
  EXPECT_EQ(ToGrpcStatus(absl::Status(static_cast<absl::StatusCode>(99), "odd")).error_code(),
            grpc::StatusCode::UNKNOWN);
}

TEST(InvalidArgumentTest, MessageNamesFieldAndDetailCarriesViolation) {
  absl::Status status = InvalidArgument("enterprise.uscc", "check character expected 9, got B");
  EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(status.message(), "enterprise.uscc: check character expected 9, got B");

  status = WithRow(WithFieldViolation(status, "enterprise.name", "must not be empty"), 4);
  auto detail = ErrorDetailOf(status);
  EXPECT_EQ(detail.code(), "INVALID_ARGUMENT");
  EXPECT_EQ(detail.message(), "enterprise.uscc: check character expected 9, got B");
  ASSERT_EQ(detail.field_violations_size(), 2);
  EXPECT_EQ(detail.field_violations(0).field(), "enterprise.uscc");
  EXPECT_EQ(detail.field_violations(0).reason(), "check character expected 9, got B");
  EXPECT_EQ(detail.field_violations(1).field(), "enterprise.name");
  EXPECT_EQ(detail.row(), 4);

  EXPECT_TRUE(WithFieldViolation(absl::OkStatus(), "f", "r").ok());
}

TEST(ErrorDetailOfTest, PlainStatusesStillCarryCodeAndMessage) {
  auto detail = ErrorDetailOf(absl::NotFoundError("enterprise 913205 not found"));
  EXPECT_EQ(detail.code(), "NOT_FOUND");
  EXPECT_EQ(detail.message(), "enterprise 913205 not found");
  EXPECT_EQ(detail.field_violations_size(), 0);
}

TEST(IsAuthExemptMethodTest, OnlyHealthAndReflection) {
  EXPECT_TRUE(IsAuthExemptMethod("/grpc.health.v1.Health/Check"));
  EXPECT_TRUE(IsAuthExemptMethod("/grpc.health.v1.Health/Watch"));
  EXPECT_TRUE(IsAuthExemptMethod("/grpc.reflection.v1alpha.ServerReflection/ServerReflectionInfo"));
  EXPECT_TRUE(IsAuthExemptMethod("/grpc.reflection.v1.ServerReflection/ServerReflectionInfo"));
  EXPECT_FALSE(IsAuthExemptMethod("/jieshui.registry.v1.RegistryService/GetEnterprise"));
  EXPECT_FALSE(IsAuthExemptMethod("/grpc.health.v1.HealthX/Check"));
  EXPECT_FALSE(IsAuthExemptMethod(""));
}

}  // namespace
}  // namespace jieshui::grpcserver
