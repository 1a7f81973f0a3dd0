#include "domain/period.hpp"

#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::domain {
namespace {

using ::testing::HasSubstr;

absl::Time Utc(const std::string& rfc3339) {
  absl::Time t;
  std::string error;
  EXPECT_TRUE(absl::ParseTime(absl::RFC3339_full, rfc3339, &t, &error)) << rfc3339 << error;
  return t;
}

YearMonth Ym(int year, int month) { return *YearMonth::Create(year, month); }

TEST(PeriodTest, MonthBoundaryAtShanghaiMidnight) {
  EXPECT_EQ(MonthOf(Utc("2024-01-31T15:59:59.999Z")), Ym(2024, 1));
  EXPECT_EQ(MonthOf(Utc("2024-01-31T16:00:00Z")), Ym(2024, 2));
  EXPECT_EQ(MonthOfUnixMillis(absl::ToUnixMillis(Utc("2024-01-31T15:59:59.999Z"))), Ym(2024, 1));
  EXPECT_EQ(MonthOfUnixMillis(absl::ToUnixMillis(Utc("2024-01-31T16:00:00Z"))), Ym(2024, 2));
}

TEST(PeriodTest, YearBoundary) {
  EXPECT_EQ(YearOf(Utc("2023-12-31T15:59:59.999Z")), 2023);
  EXPECT_EQ(YearOf(Utc("2023-12-31T16:00:00Z")), 2024);
  EXPECT_EQ(YearOfUnixMillis(absl::ToUnixMillis(Utc("2023-12-31T16:00:00Z"))), 2024);
  EXPECT_EQ(MonthOf(Utc("2023-12-31T16:00:00Z")), Ym(2024, 1));
  EXPECT_EQ(StartOfYear(2024), Utc("2023-12-31T16:00:00Z"));
  EXPECT_EQ(EndOfYear(2024), Utc("2024-12-31T16:00:00Z"));
}

TEST(PeriodTest, StartAndEndOfMonthAreHalfOpen) {
  EXPECT_EQ(StartOf(Ym(2024, 2)), Utc("2024-01-31T16:00:00Z"));
  EXPECT_EQ(EndOf(Ym(2024, 2)), Utc("2024-02-29T16:00:00Z"));  // leap year
  EXPECT_EQ(EndOf(Ym(2023, 2)), Utc("2023-02-28T16:00:00Z"));
  EXPECT_EQ(EndOf(Ym(2023, 12)), StartOf(Ym(2024, 1)));
  EXPECT_EQ(MonthOf(StartOf(Ym(2024, 2))), Ym(2024, 2));
  EXPECT_EQ(MonthOf(EndOf(Ym(2024, 2)) - absl::Nanoseconds(1)), Ym(2024, 2));
  EXPECT_EQ(MonthOf(EndOf(Ym(2024, 2))), Ym(2024, 3));
  // Months tile a year exactly: 366 days in 2024.
  absl::Duration total;
  for (YearMonth m = Ym(2024, 1); m != Ym(2025, 1); m = m.Next()) {
    total += EndOf(m) - StartOf(m);
  }
  EXPECT_EQ(total, absl::Hours(24 * 366));
}

TEST(PeriodTest, DaysInMonthAndLeapYears) {
  EXPECT_TRUE(IsLeapYear(2024));
  EXPECT_FALSE(IsLeapYear(2023));
  EXPECT_FALSE(IsLeapYear(1900));
  EXPECT_TRUE(IsLeapYear(2000));
  EXPECT_EQ(DaysInMonth(2024, 2), 29);
  EXPECT_EQ(DaysInMonth(2023, 2), 28);
  EXPECT_EQ(DaysInMonth(2100, 2), 28);
  EXPECT_EQ(Ym(2024, 4).days(), 30);
  EXPECT_EQ(Ym(2024, 12).days(), 31);
}

TEST(PeriodTest, NextAndPrevCrossYears) {
  EXPECT_EQ(Ym(2023, 12).Next(), Ym(2024, 1));
  EXPECT_EQ(Ym(2024, 1).Prev(), Ym(2023, 12));
  EXPECT_EQ(Ym(2024, 6).Next().Prev(), Ym(2024, 6));
  EXPECT_LT(Ym(2023, 12), Ym(2024, 1));
  EXPECT_LT(Ym(2024, 1), Ym(2024, 2));
}

TEST(PeriodTest, YearMonthParseAndValidation) {
  EXPECT_EQ(*YearMonth::Parse("2024-02"), Ym(2024, 2));
  EXPECT_EQ(Ym(2024, 2).ToString(), "2024-02");
  for (const char* text : {"2024-13", "2024-00", "2024-2", "24-02", "2024/02", "", "0000-01"}) {
    absl::StatusOr<YearMonth> ym = YearMonth::Parse(text, "plan.month");
    ASSERT_FALSE(ym.ok()) << text;
    EXPECT_EQ(ym.status().code(), absl::StatusCode::kInvalidArgument);
    EXPECT_THAT(ym.status().message(), HasSubstr("plan.month: ")) << text;
  }
  EXPECT_FALSE(YearMonth::Create(2024, 0).ok());
  EXPECT_FALSE(YearMonth::Create(10000, 1).ok());
}

TEST(PeriodTest, DateOfAndBounds) {
  EXPECT_EQ(DateOf(Utc("2024-02-28T15:59:59Z")), *Date::Create(2024, 2, 28));
  EXPECT_EQ(DateOf(Utc("2024-02-28T16:00:00Z")), *Date::Create(2024, 2, 29));
  EXPECT_EQ(DateOf(Utc("2024-02-29T16:00:00Z")), *Date::Create(2024, 3, 1));
  Date leap = *Date::Create(2024, 2, 29);
  EXPECT_EQ(StartOf(leap), Utc("2024-02-28T16:00:00Z"));
  EXPECT_EQ(EndOf(leap), Utc("2024-02-29T16:00:00Z"));
  EXPECT_EQ(leap.year_month(), Ym(2024, 2));
  EXPECT_EQ(leap.Next(), *Date::Create(2024, 3, 1));
  EXPECT_EQ(Date::Create(2024, 1, 1)->Prev(), *Date::Create(2023, 12, 31));
  EXPECT_EQ(leap.ToString(), "2024-02-29");
}

TEST(PeriodTest, DateParseAndValidation) {
  EXPECT_EQ(*Date::Parse("2024-02-29"), *Date::Create(2024, 2, 29));
  EXPECT_EQ(Date::Parse("2023-02-29").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Date::Parse("2023-02-29", "certificate.valid_until").status().message(),
              HasSubstr("certificate.valid_until: \"2023-02-29\" is not a calendar date"));
  EXPECT_FALSE(Date::Parse("2024-04-31").ok());
  EXPECT_FALSE(Date::Parse("2024-4-1").ok());
  EXPECT_THAT(Date::Create(2023, 2, 29).status().message(), HasSubstr("has 28 days"));
}

TEST(PeriodTest, FixedOffsetMatchesShanghaiInSummer) {
  // No DST: 1 July midnight in Shanghai is 30 June 16:00 UTC, same offset as in winter.
  EXPECT_EQ(StartOf(Ym(2024, 7)), Utc("2024-06-30T16:00:00Z"));
  EXPECT_EQ(absl::FormatTime("%z", Utc("2024-07-01T00:00:00Z"), ShanghaiTimeZone()), "+0800");
}

}  // namespace
}  // namespace jieshui::domain
