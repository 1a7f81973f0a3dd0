#include "config/reader.hpp"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr char kYaml[] = R"yaml(
quota:
  max_batch: 2000
  cache_ttl: 24h
  poll: 250ms
  enabled: yes
  group: quota-usage
  period: month
  thresholds: ["80", "100"]
)yaml";

ConfigLoader MustLoad(const EnvMap& env = {}) {
  auto loaded = ConfigLoader::FromYamlString("quota", kYaml, env);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *std::move(loaded);
}

enum class Period { kMonth, kYear };

TEST(ReaderTest, ReadsEveryKindOfKeyIntoItsField) {
  const ConfigLoader config = MustLoad();
  int max_batch = 0;
  absl::Duration ttl;
  int64_t poll_ms = 0;
  bool enabled = false;
  std::string group;
  Period period = Period::kYear;
  std::vector<std::string> thresholds;
  Reader r(config);
  r.Int("quota.max_batch", 1, 100000, &max_batch)
      .Duration("quota.cache_ttl", &ttl, absl::Seconds(1))
      .Millis("quota.poll", &poll_ms)
      .Bool("quota.enabled", &enabled)
      .String("quota.group", &group)
      .Enum("quota.period", {{"month", Period::kMonth}, {"year", Period::kYear}}, &period)
      .List("quota.thresholds", &thresholds);
  ASSERT_TRUE(r.ok()) << r.status();
  EXPECT_EQ(max_batch, 2000);
  EXPECT_EQ(ttl, absl::Hours(24));
  EXPECT_EQ(poll_ms, 250);
  EXPECT_TRUE(enabled);
  EXPECT_EQ(group, "quota-usage");
  EXPECT_EQ(period, Period::kMonth);
  EXPECT_THAT(thresholds, ElementsAre("80", "100"));
}

TEST(ReaderTest, AnIntegerOutOfBoundsNamesTheKeyAndItsVariable) {
  const ConfigLoader config = MustLoad({{"JIESHUI_QUOTA_QUOTA_MAX_BATCH", "0"}});
  int max_batch = 7;
  Reader r(config);
  r.Int("quota.max_batch", 1, 100000, &max_batch);
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("config key quota.max_batch (env JIESHUI_QUOTA_QUOTA_MAX_BATCH)"));
  EXPECT_EQ(max_batch, 7);
}

TEST(ReaderTest, ADurationBelowItsMinimumIsRefused) {
  const ConfigLoader config = MustLoad({{"JIESHUI_QUOTA_QUOTA_CACHE_TTL", "500ms"}});
  absl::Duration ttl;
  Reader r(config);
  r.Duration("quota.cache_ttl", &ttl, absl::Seconds(1));
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("config key quota.cache_ttl (env JIESHUI_QUOTA_QUOTA_CACHE_TTL): must be "
                        "at least 1s"));
}

TEST(ReaderTest, AnUnknownEnumValueListsTheAllowedOnes) {
  const ConfigLoader config = MustLoad({{"JIESHUI_QUOTA_QUOTA_PERIOD", "week"}});
  Period period = Period::kYear;
  Reader r(config);
  r.Enum("quota.period", {{"month", Period::kMonth}, {"year", Period::kYear}}, &period);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("quota.period (env JIESHUI_QUOTA_QUOTA_PERIOD): \"week\" is not one of "
                        "month, year"));
}

TEST(ReaderTest, TheFirstErrorIsKeptAndLaterKeysAreNotRead) {
  const ConfigLoader config = MustLoad({{"JIESHUI_QUOTA_QUOTA_MAX_BATCH", "many"}});
  int max_batch = 0;
  std::string group;
  Reader r(config);
  r.Int("quota.max_batch", 1, 100000, &max_batch)
      .String("quota.missing", &group)
      .String("quota.group", &group);
  EXPECT_THAT(std::string(r.status().message()), HasSubstr("quota.max_batch"));
  EXPECT_EQ(group, "");
}

TEST(ReaderTest, RequireNamesTheKeyOfAFailedCheck) {
  const ConfigLoader config = MustLoad();
  int max_batch = 0;
  Reader r(config);
  r.Int("quota.max_batch", 1, 100000, &max_batch)
      .Require(max_batch <= 1000, "quota.max_batch", "larger than quota.page_size_max");
  EXPECT_EQ(r.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(std::string(r.status().message()),
              HasSubstr("quota.max_batch (env JIESHUI_QUOTA_QUOTA_MAX_BATCH): larger than"));
}

}  // namespace
}  // namespace jieshui::config
