// The indicator formulas on sums, figures worked by hand; targets as versioned data.
#include "reporting/src/core/indicators.hpp"

#include <gtest/gtest.h>

namespace jieshui::reporting {
namespace {

namespace v1 = ::jieshui::reporting::v1;

// A district year: 6,480,000 m³ new water over 400,000 万元 (4e11 fen) against 2020's 8,000,000 m³
// over 400,000 万元.
Sums District() {
  Sums s;
  s.new_water = 6'480'000'000;  // litres
  s.value_added_fen = 400'000'000'000;
  s.above_scale_reused = 93'000'000;
  s.above_scale_new_water = 7'000'000;
  s.carrier_set = 15;
  s.carrier_certified = 12;
  s.balance_tests = 5;
  s.audits = 1;
  s.reclaimed = 1'150'000'000;
  s.titles_created = 3;
  s.provincial_titles_created = 1;
  return s;
}

const BaselineSums kBase{
    .new_water = 8'000'000'000, .value_added_fen = 400'000'000'000, .reclaimed = 1'000'000'000};

TEST(IndicatorsTest, TheSixRowsFromTheirSums) {
  const Sums s = District();
  // 1: 1 − 16.2 / 20 = 19.00%.
  EXPECT_EQ(ValueOf(codes::kWaterUseDecline, s, kBase).ratio.BasisPoints(), 1900);
  // 2: 93,000,000 / (93,000,000 + 7,000,000) = 93.00%.
  EXPECT_EQ(ValueOf(codes::kRepeatUtilisation, s, kBase).ratio.BasisPoints(), 9300);
  // 3: 12 of 15 = 80.00%.
  EXPECT_EQ(ValueOf(codes::kCarrierCoverage, s, kBase).ratio.BasisPoints(), 8000);
  // 4 and 5: counts.
  EXPECT_EQ(ValueOf(codes::kBalanceTests, s, kBase).count, 5);
  EXPECT_EQ(ValueOf(codes::kAudits, s, kBase).unit, v1::INDICATOR_UNIT_COUNT);
  // 6: (1,150,000 − 1,000,000) / 1,000,000 = 15.00%.
  EXPECT_EQ(ValueOf(codes::kReclaimedIncrease, s, kBase).ratio.BasisPoints(), 1500);
  // 1 of 3 titles provincial: 33.33%.
  EXPECT_EQ(ValueOf(codes::kProvincialShare, s, kBase).ratio.BasisPoints(), 3333);
}

TEST(IndicatorsTest, WithoutABaselineOrASetTheRatioIsUndefinedNotZero) {
  Sums s = District();
  EXPECT_FALSE(ValueOf(codes::kWaterUseDecline, s, std::nullopt).ratio.defined());
  EXPECT_FALSE(ValueOf(codes::kReclaimedIncrease, s, std::nullopt).ratio.defined());
  s.carrier_set = 0;
  s.carrier_certified = 0;
  const v1::Indicator i =
      MakeIndicator(codes::kCarrierCoverage, ValueOf(codes::kCarrierCoverage, s, kBase),
                    TargetInForce(DefaultTargets(), codes::kCarrierCoverage, 2025), 1);
  EXPECT_FALSE(i.ratio().defined());
  EXPECT_FALSE(i.on_track());  // an undefined figure is never on track
}

TEST(IndicatorsTest, AgainstTheTargetTheGapIsTargetMinusActual) {
  const Sums s = District();
  const auto targets = DefaultTargets();
  // 2024's carrier target is 70%: 80% is on track, 10 points ahead (gap −1000 bp).
  const v1::Indicator coverage =
      MakeIndicator(codes::kCarrierCoverage, ValueOf(codes::kCarrierCoverage, s, kBase),
                    TargetInForce(targets, codes::kCarrierCoverage, 2024), 1'700'000'000'000);
  EXPECT_TRUE(coverage.has_target());
  EXPECT_EQ(coverage.target_basis_points(), 7000);
  EXPECT_EQ(coverage.gap_basis_points(), -1000);
  EXPECT_TRUE(coverage.on_track());
  EXPECT_EQ(coverage.ratio().numerator(), "12");
  EXPECT_EQ(coverage.ratio().denominator(), "15");
  EXPECT_EQ(coverage.as_of_unix_ms(), 1'700'000'000'000);
  // Audits: 1 against at least 2 is behind.
  const v1::Indicator audits = MakeIndicator(codes::kAudits, ValueOf(codes::kAudits, s, kBase),
                                             TargetInForce(targets, codes::kAudits, 2025), 1);
  EXPECT_EQ(audits.target_count(), 2);
  EXPECT_FALSE(audits.on_track());
  // Exactly at the target is on track: 93.00% against 2025's 93%.
  EXPECT_TRUE(MakeIndicator(codes::kRepeatUtilisation, ValueOf(codes::kRepeatUtilisation, s, kBase),
                            TargetInForce(targets, codes::kRepeatUtilisation, 2025), 1)
                  .on_track());
}

TEST(TargetsTest, TheVersionInForceIsTheLatestAndTheDefaultsAreTheTable) {
  auto targets = DefaultTargets();
  EXPECT_EQ(TargetInForce(targets, codes::kWaterUseDecline, 2023)->basis_points(), 1300);
  EXPECT_EQ(TargetInForce(targets, codes::kCarrierCoverage, 2025)->basis_points(), 8000);
  EXPECT_FALSE(TargetInForce(targets, codes::kCarrierCoverage, 2026).has_value());
  // The text says 90% for coverage in 2025: an edit is a new version, and it is the one in force.
  v1::Target edit = *TargetInForce(targets, codes::kCarrierCoverage, 2025);
  edit.set_version(1);
  edit.set_basis_points(9000);
  edit.set_reason("正文目标 90%");
  targets.push_back(edit);
  EXPECT_EQ(TargetInForce(targets, codes::kCarrierCoverage, 2025)->basis_points(), 9000);
  EXPECT_EQ(TargetInForce(targets, codes::kCarrierCoverage, 2024)->basis_points(), 7000);
  for (const std::string& code : AllCodes()) {
    EXPECT_TRUE(IsCode(code)) << code;
  }
  EXPECT_FALSE(IsCode("no_such_indicator"));
  EXPECT_EQ(UnitOf(codes::kAudits), v1::INDICATOR_UNIT_COUNT);
  EXPECT_EQ(UnitOf(codes::kCarrierCoverage), v1::INDICATOR_UNIT_RATIO);
}

}  // namespace
}  // namespace jieshui::reporting
