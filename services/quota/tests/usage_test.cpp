// Unit tests of what a meter's record adds to an enterprise's usage: the measured-flow mapping,
// which flows count at which meter level (GB/T 24789-2022), and the flow totals.
#include "quota/src/core/usage.hpp"

#include <optional>

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::quota {
namespace {

// ---------------------------------------------------------------------------------------------
// FlowFromMeasured

TEST(FlowFromMeasuredTest, MapsEachRegistryValue) {
  // registry.v1.MeasuredFlow: 1 tap, 2 surface, 3 ground, 4 reclaimed, 5 recirculated cooling,
  // 6 reused process, 7 discharge.
  EXPECT_EQ(FlowFromMeasured(1), std::optional<Flow>(Flow::kMunicipalTap));
  EXPECT_EQ(FlowFromMeasured(2), std::optional<Flow>(Flow::kSelfSuppliedSurface));
  EXPECT_EQ(FlowFromMeasured(3), std::optional<Flow>(Flow::kSelfSuppliedGround));
  EXPECT_EQ(FlowFromMeasured(4), std::optional<Flow>(Flow::kReclaimed));
  EXPECT_EQ(FlowFromMeasured(5), std::optional<Flow>(Flow::kRecirculated));
  EXPECT_EQ(FlowFromMeasured(6), std::optional<Flow>(Flow::kReused));
  EXPECT_EQ(FlowFromMeasured(7), std::optional<Flow>(Flow::kDischarge));
}

TEST(FlowFromMeasuredTest, UnspecifiedAndUnknownValuesHaveNoFlow) {
  EXPECT_EQ(FlowFromMeasured(0), std::nullopt);  // MEASURED_FLOW_UNSPECIFIED
  EXPECT_EQ(FlowFromMeasured(8), std::nullopt);
  EXPECT_EQ(FlowFromMeasured(-1), std::nullopt);
}

// ---------------------------------------------------------------------------------------------
// CountsTowardUsage

TEST(CountsTowardUsageTest, IntakeAndDischargeCountOnlyAtTheBoundary) {
  for (Flow flow : {Flow::kMunicipalTap, Flow::kSelfSuppliedSurface, Flow::kSelfSuppliedGround,
                    Flow::kReclaimed, Flow::kDischarge}) {
    const int f = static_cast<int>(flow);
    EXPECT_TRUE(CountsTowardUsage(flow, 1)) << "flow " << f;
    // Sub-meters measure the same water again inside the plant.
    EXPECT_FALSE(CountsTowardUsage(flow, 2)) << "flow " << f;
    EXPECT_FALSE(CountsTowardUsage(flow, 3)) << "flow " << f;
  }
}

TEST(CountsTowardUsageTest, RecirculatedAndReusedCountAtEveryLevel) {
  for (Flow flow : {Flow::kRecirculated, Flow::kReused}) {
    const int f = static_cast<int>(flow);
    EXPECT_TRUE(CountsTowardUsage(flow, 1)) << "flow " << f;
    EXPECT_TRUE(CountsTowardUsage(flow, 2)) << "flow " << f;
    EXPECT_TRUE(CountsTowardUsage(flow, 3)) << "flow " << f;
  }
}

// ---------------------------------------------------------------------------------------------
// FlowTotals

FlowTotals SampleTotals() {
  FlowTotals t;
  t[Flow::kMunicipalTap] = 100'000;
  t[Flow::kSelfSuppliedSurface] = 20'000;
  t[Flow::kSelfSuppliedGround] = 3'000;
  t[Flow::kReclaimed] = 400;
  t[Flow::kRecirculated] = 50;
  t[Flow::kReused] = 6;
  t[Flow::kDischarge] = 70'000;
  return t;
}

TEST(FlowTotalsTest, NewWaterIsTapPlusSelfSuppliedAndExcludesReclaimed) {
  // 100,000 + 20,000 + 3,000 = 123,000 L; reclaimed (400), recirculated (50), reused (6) and
  // discharge (70,000) are not new water.
  EXPECT_EQ(SampleTotals().NewWater(), 123'000);

  FlowTotals reclaimed_only;
  reclaimed_only[Flow::kReclaimed] = 5'000;
  EXPECT_EQ(reclaimed_only.NewWater(), 0);

  EXPECT_EQ(FlowTotals{}.NewWater(), 0);
}

TEST(FlowTotalsTest, AddsFlowByFlow) {
  FlowTotals sum = SampleTotals();
  FlowTotals more;
  more[Flow::kMunicipalTap] = 1;
  more[Flow::kReclaimed] = 2;
  more[Flow::kDischarge] = 3;
  sum += more;
  // Tap 100,000 + 1; reclaimed 400 + 2; discharge 70,000 + 3; the rest unchanged.
  EXPECT_EQ(sum[Flow::kMunicipalTap], 100'001);
  EXPECT_EQ(sum[Flow::kSelfSuppliedSurface], 20'000);
  EXPECT_EQ(sum[Flow::kSelfSuppliedGround], 3'000);
  EXPECT_EQ(sum[Flow::kReclaimed], 402);
  EXPECT_EQ(sum[Flow::kRecirculated], 50);
  EXPECT_EQ(sum[Flow::kReused], 6);
  EXPECT_EQ(sum[Flow::kDischarge], 70'003);
  // 100,001 + 20,000 + 3,000 = 123,001.
  EXPECT_EQ(sum.NewWater(), 123'001);

  FlowTotals doubled = SampleTotals();
  doubled += SampleTotals();
  FlowTotals expected;
  expected[Flow::kMunicipalTap] = 200'000;
  expected[Flow::kSelfSuppliedSurface] = 40'000;
  expected[Flow::kSelfSuppliedGround] = 6'000;
  expected[Flow::kReclaimed] = 800;
  expected[Flow::kRecirculated] = 100;
  expected[Flow::kReused] = 12;
  expected[Flow::kDischarge] = 140'000;
  EXPECT_EQ(doubled, expected);
}

}  // namespace
}  // namespace jieshui::quota
