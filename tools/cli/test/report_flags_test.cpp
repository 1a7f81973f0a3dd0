#include "report_flags.hpp"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "domain/period.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;

TEST(ReportFlagsTest, WanYuanBecomeFenExactlyWithoutFloatingPoint) {
  // 1 万元 = 10,000 yuan = 1,000,000 fen; the 4th decimal is one yuan.
  EXPECT_EQ(*ParseWanYuan("1"), 1'000'000);
  EXPECT_EQ(*ParseWanYuan("30000"), 30'000'000'000);
  EXPECT_EQ(*ParseWanYuan("12345.6789"), 12'345'678'900);
  EXPECT_EQ(*ParseWanYuan("0.0001"), 100);
  EXPECT_EQ(*ParseWanYuan("0.5"), 500'000);
  EXPECT_EQ(*ParseWanYuan("0"), 0);
  // 0.1 + 0.2 is 0.3 here, as it never is in a double.
  EXPECT_EQ(*ParseWanYuan("0.3"), 300'000);
  EXPECT_EQ(*ParseWanYuan("2650000.1"), 2'650'000'100'000);
  // Zeros past the 4th decimal lose nothing.
  EXPECT_EQ(*ParseWanYuan("7.250000"), 7'250'000);
  // The largest: 12 digits of 万元 and 4 decimals, below 10^18 fen.
  EXPECT_EQ(*ParseWanYuan("999999999999.9999"), 999'999'999'999'999'900);
}

TEST(ReportFlagsTest, WanYuanThatAreNotAmountsSayWhy) {
  EXPECT_EQ(ParseWanYuan("-5").status().message(), "must not be negative; got \"-5\"");
  EXPECT_EQ(ParseWanYuan("1.23456").status().message(),
            "at most 4 decimals (0.0001 万元 is 1 yuan); got \"1.23456\"");
  EXPECT_EQ(ParseWanYuan("1000000000000").status().message(),
            "more than 12 digits before the decimal point; got \"1000000000000\"");
  for (const char* bad : {"", "abc", "1,234.5", "1e3", ".5", "5.", "+5", "1.2.3", " 5", "-"}) {
    EXPECT_EQ(ParseWanYuan(bad).status().message(),
              absl::StrCat("expected 万元 as a decimal number, e.g. 12345.6789; got \"", bad, "\""))
        << bad;
  }
}

TEST(ReportFlagsTest, PeriodsAreOneOfYearYearToDateQuarterAndMonth) {
  auto year = ParseReportPeriodFlags({.year = "2025"});
  ASSERT_TRUE(year.ok()) << year.status();
  EXPECT_EQ(year->kind(), v1::PERIOD_KIND_YEAR);
  EXPECT_EQ(year->year(), 2025);
  EXPECT_EQ(ReportPeriodLabel(*year), "2025");

  auto ytd = ParseReportPeriodFlags({.ytd = "2026-11"});
  ASSERT_TRUE(ytd.ok()) << ytd.status();
  EXPECT_EQ(ytd->kind(), v1::PERIOD_KIND_YEAR_TO_DATE);
  EXPECT_EQ(ytd->month(), 11);
  EXPECT_EQ(ReportPeriodLabel(*ytd), "2026-01 to 2026-11");

  auto quarter = ParseReportPeriodFlags({.quarter = "2026-q4"});
  ASSERT_TRUE(quarter.ok()) << quarter.status();
  EXPECT_EQ(quarter->kind(), v1::PERIOD_KIND_QUARTER);
  EXPECT_EQ(quarter->quarter(), 4);
  EXPECT_EQ(ReportPeriodLabel(*quarter), "2026-Q4");

  auto month = ParseReportPeriodFlags({.month = "2026-02"});
  ASSERT_TRUE(month.ok()) << month.status();
  EXPECT_EQ(month->kind(), v1::PERIOD_KIND_MONTH);
  EXPECT_EQ(ReportPeriodLabel(*month), "2026-02");

  EXPECT_EQ(ParseReportPeriodFlags({}).status().message(),
            "one of --year, --ytd, --quarter or --month is required");
  EXPECT_EQ(ParseReportPeriodFlags({}, /*required=*/false)->kind(), v1::PERIOD_KIND_UNSPECIFIED);
  EXPECT_EQ(ParseReportPeriodFlags({.year = "2025", .month = "2025-01"}).status().message(),
            "give one of --year, --ytd, --quarter or --month, not more");
  EXPECT_EQ(ParseReportPeriodFlags({.quarter = "2026-Q5"}).status().message(),
            "--quarter: expected YYYY-Qn (n 1-4), e.g. 2026-Q4; got \"2026-Q5\"");
  EXPECT_EQ(ParseReportPeriodFlags({.ytd = "2026-13"}).status().message(),
            "--ytd: expected YYYY-MM (January to the end of that month), e.g. 2026-11; got "
            "\"2026-13\"");
  EXPECT_EQ(ParseReportPeriodFlags({.month = "11"}).status().message(),
            "--month: expected YYYY-MM, e.g. 2026-11; got \"11\"");
  EXPECT_EQ(ParseReportPeriodFlags({.year = "25"}).status().message(),
            "--year: expected YYYY, e.g. 2025; got \"25\"");
}

TEST(ReportFlagsTest, ScopesReadBackAsTyped) {
  EXPECT_EQ(ParseScopeFlag("")->kind(), v1::SCOPE_KIND_UNSPECIFIED);
  EXPECT_EQ(ParseScopeFlag("district")->kind(), v1::SCOPE_KIND_DISTRICT);
  auto town = ParseScopeFlag("town:甪直镇");
  ASSERT_TRUE(town.ok()) << town.status();
  EXPECT_EQ(town->kind(), v1::SCOPE_KIND_TOWN);
  EXPECT_EQ(town->value(), "甪直镇");
  EXPECT_EQ(ScopeLabel(*town), "town:甪直镇");
  EXPECT_EQ(ParseScopeFlag("industry:C17")->kind(), v1::SCOPE_KIND_INDUSTRY);
  EXPECT_EQ(ParseScopeFlag("park:wz-eco")->value(), "wz-eco");
  EXPECT_EQ(ParseScopeFlag("enterprise:91350200776049653A")->kind(), v1::SCOPE_KIND_ENTERPRISE);
  EXPECT_EQ(ScopeLabel(v1::Scope()), "district");
  for (const char* bad : {"town", "town:", "city:苏州", "district:x"}) {
    EXPECT_EQ(ParseScopeFlag(bad).status().message(),
              absl::StrCat("--scope: expected district, town:NAME, park:ID, industry:DIVISION "
                           "(e.g. industry:C17) or enterprise:USCC; got \"",
                           bad, "\""))
        << bad;
  }
}

TEST(ReportFlagsTest, PercentagesAreBasisPointsAndVolumesLitres) {
  EXPECT_EQ(*ParsePercentFlag("93.00", "--percent"), 9300);
  EXPECT_EQ(*ParsePercentFlag("93", "--percent"), 9300);
  EXPECT_EQ(*ParsePercentFlag("0.5", "--percent"), 50);
  EXPECT_EQ(*ParsePercentFlag("-5.25", "--percent"), -525);
  EXPECT_EQ(ParsePercentFlag("93.001", "--percent").status().message(),
            "--percent: expected a percentage with at most 2 decimals, e.g. 93.00; got "
            "\"93.001\"");
  EXPECT_EQ(*ParseCubicMetresFlag("41200000.5", "--new-water-m3"), 41'200'000'500);
  EXPECT_FALSE(ParseCubicMetresFlag("1.0005", "--new-water-m3").ok());
}

TEST(ReportFlagsTest, ADayRangeIncludesBothDaysInShanghai) {
  auto range = ParseDayRangeFlags("2026-12-01", "2026-12-02");
  ASSERT_TRUE(range.ok()) << range.status();
  EXPECT_EQ(range->start_unix_ms(),
            absl::ToUnixMillis(domain::StartOf(*domain::Date::Create(2026, 12, 1))));
  EXPECT_EQ(range->end_unix_ms(),
            absl::ToUnixMillis(domain::StartOf(*domain::Date::Create(2026, 12, 3))));
  EXPECT_EQ(ParseDayRangeFlags("", "")->end_unix_ms(), 0);
  EXPECT_EQ(ParseDayRangeFlags("2026-12-02", "2026-12-01").status().message(),
            "--to: 2026-12-01 is before --from 2026-12-02");
  EXPECT_EQ(ParseDayRangeFlags("2026-12-32", "").status().message(),
            "--from: expected YYYY-MM-DD, e.g. 2026-12-02; got \"2026-12-32\"");
}

TEST(ReportFlagsTest, ExportKindsAndFormats) {
  EXPECT_EQ(*ParseExportKindFlag("annual-report"), v1::EXPORT_KIND_ANNUAL_REPORT);
  EXPECT_EQ(*ParseExportKindFlag("key-monitored"), v1::EXPORT_KIND_KEY_MONITORED);
  EXPECT_EQ(ExportKindLabel(v1::EXPORT_KIND_CONTRIBUTORS), "contributors");
  EXPECT_EQ(ParseExportKindFlag("summary").status().message(),
            "KIND: expected annual-report, ledger, key-monitored or contributors; got "
            "\"summary\"");
  EXPECT_EQ(*ParseExportFormatFlag("XLSX"), v1::EXPORT_FORMAT_XLSX);
  EXPECT_EQ(ParseExportFormatFlag("pdf").status().message(),
            "--format: expected xlsx or csv; got \"pdf\"");
}

}  // namespace
}  // namespace jieshui::cli
