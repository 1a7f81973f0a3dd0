#include "period_flags.hpp"

#include <gtest/gtest.h>

namespace jieshui::cli {
namespace {

TEST(PeriodFlagsTest, MonthYearAndDay) {
  auto month = ParsePeriodFlags({.month = "2026-11"}, {.required = true});
  ASSERT_TRUE(month.ok()) << month.status();
  EXPECT_TRUE(month->any);
  EXPECT_FALSE(month->is_day);
  EXPECT_EQ(month->period.month().year(), 2026);
  EXPECT_EQ(month->period.month().month(), 11);
  EXPECT_EQ(PeriodLabel(month->period), "2026-11");

  auto year = ParsePeriodFlags({.year = "2026"}, {.required = true});
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->period.year(), 2026);
  EXPECT_EQ(PeriodLabel(year->period), "2026");

  auto day = ParsePeriodFlags({.day = "2026-02-28"}, {.required = true, .allow_day = true});
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_TRUE(day->is_day);
  EXPECT_EQ(day->day.year(), 2026);
  EXPECT_EQ(day->day.month(), 2);
  EXPECT_EQ(day->day.day(), 28);
  EXPECT_EQ(day->period.kind_case(), common::v1::Period::KIND_NOT_SET);
}

TEST(PeriodFlagsTest, OptionalPeriodMayBeAbsent) {
  auto none = ParsePeriodFlags({}, {.required = false});
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(none->any);
}

TEST(PeriodFlagsTest, ErrorsNameTheOption) {
  EXPECT_EQ(ParsePeriodFlags({}, {.required = true}).status().message(),
            "one of --month or --year is required");
  EXPECT_EQ(
      ParsePeriodFlags({.month = "2026-11", .year = "2026"}, {.required = true}).status().message(),
      "give one of --month or --year, not more");
  EXPECT_EQ(ParsePeriodFlags({.month = "2026-13"}, {}).status().message(),
            "--month: expected YYYY-MM, e.g. 2026-11; got \"2026-13\"");
  EXPECT_EQ(ParsePeriodFlags({.year = "26x"}, {}).status().message(),
            "--year: expected YYYY, e.g. 2026; got \"26x\"");
  EXPECT_EQ(ParsePeriodFlags({.day = "2026-02-29"}, {.allow_day = true}).status().message(),
            "--day: expected YYYY-MM-DD, e.g. 2026-11-28; got \"2026-02-29\"");
  EXPECT_EQ(ParsePeriodFlags({.day = "2026-02-28"}, {}).status().message(),
            "--day is not accepted here; give --month or --year");
  EXPECT_EQ(ParsePeriodFlags({.month = "2026-11", .day = "2026-11-01"}, {.allow_day = true})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jieshui::cli
