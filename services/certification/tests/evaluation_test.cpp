// Schemes, gates and score sheets, with every figure worked by hand in the comments.
#include "certification/src/core/evaluation.hpp"

#include <gtest/gtest.h>

#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

std::string FieldOf(const absl::Status& s) {
  auto v = errors::FieldViolationsOf(s);
  return v.empty() ? "" : v[0].field;
}

domain::Date D(int y, int m, int d) { return *domain::Date::Create(y, m, d); }

common::v1::Date PD(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

v1::Item MItem(const char* id, int points) {
  v1::Item i;
  i.set_item_id(id);
  i.set_kind(v1::ITEM_KIND_MANAGEMENT);
  i.set_points(points);
  return i;
}

v1::Item TItem(const char* id, int points, v1::Metric metric, bool lower_is_better) {
  v1::Item i;
  i.set_item_id(id);
  i.set_kind(v1::ITEM_KIND_TECHNICAL);
  i.set_points(points);
  i.set_metric(metric);
  i.set_lower_is_better(lower_is_better);
  i.set_deduct_per_point(1);
  return i;
}

void AddThreshold(v1::IndustryThresholds* t, v1::Metric m, int64_t bp) {
  v1::Threshold* th = t->add_thresholds();
  th->set_metric(m);
  th->set_basis_points(bp);
}

// A scheme like the default provincial one: 50 management + 50 technical points, pass mark 90.
v1::Scheme ProvincialScheme() {
  v1::Scheme s;
  s.set_scheme_id("provincial-test");
  s.set_level(v1::LEVEL_PROVINCIAL);
  s.set_standard_version("GB/T 7119-2018");
  s.set_version(1);
  *s.mutable_effective_from() = PD(2023, 1, 1);
  s.set_pass_mark(90);
  s.set_notice_days(7);
  s.set_validity_years(5);
  for (auto [id, points] : {std::pair{"rules", 10},
                            {"metering", 10},
                            {"balance", 10},
                            {"investment", 10},
                            {"publicity", 10}}) {
    *s.add_items() = MItem(id, points);
  }
  *s.add_items() = TItem("repeat", 15, v1::METRIC_REPEAT_UTILISATION, false);
  *s.add_items() = TItem("leak", 15, v1::METRIC_LEAKAGE, true);
  *s.add_items() = TItem("cooling", 10, v1::METRIC_COOLING_RECIRCULATION, false);
  *s.add_items() = TItem("wastewater", 10, v1::METRIC_WASTEWATER_REUSE, false);
  v1::IndustryThresholds* def = s.add_thresholds();
  AddThreshold(def, v1::METRIC_REPEAT_UTILISATION, 9000);  // R ≥ 90%
  AddThreshold(def, v1::METRIC_LEAKAGE, 500);              // Kl ≤ 5%
  AddThreshold(def, v1::METRIC_COOLING_RECIRCULATION, 9500);
  AddThreshold(def, v1::METRIC_WASTEWATER_REUSE, 5000);
  v1::IndustryThresholds* steel = s.add_thresholds();
  steel->set_division("C31");
  AddThreshold(steel, v1::METRIC_REPEAT_UTILISATION, 9700);  // steel: R ≥ 97%
  AddThreshold(steel, v1::METRIC_LEAKAGE, 800);              // leak ≤ 8%
  return s;
}

std::vector<v1::ItemScore> Management(int rules, int metering, int balance, int investment,
                                      int publicity) {
  std::vector<v1::ItemScore> out;
  for (auto [id, p] : {std::pair{"rules", rules},
                       {"metering", metering},
                       {"balance", balance},
                       {"investment", investment},
                       {"publicity", publicity}}) {
    v1::ItemScore s;
    s.set_item_id(id);
    s.set_points(p);
    out.push_back(s);
  }
  return out;
}

TEST(SchemeTest, DefaultLikeSchemeIsValidAndItemsMustAddUpTo100) {
  v1::Scheme s = ProvincialScheme();
  EXPECT_TRUE(ValidateScheme(s).ok());
  s.mutable_items(0)->set_points(11);  // 101 points
  absl::Status bad = ValidateScheme(s);
  EXPECT_EQ(bad.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(bad), "schemes[provincial-test].items");
}

TEST(SchemeTest, TheVersionInForceOnADay) {
  v1::Scheme a = ProvincialScheme();
  v1::Scheme b = ProvincialScheme();
  b.set_scheme_id("provincial-2025");
  b.set_version(2);
  *b.mutable_effective_from() = PD(2025, 1, 1);
  std::vector<v1::Scheme> all = {a, b};
  EXPECT_EQ(SchemeInForce(all, v1::LEVEL_PROVINCIAL, D(2024, 12, 31))->version(), 1);
  EXPECT_EQ(SchemeInForce(all, v1::LEVEL_PROVINCIAL, D(2025, 1, 1))->version(), 2);
  EXPECT_EQ(SchemeInForce(all, v1::LEVEL_PROVINCIAL, D(2022, 6, 1)).status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(SchemeInForce(all, v1::LEVEL_LEADER, D(2025, 6, 1)).status().code(),
            absl::StatusCode::kNotFound);
}

TEST(ScoreTest, AFullScoringSheetWorkedByHand) {
  // A textile dyeing enterprise (C17, so the default thresholds). Its accepted balance test gave
  //   R  = 88.50%  → 150 bp short of 90%: 2 started points → 15 − 2 = 13
  //   Kl =  6.20%  → 120 bp over 5%: 2 started points    → 15 − 2 = 13
  //   rc = 96.00%  → at or above 95%                    → 10
  //   Kw = 30.00%  → 2000 bp short of 50%: 20 points   → max(0, 10 − 20) = 0
  // Management as the reviewers scored it: 10 + 9 + 10 + 8 + 10 = 47.
  // Total 47 + 13 + 13 + 10 + 0 = 83, below the pass mark 90.
  Figures f{.basis_points = {{v1::METRIC_REPEAT_UTILISATION, 8850},
                             {v1::METRIC_LEAKAGE, 620},
                             {v1::METRIC_COOLING_RECIRCULATION, 9600},
                             {v1::METRIC_WASTEWATER_REUSE, 3000}},
            .source = "balance test R1"};
  auto sheet = Score(ProvincialScheme(), "C1713", f, Management(10, 9, 10, 8, 10),
                     v1::SCORE_STAGE_PRELIMINARY);
  ASSERT_TRUE(sheet.ok()) << sheet.status();
  ASSERT_EQ(sheet->items_size(), 9);
  EXPECT_EQ(sheet->items(5).item_id(), "repeat");
  EXPECT_EQ(sheet->items(5).points(), 13);
  EXPECT_TRUE(sheet->items(5).computed());
  EXPECT_EQ(sheet->items(5).threshold_basis_points(), 9000);
  EXPECT_EQ(sheet->items(6).points(), 13);
  EXPECT_EQ(sheet->items(7).points(), 10);
  EXPECT_EQ(sheet->items(8).points(), 0);
  EXPECT_EQ(sheet->total(), 83);
  EXPECT_FALSE(sheet->passed());
  EXPECT_EQ(sheet->items(5).working(), "88.50% against 90.00%: 13 of 15 (balance test R1)");

  // The same figures for a steel works (C31: R ≥ 97%, leak ≤ 8%):
  //   R 88.50% → 850 bp short: 9 started points → 6;  Kl 6.20% ≤ 8% → 15.
  //   Total 47 + 6 + 15 + 10 + 0 = 78.
  auto steel = Score(ProvincialScheme(), "C3110", f, Management(10, 9, 10, 8, 10),
                     v1::SCORE_STAGE_PRELIMINARY);
  ASSERT_TRUE(steel.ok()) << steel.status();
  EXPECT_EQ(steel->items(5).points(), 6);
  EXPECT_EQ(steel->items(6).points(), 15);
  EXPECT_EQ(steel->total(), 78);
}

TEST(ScoreTest, ADeductionExactlyAtTheThreshold) {
  v1::Item repeat = TItem("repeat", 15, v1::METRIC_REPEAT_UTILISATION, false);
  v1::Item leak = TItem("leak", 15, v1::METRIC_LEAKAGE, true);
  // Exactly at the threshold: nothing is short, full points.
  EXPECT_EQ(MetricPoints(repeat, 9000, 9000), 15);
  EXPECT_EQ(MetricPoints(leak, 500, 500), 15);
  // One basis point short starts a percentage point: one point off.
  EXPECT_EQ(MetricPoints(repeat, 8999, 9000), 14);
  EXPECT_EQ(MetricPoints(leak, 501, 500), 14);
  // Exactly one percentage point short: still one point off; 100 bp + 1 is two.
  EXPECT_EQ(MetricPoints(repeat, 8900, 9000), 14);
  EXPECT_EQ(MetricPoints(repeat, 8899, 9000), 13);
}

TEST(ScoreTest, AScoreAboveAnItemsPointsIsRefusedNamingTheItem) {
  auto sheet =
      Score(ProvincialScheme(), "C1713", {}, Management(11, 9, 10, 8, 10), v1::SCORE_STAGE_SELF);
  EXPECT_EQ(sheet.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(sheet.status()), "items[rules].points");
  // Without figures the technical items must be entered too.
  auto missing =
      Score(ProvincialScheme(), "C1713", {}, Management(10, 9, 10, 8, 10), v1::SCORE_STAGE_SELF);
  EXPECT_EQ(FieldOf(missing.status()), "items[repeat]");
  // With a figure, a reviewer cannot override the computed item.
  std::vector<v1::ItemScore> entered = Management(10, 9, 10, 8, 10);
  v1::ItemScore r;
  r.set_item_id("repeat");
  r.set_points(15);
  entered.push_back(r);
  Figures f{.basis_points = {{v1::METRIC_REPEAT_UTILISATION, 9100}}, .source = "x"};
  auto overridden = Score(ProvincialScheme(), "C1713", f, entered, v1::SCORE_STAGE_FINAL);
  EXPECT_EQ(FieldOf(overridden.status()), "items[repeat]");
}

v1::Scheme LeaderScheme() {
  v1::Scheme s = ProvincialScheme();
  s.set_level(v1::LEVEL_LEADER);
  s.clear_gates();
  auto gate = [&s](const char* id, v1::GateKind kind, int years) {
    v1::Gate* g = s.add_gates();
    g->set_gate_id(id);
    g->set_kind(kind);
    g->set_years(years);
    return g;
  };
  gate("intake", v1::GATE_KIND_ANNUAL_INTAKE, 0)->mutable_threshold()->set_litres(150'000'000);
  gate("certified", v1::GATE_KIND_CERTIFIED, 0);
  gate("no_over_plan", v1::GATE_KIND_NO_OVER_PLAN, 3);
  gate("no_violation", v1::GATE_KIND_NO_VIOLATION, 3);
  gate("metering", v1::GATE_KIND_METERING, 0);
  return s;
}

std::vector<MonthUsage> ThreeYears(int64_t per_month_2024) {
  std::vector<MonthUsage> out;
  for (int y = 2022; y <= 2024; ++y) {
    for (int m = 1; m <= 12; ++m) {
      out.push_back({.year = y, .month = m, .new_water = y == 2024 ? per_month_2024 : 10'000'000});
    }
  }
  return out;
}

TEST(EligibilityTest, LeaderEligibilityFromThreeYearsOfUsage) {
  // Judged on 2025-03-01: the last complete year is 2024. 12 months × 12,600 m³ = 151,200 m³,
  // above the 150,000 m³ threshold; 12 × 12,500 m³ = 150,000 m³ is not above it.
  GateFacts f;
  f.last_year_new_water = YearNewWater(ThreeYears(12'600'000), 2024);
  ASSERT_EQ(*f.last_year_new_water, 151'200'000);
  f.valid_titles = {"T1 (provincial, until 2028-12-31)"};
  f.metering_met = true;
  f.metering_evidence = "all levels met";
  // An annual over-plan alert in 2021 lies outside 2022-2025.
  f.over_plan_years = {2021};
  f.violations = {D(2022, 2, 28)};  // before 2022-03-01, the start of the 3-year window
  auto gates = EvaluateGates(LeaderScheme(), f, D(2025, 3, 1));
  ASSERT_EQ(gates.size(), 5u);
  for (const auto& g : gates) {
    EXPECT_TRUE(g.passed()) << g.gate_id() << ": " << g.evidence();
  }
  EXPECT_EQ(gates[0].evidence(), "2024 new water 151200 m³ above 150000 m³");

  // Exactly at the threshold is not above it; an alert in 2022 and a violation on 2022-03-01
  // fall inside the windows.
  f.last_year_new_water = YearNewWater(ThreeYears(12'500'000), 2024);
  f.over_plan_years = {2022};
  f.violations = {D(2022, 3, 1)};
  gates = EvaluateGates(LeaderScheme(), f, D(2025, 3, 1));
  EXPECT_FALSE(gates[0].passed());
  EXPECT_EQ(gates[0].evidence(), "2024 new water 150000 m³, not above 150000 m³");
  EXPECT_FALSE(gates[2].passed());
  EXPECT_EQ(gates[2].evidence(), "annual over-plan alert in 2022");
  EXPECT_FALSE(gates[3].passed());
  // No usage at all for 2024.
  EXPECT_FALSE(YearNewWater(ThreeYears(1), 2021).has_value());
}

TEST(EligibilityTest, AFailedGateNamesItsEvidence) {
  v1::Scheme s = ProvincialScheme();
  v1::Gate* g = s.add_gates();
  g->set_gate_id("balance_test");
  g->set_kind(v1::GATE_KIND_BALANCE_TEST);
  g->set_years(3);
  v1::Gate* doc = s.add_gates();
  doc->set_gate_id("intake_permit");
  doc->set_kind(v1::GATE_KIND_DOCUMENT);
  GateFacts f;
  // The latest accepted test ended 2021-12-31; three years before 2025-01-05 is 2022-01-05.
  f.accepted_balance_tests = {{D(2020, 6, 30), "R0"}, {D(2021, 12, 31), "R1"}};
  auto gates = EvaluateGates(s, f, D(2025, 1, 5));
  EXPECT_FALSE(gates[0].passed());
  EXPECT_EQ(gates[0].evidence(),
            "latest accepted water balance test R1 ended 2021-12-31, before 2022-01-05");
  EXPECT_FALSE(gates[1].passed());
  f.documents["intake_permit"] = "取水(苏)字[2023]第0012号";
  f.accepted_balance_tests[D(2024, 6, 30)] = "R2";
  gates = EvaluateGates(s, f, D(2025, 1, 5));
  EXPECT_TRUE(gates[0].passed());
  EXPECT_TRUE(gates[1].passed());
  EXPECT_EQ(gates[1].evidence(), "取水(苏)字[2023]第0012号");
}

}  // namespace
}  // namespace jieshui::certification
