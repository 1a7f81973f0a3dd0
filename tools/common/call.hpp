// What every operator tool does around a gRPC call: the call context carrying the API key, the
// text a failed call prints, and reading an input file whole.
#pragma once

#include <chrono>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "grpcpp/grpcpp.h"

namespace jieshui::tools {

// The API key the tools send, from JIESHUI_API_KEY; empty when unset.
std::string ApiKeyFromEnvironment();

// A call context with a deadline `timeout` from now and, when `api_key` is not empty,
// "authorization: Bearer <api_key>". INVALID_ARGUMENT when the key holds a space or a character
// that is not printable ASCII (it could not be sent as a header value).
absl::StatusOr<std::unique_ptr<grpc::ClientContext>> MakeCallContext(std::string_view api_key,
                                                                     std::chrono::seconds timeout);

// "UNAUTHENTICATED: missing API key (target 127.0.0.1:50051); is JIESHUI_API_KEY set to a valid
// key?": the canonical code, the server's message, the target and, for refusals, what to check.
std::string DescribeCallFailure(const grpc::Status& status, std::string_view target);

// The whole content of the file at `path`; NOT_FOUND / INVALID_ARGUMENT "cannot open <path>:
// <reason>" otherwise.
absl::StatusOr<std::string> ReadWholeFile(const std::string& path);

}  // namespace jieshui::tools
