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

}  // namespace
}  // namespace jieshui::errors
