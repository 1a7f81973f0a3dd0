// Turning absl::Status into what a gRPC caller sees: the canonical code 1:1, a message naming the
// field and the reason, and jieshui.common.v1.ErrorDetail in the trailing metadata
// "jieshui-error-bin".
#pragma once

#include <optional>
#include <string_view>

#include "absl/status/status.h"
#include "grpcpp/client_context.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "jieshui/common/v1/errors.pb.h"

namespace jieshui::grpcserver {

// Trailing metadata key carrying a serialised jieshui.common.v1.ErrorDetail.
inline constexpr char kErrorDetailMetadataKey[] = "jieshui-error-bin";
// absl::Status payload URL under which field violations travel inside a service.
inline constexpr char kErrorDetailPayloadUrl[] =
    "type.googleapis.com/jieshui.common.v1.ErrorDetail";

// INVALID_ARGUMENT with message "<field>: <reason>" and the violation attached as a payload.
absl::Status InvalidArgument(std::string_view field, std::string_view reason);
// Adds one more field violation to a non-OK status (no-op on OK).
absl::Status WithFieldViolation(absl::Status status, std::string_view field,
                                std::string_view reason);
// Marks which 1-based row of a bulk request the violations belong to (no-op on OK).
absl::Status WithRow(absl::Status status, int64_t row);

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
