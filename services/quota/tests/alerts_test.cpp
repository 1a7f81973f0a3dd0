// Unit tests of which alerts are due: plan thresholds per month and for the year, and over-quota
// products. No database: the year is built here. Every expected figure is worked by hand in the
// comment beside it.
#include "quota/src/core/alerts.hpp"

#include <cstdint>
#include <optional>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::quota {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

const std::vector<int> kDefaultThresholds = {80, 100};

// A plan of 12,000 L split evenly: 1,000 L a month.
YearPlan EvenPlanOf12000() {
  YearPlan plan{.total = 12'000, .monthly = {}};
  plan.monthly.fill(1'000);
  return plan;
}

DueAlert Monthly(int month, int threshold, int64_t used, int64_t limit) {
  return {.kind = AlertKind::kMonthlyPlan,
          .month = month,
          .threshold_percent = threshold,
          .product = "",
          .used = used,
          .limit = limit};
}

DueAlert Annual(int threshold, int64_t used, int64_t limit) {
  return {.kind = AlertKind::kAnnualPlan,
          .month = 0,
          .threshold_percent = threshold,
          .product = "",
          .used = used,
          .limit = limit};
}

DueAlert OverQuota(int month, const std::string& product, int64_t used, int64_t limit) {
  return {.kind = AlertKind::kOverQuota,
          .month = month,
          .threshold_percent = 100,
          .product = product,
          .used = used,
          .limit = limit};
}

// 2.000 L per unit general, 1.500 L advanced.
ProductQuotaValues TwoLitresPerUnit() {
  return {.general_ml_per_unit = 2'000, .advanced_ml_per_unit = 1'500};
}

// A plan of 10,000 m³ in November (and 120,000 m³ for the year), 7,000 m³ used before a batch of
// readings that ends at 9,450 m³: the 80% alert (8,000 m³) was reached by the reading that brought
// the month to 8,100 m³, at its time, not where the batch ended.
TEST(AlertsDueTest, APlanAlertCarriesTheUsageRightAfterTheReadingThatCrossedIt) {
  AlertYear year;
  year.plan = YearPlan{.total = 120'000'000, .monthly = {}};
  year.plan->monthly.fill(10'000'000);
  year.new_water = {{11, 9'450'000}};
  year.steps = {{.month = 11, .litres = 1'100'000, .end_ms = 1'000},
                {.month = 11, .litres = 1'350'000, .end_ms = 2'000}};
  std::vector<DueAlert> due = AlertsDue(year, {11}, kDefaultThresholds);
  ASSERT_EQ(due.size(), 1U);
  DueAlert expected = Monthly(11, 80, 8'100'000, 10'000'000);
  expected.crossed_at_ms = 1'000;
  EXPECT_EQ(due[0], expected);
}

// 7,900 m³ before; +250 → 8,150 (80% reached), +1,000 → 9,150, +1,000 → 10,150 (100% reached):
// the two alerts of one batch say 8,150 and 10,150 m³, each with its own reading's time.
TEST(AlertsDueTest, TwoThresholdsCrossedInOneBatchEachKeepTheirOwnReading) {
  AlertYear year;
  year.plan = YearPlan{.total = 120'000'000, .monthly = {}};
  year.plan->monthly.fill(10'000'000);
  year.new_water = {{11, 10'150'000}};
  year.steps = {{.month = 11, .litres = 250'000, .end_ms = 1'000},
                {.month = 11, .litres = 1'000'000, .end_ms = 2'000},
                {.month = 11, .litres = 1'000'000, .end_ms = 3'000}};
  DueAlert eighty = Monthly(11, 80, 8'150'000, 10'000'000);
  eighty.crossed_at_ms = 1'000;
  DueAlert hundred = Monthly(11, 100, 10'150'000, 10'000'000);
  hundred.crossed_at_ms = 3'000;
  EXPECT_THAT(AlertsDue(year, {11}, kDefaultThresholds), ElementsAre(eighty, hundred));

  // The same readings one batch each: the batch that reaches a threshold gives the same figures.
  std::vector<DueAlert> one_by_one;
  int64_t used = 7'900'000;
  for (const UsageStep& step : year.steps) {
    AlertYear single = year;
    used += step.litres;
    single.new_water = {{11, used}};
    single.steps = {step};
    for (const DueAlert& d : AlertsDue(single, {11}, kDefaultThresholds)) {
      if (d.crossed_at_ms != 0) {
        one_by_one.push_back(d);
      }
    }
  }
  EXPECT_THAT(one_by_one, ElementsAre(eighty, hundred));
}

// The year: 95,000 m³ before a batch of three December records, +999.999 m³, a reversal of
// -500 m³, then +2,000.001 m³, to 97,500 m³. 80% of 120,000 m³ is 96,000 m³: the first record
// stops 1 L short of it (95,999.999), the reversal takes the year back, and the third reaches it
// (97,500). December had 7,500 m³ of its 10,000 m³ before: the first record reaches its 80%
// (8,499.999 ≥ 8,000), the third its 100% (exactly 10,000).
TEST(AlertsDueTest, TheYearsAlertIsReachedWhereTheRunningUsageFirstGetsThere) {
  AlertYear year;
  year.plan = YearPlan{.total = 120'000'000, .monthly = {}};
  year.plan->monthly.fill(10'000'000);
  year.new_water = {{1, 87'500'000}, {12, 10'000'000}};
  year.steps = {{.month = 12, .litres = 999'999, .end_ms = 1'000},
                {.month = 12, .litres = -500'000, .end_ms = 1'500},
                {.month = 12, .litres = 2'000'001, .end_ms = 2'000}};
  DueAlert annual = Annual(80, 97'500'000, 120'000'000);
  annual.crossed_at_ms = 2'000;
  DueAlert december80 = Monthly(12, 80, 8'499'999, 10'000'000);
  december80.crossed_at_ms = 1'000;
  DueAlert december100 = Monthly(12, 100, 10'000'000, 10'000'000);
  december100.crossed_at_ms = 2'000;
  EXPECT_THAT(AlertsDue(year, {12}, kDefaultThresholds),
              ElementsAre(december80, december100, annual));
}

// Usage already over a threshold before the batch (a plan cut put it there): no reading of the
// batch crossed it, so the alert holds the usage as it stands, without a time.
TEST(AlertsDueTest, AThresholdReachedBeforeTheBatchHasNoCrossingTime) {
  AlertYear year;
  year.plan = EvenPlanOf12000();
  year.new_water = {{3, 900}};
  year.steps = {{.month = 3, .litres = 50, .end_ms = 1'000}};
  EXPECT_THAT(AlertsDue(year, {3}, kDefaultThresholds), ElementsAre(Monthly(3, 80, 900, 1'000)));
}

TEST(AlertsDueTest, AMonthReachesEightyPercentExactlyAtIt) {
  // March: 800 L of a 1,000 L month: 800 × 100 = 80,000 ≥ 80 × 1,000 = 80,000, < 100,000.
  // The year: 800 of 12,000 L: 80,000 < 80 × 12,000 = 960,000, nothing.
  AlertYear year{.plan = EvenPlanOf12000(), .new_water = {{3, 800}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {3}, kDefaultThresholds), ElementsAre(Monthly(3, 80, 800, 1'000)));
}

TEST(AlertsDueTest, OneLitreUnderEightyPercentIsNotDue) {
  // 799 × 100 = 79,900 < 80,000.
  AlertYear year{.plan = EvenPlanOf12000(), .new_water = {{3, 799}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {3}, kDefaultThresholds), IsEmpty());
}

TEST(AlertsDueTest, OnlyTheChangedMonthsAreCheckedButTheYearSumsThemAll) {
  // January 5,000 L and February 4,600 L, only February changed. February: 4,600 × 100 =
  // 460,000 ≥ 100 × 1,000, so 80% and 100%. January is not checked again. The year: 5,000 + 4,600
  // = 9,600 L; 9,600 × 100 = 960,000 ≥ 80 × 12,000 = 960,000 (exactly at 80%), < 1,200,000.
  AlertYear year{
      .plan = EvenPlanOf12000(), .new_water = {{1, 5'000}, {2, 4'600}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {2}, kDefaultThresholds),
              ElementsAre(Monthly(2, 80, 4'600, 1'000), Monthly(2, 100, 4'600, 1'000),
                          Annual(80, 9'600, 12'000)));
}

TEST(AlertsDueTest, AMonthWithoutUsageReachesNothing) {
  // April changed (a plan cut re-checks every month) but has no usage: 0 L reaches nothing.
  AlertYear year{.plan = EvenPlanOf12000(), .new_water = {}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {4}, kDefaultThresholds), IsEmpty());
}

TEST(AlertsDueTest, AMonthUsesItsOwnPartOfAFiledSplit) {
  // Filed split: May 2,000 L, the rest as filed. May's 1,700 L: 170,000 ≥ 80 × 2,000 = 160,000,
  // < 200,000: 80% only, where an even 1,000 L month would have reached 100%.
  YearPlan plan = EvenPlanOf12000();
  plan.monthly[4] = 2'000;
  plan.monthly[11] = 0;
  AlertYear year{.plan = plan, .new_water = {{5, 1'700}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {5}, kDefaultThresholds), ElementsAre(Monthly(5, 80, 1'700, 2'000)));
}

TEST(AlertsDueTest, AZeroPlanIsReachedByItsFirstLitre) {
  // Plan 0 L: nothing used reaches nothing; 1 L reaches 80% and 100% of the month and the year.
  AlertYear none{.plan = YearPlan{}, .new_water = {}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(none, {6}, kDefaultThresholds), IsEmpty());
  AlertYear one{.plan = YearPlan{}, .new_water = {{6, 1}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(one, {6}, kDefaultThresholds),
              ElementsAre(Monthly(6, 80, 1, 0), Monthly(6, 100, 1, 0), Annual(80, 1, 0),
                          Annual(100, 1, 0)));
}

TEST(AlertsDueTest, WithoutAPlanNoPlanAlertIsDue) {
  AlertYear year{.plan = std::nullopt, .new_water = {{7, 1'000'000}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {7}, kDefaultThresholds), IsEmpty());
}

TEST(AlertsDueTest, UsesTheConfiguredThresholds) {
  // Thresholds 50/90%: August 900 L of 1,000 L: 90,000 ≥ 50 × 1,000 and ≥ 90 × 1,000.
  AlertYear year{.plan = EvenPlanOf12000(), .new_water = {{8, 900}}, .steps = {}, .output = {}};
  EXPECT_THAT(AlertsDue(year, {8}, {50, 90}),
              ElementsAre(Monthly(8, 50, 900, 1'000), Monthly(8, 90, 900, 1'000)));
}

TEST(AlertsDueTest, AProductAboveItsGeneralValueIsOverQuota) {
  // 100.000 units at 2.000 L/unit: allowed 200 L. Intake 201 L: 201 × 10^6 = 201,000,000 >
  // 2,000 × 100,000 = 200,000,000, over. No plan, so nothing else.
  AlertYear year{.plan = std::nullopt,
                 .new_water = {{9, 201}},
                 .steps = {},
                 .output = {{9,
                             {{.product = "steel",
                               .intake = 201,
                               .output_milli = 100'000,
                               .quota = TwoLitresPerUnit()}}}}};
  EXPECT_THAT(AlertsDue(year, {9}, kDefaultThresholds),
              ElementsAre(OverQuota(9, "steel", 201, 200)));
}

TEST(AlertsDueTest, AProductExactlyAtItsGeneralValueIsWithinQuota) {
  // Intake 200 L for 100 units = 2.000 L/unit, exactly the general value: not over.
  AlertYear year{.plan = std::nullopt,
                 .new_water = {},
                 .steps = {},
                 .output = {{9,
                             {{.product = "steel",
                               .intake = 200,
                               .output_milli = 100'000,
                               .quota = TwoLitresPerUnit()}}}}};
  EXPECT_THAT(AlertsDue(year, {9}, kDefaultThresholds), IsEmpty());
}

TEST(AlertsDueTest, WithOutputZeroAnyIntakeIsOverQuota) {
  // Output 0: nothing is allowed (0 L), and 1 L of intake is over in full.
  AlertYear year{
      .plan = std::nullopt,
      .new_water = {},
      .steps = {},
      .output = {
          {10,
           {{.product = "paper", .intake = 1, .output_milli = 0, .quota = TwoLitresPerUnit()}}}}};
  EXPECT_THAT(AlertsDue(year, {10}, kDefaultThresholds), ElementsAre(OverQuota(10, "paper", 1, 0)));
}

TEST(AlertsDueTest, AProductWithoutAQuotaOrAnUnchangedMonthRaisesNothing) {
  // "dye" has no quota; November's over-quota "steel" (201 L for an allowed 200 L) is not among
  // the changed months.
  AlertYear year{
      .plan = std::nullopt,
      .new_water = {},
      .steps = {},
      .output = {
          {10, {{.product = "dye", .intake = 5'000, .output_milli = 1'000, .quota = std::nullopt}}},
          {11,
           {{.product = "steel",
             .intake = 201,
             .output_milli = 100'000,
             .quota = TwoLitresPerUnit()}}}}};
  EXPECT_THAT(AlertsDue(year, {10}, kDefaultThresholds), IsEmpty());
}

TEST(AlertsDueTest, PlanAlertsComeBeforeOverQuotaInMonthOrder) {
  // December 1,000 L of 1,000 L: 80% and 100%; November 850 L: 80% (85,000 ≥ 80,000). The year:
  // 1,850 L of 12,000 L: 185,000 < 960,000, nothing. December's "steel" 1,000 L for an allowed
  // 200 L is over quota. Order: November's, December's, then over quota.
  AlertYear year{.plan = EvenPlanOf12000(),
                 .new_water = {{11, 850}, {12, 1'000}},
                 .steps = {},
                 .output = {{12,
                             {{.product = "steel",
                               .intake = 1'000,
                               .output_milli = 100'000,
                               .quota = TwoLitresPerUnit()}}}}};
  EXPECT_THAT(AlertsDue(year, {11, 12}, kDefaultThresholds),
              ElementsAre(Monthly(11, 80, 850, 1'000), Monthly(12, 80, 1'000, 1'000),
                          Monthly(12, 100, 1'000, 1'000), OverQuota(12, "steel", 1'000, 200)));
}

}  // namespace
}  // namespace jieshui::quota
