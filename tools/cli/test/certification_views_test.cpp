#include "certification_views.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace jieshui::cli {
namespace {

namespace cert = ::jieshui::certification::v1;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr char kUscc[] = "91320506MA1N7K2Q3F";
// 2026-12-02T02:00:00Z, 10:00 in Shanghai.
constexpr int64_t kTenOClock = 1'796'176'800'000;

common::v1::Date D(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

void SetRate(cert::Rate* rate, int64_t numerator, int64_t denominator, int64_t bp) {
  rate->set_numerator_litres(numerator);
  rate->set_denominator_litres(denominator);
  rate->set_basis_points(bp);
}

// The balance test of services/certification's integration test: ws1 and ws2 take 110,000 L of
// new water and ws1 recirculates 540,000 L, so R = 540,000 / 650,000 = 83.08%.
cert::Record BalanceTestRecord() {
  cert::Record r;
  r.set_record_id("12");
  r.set_kind(cert::RECORD_KIND_BALANCE_TEST);
  r.mutable_uscc()->set_value(kUscc);
  r.set_year(2025);
  r.set_status(cert::RECORD_STATUS_SUBMITTED);
  r.set_filed_by("water_affairs:区水务局");
  r.set_filed_at_unix_ms(kTenOClock);
  cert::BalanceTest* t = r.mutable_balance_test();
  t->set_agency("江苏省水利科学研究院");
  *t->mutable_period_start() = D(2025, 11, 1);
  *t->mutable_period_end() = D(2025, 11, 30);
  cert::WaterUnit* ws1 = t->add_units();
  ws1->set_unit_id("ws1");
  ws1->set_name("一车间");
  ws1->set_parent_id("e");
  ws1->mutable_volumes()->mutable_new_tap()->set_litres(60'000);
  ws1->mutable_volumes()->mutable_recirculated()->set_litres(540'000);
  SetRate(t->mutable_rates()->mutable_repeat_utilisation(), 540'000, 650'000, 8308);
  SetRate(t->mutable_rates()->mutable_leakage(), 2'000, 110'000, 182);
  return r;
}

TEST(CertificationViewsTest, RatesAreUndefinedWithNothingUnderThem) {
  cert::Rate rate;
  SetRate(&rate, 540'000, 650'000, 8308);
  EXPECT_EQ(RateText(rate), "83.08%");
  SetRate(&rate, 0, 110'000, 0);
  EXPECT_EQ(RateText(rate), "0.00%");
  SetRate(&rate, 0, 0, 0);
  EXPECT_EQ(RateText(rate), "undefined");
}

TEST(CertificationViewsTest, RecordsShowABalanceTestsRepeatUtilisation) {
  cert::ListRecordsResponse list;
  *list.add_records() = BalanceTestRecord();
  cert::Record* audit = list.add_records();
  audit->set_record_id("13");
  audit->set_kind(cert::RECORD_KIND_AUDIT);
  audit->mutable_uscc()->set_value(kUscc);
  audit->set_year(2026);
  audit->set_status(cert::RECORD_STATUS_ACCEPTED);
  audit->mutable_audit()->set_auditor("苏州节水审计中心");
  list.mutable_page()->set_next_page_token("more");
  const std::string text = RecordsTable(list);
  EXPECT_THAT(text, HasSubstr("RECORD  KIND          USCC                YEAR  STATUS     "
                              "REPEAT UTILISATION"));
  EXPECT_THAT(text, ::testing::ContainsRegex("12 +balance_test +91320506MA1N7K2Q3F +2025 +"
                                             "submitted +83.08% +江苏省水利科学研究院 +"
                                             "water_affairs:区水务局 +2026-12-02 10:00:00"));
  // An audit has no repeat-utilisation rate: the cell is empty.
  EXPECT_THAT(text, ::testing::ContainsRegex("13 +audit +91320506MA1N7K2Q3F +2026 +accepted +"
                                             "苏州节水审计中心"));
  EXPECT_THAT(text, HasSubstr("2 records (more with --all)"));
}

TEST(CertificationViewsTest, ARecordInFullWithItsUnitsRatesAndReview) {
  cert::Record r = BalanceTestRecord();
  r.set_status(cert::RECORD_STATUS_RETURNED);
  r.mutable_review()->set_reviewer("water_affairs:区水务局");
  r.mutable_review()->set_at_unix_ms(kTenOClock);
  r.mutable_review()->add_reasons("缺少水平衡图");
  const std::string text = RecordDetail(r);
  // One block of fields, aligned together (the widest label is the reasonable annual intake's),
  // then the units.
  EXPECT_THAT(text, HasSubstr("\nstatus:                       returned\n"));
  EXPECT_THAT(text, HasSubstr("\nreasons:                      缺少水平衡图\n"));
  EXPECT_THAT(text, HasSubstr("\ntest period:                  2025-11-01 to 2025-11-30\n"));
  EXPECT_THAT(text, HasSubstr("\nrepeat utilisation:           83.08% (540.000 / 650.000 m³)\n"));
  EXPECT_THAT(text, HasSubstr("\nleakage:                      1.82% (2.000 / 110.000 m³)\n"));
  EXPECT_THAT(text, HasSubstr("\nwastewater reuse:             undefined\n"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\nws1 +一车间 +e +60.000 +0.000 +540.000 +0.000"));
  EXPECT_EQ(RecordReviewText(r),
            "record 12 (balance_test of 91320506MA1N7K2Q3F, 2025) returned by "
            "water_affairs:区水务局 at 2026-12-02 10:00:00\n  reason: 缺少水平衡图\n");
}

TEST(CertificationViewsTest, TitlesAndTheCertifiedList) {
  cert::ListTitlesResponse titles;
  cert::Title* t = titles.add_titles();
  t->set_title_id("3");
  t->set_level(cert::LEVEL_DISTRICT);
  t->set_certificate_number("吴节水2022-07");
  t->set_document_number("吴水〔2022〕31号");
  *t->mutable_valid_from() = D(2022, 7, 1);
  *t->mutable_valid_until() = D(2027, 6, 30);
  t->set_status(cert::TITLE_STATUS_UNDER_REVIEW);
  t->set_scheme_id("imported");
  const std::string text = TitlesTable(titles, "");
  EXPECT_THAT(text, ::testing::ContainsRegex("3 +district +吴节水2022-07 +吴水〔2022〕31号 +"
                                             "2022-07-01 +2027-06-30 +under_review +imported"));
  EXPECT_THAT(text, HasSubstr("1 titles\n"));
  EXPECT_THAT(TitlesTable(titles, "2026-12-02"), HasSubstr("1 titles valid on 2026-12-02\n"));

  cert::ListCertifiedResponse certified;
  cert::CertifiedEnterprise* e = certified.add_enterprises();
  e->mutable_uscc()->set_value(kUscc);
  e->set_name("苏州甪直纺织印染有限公司");
  e->set_town("甪直镇");
  e->mutable_industry_code()->set_value("C1713");
  e->set_level(cert::LEVEL_MUNICIPAL);
  e->set_title_id("4");
  *e->mutable_valid_until() = D(2028, 5, 9);
  const std::string list = CertifiedTable(certified, "2026-12-02");
  EXPECT_THAT(list, ::testing::ContainsRegex("91320506MA1N7K2Q3F +苏州甪直纺织印染有限公司 +"
                                             "甪直镇 +C1713 .* +municipal +4 +2028-05-09"));
  EXPECT_THAT(list, HasSubstr("1 enterprises certified on 2026-12-02\n"));
}

TEST(CertificationViewsTest, EligibilityShowsEveryGateAndTheFirstFailed) {
  cert::EligibilityReport report;
  report.mutable_uscc()->set_value(kUscc);
  report.set_level(cert::LEVEL_LEADER);
  report.set_scheme_id("leader-2023");
  report.set_scheme_version(1);
  *report.mutable_on() = D(2026, 12, 2);
  for (auto [id, passed, evidence] :
       {std::tuple{"annual_intake", false, "no usage announced for 2025"},
        std::tuple{"certified", true, "valid title district 吴节水2022-07 until 2027-06-30"}}) {
    cert::GateResult* g = report.add_gates();
    g->set_gate_id(id);
    g->set_passed(passed);
    g->set_evidence(evidence);
  }
  report.set_failed_gate("annual_intake");
  const std::string text = EligibilityText(report);
  EXPECT_THAT(text, HasSubstr("Eligibility of 91320506MA1N7K2Q3F for leader on 2026-12-02 "
                              "(scheme leader-2023 version 1)"));
  EXPECT_THAT(text, ::testing::ContainsRegex("annual_intake +failed +no usage announced for 2025"));
  EXPECT_THAT(text, ::testing::ContainsRegex("certified +passed +valid title district"));
  EXPECT_THAT(text, HasSubstr("not eligible: the first failed gate is annual_intake\n"));

  report.set_eligible(true);
  report.clear_failed_gate();
  EXPECT_THAT(EligibilityText(report), HasSubstr("eligible: every gate passed\n"));
}

TEST(CertificationViewsTest, ActivityAndDue) {
  cert::ActivityCounts counts;
  counts.set_year(2025);
  counts.set_balance_tests(5);
  counts.set_audits(2);
  counts.set_granted_provincial(1);
  const std::string activity = ActivityText(counts);
  EXPECT_THAT(activity, HasSubstr("Activity in 2025"));
  EXPECT_THAT(activity, HasSubstr("balance tests:       5\n"));
  EXPECT_THAT(activity, HasSubstr("audits:              2\n"));
  EXPECT_THAT(activity, HasSubstr("granted provincial:  1\n"));
  EXPECT_THAT(activity, HasSubstr("granted leader:      0\n"));

  cert::ListDueResponse due;
  cert::TitleReview* r = due.add_open_reviews();
  r->set_review_id("7");
  r->set_title_id("3");
  r->mutable_uscc()->set_value(kUscc);
  r->set_cause(cert::REVIEW_CAUSE_OVER_PLAN);
  r->set_trigger("quota alert 41");
  r->set_opened_at_unix_ms(kTenOClock);
  const std::string text = DueText(due, 90);
  EXPECT_THAT(text, HasSubstr("Titles whose last valid day falls in the next 90 days:\n  none\n"));
  EXPECT_THAT(text,
              ::testing::ContainsRegex(
                  "7 +3 +91320506MA1N7K2Q3F +over_plan +quota alert 41 +2026-12-02 10:00:00"));
  EXPECT_THAT(text, HasSubstr("0 titles expiring, 1 open reviews\n"));

  cert::ListTitleReviewsResponse reviews;
  *reviews.add_reviews() = *r;
  EXPECT_THAT(TitleReviewsTable(reviews),
              ::testing::ContainsRegex("over_plan +quota alert 41 .* open"));
}

TEST(CertificationViewsTest, AnApplicationWithItsGatesScoresAndHistory) {
  cert::Application a;
  a.set_application_id("5");
  a.mutable_uscc()->set_value(kUscc);
  a.set_level(cert::LEVEL_PROVINCIAL);
  a.set_year(2026);
  a.set_state(cert::APPLICATION_STATE_PRELIMINARY_REVIEW);
  a.set_scheme_id("provincial-2023");
  a.set_scheme_version(1);
  (*a.mutable_documents())["intake_permit"] = "取水(苏吴)字[2024]第018号";
  cert::GateResult* g = a.add_gates();
  g->set_gate_id("intake_permit");
  g->set_title("取水许可证或供水合同");
  g->set_passed(true);
  g->set_evidence("取水(苏吴)字[2024]第018号");
  cert::ScoreSheet* self = a.add_scores();
  self->set_stage(cert::SCORE_STAGE_SELF);
  self->set_total(95);
  self->set_passed(true);
  self->set_scored_by("enterprise:苏州示范印染");
  cert::Transition* created = a.add_history();
  created->set_to(cert::APPLICATION_STATE_DRAFT);
  created->set_by("enterprise:苏州示范印染");
  cert::Transition* submitted = a.add_history();
  submitted->set_from(cert::APPLICATION_STATE_DRAFT);
  submitted->set_to(cert::APPLICATION_STATE_SUBMITTED);
  submitted->set_action(cert::ACTION_SUBMIT);
  submitted->set_by("enterprise:苏州示范印染");
  const std::string text = ApplicationDetail(a);
  EXPECT_THAT(text, HasSubstr("state:           preliminary_review"));
  EXPECT_THAT(text, HasSubstr("scheme:          provincial-2023 version 1"));
  EXPECT_THAT(text, HasSubstr("documents:       intake_permit: 取水(苏吴)字[2024]第018号"));
  EXPECT_THAT(text, ::testing::ContainsRegex("intake_permit +取水许可证或供水合同 +passed"));
  EXPECT_THAT(text, ::testing::ContainsRegex("self +95 +yes +enterprise:苏州示范印染"));
  EXPECT_THAT(text, ::testing::ContainsRegex("\n +draft +create +enterprise:苏州示范印染"));
  EXPECT_THAT(text, ::testing::ContainsRegex("draft +submitted +submit +enterprise:苏州示范印染"));
  EXPECT_THAT(text, Not(HasSubstr("not judged yet")));

  cert::ListApplicationsResponse list;
  *list.add_applications() = a;
  EXPECT_THAT(ApplicationsTable(list),
              ::testing::ContainsRegex("5 +91320506MA1N7K2Q3F +provincial +2026 +"
                                       "preliminary_review +provincial-2023 v1"));
}

}  // namespace
}  // namespace jieshui::cli
