// District simulator: how the driver makes its gRPC calls: a channel per target, a context with a
// deadline and the caller's API key, a gRPC status turned into an absl::Status that names the
// call and the target, the retries of retry.hpp, and the pages of a list call.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "grpcpp/grpcpp.h"
#include "retry.hpp"

namespace jieshui::simulator {

inline constexpr auto kCallTimeout = std::chrono::seconds(60);

// A context carrying `api_key` (none when empty) and a deadline `timeout` from now.
inline std::unique_ptr<grpc::ClientContext> KeyContext(
    const std::string& api_key, std::chrono::seconds timeout = kCallTimeout) {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + timeout);
  if (!api_key.empty()) {
    context->AddMetadata("authorization", "Bearer " + api_key);
  }
  return context;
}

inline absl::Status FromGrpc(const grpc::Status& status, const std::string& what,
                             const std::string& target) {
  return {static_cast<absl::StatusCode>(status.error_code()),
          absl::StrCat(what, " (", target, "): ", status.error_message())};
}

inline std::shared_ptr<grpc::Channel> MakeChannel(const std::string& target) {
  return grpc::CreateChannel(target, grpc::InsecureChannelCredentials());
}

// Calls `call` until it does not return NOT_FOUND (a service that has not yet read the
// registry's change) or UNAVAILABLE (a service restarting), or the deadline passes.
template <typename Call>
grpc::Status RetryWhileNotFound(absl::Duration timeout, Call call) {
  return CallWithRetry({.timeout = timeout,
                        .first = absl::Milliseconds(200),
                        .longest = absl::Seconds(5),
                        .also_retry = grpc::StatusCode::NOT_FOUND},
                       call);
}

// Calls `call` again while its service is unavailable (retry.hpp), for up to `timeout`.
template <typename Call>
grpc::Status Retry(absl::Duration timeout, Call call) {
  return CallWithRetry({.timeout = timeout,
                        .first = absl::Milliseconds(100),
                        .longest = absl::Seconds(5),
                        .also_retry = std::nullopt},
                       call);
}

// Every page of a list call, each page's call made again while its service is unavailable:
// `call(page_token, response)` fills one page, `each(response)` takes it.
template <typename Response, typename Call, typename Each>
grpc::Status AllPages(absl::Duration timeout, Call call, Each each) {
  std::string token;
  do {
    Response response;
    grpc::Status s = Retry(timeout, [&] { return call(token, &response); });
    if (!s.ok()) {
      return s;
    }
    each(response);
    token = response.page().next_page_token();
  } while (!token.empty());
  return grpc::Status::OK;
}

}  // namespace jieshui::simulator
