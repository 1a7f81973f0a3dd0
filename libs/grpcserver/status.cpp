#include "grpcserver/status.hpp"

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace jieshui::grpcserver {
using jieshui::common::v1::ErrorDetail;

ErrorDetail ErrorDetailOf(const absl::Status& status) {
  ErrorDetail detail;
  std::vector<errors::FieldViolation> violations = errors::FieldViolationsOf(status);
  // A refusal made without errors::InvalidArgument still names its field first in its message
  // (the project's rule), so every INVALID_ARGUMENT carries its violation.
  if (violations.empty() && status.code() == absl::StatusCode::kInvalidArgument) {
    const absl::string_view message = status.message();
    if (std::optional<errors::FieldViolation> v =
            errors::FieldOfMessage(std::string_view(message.data(), message.size()))) {
      violations.push_back(*std::move(v));
    }
  }
  for (const errors::FieldViolation& v : violations) {
    auto* violation = detail.add_field_violations();
    violation->set_field(v.field);
    violation->set_reason(v.reason);
  }
  if (auto row = errors::RowOf(status); row.has_value()) {
    detail.set_row(*row);
  }
  detail.set_code(absl::StatusCodeToString(status.code()));
  detail.set_message(std::string(status.message()));
  return detail;
}

grpc::Status ToGrpcStatus(const absl::Status& status) {
  if (status.ok()) {
    return grpc::Status::OK;
  }
  // absl::StatusCode and grpc::StatusCode share the canonical numbering 0..16.
  int code = static_cast<int>(status.code());
  if (code < 0 || code > static_cast<int>(grpc::StatusCode::UNAUTHENTICATED)) {
    code = static_cast<int>(grpc::StatusCode::UNKNOWN);
  }
  return grpc::Status(static_cast<grpc::StatusCode>(code), std::string(status.message()));
}

grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* ctx) {
  grpc::Status result = ToGrpcStatus(status);
  if (!status.ok() && ctx != nullptr) {
    ctx->AddTrailingMetadata(kErrorDetailMetadataKey, ErrorDetailOf(status).SerializeAsString());
  }
  return result;
}

absl::Status FromGrpcStatus(const grpc::Status& status) {
  if (status.ok()) {
    return absl::OkStatus();
  }
  return absl::Status(static_cast<absl::StatusCode>(status.error_code()), status.error_message());
}

std::optional<ErrorDetail> ErrorDetailFromTrailers(const grpc::ClientContext& ctx) {
  const auto& trailers = ctx.GetServerTrailingMetadata();
  auto it = trailers.find(kErrorDetailMetadataKey);
  if (it == trailers.end()) {
    return std::nullopt;
  }
  ErrorDetail detail;
  if (!detail.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
    return std::nullopt;
  }
  return detail;
}

}  // namespace jieshui::grpcserver
