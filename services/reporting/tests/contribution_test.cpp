// One enterprise's contribution to a period's sums: the sets it belongs to, worked by hand.
#include "reporting/src/core/contribution.hpp"

#include <gtest/gtest.h>

namespace jieshui::reporting {
namespace {

namespace v1 = ::jieshui::reporting::v1;

v1::IndicatorPeriod Year(int y) {
  v1::IndicatorPeriod p;
  p.set_kind(v1::PERIOD_KIND_YEAR);
  p.set_year(y);
  return p;
}

domain::Date D(int y, int m, int d) { return *domain::Date::Create(y, m, d); }

// An enterprise taking `litres_per_month` of tap water every month of 2025.
EnterpriseYear Taking(int64_t litres_per_month) {
  EnterpriseYear e;
  e.year = 2025;
  for (MonthWater& m : e.months) {
    m.tap = litres_per_month;
    m.reported = true;
  }
  return e;
}

TEST(ContributionTest, AThresholdExactlyReachedCountsAndOneCubicMetreUnderDoesNot) {
  // 11 × 16,666,667 L + 16,666,663 L = 200,000,000 L: exactly 200,000 m³, counted; 1,000 L (1 m³)
  // less in December is 199,999,000 L, not counted.
  EnterpriseYear at = Taking(16'666'667);
  at.months[11].tap = 16'666'663;  // exactly 200,000,000 L in the year
  EXPECT_EQ(ContributionOf(at, Year(2025), {}).carrier_set, 1);
  EnterpriseYear under = at;
  under.months[11].tap -= 1'000;  // 1 m³ under
  EXPECT_EQ(ContributionOf(under, Year(2025), {}).carrier_set, 0);
  // The previous-year basis judges on last year's figure whatever this year's is.
  Rules previous;
  previous.basis = ThresholdBasis::kPreviousYear;
  under.previous_year_new_water = 200'000'000;
  EXPECT_EQ(ContributionOf(under, Year(2025), previous).carrier_set, 1);
  under.previous_year_new_water.reset();
  EXPECT_EQ(ContributionOf(under, Year(2025), previous).carrier_set, 0);
}

TEST(ContributionTest, YearToDateIsAnnualisedByDefaultAndActualWhenConfigured) {
  // January-March at 50,000 m³ a month: 150,000 m³, annualised 600,000 m³.
  EnterpriseYear e = Taking(50'000'000);
  v1::IndicatorPeriod ytd;
  ytd.set_kind(v1::PERIOD_KIND_YEAR_TO_DATE);
  ytd.set_year(2025);
  ytd.set_month(3);
  EXPECT_EQ(ThresholdIntake(e, ytd, {}), 600'000'000);
  EXPECT_EQ(ContributionOf(e, ytd, {}).carrier_set, 1);
  Rules actual;
  actual.basis = ThresholdBasis::kActual;
  EXPECT_EQ(ThresholdIntake(e, ytd, actual), 150'000'000);
  EXPECT_EQ(ContributionOf(e, ytd, actual).carrier_set, 0);
  EXPECT_EQ(ContributionOf(e, ytd, {}).new_water, 150'000'000);
  EXPECT_EQ(LastDayOf(ytd), D(2025, 3, 31));
}

TEST(ContributionTest, AnnualisedOverTheMonthsWithUsageReported) {
  // Metered from November only: 20,000 m³ in each of November and December. The year's 40,000 m³
  // over its 2 reported months is 240,000 m³ a year: in the carrier set. Actual: 40,000, not.
  EnterpriseYear e;
  e.year = 2025;
  for (int m : {10, 11}) {
    e.months[m].tap = 20'000'000;
    e.months[m].reported = true;
  }
  EXPECT_EQ(ThresholdIntake(e, Year(2025), {}), 240'000'000);
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).carrier_set, 1);
  Rules actual;
  actual.basis = ThresholdBasis::kActual;
  EXPECT_EQ(ContributionOf(e, Year(2025), actual).carrier_set, 0);
  // Nothing reported: nothing to scale.
  EXPECT_EQ(ThresholdIntake(EnterpriseYear{}, Year(2025), {}), 0);
}

TEST(ContributionTest, ATitleValidOnTheYearsLastDayCountsOneExpiredTheDayBeforeDoesNot) {
  EnterpriseYear e = Taking(20'000'000);  // 240,000 m³: in the carrier set
  e.titles.push_back({.level = 1,
                      .valid_from = D(2021, 1, 1),
                      .valid_until = D(2025, 12, 31),
                      .standing = true,
                      .granted_year = 2021});
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).carrier_certified, 1);
  e.titles[0].valid_until = D(2025, 12, 30);
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).carrier_certified, 0);
  // A revoked title counts nowhere; a leader title is no water-saving-enterprise title.
  e.titles[0].valid_until = D(2026, 12, 31);
  e.titles[0].standing = false;
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).carrier_certified, 0);
  e.titles[0] = {.level = 4,
                 .valid_from = D(2025, 1, 1),
                 .valid_until = D(2026, 12, 31),
                 .standing = true,
                 .granted_year = 2025};
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).carrier_certified, 0);
}

TEST(ContributionTest, TheAboveScaleSetIsStatisticsFlagForThatYearElseTheRegistrys) {
  EnterpriseYear e = Taking(1'000'000);
  e.months[0].recirculated = 9'000'000;
  e.registry_above_scale = false;
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).above_scale_new_water, 0);
  e.statistics_above_scale = true;  // Statistics says so for 2025
  const Sums s = ContributionOf(e, Year(2025), {});
  EXPECT_EQ(s.above_scale_new_water, 12'000'000);
  EXPECT_EQ(s.above_scale_reused, 9'000'000);
  e.registry_above_scale = true;
  e.statistics_above_scale = false;  // and Statistics wins over the registry
  EXPECT_EQ(ContributionOf(e, Year(2025), {}).above_scale_reused, 0);
}

TEST(ContributionTest, ScopeSumsMoveByTheNewContributionMinusTheOld) {
  EnterpriseYear a = Taking(10'000'000);
  EnterpriseYear b = Taking(30'000'000);
  const Sums district = Add(ContributionOf(a, Year(2025), {}), ContributionOf(b, Year(2025), {}));
  EXPECT_EQ(district.new_water, 480'000'000);
  EXPECT_EQ(district.carrier_set, 1);  // b's 360,000 m³ only
  // An event raises a's December to push it over the threshold: the delta moves the district.
  EnterpriseYear a2 = a;
  a2.months[11].tap += 100'000'000;
  const Sums moved = Add(
      district, Subtract(ContributionOf(a2, Year(2025), {}), ContributionOf(a, Year(2025), {})));
  EXPECT_EQ(moved, Add(ContributionOf(a2, Year(2025), {}), ContributionOf(b, Year(2025), {})));
  EXPECT_EQ(moved.carrier_set, 2);
  // Value added counts in a year, not in a month (row 1 is a year's figure).
  a.value_added_fen = 5'000'000'000;
  v1::IndicatorPeriod month;
  month.set_kind(v1::PERIOD_KIND_MONTH);
  month.set_year(2025);
  month.set_month(6);
  EXPECT_EQ(ContributionOf(a, month, {}).value_added_fen, 0);
  EXPECT_EQ(ContributionOf(a, Year(2025), {}).value_added_fen, 5'000'000'000);
}

}  // namespace
}  // namespace jieshui::reporting
