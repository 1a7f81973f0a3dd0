// Unit tests of metering coverage (GB/T 24789-2022 配备率) with figures worked by hand.
#include "domain/metering_coverage.hpp"

#include <gtest/gtest.h>

namespace jieshui::domain {
namespace {

std::vector<MeterForCoverage> Meters(int level, int active, int suspended = 0) {
  std::vector<MeterForCoverage> out;
  out.reserve(static_cast<size_t>(active) + static_cast<size_t>(suspended));
  for (int i = 0; i < active; ++i) {
    out.push_back({level, true});
  }
  for (int i = 0; i < suspended; ++i) {
    out.push_back({level, false});
  }
  return out;
}

std::vector<MeterForCoverage> Concat(std::vector<MeterForCoverage> a,
                                     const std::vector<MeterForCoverage>& b) {
  a.insert(a.end(), b.begin(), b.end());
  return a;
}

TEST(Coverage, ExactlyAtEachRequiredRateIsMet) {
  // 1/1 = 100%, 19/20 = 95%, 17/20 = 85%: each exactly at the default minimum.
  auto meters = Concat(Concat(Meters(1, 1), Meters(2, 19)), Meters(3, 17));
  Coverage c = ComputeCoverage({1, 20, 20}, meters, CoverageRequirements{});
  EXPECT_TRUE(c.levels[0].met);
  EXPECT_EQ(c.levels[0].rate_bp, 10000);
  EXPECT_TRUE(c.levels[1].met);
  EXPECT_EQ(c.levels[1].rate_bp, 9500);
  EXPECT_TRUE(c.levels[2].met);
  EXPECT_EQ(c.levels[2].rate_bp, 8500);
  EXPECT_TRUE(c.all_levels_met);
}

TEST(Coverage, OneMeterShortIsNotMetAndSaysSo) {
  // 18/20 = 90% < 95%; 16/20 = 80% < 85%; level 1: 1 of 2 = 50%.
  auto meters = Concat(Concat(Meters(1, 1), Meters(2, 18)), Meters(3, 16));
  Coverage c = ComputeCoverage({2, 20, 20}, meters, CoverageRequirements{});
  EXPECT_FALSE(c.levels[0].met);
  EXPECT_EQ(c.levels[0].rate_bp, 5000);
  EXPECT_FALSE(c.levels[1].met);
  EXPECT_EQ(c.levels[1].rate_bp, 9000);
  EXPECT_EQ(c.levels[1].shortfall,
            "18 of 20 level-2 measuring points metered (90.00%), below the required 95.00%");
  EXPECT_FALSE(c.levels[2].met);
  EXPECT_FALSE(c.all_levels_met);
}

TEST(Coverage, RoundingDoesNotTurnAShortfallIntoAPass) {
  // 189/199 = 94.97...%: rounds down to 9497 bp, and is below 95% exactly.
  Coverage c =
      ComputeCoverage({1, 199, 1}, Concat(Concat(Meters(1, 1), Meters(2, 189)), Meters(3, 1)),
                      CoverageRequirements{});
  EXPECT_EQ(c.levels[1].rate_bp, 9497);
  EXPECT_FALSE(c.levels[1].met);
}

TEST(Coverage, SuspendedMetersDoNotCountAndSurplusMetersCapAt100) {
  Coverage c =
      ComputeCoverage({1, 2, 1}, Concat(Concat(Meters(1, 3), Meters(2, 1, 1)), Meters(3, 1)),
                      CoverageRequirements{});
  EXPECT_EQ(c.levels[0].installed_meters, 3);
  EXPECT_EQ(c.levels[0].rate_bp, 10000);
  EXPECT_EQ(c.levels[1].installed_meters, 1);
  EXPECT_EQ(c.levels[1].rate_bp, 5000);
  EXPECT_FALSE(c.levels[1].met);
}

TEST(Coverage, UndeclaredPointsAreNotMet) {
  Coverage c = ComputeCoverage({1, 0, 0}, Meters(1, 1), CoverageRequirements{});
  EXPECT_TRUE(c.levels[0].met);
  EXPECT_FALSE(c.levels[1].met);
  EXPECT_EQ(c.levels[1].shortfall, "no level-2 measuring points declared");
  EXPECT_FALSE(c.all_levels_met);
}

TEST(Coverage, ConfiguredRatesApply) {
  CoverageRequirements lenient{.required_rate_bp = {10000, 9000, 8000}};
  Coverage c = ComputeCoverage({1, 20, 20},
                               Concat(Concat(Meters(1, 1), Meters(2, 18)), Meters(3, 16)), lenient);
  EXPECT_TRUE(c.all_levels_met);
}

TEST(ParsePercentBasisPoints, AcceptsPercentagesOnly) {
  EXPECT_EQ(*ParsePercentBasisPoints("95", "rate"), 9500);
  EXPECT_EQ(*ParsePercentBasisPoints("92.5", "rate"), 9250);
  EXPECT_EQ(*ParsePercentBasisPoints("100", "rate"), 10000);
  EXPECT_FALSE(ParsePercentBasisPoints("101", "rate").ok());
  EXPECT_FALSE(ParsePercentBasisPoints("-1", "rate").ok());
  EXPECT_FALSE(ParsePercentBasisPoints("95%", "rate").ok());
  EXPECT_FALSE(ParsePercentBasisPoints("95.123", "rate").ok());
}

}  // namespace
}  // namespace jieshui::domain
