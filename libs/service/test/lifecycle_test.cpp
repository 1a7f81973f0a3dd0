#include "service/lifecycle.hpp"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::service {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

// Starts components "1".."n" recording into `events`; the one named `failing` fails.
absl::Status StartSteps(Lifecycle& lifecycle, int n, int failing,
                        std::vector<std::string>& events) {
  for (int i = 1; i <= n; ++i) {
    const std::string name = std::to_string(i);
    absl::Status s = lifecycle.Start(
        name,
        [&events, name, i, failing] {
          if (i == failing) {
            events.push_back("fail " + name);
            return absl::UnavailableError("kafka is down");
          }
          events.push_back("start " + name);
          return absl::OkStatus();
        },
        [&events, name] { events.push_back("stop " + name); });
    if (!s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

TEST(LifecycleTest, AStartThatFailsAtStepKStopsTheStepsBeforeItLatestFirst) {
  std::vector<std::string> events;
  Lifecycle lifecycle;
  absl::Status s = StartSteps(lifecycle, 5, 4, events);
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_THAT(std::string(s.message()), HasSubstr("start-up step 4: kafka is down"));
  EXPECT_THAT(events,
              ElementsAre("start 1", "start 2", "start 3", "fail 4", "stop 3", "stop 2", "stop 1"));
  EXPECT_THAT(lifecycle.running(), IsEmpty());
}

TEST(LifecycleTest, AFailedLifecycleStartsNothingMore) {
  std::vector<std::string> events;
  Lifecycle lifecycle;
  ASSERT_FALSE(StartSteps(lifecycle, 2, 1, events).ok());
  bool ran = false;
  absl::Status s = lifecycle.Start("late", [&ran] {
    ran = true;
    return absl::OkStatus();
  });
  EXPECT_EQ(s.code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_FALSE(ran);
}

TEST(LifecycleTest, StopRunsEveryStopInReverseStartOrderOnce) {
  std::vector<std::string> events;
  {
    Lifecycle lifecycle;
    ASSERT_TRUE(StartSteps(lifecycle, 3, 0, events).ok());
    lifecycle.Run(
        "thread", [&events] { events.push_back("start thread"); },
        [&events] { events.push_back("stop thread"); });
    EXPECT_THAT(lifecycle.running(), ElementsAre("1", "2", "3", "thread"));
    lifecycle.Stop();
    lifecycle.Stop();
  }  // the destructor stops nothing twice
  EXPECT_THAT(events, ElementsAre("start 1", "start 2", "start 3", "start thread", "stop thread",
                                  "stop 3", "stop 2", "stop 1"));
}

TEST(LifecycleTest, TheDestructorStopsWhatIsStillRunning) {
  std::vector<std::string> events;
  {
    Lifecycle lifecycle;
    ASSERT_TRUE(StartSteps(lifecycle, 2, 0, events).ok());
  }
  EXPECT_THAT(events, ElementsAre("start 1", "start 2", "stop 2", "stop 1"));
}

TEST(LifecycleTest, AStepWithoutAStopIsKeptButNothingRunsForIt) {
  std::vector<std::string> events;
  Lifecycle lifecycle;
  ASSERT_TRUE(lifecycle.Start("migrations", [] { return absl::OkStatus(); }).ok());
  ASSERT_TRUE(StartSteps(lifecycle, 1, 0, events).ok());
  EXPECT_THAT(lifecycle.running(), ElementsAre("migrations", "1"));
  lifecycle.Stop();
  EXPECT_THAT(events, ElementsAre("start 1", "stop 1"));
}

}  // namespace
}  // namespace jieshui::service
