// Records as filed: the unit list as a tree, the closure check through a whole record, the year a
// record counts in, and field errors.
#include "certification/src/core/records.hpp"

#include <gtest/gtest.h>

#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

std::string FieldOf(const absl::Status& s) {
  auto v = errors::FieldViolationsOf(s);
  return v.empty() ? "" : v[0].field;
}

void SetDate(common::v1::Date* d, int y, int m, int day) {
  d->set_year(y);
  d->set_month(m);
  d->set_day(day);
}

v1::WaterUnit* Unit(v1::BalanceTest* t, const char* id, const char* parent, int64_t tap,
                    int64_t recirculated) {
  v1::WaterUnit* u = t->add_units();
  u->set_unit_id(id);
  u->set_name(id);
  u->set_parent_id(parent);
  u->mutable_volumes()->mutable_new_tap()->set_litres(tap);
  u->mutable_volumes()->mutable_recirculated()->set_litres(recirculated);
  return u;
}

v1::Record BalanceRecord() {
  v1::Record r;
  v1::BalanceTest* t = r.mutable_balance_test();
  t->set_agency("江苏省水利科学研究院");
  t->set_standard_version("GB/T 12452-2022");
  SetDate(t->mutable_period_start(), 2025, 11, 1);
  SetDate(t->mutable_period_end(), 2025, 11, 30);
  // The enterprise takes 100,000 L; its workshops 60,000 + 50,000 = 110,000 L: 10,000 L off,
  // exactly 10% of 100,000 — accepted at the default tolerance.
  Unit(t, "e", "", 100'000, 0);
  Unit(t, "ws1", "e", 60'000, 540'000);
  Unit(t, "ws2", "e", 50'000, 0);
  return r;
}

TEST(RecordsTest, ABalanceTestAtTheToleranceIsAcceptedWithItsRatesAndYear) {
  v1::Record r = BalanceRecord();
  ASSERT_TRUE(PrepareRecord(r, {}).ok());
  EXPECT_EQ(r.kind(), v1::RECORD_KIND_BALANCE_TEST);
  EXPECT_EQ(r.year(), 2025);
  // R from the leaves: Vr = 540,000, Vf = 110,000 → 540,000 / 650,000 = 83.08% (8307.69 bp).
  const v1::Rate& rate = r.balance_test().rates().repeat_utilisation();
  EXPECT_EQ(rate.numerator_litres(), 540'000);
  EXPECT_EQ(rate.denominator_litres(), 650'000);
  EXPECT_EQ(rate.basis_points(), 8308);
  EXPECT_EQ(FiguresOf(r).basis_points.at(v1::METRIC_REPEAT_UTILISATION), 8308);
  // One litre more in a workshop is just above the tolerance: refused naming the enterprise.
  v1::Record over = BalanceRecord();
  over.mutable_balance_test()->mutable_units(2)->mutable_volumes()->mutable_new_tap()->set_litres(
      50'001);
  absl::Status s = PrepareRecord(over, {});
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "units");
}

TEST(RecordsTest, AUnitTreeWithALoopOrAnUnknownParentIsRefused) {
  v1::Record r = BalanceRecord();
  // ws1 → ws3 → ws1: a loop.
  r.mutable_balance_test()->mutable_units(1)->set_parent_id("ws3");
  Unit(r.mutable_balance_test(), "ws3", "ws1", 0, 0);
  absl::Status loop = PrepareRecord(r, {});
  EXPECT_EQ(loop.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(loop), "units[ws1].parent_id");
  EXPECT_NE(loop.message().find("loop"), std::string::npos);
  v1::Record unknown = BalanceRecord();
  unknown.mutable_balance_test()->mutable_units(2)->set_parent_id("nowhere");
  EXPECT_EQ(FieldOf(PrepareRecord(unknown, {})), "units[ws2].parent_id");
  v1::Record twice = BalanceRecord();
  Unit(twice.mutable_balance_test(), "ws1", "e", 0, 0);
  EXPECT_EQ(FieldOf(PrepareRecord(twice, {})), "units[ws1]");
  v1::Record two_roots = BalanceRecord();
  two_roots.mutable_balance_test()->mutable_units(2)->set_parent_id("");
  EXPECT_EQ(FieldOf(PrepareRecord(two_roots, {})), "units");
}

TEST(RecordsTest, FieldErrorsOfOtherKinds) {
  v1::Record audit;
  audit.mutable_audit()->set_auditor("南京市节约用水办公室");
  SetDate(audit.mutable_audit()->mutable_period_start(), 2025, 6, 1);
  SetDate(audit.mutable_audit()->mutable_period_end(), 2025, 5, 31);
  EXPECT_EQ(FieldOf(PrepareRecord(audit, {})), "record.audit.period_end");
  SetDate(audit.mutable_audit()->mutable_period_end(), 2025, 6, 30);
  audit.mutable_audit()->add_rectifications()->set_description("冷却塔补水计量");
  EXPECT_EQ(FieldOf(PrepareRecord(audit, {})), "record.audit.rectifications[0].deadline");
  SetDate(audit.mutable_audit()->mutable_rectifications(0)->mutable_deadline(), 2025, 9, 30);
  ASSERT_TRUE(PrepareRecord(audit, {}).ok());
  EXPECT_EQ(audit.audit().rectifications(0).item_id(), "1");
  EXPECT_EQ(audit.year(), 2025);

  v1::Record contract;
  contract.set_kind(v1::RECORD_KIND_DEMONSTRATION);
  contract.mutable_contract()->set_title("冷却水系统合同节水");
  EXPECT_EQ(FieldOf(PrepareRecord(contract, {})), "record.kind");
  v1::Record empty;
  EXPECT_EQ(FieldOf(PrepareRecord(empty, {})), "record.detail");
}

}  // namespace
}  // namespace jieshui::certification
