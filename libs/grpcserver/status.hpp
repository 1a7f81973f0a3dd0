// Turning absl::Status into what a gRPC caller sees: the canonical code 1:1, a message naming the
// field and the reason, and jieshui.common.v1.ErrorDetail in the trailing metadata
// "jieshui-error-bin".
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "errors/field_error.hpp"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "jieshui/common/v1/errors.pb.h"

namespace jieshui::grpcserver {

// Trailing metadata key carrying a serialised jieshui.common.v1.ErrorDetail.
inline constexpr char kErrorDetailMetadataKey[] = "jieshui-error-bin";
// Field violations travel inside a service as errors/field_error.hpp attaches them (no gRPC
// there, so cores can name the field at fault); here they become the ErrorDetail.
using errors::InvalidArgument;
using errors::WithFieldViolation;
using errors::WithRow;

// The ErrorDetail of a status: code name, message, and the violations/row attached above.
jieshui::common::v1::ErrorDetail ErrorDetailOf(const absl::Status& status);

// Canonical codes map 1:1; the message is kept. No metadata.
grpc::Status ToGrpcStatus(const absl::Status& status);
// Same, and for a non-OK status also puts ErrorDetailOf(status) into the call's trailing metadata
// under kErrorDetailMetadataKey. Call it once per call, as the handler's return value.
grpc::Status ToGrpcStatus(const absl::Status& status, grpc::ServerContextBase* ctx);

// The reverse direction, for clients and proxies.
absl::Status FromGrpcStatus(const grpc::Status& status);
// The ErrorDetail a server sent, if any (after the call finished).
std::optional<jieshui::common::v1::ErrorDetail> ErrorDetailFromTrailers(
    const grpc::ClientContext& ctx);

}  // namespace jieshui::grpcserver
