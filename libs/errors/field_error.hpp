// Errors that name the field at fault, for code that must not link gRPC or protobuf (the services'
// cores): INVALID_ARGUMENT "<field>: <reason>" with the violation carried inside the absl::Status,
// so the gRPC edge (grpcserver/status.hpp) can send it as jieshui.common.v1.ErrorDetail.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"

namespace jieshui::errors {

struct FieldViolation {
  std::string field;   // "readings[3].register_value", "page.page_token"
  std::string reason;  // why, for a person
};

// INVALID_ARGUMENT with message "<field>: <reason>" and the violation attached.
absl::Status InvalidArgument(std::string_view field, std::string_view reason);
// Adds one more field violation to a non-OK status (no-op on OK).
absl::Status WithFieldViolation(absl::Status status, std::string_view field,
                                std::string_view reason);
// Marks which 1-based row of a bulk request the violations belong to (no-op on OK).
absl::Status WithRow(absl::Status status, int64_t row);

// What the functions above attached, in the order they were added.
std::vector<FieldViolation> FieldViolationsOf(const absl::Status& status);

// The field a message names by the project's rule that every refusal starts with the field at
// fault: "period.month: must be 1-12" is {"period.month", "must be 1-12"}. A field is a path of
// snake_case names with optional [index]es ("schedule.bands[1].from_percent"). nullopt when the
// message does not start so.
std::optional<FieldViolation> FieldOfMessage(std::string_view message);
std::optional<int64_t> RowOf(const absl::Status& status);

}  // namespace jieshui::errors
