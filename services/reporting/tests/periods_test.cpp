// Periods, their keys, and which a month's change moves.
#include "reporting/src/core/periods.hpp"

#include <gtest/gtest.h>

#include "errors/field_error.hpp"

namespace jieshui::reporting {
namespace {

TEST(PeriodsTest, KeysAndTheMonthsAChangeMoves) {
  const auto all = PeriodsOfYear(2025);
  ASSERT_EQ(all.size(), 29u);
  EXPECT_EQ(PeriodKey(all[0]), "2025");
  EXPECT_EQ(PeriodKey(all[3]), "2025-YTD03");
  EXPECT_EQ(PeriodKey(all[13]), "2025-Q1");
  EXPECT_EQ(PeriodKey(all[28]), "2025-12");
  // A change in November moves the year, YTD11 and YTD12, Q4 and November: 5 periods.
  std::vector<std::string> keys;
  for (const auto& p : PeriodsTouchedBy(2025, 11)) {
    keys.push_back(PeriodKey(p));
  }
  EXPECT_EQ(keys,
            (std::vector<std::string>{"2025", "2025-YTD11", "2025-YTD12", "2025-Q4", "2025-11"}));
  EXPECT_EQ(PeriodsTouchedBy(2025, 1).size(), 15u);  // the year, 12 YTDs, Q1, January
  for (const auto& p : all) {
    EXPECT_EQ(PeriodKey(PeriodOfKey(PeriodKey(p))), PeriodKey(p));
  }
}

TEST(PeriodsTest, ABadPeriodNamesItsField) {
  v1::IndicatorPeriod p;
  p.set_kind(v1::PERIOD_KIND_QUARTER);
  p.set_year(2025);
  p.set_quarter(5);
  auto checked = CheckPeriod(p, "period");
  ASSERT_FALSE(checked.ok());
  EXPECT_EQ(errors::FieldViolationsOf(checked.status())[0].field, "period.quarter");
  p.set_kind(v1::PERIOD_KIND_UNSPECIFIED);
  EXPECT_EQ(errors::FieldViolationsOf(CheckPeriod(p, "period").status())[0].field, "period.kind");
  p.set_kind(v1::PERIOD_KIND_MONTH);
  p.set_month(4);
  p.set_quarter(3);  // ignored for a month, and cleared
  auto month = CheckPeriod(p, "period");
  ASSERT_TRUE(month.ok());
  EXPECT_EQ(month->quarter(), 0);
}

TEST(PeriodsTest, AnEnterprisesScopes) {
  auto scopes = ScopesOf("甪直镇", "", "C1713");
  ASSERT_EQ(scopes.size(), 3u);
  EXPECT_EQ(ScopeKey(scopes[0]), "district");
  EXPECT_EQ(ScopeKey(scopes[1]), "town:甪直镇");
  EXPECT_EQ(ScopeKey(scopes[2]), "industry:C17");
  EXPECT_EQ(ScopesOf("木渎镇", "WZ-MD", "C3973").size(), 4u);
  for (const auto& s : ScopesOf("木渎镇", "WZ-MD", "C3973")) {
    EXPECT_EQ(ScopeKey(ScopeOfKey(ScopeKey(s))), ScopeKey(s));
  }
}

}  // namespace
}  // namespace jieshui::reporting
