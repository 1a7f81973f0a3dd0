#include "grpcserver/status.hpp"

#include <string>

#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"

namespace jieshui::grpcserver {
namespace {

// Debian's abseil is built with its own absl::string_view, not std::string_view.
absl::string_view Av(std::string_view s) { return absl::string_view(s.data(), s.size()); }

using jieshui::common::v1::ErrorDetail;

std::optional<ErrorDetail> PayloadDetail(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kErrorDetailPayloadUrl);
  if (!payload.has_value()) {
    return std::nullopt;
  }
  ErrorDetail detail;
  if (!detail.ParseFromString(std::string(*payload))) {
    return std::nullopt;
  }
  return detail;
}

absl::Status WithDetail(absl::Status status, const ErrorDetail& detail) {
  status.SetPayload(kErrorDetailPayloadUrl, absl::Cord(detail.SerializeAsString()));
  return status;
}

}  // namespace

absl::Status InvalidArgument(std::string_view field, std::string_view reason) {
  return WithFieldViolation(absl::InvalidArgumentError(absl::StrCat(Av(field), ": ", Av(reason))),
                            field, reason);
}

absl::Status WithFieldViolation(absl::Status status, std::string_view field,
                                std::string_view reason) {
  if (status.ok()) {
    return status;
  }
  ErrorDetail detail = PayloadDetail(status).value_or(ErrorDetail());
  auto* violation = detail.add_field_violations();
  violation->set_field(std::string(field));
  violation->set_reason(std::string(reason));
  return WithDetail(std::move(status), detail);
}

absl::Status WithRow(absl::Status status, int64_t row) {
  if (status.ok()) {
    return status;
  }
  ErrorDetail detail = PayloadDetail(status).value_or(ErrorDetail());
  detail.set_row(row);
  return WithDetail(std::move(status), detail);
}

ErrorDetail ErrorDetailOf(const absl::Status& status) {
  ErrorDetail detail = PayloadDetail(status).value_or(ErrorDetail());
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
