#include "domain/money.hpp"

#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::domain {
namespace {

using ::testing::HasSubstr;

Volume M3(std::string_view text) { return *Volume::ParseCubicMetres(text); }
Money Yuan(std::string_view text) { return *Money::ParseYuan(text); }

TEST(MoneyTest, ParsesAndFormatsYuan) {
  EXPECT_EQ(Yuan("1234.56").fen(), 123456);
  EXPECT_EQ(Yuan("1234.5").fen(), 123450);
  EXPECT_EQ(Yuan("12").fen(), 1200);
  EXPECT_EQ(Yuan("-0.05").fen(), -5);
  EXPECT_EQ(Money::Fen(123456).ToYuanString(), "1234.56");
  EXPECT_EQ(Money::Fen(5).ToYuanString(), "0.05");
  EXPECT_EQ(Money::Fen(-5).ToYuanString(), "-0.05");
  EXPECT_EQ(Money::Fen(0).ToYuanString(), "0.00");
  EXPECT_EQ(Money::ParseYuan("1.234", "plan.price").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Money::ParseYuan("1.234", "plan.price").status().message(),
              HasSubstr("plan.price: \"1.234\" has more than 2 decimal places"));
  EXPECT_FALSE(Money::ParseYuan("¥12").ok());
}

TEST(MoneyTest, CheckedArithmetic) {
  EXPECT_EQ(Yuan("0.10").Add(Yuan("0.20"))->ToYuanString(), "0.30");
  EXPECT_EQ(Yuan("1.00").Subtract(Yuan("2.50"))->ToYuanString(), "-1.50");
  const Money max = Money::Fen(std::numeric_limits<int64_t>::max());
  EXPECT_EQ(max.Add(Money::Fen(1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Money::Fen(std::numeric_limits<int64_t>::min()).Subtract(Money::Fen(1)).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_LT(Yuan("0.99"), Yuan("1"));
}

TEST(ChargeForVolumeTest, ExactProduct) {
  // 12.345 m³ at 4.35 CNY/m³ = 53.70075 CNY -> 5370.075 fen -> 5370 fen.
  EXPECT_EQ(ChargeForVolume(M3("12.345"), Yuan("4.35"))->ToYuanString(), "53.70");
  EXPECT_EQ(ChargeForVolume(M3("200000"), Yuan("3.50"))->ToYuanString(), "700000.00");
  EXPECT_EQ(ChargeForVolume(M3("0"), Yuan("3.50"))->fen(), 0);
}

TEST(ChargeForVolumeTest, RoundsHalfUpToTheFen) {
  // 0.001 m³ at 5.00 CNY/m³ = 0.5 fen exactly -> 1 fen.
  EXPECT_EQ(ChargeForVolume(M3("0.001"), Yuan("5.00"))->fen(), 1);
  // 0.001 m³ at 4.99 CNY/m³ = 0.499 fen -> 0.
  EXPECT_EQ(ChargeForVolume(M3("0.001"), Yuan("4.99"))->fen(), 0);
  // 0.003 m³ at 5.00 = 1.5 fen -> 2; 0.005 m³ at 1.00 = 0.5 fen -> 1.
  EXPECT_EQ(ChargeForVolume(M3("0.003"), Yuan("5.00"))->fen(), 2);
  EXPECT_EQ(ChargeForVolume(M3("0.005"), Yuan("1.00"))->fen(), 1);
  // 1.001 m³ at 5.01 = 501.501 fen -> 502 (just above the half).
  EXPECT_EQ(ChargeForVolume(M3("1.001"), Yuan("5.01"))->fen(), 502);
}

TEST(ChargeForVolumeTest, NegativeVolumesRoundSymmetrically) {
  // A correction of -0.001 m³ at 5.00 refunds exactly what +0.001 m³ charged.
  EXPECT_EQ(ChargeForVolume(M3("-0.001"), Yuan("5.00"))->fen(), -1);
  EXPECT_EQ(ChargeForVolume(M3("-0.001"), Yuan("4.99"))->fen(), 0);
  EXPECT_EQ(ChargeForVolume(M3("-12.345"), Yuan("4.35"))->ToYuanString(), "-53.70");
}

TEST(ChargeForVolumeTest, LargeProductsAreExactAndOverflowIsReported) {
  // The intermediate (litres × fen) exceeds int64 but the result fits.
  const Volume big = Volume::Litres(std::numeric_limits<int64_t>::max() / 10);
  absl::StatusOr<Money> charge = ChargeForVolume(big, Money::Fen(10000));
  ASSERT_TRUE(charge.ok()) << charge.status();
  EXPECT_EQ(charge->fen(), 9223372036854775800);  // (max/10)*10000/1000, exact
  absl::StatusOr<Money> overflow =
      ChargeForVolume(Volume::Litres(std::numeric_limits<int64_t>::max()), Money::Fen(2000));
  EXPECT_EQ(overflow.status().code(), absl::StatusCode::kOutOfRange);
}

TEST(MultiplierTest, ParsesDecimalsAndFractions) {
  EXPECT_EQ(Multiplier::Parse("0.5")->ToString(), "1/2");
  EXPECT_EQ(Multiplier::Parse("2")->ToString(), "2");
  EXPECT_EQ(Multiplier::Parse("1.25")->ToString(), "5/4");
  EXPECT_EQ(Multiplier::Parse("1/3")->ToString(), "1/3");
  EXPECT_EQ(Multiplier::Parse("2/4")->ToString(), "1/2");
  EXPECT_EQ(*Multiplier::Parse("0.5"), *Multiplier::Create(1, 2));
  EXPECT_EQ(Multiplier::Parse("-0.5").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Multiplier::Parse("1/0").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Multiplier::Parse("x").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(Multiplier::Parse("1/x", "surcharge.bands[0].multiplier").status().message(),
              HasSubstr("surcharge.bands[0].multiplier: "));
  EXPECT_EQ(Multiplier::Create(1, -2).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(MultiplierTest, MultipliesMoneyExactlyWithHalfUpRounding) {
  const Multiplier half = *Multiplier::Parse("0.5");
  const Multiplier third = *Multiplier::Parse("1/3");
  const Multiplier two = *Multiplier::Parse("2");
  EXPECT_EQ(Yuan("100.00").MultiplyBy(half)->ToYuanString(), "50.00");
  EXPECT_EQ(Money::Fen(3).MultiplyBy(half)->fen(), 2);      // 1.5 -> 2
  EXPECT_EQ(Money::Fen(-3).MultiplyBy(half)->fen(), -2);    // symmetric
  EXPECT_EQ(Money::Fen(1).MultiplyBy(half)->fen(), 1);      // 0.5 -> 1
  EXPECT_EQ(Money::Fen(100).MultiplyBy(third)->fen(), 33);  // 33.33 -> 33
  EXPECT_EQ(Money::Fen(200).MultiplyBy(third)->fen(), 67);  // 66.67 -> 67
  EXPECT_EQ(Yuan("12.34").MultiplyBy(two)->ToYuanString(), "24.68");
  EXPECT_EQ(Money::Fen(std::numeric_limits<int64_t>::max()).MultiplyBy(two).status().code(),
            absl::StatusCode::kOutOfRange);
  // No double on the way: a huge amount times 1/3 stays exact.
  EXPECT_EQ(Money::Fen(9'000'000'000'000'000'000).MultiplyBy(third)->fen(),
            3'000'000'000'000'000'000);
}

TEST(MultiplierTest, SurchargeBandExample) {
  // DOMAIN.md default bands: 20% over plan at 0.5x, 20-40% at 1x, above 40% at 2x the base price.
  // Plan 1000 m³, use 1500 m³, price 4.00 CNY/m³: 200 m³ at 0.5x, 200 at 1x, 100 at 2x.
  const Money price = Yuan("4.00");
  Money band1 = *ChargeForVolume(M3("200"), price)->MultiplyBy(*Multiplier::Parse("0.5"));
  Money band2 = *ChargeForVolume(M3("200"), price)->MultiplyBy(*Multiplier::Parse("1"));
  Money band3 = *ChargeForVolume(M3("100"), price)->MultiplyBy(*Multiplier::Parse("2"));
  // 200 × 4 × 0.5 + 200 × 4 × 1 + 100 × 4 × 2 = 400 + 800 + 800.
  EXPECT_EQ(band1.Add(band2)->Add(band3)->ToYuanString(), "2000.00");
}

}  // namespace
}  // namespace jieshui::domain
