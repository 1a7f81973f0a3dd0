#include "errors/field_error.hpp"

#include "gtest/gtest.h"

namespace jieshui::errors {
namespace {

TEST(FieldErrorTest, InvalidArgumentNamesTheFieldAndCarriesTheViolation) {
  absl::Status s = InvalidArgument("readings[3].register_value", "not a decimal: \"12,5\"");
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(s.message(), "readings[3].register_value: not a decimal: \"12,5\"");
  const std::vector<FieldViolation> v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 1U);
  EXPECT_EQ(v[0].field, "readings[3].register_value");
  EXPECT_EQ(v[0].reason, "not a decimal: \"12,5\"");
  EXPECT_FALSE(RowOf(s).has_value());
}

TEST(FieldErrorTest, ViolationsAddUpInOrderAndKeepColonsAndNewlines) {
  absl::Status s = InvalidArgument("plan.months", "12 months: got 11");
  s = WithFieldViolation(std::move(s), "reason", "line one\nline two");
  s = WithRow(std::move(s), 7);
  const std::vector<FieldViolation> v = FieldViolationsOf(s);
  ASSERT_EQ(v.size(), 2U);
  EXPECT_EQ(v[0].field, "plan.months");
  EXPECT_EQ(v[0].reason, "12 months: got 11");
  EXPECT_EQ(v[1].field, "reason");
  EXPECT_EQ(v[1].reason, "line one\nline two");
  EXPECT_EQ(RowOf(s), 7);
}

TEST(FieldErrorTest, AnOkStatusStaysOkAndPlainErrorsCarryNothing) {
  EXPECT_TRUE(WithFieldViolation(absl::OkStatus(), "f", "r").ok());
  EXPECT_TRUE(WithRow(absl::OkStatus(), 3).ok());
  const absl::Status plain = absl::UnavailableError("postgresql: connection lost");
  EXPECT_TRUE(FieldViolationsOf(plain).empty());
  EXPECT_FALSE(RowOf(plain).has_value());
}

// Every refusal starts with the field at fault; the gRPC edge reads it off a message that came
// without a violation attached.
TEST(FieldOfMessage, ReadsTheFieldAPathOfNamesAndIndexes) {
  auto v = FieldOfMessage("period.month: must be 1-12, got 13");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->field, "period.month");
  EXPECT_EQ(v->reason, "must be 1-12, got 13");
  v = FieldOfMessage("schedule.bands[1].from_percent: overlaps the band before");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->field, "schedule.bands[1].from_percent");
  EXPECT_EQ(v->reason, "overlaps the band before");
  v = FieldOfMessage("water_balance_test_ref: an increase needs a water balance test");
  ASSERT_TRUE(v.has_value());
  EXPECT_EQ(v->field, "water_balance_test_ref");
  for (const char* not_a_field :
       {"", "no field here", "Year: capitalised", "a b: two words", "bands[]: empty index",
        "bands[1: unclosed", "field:no space", "field: ", "trailing.: dot", "9lives: digit"}) {
    EXPECT_FALSE(FieldOfMessage(not_a_field).has_value()) << not_a_field;
  }
}

}  // namespace
}  // namespace jieshui::errors
