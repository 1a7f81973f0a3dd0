// How the simulator calls a service that may be restarting, as any real client must: an idempotent
// call that answers UNAVAILABLE (the service is down or not yet serving) is made again after a
// back-off that doubles from `first` up to `longest`, until `timeout` has passed. Every call it is
// used for is idempotent: it sets a value, reads one, or submits readings whose duplicates ingest
// recognises. `also_retry` adds a code (NOT_FOUND while a service has not yet read the registry's
// change).
#pragma once

#include <optional>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpcpp/support/status.h"

namespace jieshui::simulator {

struct RetryPolicy {
  absl::Duration timeout = absl::Minutes(2);
  absl::Duration first = absl::Milliseconds(100);
  absl::Duration longest = absl::Seconds(5);
  std::optional<grpc::StatusCode> also_retry;
};

// `call()` returns a grpc::Status; `sleep(d)` waits (absl::SleepFor outside tests).
template <typename Call, typename Sleep>
grpc::Status CallWithRetry(const RetryPolicy& policy, Call call, Sleep sleep) {
  const absl::Time deadline = absl::Now() + policy.timeout;
  absl::Duration wait = policy.first;
  while (true) {
    grpc::Status status = call();
    const bool retryable =
        status.error_code() == grpc::StatusCode::UNAVAILABLE ||
        (policy.also_retry.has_value() && status.error_code() == *policy.also_retry);
    if (!retryable || absl::Now() + wait > deadline) {
      return status;
    }
    sleep(wait);
    wait = std::min(wait * 2, policy.longest);
  }
}

template <typename Call>
grpc::Status CallWithRetry(const RetryPolicy& policy, Call call) {
  return CallWithRetry(policy, call, [](absl::Duration d) { absl::SleepFor(d); });
}

}  // namespace jieshui::simulator
