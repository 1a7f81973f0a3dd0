// The simulator's retry of idempotent calls (retry.hpp): UNAVAILABLE is called again with a
// doubling back-off until the service answers or the time is up; other errors are final.
#include "retry.hpp"

#include <gtest/gtest.h>

#include <vector>

namespace jieshui::simulator {
namespace {

TEST(CallWithRetry, CallsAgainWhileUnavailableWithADoublingBackOff) {
  int calls = 0;
  std::vector<absl::Duration> waits;
  const grpc::Status s = CallWithRetry(
      {.timeout = absl::Minutes(1),
       .first = absl::Milliseconds(100),
       .longest = absl::Milliseconds(300),
       .also_retry = std::nullopt},
      [&] {
        ++calls;
        return calls <= 4 ? grpc::Status(grpc::StatusCode::UNAVAILABLE, "restarting")
                          : grpc::Status::OK;
      },
      [&](absl::Duration d) { waits.push_back(d); });
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(calls, 5);
  EXPECT_EQ(waits, (std::vector<absl::Duration>{absl::Milliseconds(100), absl::Milliseconds(200),
                                                absl::Milliseconds(300), absl::Milliseconds(300)}));
}

TEST(CallWithRetry, OtherErrorsAreFinalAndNotFoundOnlyWhenAsked) {
  int calls = 0;
  auto not_found = [&] {
    ++calls;
    return grpc::Status(grpc::StatusCode::NOT_FOUND, "no such enterprise");
  };
  auto no_wait = [](absl::Duration) {};
  RetryPolicy policy{.timeout = absl::Minutes(1),
                     .first = absl::Milliseconds(1),
                     .longest = absl::Milliseconds(1),
                     .also_retry = std::nullopt};
  EXPECT_EQ(CallWithRetry(policy, not_found, no_wait).error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(calls, 1);
  calls = 0;
  auto invalid = [&] {
    ++calls;
    return grpc::Status(grpc::StatusCode::INVALID_ARGUMENT, "year: must be 2000-2100");
  };
  EXPECT_EQ(CallWithRetry(policy, invalid, no_wait).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(calls, 1);
  policy.also_retry = grpc::StatusCode::NOT_FOUND;
  calls = 0;
  auto found_third_time = [&] {
    ++calls;
    return calls < 3 ? grpc::Status(grpc::StatusCode::NOT_FOUND, "") : grpc::Status::OK;
  };
  EXPECT_TRUE(CallWithRetry(policy, found_third_time, no_wait).ok());
  EXPECT_EQ(calls, 3);
}

TEST(CallWithRetry, GivesUpWithTheLastAnswerWhenTheTimeIsUp) {
  int calls = 0;
  const grpc::Status s = CallWithRetry(
      {.timeout = absl::ZeroDuration(),
       .first = absl::Milliseconds(100),
       .longest = absl::Seconds(1),
       .also_retry = std::nullopt},
      [&] {
        ++calls;
        return grpc::Status(grpc::StatusCode::UNAVAILABLE, "down");
      },
      [](absl::Duration) {});
  EXPECT_EQ(s.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_EQ(calls, 1);
}

}  // namespace
}  // namespace jieshui::simulator
