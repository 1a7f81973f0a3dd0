// Unit tests of progressive surcharges (超计划/超定额累进加价) and the product quota check
// (用水定额). Every expected figure is worked by hand in the comment beside it.
#include "quota/src/core/surcharge.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "domain/money.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::quota {
namespace {

using ::testing::HasSubstr;
using ::testing::StartsWith;

// absl::Status::message() is an absl::string_view, which this abseil build does not alias to
// std::string_view; gMock's string matchers want a std::string.
std::string MessageOf(const absl::Status& status) { return std::string(status.message()); }

domain::Multiplier Times(int64_t numerator, int64_t denominator) {
  return *domain::Multiplier::Create(numerator, denominator);
}

SurchargeBand Band(int64_t from_bp, std::optional<int64_t> to_bp, domain::Multiplier m) {
  return SurchargeBand{.from_bp = from_bp, .to_bp = to_bp, .multiplier = m};
}

// DOMAIN.md "Plans, quotas, surcharges": up to 20% over at 0.5×, 20–40% at 1×, above 40% at 2×.
std::vector<SurchargeBand> DefaultBands() {
  return {Band(0, 2'000, Times(1, 2)), Band(2'000, 4'000, Times(1, 1)),
          Band(4'000, std::nullopt, Times(2, 1))};
}

BasePrice FenPerCubicMetre(int64_t fen) {
  return BasePrice{.fen_numerator = fen, .denominator = 1};
}

// ---------------------------------------------------------------------------------------------
// ParseBands

TEST(ParseBandsTest, ParsesTheDefaultBands) {
  auto bands = ParseBands({{"0", "20", "0.5"}, {"20", "40", "1"}, {"40", "", "2"}});
  ASSERT_TRUE(bands.ok()) << bands.status();
  ASSERT_EQ(bands->size(), 3u);
  EXPECT_EQ((*bands)[0].from_bp, 0);
  EXPECT_EQ((*bands)[0].to_bp, std::optional<int64_t>(2'000));
  EXPECT_EQ((*bands)[0].multiplier, Times(1, 2));
  EXPECT_EQ((*bands)[1].from_bp, 2'000);
  EXPECT_EQ((*bands)[1].to_bp, std::optional<int64_t>(4'000));
  EXPECT_EQ((*bands)[1].multiplier, Times(1, 1));
  EXPECT_EQ((*bands)[2].from_bp, 4'000);
  EXPECT_EQ((*bands)[2].to_bp, std::nullopt);
  EXPECT_EQ((*bands)[2].multiplier, Times(2, 1));
}

TEST(ParseBandsTest, ParsesFractionalPercentsAndFractionMultipliers) {
  // 12.5% = 1,250 bp; "1/3" stays an exact third.
  auto bands = ParseBands({{"0", "12.5", "1/3"}, {"12.5", "", "1.5"}});
  ASSERT_TRUE(bands.ok()) << bands.status();
  ASSERT_EQ(bands->size(), 2u);
  EXPECT_EQ((*bands)[0].to_bp, std::optional<int64_t>(1'250));
  EXPECT_EQ((*bands)[0].multiplier, Times(1, 3));
  EXPECT_EQ((*bands)[1].from_bp, 1'250);
  EXPECT_EQ((*bands)[1].multiplier, Times(3, 2));
}

TEST(ParseBandsTest, BadTextNamesTheBandAndPart) {
  auto bad_from = ParseBands({{"zero", "20", "0.5"}, {"20", "", "2"}});
  ASSERT_EQ(bad_from.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(bad_from.status()), StartsWith("bands[0].from_percent"));

  auto bad_to = ParseBands({{"0", "20%", "0.5"}, {"20", "", "2"}});
  ASSERT_EQ(bad_to.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(bad_to.status()), StartsWith("bands[0].to_percent"));

  auto negative_to = ParseBands({{"0", "-20", "0.5"}, {"20", "", "2"}});
  ASSERT_EQ(negative_to.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(negative_to.status()), StartsWith("bands[0].to_percent"));

  auto bad_multiplier = ParseBands({{"0", "20", "0.5"}, {"20", "", "two"}});
  ASSERT_EQ(bad_multiplier.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(bad_multiplier.status()), StartsWith("bands[1].multiplier"));
}

TEST(ParseBandsTest, ValidatesTheParsedBandsWithTheGivenFieldName) {
  // A gap: the second band starts at 30% but the first ends at 20%.
  auto gap = ParseBands({{"0", "20", "0.5"}, {"30", "", "2"}}, "over_plan_bands");
  ASSERT_EQ(gap.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(gap.status()), StartsWith("over_plan_bands[1].from_percent"));

  auto empty = ParseBands({}, "over_plan_bands");
  ASSERT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(empty.status()), StartsWith("over_plan_bands"));
}

// ---------------------------------------------------------------------------------------------
// ValidateBands

TEST(ValidateBandsTest, AcceptsTheDefaultBandsAndASingleUnboundedBand) {
  EXPECT_TRUE(ValidateBands(DefaultBands()).ok());
  EXPECT_TRUE(ValidateBands({Band(0, std::nullopt, Times(1, 1))}).ok());
}

TEST(ValidateBandsTest, GapIsRejected) {
  absl::Status s =
      ValidateBands({Band(0, 2'000, Times(1, 2)), Band(3'000, std::nullopt, Times(2, 1))});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("bands[1].from_percent"));
}

TEST(ValidateBandsTest, OverlapIsRejected) {
  absl::Status s =
      ValidateBands({Band(0, 2'000, Times(1, 2)), Band(1'000, std::nullopt, Times(2, 1))});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("bands[1].from_percent"));
}

TEST(ValidateBandsTest, FirstBandMustStartAtZero) {
  absl::Status s =
      ValidateBands({Band(1'000, 2'000, Times(1, 2)), Band(2'000, std::nullopt, Times(2, 1))});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("bands[0].from_percent"));
}

TEST(ValidateBandsTest, OnlyTheLastBandMayBeUnbounded) {
  absl::Status s =
      ValidateBands({Band(0, std::nullopt, Times(1, 2)), Band(2'000, std::nullopt, Times(2, 1))});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("bands[0].to_percent"));
}

TEST(ValidateBandsTest, LastBandMustBeUnbounded) {
  absl::Status s = ValidateBands({Band(0, 2'000, Times(1, 2)), Band(2'000, 4'000, Times(1, 1))});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("bands[1].to_percent"));
}

TEST(ValidateBandsTest, EmptyListIsRejected) {
  absl::Status s = ValidateBands({});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("bands"));
}

TEST(ValidateBandsTest, BandMustEndAboveWhereItStarts) {
  // to == from: [20%, 20%).
  absl::Status empty_band =
      ValidateBands({Band(0, 2'000, Times(1, 2)), Band(2'000, 2'000, Times(1, 1)),
                     Band(2'000, std::nullopt, Times(2, 1))});
  EXPECT_EQ(empty_band.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(empty_band), StartsWith("bands[1].to_percent"));

  // to < from: [20%, 10%).
  absl::Status backwards =
      ValidateBands({Band(0, 2'000, Times(1, 2)), Band(2'000, 1'000, Times(1, 1)),
                     Band(1'000, std::nullopt, Times(2, 1))});
  EXPECT_EQ(backwards.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(backwards), StartsWith("bands[1].to_percent"));

  // The first band [0%, 0%).
  absl::Status first = ValidateBands({Band(0, 0, Times(1, 2)), Band(0, std::nullopt, Times(2, 1))});
  EXPECT_EQ(first.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(first), StartsWith("bands[0].to_percent"));
}

TEST(ValidateBandsTest, ErrorsUseTheGivenFieldName) {
  absl::Status s = ValidateBands(
      {Band(0, 2'000, Times(1, 2)), Band(3'000, std::nullopt, Times(2, 1))}, "over_quota_bands");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), StartsWith("over_quota_bands[1].from_percent"));
}

// ---------------------------------------------------------------------------------------------
// PercentText

TEST(PercentTextTest, FormatsBasisPointsWithoutTrailingZeros) {
  EXPECT_EQ(PercentText(2'000), "20");
  EXPECT_EQ(PercentText(1'250), "12.5");
  EXPECT_EQ(PercentText(1'234), "12.34");
  EXPECT_EQ(PercentText(5), "0.05");
  EXPECT_EQ(PercentText(0), "0");
  EXPECT_EQ(PercentText(1'000), "10");
  EXPECT_EQ(PercentText(10'000), "100");
  EXPECT_EQ(PercentText(100'000), "1000");
}

// ---------------------------------------------------------------------------------------------
// WeightedBasePrice and BasePriceYuanText

// The price as a fraction compared exactly: numerator / denominator == fen.
void ExpectPriceEquals(const BasePrice& price, int64_t fen) {
  ASSERT_GT(price.denominator, 0);
  EXPECT_EQ(price.fen_numerator, fen * price.denominator)
      << price.fen_numerator << "/" << price.denominator << " is not " << fen;
}

TEST(WeightedBasePriceTest, WeighsTwoSourcesByTheirIntake) {
  // (30,000 L × 400 + 10,000 L × 200) / 40,000 L = (12,000,000 + 2,000,000) / 40,000
  // = 350 fen/m³ = 3.5000 yuan/m³.
  BasePrice price =
      WeightedBasePrice({{.litres = 30'000, .price_per_cubic_metre = domain::Money::Fen(400)},
                         {.litres = 10'000, .price_per_cubic_metre = domain::Money::Fen(200)}},
                        domain::Money::Fen(999));
  ExpectPriceEquals(price, 350);
  EXPECT_EQ(BasePriceYuanText(price), "3.5000");
}

TEST(WeightedBasePriceTest, KeepsAPriceThatIsNotAWholeFenExact) {
  // (1 L × 400 + 2 L × 200) / 3 L = 800/3 fen/m³ = 266.666… fen = 2.66666… yuan → "2.6667".
  BasePrice price =
      WeightedBasePrice({{.litres = 1, .price_per_cubic_metre = domain::Money::Fen(400)},
                         {.litres = 2, .price_per_cubic_metre = domain::Money::Fen(200)}},
                        domain::Money::Fen(999));
  ASSERT_GT(price.denominator, 0);
  // 800/3 exactly: numerator × 3 == 800 × denominator.
  EXPECT_EQ(price.fen_numerator * 3, 800 * price.denominator);
  EXPECT_EQ(BasePriceYuanText(price), "2.6667");
}

TEST(WeightedBasePriceTest, SingleSourceIsItsOwnPrice) {
  BasePrice price =
      WeightedBasePrice({{.litres = 12'345, .price_per_cubic_metre = domain::Money::Fen(415)}},
                        domain::Money::Fen(999));
  ExpectPriceEquals(price, 415);
  EXPECT_EQ(BasePriceYuanText(price), "4.1500");
}

TEST(WeightedBasePriceTest, SourcesThatDrewNothingDoNotWeigh) {
  BasePrice price =
      WeightedBasePrice({{.litres = 0, .price_per_cubic_metre = domain::Money::Fen(999)},
                         {.litres = 1'000, .price_per_cubic_metre = domain::Money::Fen(400)}},
                        domain::Money::Fen(100));
  ExpectPriceEquals(price, 400);
}

TEST(WeightedBasePriceTest, FallbackWhenNothingWasDrawn) {
  ExpectPriceEquals(WeightedBasePrice({}, domain::Money::Fen(380)), 380);
  ExpectPriceEquals(
      WeightedBasePrice({{.litres = 0, .price_per_cubic_metre = domain::Money::Fen(999)}},
                        domain::Money::Fen(380)),
      380);
  EXPECT_EQ(BasePriceYuanText(WeightedBasePrice({}, domain::Money::Fen(380))), "3.8000");
}

TEST(BasePriceYuanTextTest, RoundsHalfUpAtTheFourthDecimal) {
  // 1/8 fen = 0.00125 yuan → 0.0013 (the half goes up).
  EXPECT_EQ(BasePriceYuanText({.fen_numerator = 1, .denominator = 8}), "0.0013");
  // 1/3 fen = 0.003333… yuan → 0.0033.
  EXPECT_EQ(BasePriceYuanText({.fen_numerator = 1, .denominator = 3}), "0.0033");
  // 2/3 fen = 0.006666… yuan → 0.0067.
  EXPECT_EQ(BasePriceYuanText({.fen_numerator = 2, .denominator = 3}), "0.0067");
  EXPECT_EQ(BasePriceYuanText({.fen_numerator = 0, .denominator = 1}), "0.0000");
  EXPECT_EQ(BasePriceYuanText({.fen_numerator = 123'456, .denominator = 1}), "1234.5600");
}

// ---------------------------------------------------------------------------------------------
// ComputeSurcharge

TEST(ComputeSurchargeTest, NothingOverTheAllowanceIsCharged) {
  for (int64_t used : {0, 90'000, 100'000}) {
    auto w = ComputeSurcharge(100'000, used, DefaultBands(), FenPerCubicMetre(400));
    ASSERT_TRUE(w.ok()) << w.status();
    EXPECT_EQ(w->allowed, 100'000);
    EXPECT_EQ(w->used, used);
    EXPECT_EQ(w->over, 0);
    ASSERT_EQ(w->lines.size(), 3u);
    for (const SurchargeLine& line : w->lines) {
      EXPECT_EQ(line.litres, 0);
      EXPECT_EQ(line.amount, domain::Money::Fen(0));
    }
    EXPECT_EQ(w->total, domain::Money::Fen(0));
  }
}

TEST(ComputeSurchargeTest, UsageExactlyAtTheFirstBandLimit) {
  // Plan 100,000 L, 400 fen/m³. Used 120,000 → over 20,000 L = exactly the 20% limit.
  // Band 1: 20,000 L = 20 m³ × 4.00 × 0.5 = 40.00 CNY = 4,000 fen. Bands 2 and 3: 0.
  auto w = ComputeSurcharge(100'000, 120'000, DefaultBands(), FenPerCubicMetre(400));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->over, 20'000);
  ASSERT_EQ(w->lines.size(), 3u);
  EXPECT_EQ(w->lines[0].litres, 20'000);
  EXPECT_EQ(w->lines[0].amount, domain::Money::Fen(4'000));
  EXPECT_EQ(w->lines[1].litres, 0);
  EXPECT_EQ(w->lines[1].amount, domain::Money::Fen(0));
  EXPECT_EQ(w->lines[2].litres, 0);
  EXPECT_EQ(w->lines[2].amount, domain::Money::Fen(0));
  EXPECT_EQ(w->total, domain::Money::Fen(4'000));
}

TEST(ComputeSurchargeTest, UsageExactlyAtTheSecondBandLimit) {
  // Used 140,000 → over 40,000 L = exactly the 40% limit.
  // Band 1: 20,000 L × 4.00 × 0.5 = 4,000 fen. Band 2: 20,000 L = 20 m³ × 4.00 × 1 = 80.00 CNY
  // = 8,000 fen. Band 3: 0. Total 12,000 fen.
  auto w = ComputeSurcharge(100'000, 140'000, DefaultBands(), FenPerCubicMetre(400));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->over, 40'000);
  ASSERT_EQ(w->lines.size(), 3u);
  EXPECT_EQ(w->lines[0].litres, 20'000);
  EXPECT_EQ(w->lines[0].amount, domain::Money::Fen(4'000));
  EXPECT_EQ(w->lines[1].litres, 20'000);
  EXPECT_EQ(w->lines[1].amount, domain::Money::Fen(8'000));
  EXPECT_EQ(w->lines[2].litres, 0);
  EXPECT_EQ(w->lines[2].amount, domain::Money::Fen(0));
  EXPECT_EQ(w->total, domain::Money::Fen(12'000));
}

TEST(ComputeSurchargeTest, UsageIntoTheLastBand) {
  // Used 150,000 → over 50,000 L. Bands 1, 2 as above (4,000 + 8,000 fen).
  // Band 3: 10,000 L = 10 m³ × 4.00 × 2 = 80.00 CNY = 8,000 fen. Total 20,000 fen.
  auto w = ComputeSurcharge(100'000, 150'000, DefaultBands(), FenPerCubicMetre(400));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->allowed, 100'000);
  EXPECT_EQ(w->used, 150'000);
  EXPECT_EQ(w->over, 50'000);
  ASSERT_EQ(w->lines.size(), 3u);
  EXPECT_EQ(w->lines[0].litres, 20'000);
  EXPECT_EQ(w->lines[0].amount, domain::Money::Fen(4'000));
  EXPECT_EQ(w->lines[1].litres, 20'000);
  EXPECT_EQ(w->lines[1].amount, domain::Money::Fen(8'000));
  EXPECT_EQ(w->lines[2].litres, 10'000);
  EXPECT_EQ(w->lines[2].amount, domain::Money::Fen(8'000));
  EXPECT_EQ(w->total, domain::Money::Fen(20'000));
  // Lines carry their band, in band order.
  EXPECT_EQ(w->lines[0].band.from_bp, 0);
  EXPECT_EQ(w->lines[1].band.from_bp, 2'000);
  EXPECT_EQ(w->lines[2].band.from_bp, 4'000);
  EXPECT_EQ(w->lines[2].band.multiplier, Times(2, 1));
  ExpectPriceEquals(w->base_price, 400);
}

TEST(ComputeSurchargeTest, ZeroAllowancePutsAllOverUseInTheLastBand) {
  // Allowed 0 → every band limit is 0 L; used 5,000 L all in band 3:
  // 5 m³ × 4.00 × 2 = 40.00 CNY = 4,000 fen.
  auto w = ComputeSurcharge(0, 5'000, DefaultBands(), FenPerCubicMetre(400));
  ASSERT_TRUE(w.ok()) << w.status();
  EXPECT_EQ(w->over, 5'000);
  ASSERT_EQ(w->lines.size(), 3u);
  EXPECT_EQ(w->lines[0].litres, 0);
  EXPECT_EQ(w->lines[1].litres, 0);
  EXPECT_EQ(w->lines[2].litres, 5'000);
  EXPECT_EQ(w->lines[2].amount, domain::Money::Fen(4'000));
  EXPECT_EQ(w->total, domain::Money::Fen(4'000));

  auto nothing = ComputeSurcharge(0, 0, DefaultBands(), FenPerCubicMetre(400));
  ASSERT_TRUE(nothing.ok()) << nothing.status();
  EXPECT_EQ(nothing->over, 0);
  EXPECT_EQ(nothing->total, domain::Money::Fen(0));
}

TEST(ComputeSurchargeTest, BandLimitIsRoundedHalfUpToTheLitre) {
  // Bands [0, 12.5%) at 1×, [12.5%, ∞) at 2×; price 1,000 fen/m³ = 1 fen per litre.
  const std::vector<SurchargeBand> bands = {Band(0, 1'250, Times(1, 1)),
                                            Band(1'250, std::nullopt, Times(2, 1))};
  // Allowed 1,004 L: limit 1,004 × 12.5% = 125.5 L → 126 L. Used 1,204 → over 200 L:
  // band 1 126 L × 1 fen = 126 fen; band 2 74 L × 1 fen × 2 = 148 fen; total 274 fen.
  auto half = ComputeSurcharge(1'004, 1'204, bands, FenPerCubicMetre(1'000));
  ASSERT_TRUE(half.ok()) << half.status();
  ASSERT_EQ(half->lines.size(), 2u);
  EXPECT_EQ(half->lines[0].litres, 126);
  EXPECT_EQ(half->lines[0].amount, domain::Money::Fen(126));
  EXPECT_EQ(half->lines[1].litres, 74);
  EXPECT_EQ(half->lines[1].amount, domain::Money::Fen(148));
  EXPECT_EQ(half->total, domain::Money::Fen(274));

  // Allowed 1,003 L: limit 1,003 × 12.5% = 125.375 L → 125 L. Used 1,203 → over 200 L:
  // band 1 125 L = 125 fen; band 2 75 L × 2 = 150 fen; total 275 fen.
  auto below_half = ComputeSurcharge(1'003, 1'203, bands, FenPerCubicMetre(1'000));
  ASSERT_TRUE(below_half.ok()) << below_half.status();
  ASSERT_EQ(below_half->lines.size(), 2u);
  EXPECT_EQ(below_half->lines[0].litres, 125);
  EXPECT_EQ(below_half->lines[1].litres, 75);
  EXPECT_EQ(below_half->total, domain::Money::Fen(275));
}

TEST(ComputeSurchargeTest, AmountIsRoundedHalfUpToTheFen) {
  // Allowed 100,000 L, 500 fen/m³, band 1 at 0.5×.
  // Over 1 L: 0.001 m³ × 500 × 0.5 = 0.25 fen → 0 fen.
  // Over 2 L: 0.002 m³ × 500 × 0.5 = 0.5 fen → 1 fen (the half goes up).
  // Over 6 L: 0.006 m³ × 500 × 0.5 = 1.5 fen → 2 fen.
  // Over 7 L: 0.007 m³ × 500 × 0.5 = 1.75 fen → 2 fen.
  struct Case {
    int64_t used;
    int64_t fen;
  };
  for (const Case& c : {Case{100'001, 0}, Case{100'002, 1}, Case{100'006, 2}, Case{100'007, 2}}) {
    auto w = ComputeSurcharge(100'000, c.used, DefaultBands(), FenPerCubicMetre(500));
    ASSERT_TRUE(w.ok()) << w.status();
    ASSERT_EQ(w->lines.size(), 3u);
    EXPECT_EQ(w->lines[0].amount, domain::Money::Fen(c.fen)) << "used " << c.used;
    EXPECT_EQ(w->total, domain::Money::Fen(c.fen)) << "used " << c.used;
  }
}

TEST(ComputeSurchargeTest, EachLineIsRoundedOnceAndTheTotalIsTheirSum) {
  // Allowed 1,000 L (limits 200 L and 400 L), 2 fen/m³, used 1,500 → over 500 L:
  // band 1 200 L × 0.002 fen/L × 0.5 = 0.2 fen → 0; band 2 200 L × 0.002 × 1 = 0.4 fen → 0;
  // band 3 100 L × 0.002 × 2 = 0.4 fen → 0. Total 0 fen (not the 1.0 fen of the unrounded sum).
  auto w = ComputeSurcharge(1'000, 1'500, DefaultBands(), FenPerCubicMetre(2));
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->lines.size(), 3u);
  EXPECT_EQ(w->lines[0].litres, 200);
  EXPECT_EQ(w->lines[1].litres, 200);
  EXPECT_EQ(w->lines[2].litres, 100);
  EXPECT_EQ(w->lines[0].amount, domain::Money::Fen(0));
  EXPECT_EQ(w->lines[1].amount, domain::Money::Fen(0));
  EXPECT_EQ(w->lines[2].amount, domain::Money::Fen(0));
  EXPECT_EQ(w->total, domain::Money::Fen(0));
}

TEST(ComputeSurchargeTest, WeightedPriceIsNotRoundedBeforeCharging) {
  // Base price 800/3 fen/m³ (266.666… fen). Allowed 100,000, used 120,000 → band 1 20,000 L:
  // 20 m³ × 800/3 × 0.5 = 8,000/3 = 2,666.67 fen → 2,667 fen
  // (a price first rounded to 267 fen would give 20 × 267 × 0.5 = 2,670 fen).
  auto w = ComputeSurcharge(100'000, 120'000, DefaultBands(),
                            BasePrice{.fen_numerator = 800, .denominator = 3});
  ASSERT_TRUE(w.ok()) << w.status();
  ASSERT_EQ(w->lines.size(), 3u);
  EXPECT_EQ(w->lines[0].litres, 20'000);
  EXPECT_EQ(w->lines[0].amount, domain::Money::Fen(2'667));
  EXPECT_EQ(w->total, domain::Money::Fen(2'667));
}

TEST(ComputeSurchargeTest, RejectsInvalidInput) {
  EXPECT_EQ(ComputeSurcharge(-1, 100, DefaultBands(), FenPerCubicMetre(400)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeSurcharge(100, -1, DefaultBands(), FenPerCubicMetre(400)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeSurcharge(100, 200, {}, FenPerCubicMetre(400)).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeSurcharge(100, 200, {Band(0, 2'000, Times(1, 2))}, FenPerCubicMetre(400))
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeSurcharge(100, 200, DefaultBands(), {.fen_numerator = 400, .denominator = 0})
                .status()
                .code(),
            absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// ValidateQuotaValues

TEST(ValidateQuotaValuesTest, AcceptsGeneralAtOrAboveAdvanced) {
  EXPECT_TRUE(
      ValidateQuotaValues({.general_ml_per_unit = 5'000, .advanced_ml_per_unit = 4'000}).ok());
  EXPECT_TRUE(
      ValidateQuotaValues({.general_ml_per_unit = 5'000, .advanced_ml_per_unit = 5'000}).ok());
  EXPECT_TRUE(ValidateQuotaValues({.general_ml_per_unit = 0, .advanced_ml_per_unit = 0}).ok());
}

TEST(ValidateQuotaValuesTest, AdvancedAboveGeneralIsRejected) {
  absl::Status s =
      ValidateQuotaValues({.general_ml_per_unit = 4'000, .advanced_ml_per_unit = 4'001});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(s), HasSubstr("advanced_litres_per_unit"));
}

TEST(ValidateQuotaValuesTest, NegativeValuesAreRejected) {
  absl::Status general =
      ValidateQuotaValues({.general_ml_per_unit = -1, .advanced_ml_per_unit = -2});
  EXPECT_EQ(general.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(general), HasSubstr("general_litres_per_unit"));

  absl::Status advanced =
      ValidateQuotaValues({.general_ml_per_unit = 5'000, .advanced_ml_per_unit = -1});
  EXPECT_EQ(advanced.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(advanced), HasSubstr("advanced_litres_per_unit"));
}

// ---------------------------------------------------------------------------------------------
// CheckProductQuota

// General 5.000 L per unit (5,000 ml), advanced 4.000 L per unit (4,000 ml).
constexpr ProductQuotaValues kQuota{.general_ml_per_unit = 5'000, .advanced_ml_per_unit = 4'000};

TEST(CheckProductQuotaTest, ExactlyAtTheGeneralValueIsWithinQuota) {
  // 50 L for 10 units (10,000 milli): 50 / 10 = 5.000 L = 5,000 ml per unit = the general value.
  // Allowed 5,000 ml × 10 = 50 L. 50 × 10^6 = 5,000 × 10,000: not over.
  QuotaCheckResult r = CheckProductQuota(50, 10'000, kQuota);
  EXPECT_EQ(r.intake, 50);
  EXPECT_EQ(r.output_milli, 10'000);
  EXPECT_EQ(r.unit_intake_ml, std::optional<int64_t>(5'000));
  EXPECT_EQ(r.allowed, 50);
  EXPECT_FALSE(r.over_quota);
  EXPECT_EQ(r.over, 0);
  EXPECT_FALSE(r.meets_advanced);  // 5,000 ml > 4,000 ml
}

TEST(CheckProductQuotaTest, JustAboveTheGeneralValueIsOverQuota) {
  // 51 L for 10 units: 5.1 L = 5,100 ml per unit > 5,000. Allowed 50 L, over 51 − 50 = 1 L.
  QuotaCheckResult r = CheckProductQuota(51, 10'000, kQuota);
  EXPECT_EQ(r.unit_intake_ml, std::optional<int64_t>(5'100));
  EXPECT_EQ(r.allowed, 50);
  EXPECT_TRUE(r.over_quota);
  EXPECT_EQ(r.over, 1);
  EXPECT_FALSE(r.meets_advanced);
}

TEST(CheckProductQuotaTest, DecidesOnTheExactRatio) {
  // 50 L for 9.999 units: 50 × 10^6 = 50,000,000 > 5,000 × 9,999 = 49,995,000 → over quota,
  // although the unit intake 5,000.50005 ml shows as 5,001 ml.
  QuotaCheckResult over = CheckProductQuota(50, 9'999, kQuota);
  EXPECT_TRUE(over.over_quota);
  EXPECT_EQ(over.unit_intake_ml, std::optional<int64_t>(5'001));

  // 50 L for 10.001 units: 50,000,000 ≤ 5,000 × 10,001 = 50,005,000 → within.
  QuotaCheckResult within = CheckProductQuota(50, 10'001, kQuota);
  EXPECT_FALSE(within.over_quota);
  EXPECT_EQ(within.over, 0);
}

TEST(CheckProductQuotaTest, MeetsAdvancedAtOrBelowTheAdvancedValue) {
  // 40 L for 10 units = 4,000 ml per unit = the advanced value: meets it.
  QuotaCheckResult at = CheckProductQuota(40, 10'000, kQuota);
  EXPECT_TRUE(at.meets_advanced);
  EXPECT_FALSE(at.over_quota);
  EXPECT_EQ(at.unit_intake_ml, std::optional<int64_t>(4'000));

  // 39 L for 10 units = 3,900 ml per unit.
  EXPECT_TRUE(CheckProductQuota(39, 10'000, kQuota).meets_advanced);

  // 41 L for 10 units = 4,100 ml per unit: within the general value, short of the advanced one.
  QuotaCheckResult above = CheckProductQuota(41, 10'000, kQuota);
  EXPECT_FALSE(above.meets_advanced);
  EXPECT_FALSE(above.over_quota);
}

TEST(CheckProductQuotaTest, OutputZeroWithIntakeIsOverInFull) {
  QuotaCheckResult r = CheckProductQuota(7, 0, kQuota);
  EXPECT_TRUE(r.over_quota);
  EXPECT_EQ(r.allowed, 0);
  EXPECT_EQ(r.over, 7);
  EXPECT_EQ(r.unit_intake_ml, std::nullopt);
  EXPECT_FALSE(r.meets_advanced);
}

TEST(CheckProductQuotaTest, OutputZeroWithNoIntakeIsNotOver) {
  QuotaCheckResult r = CheckProductQuota(0, 0, kQuota);
  EXPECT_FALSE(r.over_quota);
  EXPECT_EQ(r.allowed, 0);
  EXPECT_EQ(r.over, 0);
  EXPECT_EQ(r.unit_intake_ml, std::nullopt);
}

TEST(CheckProductQuotaTest, UnitIntakeAndAllowedAreRoundedHalfUp) {
  // Unit intake: 1 L for 16 units = 1,000,000 / 16,000 = 62.5 ml → 63 ml.
  // Allowed: 5,000 ml × 16 units = 80 L.
  QuotaCheckResult unit = CheckProductQuota(1, 16'000, kQuota);
  EXPECT_EQ(unit.unit_intake_ml, std::optional<int64_t>(63));
  EXPECT_EQ(unit.allowed, 80);

  // 1 L for 3 units = 333.33… ml → 333 ml.
  EXPECT_EQ(CheckProductQuota(1, 3'000, kQuota).unit_intake_ml, std::optional<int64_t>(333));

  // Allowed: general 1,500 ml × 1 unit (1,000 milli) = 1,500,000 / 10^6 = 1.5 L → 2 L.
  // Intake 1 L = 1,000 ml per unit ≤ 1,500: within.
  const ProductQuotaValues quota{.general_ml_per_unit = 1'500, .advanced_ml_per_unit = 1'000};
  QuotaCheckResult allowed = CheckProductQuota(1, 1'000, quota);
  EXPECT_EQ(allowed.allowed, 2);
  EXPECT_FALSE(allowed.over_quota);
  EXPECT_TRUE(allowed.meets_advanced);
}

}  // namespace
}  // namespace jieshui::quota
