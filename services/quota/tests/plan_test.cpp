// Unit tests of the annual plan rules: the monthly split, alert thresholds and the over-plan
// ranking. Every expected figure is worked by hand in the comment beside it.
#include "quota/src/core/plan.hpp"

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::quota {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::StartsWith;

// absl::Status::message() is an absl::string_view, which this abseil build does not alias to
// std::string_view; gMock's string matchers want a std::string.
std::string MessageOf(const absl::Status& status) { return std::string(status.message()); }

const std::vector<int> kDefaultThresholds = {80, 100};

// ---------------------------------------------------------------------------------------------
// EvenMonthlySplit

TEST(EvenMonthlySplitTest, GivesTheRemainderOneLitreEachToTheFirstMonths) {
  // 1,000,002 = 12 × 83,333 + 6 → January..June 83,334, July..December 83,333.
  auto split = EvenMonthlySplit(1'000'002);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(*split, ElementsAre(83'334, 83'334, 83'334, 83'334, 83'334, 83'334,  //
                                  83'333, 83'333, 83'333, 83'333, 83'333, 83'333));
}

TEST(EvenMonthlySplitTest, RemainderOfTenGoesToTheFirstTenMonths) {
  // 1,000,006 = 12 × 83,333 + 10 (12 × 83,333 = 999,996) → January..October 83,334,
  // November and December 83,333. Sum: 10 × 83,334 + 2 × 83,333 = 833,340 + 166,666 = 1,000,006.
  auto split = EvenMonthlySplit(1'000'006);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(*split, ElementsAre(83'334, 83'334, 83'334, 83'334, 83'334, 83'334,  //
                                  83'334, 83'334, 83'334, 83'334, 83'333, 83'333));
}

TEST(EvenMonthlySplitTest, ExactMultipleOfTwelveSplitsEvenly) {
  // 1,200,000 / 12 = 100,000, remainder 0.
  auto split = EvenMonthlySplit(1'200'000);
  ASSERT_TRUE(split.ok()) << split.status();
  for (int64_t month : *split) {
    EXPECT_EQ(month, 100'000);
  }
}

TEST(EvenMonthlySplitTest, PlanSmallerThanTwelveLitres) {
  // 11 = 12 × 0 + 11 → January..November 1 L, December 0 L.
  auto split = EvenMonthlySplit(11);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(*split, ElementsAre(1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0));
}

TEST(EvenMonthlySplitTest, ZeroPlanIsTwelveZeroMonths) {
  auto split = EvenMonthlySplit(0);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(*split, ElementsAre(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
}

TEST(EvenMonthlySplitTest, NegativePlanIsRejected) {
  auto split = EvenMonthlySplit(-1);
  EXPECT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// ValidateMonthlySplit

TEST(ValidateMonthlySplitTest, AcceptsTwelveMonthsThatAddUpToThePlan) {
  // 6 × 90,000 + 6 × 110,000 = 540,000 + 660,000 = 1,200,000.
  const std::vector<int64_t> monthly = {90'000,  90'000,  90'000,  90'000,  90'000,  90'000,
                                        110'000, 110'000, 110'000, 110'000, 110'000, 110'000};
  auto split = ValidateMonthlySplit(monthly, 1'200'000);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(*split, ElementsAre(90'000, 90'000, 90'000, 90'000, 90'000, 90'000,  //
                                  110'000, 110'000, 110'000, 110'000, 110'000, 110'000));
}

TEST(ValidateMonthlySplitTest, AcceptsAllZeroMonthsForAZeroPlan) {
  auto split = ValidateMonthlySplit(std::vector<int64_t>(12, 0), 0);
  ASSERT_TRUE(split.ok()) << split.status();
  EXPECT_THAT(*split, ElementsAre(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0));
}

TEST(ValidateMonthlySplitTest, MonthsThatDoNotAddUpNameTheWholeField) {
  // 12 × 1,000 = 12,000 L, one litre short of the 12,001 L plan.
  auto split = ValidateMonthlySplit(std::vector<int64_t>(12, 1'000), 12'001);
  ASSERT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(split.status()), StartsWith("monthly: "));
  EXPECT_THAT(MessageOf(split.status()), HasSubstr("12000"));
  EXPECT_THAT(MessageOf(split.status()), HasSubstr("12001"));
}

TEST(ValidateMonthlySplitTest, MonthsAboveThePlanAreRejectedToo) {
  // 12 × 1,000 = 12,000 L against an 11,999 L plan.
  auto split = ValidateMonthlySplit(std::vector<int64_t>(12, 1'000), 11'999);
  ASSERT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(split.status()), StartsWith("monthly: "));
}

TEST(ValidateMonthlySplitTest, NegativeMonthNamesItsIndex) {
  // April (index 3) is negative; the sum still matches (11 × 1,000 − 1,000 = 10,000), so only
  // the sign can be the fault.
  std::vector<int64_t> monthly(12, 1'000);
  monthly[3] = -1'000;
  auto split = ValidateMonthlySplit(monthly, 10'000);
  ASSERT_EQ(split.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(split.status()), StartsWith("monthly[3]: "));
}

TEST(ValidateMonthlySplitTest, ErrorsUseTheGivenFieldName) {
  std::vector<int64_t> monthly(12, 1'000);
  monthly[3] = -1'000;
  auto negative = ValidateMonthlySplit(monthly, 10'000, "plan.monthly");
  ASSERT_EQ(negative.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(negative.status()), StartsWith("plan.monthly[3]: "));

  auto short_sum = ValidateMonthlySplit(std::vector<int64_t>(12, 1'000), 12'001, "plan.monthly");
  ASSERT_EQ(short_sum.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(short_sum.status()), StartsWith("plan.monthly: "));
}

TEST(ValidateMonthlySplitTest, WrongNumberOfMonthsIsRejected) {
  // 11 × 1,000 = 11,000 adds up to the plan but there are only 11 months.
  auto eleven = ValidateMonthlySplit(std::vector<int64_t>(11, 1'000), 11'000);
  ASSERT_EQ(eleven.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(eleven.status()), StartsWith("monthly: "));

  // 13 × 1,000 = 13,000.
  auto thirteen = ValidateMonthlySplit(std::vector<int64_t>(13, 1'000), 13'000);
  ASSERT_EQ(thirteen.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(thirteen.status()), StartsWith("monthly: "));

  auto none = ValidateMonthlySplit({}, 0);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
}

// ---------------------------------------------------------------------------------------------
// ValidateThresholds

TEST(ValidateThresholdsTest, AcceptsTheDefaultsAndTheRangeEnds) {
  EXPECT_TRUE(ValidateThresholds({80, 100}).ok());
  EXPECT_TRUE(ValidateThresholds({1, 1000}).ok());
  EXPECT_TRUE(ValidateThresholds({50, 80, 100, 120}).ok());
}

TEST(ValidateThresholdsTest, RejectsOutOfRangeValuesNamingTheIndex) {
  absl::Status zero = ValidateThresholds({0, 100});
  EXPECT_EQ(zero.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(zero), HasSubstr("[0]"));

  absl::Status too_high = ValidateThresholds({80, 1001});
  EXPECT_EQ(too_high.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(too_high), HasSubstr("[1]"));

  EXPECT_EQ(ValidateThresholds({-80}).code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValidateThresholdsTest, RejectsValuesThatDoNotStrictlyIncrease) {
  absl::Status repeated = ValidateThresholds({80, 80});
  EXPECT_EQ(repeated.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(repeated), HasSubstr("[1]"));

  absl::Status decreasing = ValidateThresholds({100, 80});
  EXPECT_EQ(decreasing.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(MessageOf(decreasing), HasSubstr("[1]"));
}

// ---------------------------------------------------------------------------------------------
// ThresholdsReached

TEST(ThresholdsReachedTest, CrossesEachThresholdExactlyAtIt) {
  // Plan 1,000 L: 80% = 800 L, 100% = 1,000 L.
  EXPECT_THAT(ThresholdsReached(0, 1'000, kDefaultThresholds), IsEmpty());
  // 799 × 100 = 79,900 < 80 × 1,000 = 80,000.
  EXPECT_THAT(ThresholdsReached(799, 1'000, kDefaultThresholds), IsEmpty());
  // 800 × 100 = 80,000 ≥ 80,000; < 100,000.
  EXPECT_THAT(ThresholdsReached(800, 1'000, kDefaultThresholds), ElementsAre(80));
  // 999 × 100 = 99,900 < 100,000.
  EXPECT_THAT(ThresholdsReached(999, 1'000, kDefaultThresholds), ElementsAre(80));
  // 1,000 × 100 = 100,000 ≥ 100,000.
  EXPECT_THAT(ThresholdsReached(1'000, 1'000, kDefaultThresholds), ElementsAre(80, 100));
  EXPECT_THAT(ThresholdsReached(5'000, 1'000, kDefaultThresholds), ElementsAre(80, 100));
}

TEST(ThresholdsReachedTest, DecidesExactlyWhenThePercentIsNotAWholeLitre) {
  // Plan 1,001 L: 80% = 800.8 L. 800 × 100 = 80,000 < 80 × 1,001 = 80,080;
  // 801 × 100 = 80,100 ≥ 80,080.
  EXPECT_THAT(ThresholdsReached(800, 1'001, kDefaultThresholds), IsEmpty());
  EXPECT_THAT(ThresholdsReached(801, 1'001, kDefaultThresholds), ElementsAre(80));
}

TEST(ThresholdsReachedTest, ZeroPlanRaisesEveryThresholdOnTheFirstLitre) {
  EXPECT_THAT(ThresholdsReached(0, 0, kDefaultThresholds), IsEmpty());
  EXPECT_THAT(ThresholdsReached(1, 0, kDefaultThresholds), ElementsAre(80, 100));
}

TEST(ThresholdsReachedTest, UsesTheConfiguredThresholds) {
  // Plan 2,000 L, thresholds 50/90/120%: 50% = 1,000 L, 90% = 1,800 L, 120% = 2,400 L.
  const std::vector<int> thresholds = {50, 90, 120};
  EXPECT_THAT(ThresholdsReached(1'800, 2'000, thresholds), ElementsAre(50, 90));
  EXPECT_THAT(ThresholdsReached(2'399, 2'000, thresholds), ElementsAre(50, 90));
  EXPECT_THAT(ThresholdsReached(2'400, 2'000, thresholds), ElementsAre(50, 90, 120));
}

// ---------------------------------------------------------------------------------------------
// UsedBasisPoints

TEST(UsedBasisPointsTest, RoundsDown) {
  // 1/3 = 3,333.3 bp → 3,333; 2/3 = 6,666.6 bp → 6,666 (not 6,667).
  EXPECT_EQ(UsedBasisPoints(1, 3), 3'333);
  EXPECT_EQ(UsedBasisPoints(2, 3), 6'666);
  // 800 / 1,000 = 0.8 = 8,000 bp; 1,200 / 1,000 = 12,000 bp.
  EXPECT_EQ(UsedBasisPoints(800, 1'000), 8'000);
  EXPECT_EQ(UsedBasisPoints(1'200, 1'000), 12'000);
  EXPECT_EQ(UsedBasisPoints(0, 1'000), 0);
}

TEST(UsedBasisPointsTest, ZeroPlanIsZero) {
  EXPECT_EQ(UsedBasisPoints(0, 0), 0);
  EXPECT_EQ(UsedBasisPoints(500, 0), 0);
}

// ---------------------------------------------------------------------------------------------
// RankOverPlan

TEST(RankOverPlanTest, ZeroPlanFirstThenByRatioThenLitresThenUscc) {
  const std::vector<OverPlanCandidate> candidates = {
      {.uscc = "91320500A", .plan = 1'000, .used = 1'200},  // over 200, 20%
      {.uscc = "91320500B", .plan = 0, .used = 5},          // zero plan, over 5
      {.uscc = "91320500C", .plan = 500, .used = 600},      // over 100, 20%
      {.uscc = "91320500D", .plan = 100, .used = 150},      // over 50, 50%
      {.uscc = "91320500E", .plan = 1'000, .used = 1'000},  // exactly at plan: left out
      {.uscc = "91320500F", .plan = 1'000, .used = 900},    // under plan: left out
      {.uscc = "91320500G", .plan = 0, .used = 0},          // zero plan, nothing used: left out
      {.uscc = "91320500I", .plan = 1'000, .used = 1'100},  // over 100, 10%
      {.uscc = "91320500H", .plan = 1'000, .used = 1'100},  // over 100, 10%: same as I
      {.uscc = "91320500J", .plan = 0, .used = 50},         // zero plan, over 50
  };
  const std::vector<OverPlanEntry> ranked = RankOverPlan(candidates);
  ASSERT_EQ(ranked.size(), 7u);

  // Zero plans first, the more litres over first: J (50) before B (5).
  EXPECT_EQ(ranked[0].uscc, "91320500J");
  EXPECT_TRUE(ranked[0].zero_plan);
  EXPECT_EQ(ranked[0].over, 50);
  EXPECT_EQ(ranked[0].over_basis_points, 0);
  EXPECT_EQ(ranked[1].uscc, "91320500B");
  EXPECT_TRUE(ranked[1].zero_plan);
  EXPECT_EQ(ranked[1].over, 5);
  EXPECT_EQ(ranked[1].over_basis_points, 0);

  // D: (150 − 100) / 100 = 0.5 = 5,000 bp.
  EXPECT_EQ(ranked[2].uscc, "91320500D");
  EXPECT_FALSE(ranked[2].zero_plan);
  EXPECT_EQ(ranked[2].plan, 100);
  EXPECT_EQ(ranked[2].used, 150);
  EXPECT_EQ(ranked[2].over, 50);
  EXPECT_EQ(ranked[2].over_basis_points, 5'000);

  // A and C are both 20% over (200/1,000 = 100/500 = 2,000 bp); A has more litres over.
  EXPECT_EQ(ranked[3].uscc, "91320500A");
  EXPECT_EQ(ranked[3].over, 200);
  EXPECT_EQ(ranked[3].over_basis_points, 2'000);
  EXPECT_EQ(ranked[4].uscc, "91320500C");
  EXPECT_EQ(ranked[4].over, 100);
  EXPECT_EQ(ranked[4].over_basis_points, 2'000);

  // H and I: same ratio (100/1,000 = 1,000 bp) and same litres; the USCC decides, H before I.
  EXPECT_EQ(ranked[5].uscc, "91320500H");
  EXPECT_EQ(ranked[5].over, 100);
  EXPECT_EQ(ranked[5].over_basis_points, 1'000);
  EXPECT_EQ(ranked[6].uscc, "91320500I");
  EXPECT_EQ(ranked[6].over_basis_points, 1'000);
}

TEST(RankOverPlanTest, OrdersByTheExactRatioNotTheRoundedBasisPoints) {
  // X: 1 / 3 = 0.33333… → 3,333 bp.  Y: 9,999 / 30,000 = 0.3333 → 3,333 bp.
  // Both round to 3,333 bp, but 1/3 > 9,999/30,000 (1 × 30,000 = 30,000 > 9,999 × 3 = 29,997),
  // so X ranks first although Y has far more litres over.
  const std::vector<OverPlanCandidate> candidates = {
      {.uscc = "91320500Y", .plan = 30'000, .used = 39'999},
      {.uscc = "91320500X", .plan = 3, .used = 4},
  };
  const std::vector<OverPlanEntry> ranked = RankOverPlan(candidates);
  ASSERT_EQ(ranked.size(), 2u);
  EXPECT_EQ(ranked[0].uscc, "91320500X");
  EXPECT_EQ(ranked[0].over_basis_points, 3'333);
  EXPECT_EQ(ranked[1].uscc, "91320500Y");
  EXPECT_EQ(ranked[1].over, 9'999);
  EXPECT_EQ(ranked[1].over_basis_points, 3'333);
}

TEST(RankOverPlanTest, NobodyOverPlanGivesAnEmptyRanking) {
  const std::vector<OverPlanCandidate> candidates = {
      {.uscc = "91320500A", .plan = 1'000, .used = 1'000},
      {.uscc = "91320500B", .plan = 0, .used = 0},
  };
  EXPECT_THAT(RankOverPlan(candidates), IsEmpty());
  EXPECT_THAT(RankOverPlan({}), IsEmpty());
}

}  // namespace
}  // namespace jieshui::quota
