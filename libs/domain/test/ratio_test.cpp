// Exact ratios of sums, worked by hand.
#include "domain/ratio.hpp"

#include <gtest/gtest.h>

namespace jieshui::domain {
namespace {

TEST(RatioTest, BasisPointsRoundHalfAwayFromZeroOnce) {
  // 540,000 / 650,000 = 0.830769… → 8307.69 bp → 8308.
  EXPECT_EQ(Ratio(540'000, 650'000).BasisPoints(), 8308);
  EXPECT_EQ(Ratio(540'000, 650'000).PercentText(), "83.08%");
  // 1 / 20000 = 0.5 bp exactly: half rounds away from zero, both ways.
  EXPECT_EQ(Ratio(1, 20'000).BasisPoints(), 1);
  EXPECT_EQ(Ratio(-1, 20'000).BasisPoints(), -1);
  EXPECT_EQ(Ratio(1, -20'000).BasisPoints(), -1);
  EXPECT_EQ(Ratio(1, 20'001).BasisPoints(), 0);
  EXPECT_FALSE(Ratio(5, 0).defined());
  EXPECT_EQ(Ratio(5, 0).BasisPoints(), std::nullopt);
  EXPECT_EQ(Ratio(5, 0).PercentText(), "—");
}

TEST(RatioTest, ADeclineAgainstABaseIsOneRatioOfProducts) {
  // 2020: 8,000,000 m³ over 400,000 万元 = 20 m³/万元; now 6,480,000 m³ over 400,000 万元 = 16.2:
  // decline (20 − 16.2) / 20 = 19% exactly: (8e6·4e5 − 6.48e6·4e5) / (8e6·4e5).
  const Ratio base(8'000'000, 400'000);
  const Ratio now(6'480'000, 400'000);
  const Ratio decline = Ratio::DeclineFrom(now, base);
  EXPECT_EQ(decline.BasisPoints(), 1900);
  EXPECT_EQ(Int128Text(decline.numerator()), "608000000000");
  EXPECT_EQ(Int128Text(decline.denominator()), "3200000000000");
  // Products past 64 bits stay exact: 9e12 L over 3e12 fen, against 1e13 over 2e12.
  const Ratio big = Ratio::IncreaseOver(Ratio(absl::int128(9'000'000'000'000), 3'000'000'000'000),
                                        Ratio(absl::int128(10'000'000'000'000), 2'000'000'000'000));
  // 3 against 5: (3 − 5) / 5 = −40%.
  EXPECT_EQ(big.BasisPoints(), -4000);
  EXPECT_EQ(Int128Text(big.denominator()), "30000000000000000000000000");
  // An undefined side leaves the result undefined.
  EXPECT_FALSE(Ratio::IncreaseOver(Ratio(1, 2), Ratio(0, 0)).defined());
  EXPECT_FALSE(Ratio::IncreaseOver(Ratio(1, 2), Ratio(0, 5)).defined());  // a base of 0
}

TEST(RatioTest, TextForms) {
  EXPECT_EQ(BasisPointsText(-150), "-1.50%");
  EXPECT_EQ(BasisPointsText(7), "0.07%");
  EXPECT_EQ(Int128Text(0), "0");
  EXPECT_EQ(Int128Text(-42), "-42");
}

}  // namespace
}  // namespace jieshui::domain
