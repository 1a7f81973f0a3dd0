#include "call.hpp"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"

namespace jieshui::tools {

std::string ApiKeyFromEnvironment() {
  const char* key = std::getenv("JIESHUI_API_KEY");  // NOLINT(concurrency-mt-unsafe): read once
  return key == nullptr ? std::string() : std::string(key);
}

absl::StatusOr<std::unique_ptr<grpc::ClientContext>> MakeCallContext(std::string_view api_key,
                                                                     std::chrono::seconds timeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!api_key.empty()) {
    for (const char c : api_key) {
      if (c < 0x21 || c > 0x7E) {
        return absl::InvalidArgumentError(
            "JIESHUI_API_KEY holds a space or a character that is not printable ASCII");
      }
    }
    context->AddMetadata("authorization", absl::StrCat("Bearer ", std::string(api_key)));
  }
  return context;
}

std::string DescribeCallFailure(const grpc::Status& status, std::string_view target) {
  // gRPC and absl share the canonical codes one to one.
  std::string message =
      absl::StrCat(absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())),
                   ": ", status.error_message(), " (target ", std::string(target), ")");
  if (status.error_code() == grpc::StatusCode::UNAUTHENTICATED) {
    absl::StrAppend(&message, "; is JIESHUI_API_KEY set to a valid key?");
  } else if (status.error_code() == grpc::StatusCode::PERMISSION_DENIED) {
    absl::StrAppend(&message,
                    "; the key's principal may not make this call (see the service's README)");
  }
  return message;
}

absl::StatusOr<std::string> ReadWholeFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    const int error = errno;
    const std::string message = absl::StrCat("cannot open ", path, ": ", std::strerror(error));
    return error == ENOENT ? absl::NotFoundError(message) : absl::InvalidArgumentError(message);
  }
  std::ostringstream content;
  content << in.rdbuf();
  if (in.bad()) {
    return absl::DataLossError(absl::StrCat("cannot read ", path));
  }
  return std::move(content).str();
}

}  // namespace jieshui::tools
