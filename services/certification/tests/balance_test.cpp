// Unit tests of the water balance test's closure check and rates, with figures worked by hand.
#include "certification/src/core/balance.hpp"

#include <gtest/gtest.h>

#include <string>

#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

WaterUnit Unit(std::string name, int64_t new_tap, std::vector<WaterUnit> parts = {}) {
  WaterUnit u;
  u.name = std::move(name);
  u.volumes.new_tap = new_tap;
  u.parts = std::move(parts);
  return u;
}

// The enterprise meters 100,000 L; its two workshops 60,000 + 50,000 = 110,000 L: a difference of
// 10,000 L, exactly 10% of 100,000, which the default tolerance accepts. One litre more is refused.
TEST(CheckClosure, ExactlyAtTheToleranceIsAcceptedAndJustAboveRefused) {
  WaterUnit enterprise = Unit("企业", 100'000, {Unit("一车间", 60'000), Unit("二车间", 50'000)});
  EXPECT_TRUE(CheckClosure(enterprise).ok());
  enterprise.parts[1].volumes.new_tap = 50'001;
  const absl::Status refused = CheckClosure(enterprise);
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(refused.message(),
            "units: its parts' new water is 110001 L against its own 100000 L, a difference of "
            "10001 L (10.00% of its own), more than the 10.00% allowed");
  ASSERT_EQ(errors::FieldViolationsOf(refused).size(), 1U);
  EXPECT_EQ(errors::FieldViolationsOf(refused)[0].field, "units");
  // A tighter tolerance (5%) refuses what 10% accepted.
  enterprise.parts[1].volumes.new_tap = 50'000;
  EXPECT_FALSE(CheckClosure(enterprise, 500).ok());
}

// A workshop's equipment must close on the workshop too: 40,000 + 26,001 = 66,001 L against
// 60,000 L is 6,001 L, 10.0017%: refused, naming the workshop.
TEST(CheckClosure, NamesTheUnitWhosePartsDoNotClose) {
  WaterUnit enterprise =
      Unit("企业", 100'000,
           {Unit("一车间", 60'000, {Unit("冷却塔", 40'000), Unit("生产线", 26'001)}),
            Unit("二车间", 40'000)});
  const absl::Status refused = CheckClosure(enterprise);
  ASSERT_FALSE(refused.ok());
  EXPECT_EQ(errors::FieldViolationsOf(refused)[0].field, "units.一车间");
  enterprise.parts[0].parts[1].volumes.new_tap = 26'000;  // 66,000: exactly 10%
  EXPECT_TRUE(CheckClosure(enterprise).ok());
}

// Rates are ratios of the leaves' sums. Leaves:
//   冷却塔: Vf 20,000 (cooling make-up), Vr recirculated 380,000 (cooling), leak 1,000, discharge
//     4,000;
//   生产线: Vf ground 40,000, Vr series 10,000 (treated wastewater), leak 2,000, discharge 33,000;
//   二车间 (a leaf): Vf 45,000 tap + 5,000 reclaimed, leak 2,000, discharge 40,000.
// ΣVf = 105,000, ΣVr = 390,000:
//   R  = 390,000 / 495,000 = 78.79% (7879 bp);
//   rc = 380,000 / (380,000 + 20,000) = 95.00%;
//   Kl = 5,000 / 105,000 = 4.76%;
//   Kw = 10,000 / (10,000 + 77,000) = 11.49%;
//   Ku = 5,000 / (105,000 + 5,000) = 4.55%.
TEST(DeriveRates, AreRatiosOfTheLeavesSums) {
  WaterUnit tower = Unit("冷却塔", 20'000);
  tower.volumes.cooling_new = 20'000;
  tower.volumes.recirculated = 380'000;
  tower.volumes.cooling_recirculated = 380'000;
  tower.volumes.leakage = 1'000;
  tower.volumes.discharge = 4'000;
  WaterUnit line;
  line.name = "生产线";
  line.volumes.new_ground = 40'000;
  line.volumes.series = 10'000;
  line.volumes.wastewater_reused = 10'000;
  line.volumes.leakage = 2'000;
  line.volumes.discharge = 33'000;
  WaterUnit second = Unit("二车间", 45'000);
  second.volumes.new_nonconventional = 5'000;
  second.volumes.leakage = 2'000;
  second.volumes.discharge = 40'000;
  const WaterUnit enterprise =
      Unit("企业", 100'000, {Unit("一车间", 60'000, {tower, line}), second});
  ASSERT_TRUE(CheckClosure(enterprise).ok());  // 105,000 against 100,000: 5%
  absl::StatusOr<BalanceRates> rates = DeriveRates(enterprise);
  ASSERT_TRUE(rates.ok()) << rates.status();
  EXPECT_EQ(rates->repeat_utilisation, (Rate{.numerator = 390'000, .denominator = 495'000}));
  EXPECT_EQ(rates->repeat_utilisation.BasisPoints(), 7879);
  EXPECT_EQ(rates->cooling_recirculation.BasisPoints(), 9500);
  EXPECT_EQ(rates->leakage, (Rate{.numerator = 5'000, .denominator = 105'000}));
  EXPECT_EQ(rates->leakage.BasisPoints(), 476);
  EXPECT_EQ(rates->wastewater_reuse.BasisPoints(), 1149);
  EXPECT_EQ(rates->nonconventional_share.BasisPoints(), 455);
}

TEST(DeriveRates, ARateWithNothingUnderItIsUndefinedAndANegativeVolumeIsRefused) {
  WaterUnit enterprise = Unit("企业", 1'000);
  absl::StatusOr<BalanceRates> rates = DeriveRates(enterprise);
  ASSERT_TRUE(rates.ok());
  EXPECT_FALSE(rates->cooling_recirculation.defined());
  EXPECT_EQ(rates->cooling_recirculation.BasisPoints(), 0);
  EXPECT_EQ(rates->repeat_utilisation.BasisPoints(), 0);  // 0 of 1,000: defined, 0%
  enterprise.parts = {Unit("车间", 1'000)};
  enterprise.parts[0].volumes.leakage = -1;
  const absl::Status refused = DeriveRates(enterprise).status();
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(errors::FieldViolationsOf(refused)[0].field, "units.车间.leakage");
}

}  // namespace
}  // namespace jieshui::certification
