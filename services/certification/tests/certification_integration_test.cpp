// The certification service in-process against the real Kafka and PostgreSQL, with the registry's
// and quota's events published to its topics as those services would: a whole provincial
// application from draft to granted, announced on the status topic; an annual over-plan alert
// opening a revocation review that only a reviewer decides; a replay of the consumed topics
// changing nothing; who may call what; refusals that name the field and store nothing.
#include <atomic>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "certification/src/app.hpp"
#include "certification/src/core/lifecycle.hpp"
#include "domain/period.hpp"
#include "errors/field_error.hpp"
#include "grpcserver/status.hpp"
#include "jieshui/certification/v1/certification_service.grpc.pb.h"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/envelope.hpp"
#include "service/start.hpp"
#include "testing/service_env.hpp"
#include "testing/stack.hpp"

namespace jieshui::certification {
namespace {

namespace ev = ::jieshui::events::v1;
namespace reg = ::jieshui::registry::v1;
using jieshui::testing::WaitFor;

constexpr char kUscc[] = "91350200776049653A";   // the applicant (C1713, 印染)
constexpr char kOther[] = "91440101MA5CJQ4N59";  // another enterprise
constexpr char kWaterAffairs[] = "cert-wa-key";
constexpr char kIndustry[] = "cert-industry-key";
constexpr char kStatistics[] = "cert-statistics-key";
constexpr char kEnterprise[] = "cert-enterprise-key";
constexpr char kOtherEnterprise[] = "cert-other-enterprise-key";
constexpr char kPartner[] = "cert-partner-key";

common::v1::Date D(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

// The field the refusal's error detail names.
std::string FieldOf(const grpc::Status& /*status*/, const grpc::ClientContext& ctx) {
  auto detail = grpcserver::ErrorDetailFromTrailers(ctx);
  return detail && detail->field_violations_size() > 0 ? detail->field_violations(0).field() : "";
}

// A water balance test of November 2025 (figures worked by hand in the comments of the scoring
// test below): the enterprise takes 110,000 L of tap water, ws1 60,000 L with 540,000 L
// recirculated and 2,000 L leaking, ws2 50,000 L.
v1::Record BalanceTest() {
  v1::Record r;
  r.mutable_uscc()->set_value(kUscc);
  v1::BalanceTest* t = r.mutable_balance_test();
  t->set_agency("江苏省水利科学研究院");
  t->set_standard_version("GB/T 12452-2022");
  *t->mutable_period_start() = D(2025, 11, 1);
  *t->mutable_period_end() = D(2025, 11, 30);
  auto unit = [t](const char* id, const char* parent, int64_t tap, int64_t recirculated,
                  int64_t leakage) {
    v1::WaterUnit* u = t->add_units();
    u->set_unit_id(id);
    u->set_name(id);
    u->set_parent_id(parent);
    u->mutable_volumes()->mutable_new_tap()->set_litres(tap);
    u->mutable_volumes()->mutable_recirculated()->set_litres(recirculated);
    u->mutable_volumes()->mutable_leakage()->set_litres(leakage);
  };
  unit("e", "", 110'000, 0, 0);
  unit("ws1", "e", 60'000, 540'000, 2'000);
  unit("ws2", "e", 50'000, 0, 0);
  t->mutable_reasonable_annual_intake()->set_litres(1'300'000'000);
  t->set_findings("冷却塔补水偏高");
  t->set_measures("更换浮球阀");
  return r;
}

class CertificationIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    // 2026-12-02 10:00 Shanghai; tests move it on.
    now_ms_ =
        absl::ToUnixMillis(domain::StartOf(*domain::Date::Create(2026, 12, 2)) + absl::Hours(10));
    env_ = std::make_unique<jieshui::testing::ServiceEnv>(
        "certification",
        std::vector<jieshui::testing::TestKey>{{kWaterAffairs, "water_affairs", "", "区水务局"},
                                               {kIndustry, "industry", "", "区工信局"},
                                               {kStatistics, "statistics", "", "区统计局"},
                                               {kEnterprise, "enterprise", kUscc, "苏州示范印染"},
                                               {kOtherEnterprise, "enterprise", kOther, "另一企业"},
                                               {kPartner, "partner", "", "市平台"}});
    enterprise_topic_ = env_->Unique("certification.topics.registry_enterprise", "cert_ent");
    meter_topic_ = env_->Unique("certification.topics.registry_meter", "cert_meter");
    usage_topic_ = env_->Unique("certification.topics.quota_usage", "cert_usage");
    alert_topic_ = env_->Unique("certification.topics.quota_alert", "cert_alert");
    status_topic_ = env_->Unique("certification.topics.status", "cert_status");
    activity_topic_ = env_->Unique("certification.topics.activity", "cert_activity");
    env_->Unique("certification.topics.dlq", "cert_dlq");
    env_->Unique("certification.consumer_group", "cert_facts");
    env_->Set("certification.schemes_file",
              JIESHUI_SOURCE_DIR "/services/certification/schemes.yaml");

    // The registry's enterprises (announced before the service starts, as a running registry's
    // would be) and meters: one measuring point per level, each with an active meter.
    for (const char* uscc : {kUscc, kOther}) {
      ev::EnterpriseChanged e;
      e.set_change(reg::CHANGE_KIND_CREATED);
      reg::Enterprise& x = *e.mutable_enterprise();
      x.mutable_uscc()->set_value(uscc);
      x.set_name(uscc == std::string(kUscc) ? "苏州示范印染有限公司" : "另一企业");
      x.set_town("甪直镇");
      x.set_park_id("WZ-ETDZ");
      x.mutable_industry_code()->set_value("C1713");
      x.set_status(reg::ENTERPRISE_STATUS_ACTIVE);
      x.mutable_specialist()->set_name("王工");
      x.mutable_metering_points()->set_level1(1);
      x.mutable_metering_points()->set_level2(1);
      x.mutable_metering_points()->set_level3(1);
      x.set_version(1);
      registry_.Publish(enterprise_topic_, uscc, e);
    }
    for (int level = 1; level <= 3; ++level) {
      ev::MeterChanged m;
      m.set_change(reg::CHANGE_KIND_CREATED);
      reg::Meter& meter = *m.mutable_meter();
      meter.set_meter_id(absl::StrCat("CM-", level));
      meter.mutable_uscc()->set_value(kUscc);
      meter.set_level(static_cast<reg::MeterLevel>(level));
      meter.set_status(reg::METER_STATUS_ACTIVE);
      meter.set_version(1);
      registry_.Publish(meter_topic_, meter.meter_id(), m);
    }
    Start();
    if (HasFatalFailure()) {
      return;
    }
    // The meters are consumed in the background: the metering gate passes once they are in.
    ASSERT_TRUE(WaitFor([&] { return GatePassed(v1::LEVEL_DISTRICT, "metering"); }))
        << "the registry's meters never reached the metering gate";
  }

  void TearDown() override {
    if (app_) {
      app_->Stop();
    }
  }

  void Start() {
    auto app = service::LoadAndStart("certification", env_->ConfigPath(), env_->env(),
                                     LoadCertificationConfig, CertificationApp::Start,
                                     [this] { return absl::FromUnixMillis(now_ms_.load()); });
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    stub_ = v1::CertificationService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", app_->port()), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key) {
    return jieshui::testing::AuthorizedContext(key);
  }

  bool GatePassed(v1::Level level, const std::string& gate_id) {
    v1::GetEligibilityRequest req;
    req.mutable_uscc()->set_value(kUscc);
    req.set_level(level);
    v1::EligibilityReport report;
    if (!stub_->GetEligibility(Ctx(kWaterAffairs).get(), req, &report).ok()) {
      return false;
    }
    for (const v1::GateResult& g : report.gates()) {
      if (g.gate_id() == gate_id) {
        return g.passed();
      }
    }
    return false;
  }

  v1::Record FileAcceptedBalanceTest() {
    v1::CreateRecordRequest create;
    *create.mutable_record() = BalanceTest();
    v1::Record filed;
    grpc::Status s = stub_->CreateRecord(Ctx(kEnterprise).get(), create, &filed);
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_EQ(filed.status(), v1::RECORD_STATUS_SUBMITTED);
    v1::ReviewRecordRequest review;
    review.set_record_id(filed.record_id());
    review.set_accept(true);
    v1::Record accepted;
    s = stub_->ReviewRecord(Ctx(kWaterAffairs).get(), review, &accepted);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return accepted;
  }

  // Scores every item the platform does not compute at full points.
  grpc::Status ScoreAll(const std::string& key, const std::string& id, v1::ScoreStage stage,
                        v1::Application* out) {
    v1::ScoreApplicationRequest req;
    req.set_application_id(id);
    req.set_stage(stage);
    for (const auto& [item, points] :
         std::vector<std::pair<const char*, int>>{{"rules", 10},
                                                  {"metering_ledgers", 10},
                                                  {"balance_test", 10},
                                                  {"retrofit_investment", 10},
                                                  {"publicity", 10},
                                                  {"unit_intake", 10},
                                                  {"cooling_recirculation", 8},
                                                  {"wastewater_reuse", 7}}) {
      v1::ItemScore* s = req.add_items();
      s->set_item_id(item);
      s->set_points(points);
    }
    return stub_->ScoreApplication(Ctx(key).get(), req, out);
  }

  grpc::Status Act(const std::string& key, const std::string& id, v1::Action action,
                   v1::Application* out, const std::function<void(v1::ActRequest&)>& more = {}) {
    v1::ActRequest req;
    req.set_application_id(id);
    req.set_action(action);
    if (more) {
      more(req);
    }
    return stub_->Act(Ctx(key).get(), req, out);
  }

  // An application of `level` through every step to granted; returns it.
  v1::Application Grant(v1::Level level) {
    v1::CreateApplicationRequest create;
    create.mutable_uscc()->set_value(kUscc);
    create.set_level(level);
    (*create.mutable_documents())["intake_permit"] = "取水(苏吴)字[2024]第018号";
    v1::Application app;
    EXPECT_TRUE(stub_->CreateApplication(Ctx(kEnterprise).get(), create, &app).ok());
    const std::string id = app.application_id();
    EXPECT_TRUE(ScoreAll(kEnterprise, id, v1::SCORE_STAGE_SELF, &app).ok());
    EXPECT_TRUE(Act(kEnterprise, id, v1::ACTION_SUBMIT, &app).ok());
    EXPECT_TRUE(Act(kWaterAffairs, id, v1::ACTION_START_REVIEW, &app).ok());
    EXPECT_TRUE(ScoreAll(kWaterAffairs, id, v1::SCORE_STAGE_PRELIMINARY, &app).ok());
    EXPECT_TRUE(Act(kWaterAffairs, id, v1::ACTION_PASS_PRELIMINARY, &app).ok());
    EXPECT_TRUE(ScoreAll(kWaterAffairs, id, v1::SCORE_STAGE_FINAL, &app).ok());
    EXPECT_TRUE(Act(kWaterAffairs, id, v1::ACTION_APPROVE_FINAL, &app).ok());
    if (app.state() != v1::APPLICATION_STATE_PUBLIC_NOTICE) {
      EXPECT_TRUE(Act(kIndustry, id, v1::ACTION_APPROVE_FINAL, &app).ok());
    }
    now_ms_ += absl::ToInt64Milliseconds(absl::Hours(24 * 11));
    grpc::Status s = Act(kWaterAffairs, id, v1::ACTION_GRANT, &app, [](v1::ActRequest& r) {
      r.set_certificate_number("苏节水企2026-0101");
      r.set_document_number("吴水〔2026〕88号");
    });
    EXPECT_TRUE(s.ok()) << s.error_message();
    return app;
  }

  // Rows of one of the service's tables.
  size_t Count(const char* table) {
    if (pool_ == nullptr) {
      db::PoolOptions options;
      options.uri = jieshui::testing::PostgresUri();
      options.size = 1;
      options.search_path = env_->schema();
      auto pool = db::ConnectionPool::Create(options);
      EXPECT_TRUE(pool.ok()) << pool.status();
      pool_ = *std::move(pool);
    }
    size_t n = 0;
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      n = tx.exec(absl::StrCat("SELECT count(*) FROM ", table))[0][0].as<size_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  std::atomic<int64_t> now_ms_{0};
  std::unique_ptr<jieshui::testing::ServiceEnv> env_;
  jieshui::testing::EventPublisher registry_{"registry"};
  jieshui::testing::EventPublisher quota_{"quota"};
  std::string enterprise_topic_, meter_topic_, usage_topic_, alert_topic_, status_topic_,
      activity_topic_;
  std::unique_ptr<CertificationApp> app_;
  std::unique_ptr<v1::CertificationService::Stub> stub_;
  std::unique_ptr<db::ConnectionPool> pool_;
};

TEST_F(CertificationIntegrationTest, AProvincialApplicationGoesFromDraftToGrantedAndIsAnnounced) {
  const v1::Record test = FileAcceptedBalanceTest();
  ASSERT_EQ(test.status(), v1::RECORD_STATUS_ACCEPTED);
  // R = 540,000 / (110,000 + 540,000) = 83.08%: the rate is derived and stored.
  EXPECT_EQ(test.balance_test().rates().repeat_utilisation().basis_points(), 8308);

  v1::CreateApplicationRequest create;
  create.mutable_uscc()->set_value(kUscc);
  create.set_level(v1::LEVEL_PROVINCIAL);
  (*create.mutable_documents())["intake_permit"] = "取水(苏吴)字[2024]第018号";
  v1::Application app;
  ASSERT_TRUE(stub_->CreateApplication(Ctx(kEnterprise).get(), create, &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_DRAFT);
  EXPECT_EQ(app.scheme_id(), "provincial-2023");
  const std::string id = app.application_id();

  // Eligibility, gate by gate: the open provincial application's permit reference serves its
  // document gate; for the district level (no application) the caller names it, or that gate is
  // the first to fail.
  {
    v1::GetEligibilityRequest req;
    req.mutable_uscc()->set_value(kUscc);
    req.set_level(v1::LEVEL_PROVINCIAL);
    v1::EligibilityReport report;
    ASSERT_TRUE(stub_->GetEligibility(Ctx(kEnterprise).get(), req, &report).ok());
    EXPECT_TRUE(report.eligible()) << report.DebugString();
    req.set_level(v1::LEVEL_DISTRICT);
    ASSERT_TRUE(stub_->GetEligibility(Ctx(kEnterprise).get(), req, &report).ok());
    EXPECT_FALSE(report.eligible());
    EXPECT_EQ(report.failed_gate(), "intake_permit");
    (*req.mutable_documents())["intake_permit"] = "取水(苏吴)字[2024]第018号";
    ASSERT_TRUE(stub_->GetEligibility(Ctx(kEnterprise).get(), req, &report).ok());
    EXPECT_TRUE(report.eligible()) << report.DebugString();
    EXPECT_EQ(report.gates_size(), 6);
  }

  // Another enterprise sees nothing of it; a partner may read but not act.
  {
    v1::GetApplicationRequest get;
    get.set_application_id(id);
    v1::Application seen;
    EXPECT_EQ(stub_->GetApplication(Ctx(kOtherEnterprise).get(), get, &seen).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
    EXPECT_TRUE(stub_->GetApplication(Ctx(kPartner).get(), get, &seen).ok());
    EXPECT_EQ(Act(kPartner, id, v1::ACTION_START_REVIEW, &seen).error_code(),
              grpc::StatusCode::PERMISSION_DENIED);
  }

  // The self-score. Computed from the accepted test for C17 (印染): repeat utilisation 83.08% ≥
  // 45% → 10; leakage 2,000 / 110,000 = 1.82% ≤ 6% → 10; non-conventional water 0% against 5%:
  // 5 started points short, 1 each → 0 of 5. Entered: management 5 × 10, unit intake 10, cooling 8,
  // wastewater 7. Total 50 + 10 + 8 + 7 + 10 + 10 + 0 = 95 ≥ 90.
  ASSERT_TRUE(ScoreAll(kEnterprise, id, v1::SCORE_STAGE_SELF, &app).ok());
  ASSERT_EQ(app.scores_size(), 1);
  EXPECT_EQ(app.scores(0).total(), 95);
  EXPECT_TRUE(app.scores(0).passed());
  // A score over an item's points is refused naming the item, and changes nothing.
  {
    v1::ScoreApplicationRequest over;
    over.set_application_id(id);
    over.set_stage(v1::SCORE_STAGE_SELF);
    v1::ItemScore* s = over.add_items();
    s->set_item_id("rules");
    s->set_points(11);
    v1::Application unchanged;
    auto ctx = Ctx(kEnterprise);
    grpc::Status st = stub_->ScoreApplication(ctx.get(), over, &unchanged);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(st, *ctx), "items[rules].points");
  }
  // A transition not allowed from DRAFT names the action.
  {
    auto ctx = Ctx(kWaterAffairs);
    v1::ActRequest req;
    req.set_application_id(id);
    req.set_action(v1::ACTION_PASS_PRELIMINARY);
    v1::Application unchanged;
    grpc::Status st = stub_->Act(ctx.get(), req, &unchanged);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(st, *ctx), "action");
  }

  ASSERT_TRUE(Act(kEnterprise, id, v1::ACTION_SUBMIT, &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_SUBMITTED);
  ASSERT_EQ(app.gates_size(), 6);
  for (const v1::GateResult& g : app.gates()) {
    EXPECT_TRUE(g.passed()) << g.gate_id() << ": " << g.evidence();
  }
  ASSERT_TRUE(Act(kWaterAffairs, id, v1::ACTION_START_REVIEW, &app).ok());
  ASSERT_TRUE(ScoreAll(kWaterAffairs, id, v1::SCORE_STAGE_PRELIMINARY, &app).ok());
  ASSERT_TRUE(Act(kWaterAffairs, id, v1::ACTION_PASS_PRELIMINARY, &app).ok());
  ASSERT_TRUE(ScoreAll(kWaterAffairs, id, v1::SCORE_STAGE_FINAL, &app).ok());
  EXPECT_EQ(app.scores_size(), 3);  // self, preliminary and final kept apart
  // Provincial titles need both water_affairs and industry.
  ASSERT_TRUE(Act(kWaterAffairs, id, v1::ACTION_APPROVE_FINAL, &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_FINAL_REVIEW);
  ASSERT_TRUE(Act(kIndustry, id, v1::ACTION_APPROVE_FINAL, &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_PUBLIC_NOTICE);
  // 7 notice days from 2026-12-02: the last is 12-08.
  EXPECT_EQ(app.notice_ends_on().day(), 8);
  v1::Application refused;
  EXPECT_EQ(Act(kWaterAffairs, id, v1::ACTION_GRANT, &refused,
                [](v1::ActRequest& r) {
                  r.set_certificate_number("苏节水企2026-0001");
                  r.set_document_number("苏水节〔2026〕12号");
                })
                .error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);

  now_ms_ += absl::ToInt64Milliseconds(absl::Hours(24 * 7));  // 2026-12-09
  {
    auto ctx = Ctx(kWaterAffairs);
    v1::ActRequest req;
    req.set_application_id(id);
    req.set_action(v1::ACTION_GRANT);
    req.set_certificate_number("苏节水企2026-0001");
    req.set_document_number("苏水节〔2026〕12号");
    *req.mutable_valid_from() = D(2026, 12, 9);
    *req.mutable_valid_until() = D(2026, 12, 8);
    grpc::Status st = stub_->Act(ctx.get(), req, &refused);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(st, *ctx), "valid_until");
  }
  v1::GetApplicationRequest get;
  get.set_application_id(id);
  ASSERT_TRUE(stub_->GetApplication(Ctx(kWaterAffairs).get(), get, &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_PUBLIC_NOTICE) << "a refused call stored something";

  ASSERT_TRUE(Act(kWaterAffairs, id, v1::ACTION_GRANT, &app, [](v1::ActRequest& r) {
                r.set_certificate_number("苏节水企2026-0001");
                r.set_document_number("苏水节〔2026〕12号");
              }).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_GRANTED);
  ASSERT_FALSE(app.title_id().empty());
  // Every transition recorded with who: created, submitted, review, final, notice, granted.
  EXPECT_EQ(app.history_size(), 7);
  EXPECT_EQ(app.history(app.history_size() - 1).by(), "water_affairs:区水务局");

  // Announced on the compacted status topic: valid 2026-12-09 to 2031-12-08 (5 years).
  jieshui::testing::TopicCollector status(status_topic_);
  auto events = status.WaitForKey(kUscc, 1);
  ASSERT_FALSE(events.empty());
  auto announced = kafka::UnpackPayload<ev::CertificationStatus>(events.back());
  ASSERT_TRUE(announced.ok()) << announced.status();
  ASSERT_EQ(announced->titles_size(), 1);
  const v1::Title& title = announced->titles(0);
  EXPECT_EQ(title.level(), v1::LEVEL_PROVINCIAL);
  EXPECT_EQ(title.status(), v1::TITLE_STATUS_ACTIVE);
  EXPECT_EQ(title.certificate_number(), "苏节水企2026-0001");
  EXPECT_EQ(FromProto(title.valid_from()).ToString(), "2026-12-09");
  EXPECT_EQ(FromProto(title.valid_until()).ToString(), "2031-12-08");

  // The certified list on the day, filtered by town and industry, counts it; the year's counts
  // show the accepted test of 2025 and the provincial title of 2026.
  v1::ListCertifiedRequest certified;
  *certified.mutable_on() = D(2026, 12, 9);
  certified.set_town("甪直镇");
  certified.set_industry_code("C17");
  v1::ListCertifiedResponse list;
  ASSERT_TRUE(stub_->ListCertified(Ctx(kStatistics).get(), certified, &list).ok());
  ASSERT_EQ(list.enterprises_size(), 1);
  EXPECT_EQ(list.enterprises(0).uscc().value(), kUscc);
  *certified.mutable_on() = D(2031, 12, 9);  // the day after the last valid day
  ASSERT_TRUE(stub_->ListCertified(Ctx(kStatistics).get(), certified, &list).ok());
  EXPECT_EQ(list.enterprises_size(), 0);
  v1::CountActivityRequest count;
  count.set_year(2025);
  v1::ActivityCounts counts;
  ASSERT_TRUE(stub_->CountActivity(Ctx(kPartner).get(), count, &counts).ok());
  EXPECT_EQ(counts.balance_tests(), 1);
  count.set_year(2026);
  ASSERT_TRUE(stub_->CountActivity(Ctx(kPartner).get(), count, &counts).ok());
  EXPECT_EQ(counts.granted_provincial(), 1);
  EXPECT_EQ(counts.balance_tests(), 0);
}

TEST_F(CertificationIntegrationTest, AnAnnualAlertOpensARevocationReviewThatOnlyAReviewerDecides) {
  FileAcceptedBalanceTest();
  const v1::Application granted = Grant(v1::LEVEL_DISTRICT);
  ASSERT_EQ(granted.state(), v1::APPLICATION_STATE_GRANTED);

  // Quota announces the 2026 plan reached 80% (no review) and then 100% (a review).
  for (int percent : {80, 100}) {
    ev::QuotaNotice notice;
    notice.set_kind(ev::QUOTA_NOTICE_KIND_ANNUAL_PLAN_THRESHOLD);
    notice.mutable_uscc()->set_value(kUscc);
    notice.mutable_period()->set_year(2026);
    notice.set_reference_id(absl::StrCat("alert-", percent));
    notice.set_threshold_percent(percent);
    notice.mutable_used()->set_litres(percent * 10'000'000LL);
    notice.mutable_limit()->set_litres(1'000'000'000LL);
    notice.set_crossed_at_unix_ms(now_ms_.load());
    quota_.Publish(alert_topic_, kUscc, notice);
  }
  v1::ListTitleReviewsRequest open;
  open.mutable_uscc()->set_value(kUscc);
  open.set_open_only(true);
  v1::ListTitleReviewsResponse reviews;
  ASSERT_TRUE(WaitFor([&] {
    return stub_->ListTitleReviews(Ctx(kEnterprise).get(), open, &reviews).ok() &&
           reviews.reviews_size() > 0;
  }));
  ASSERT_EQ(reviews.reviews_size(), 1);
  const v1::TitleReview& review = reviews.reviews(0);
  EXPECT_EQ(review.cause(), v1::REVIEW_CAUSE_OVER_PLAN);
  EXPECT_EQ(review.title_id(), granted.title_id());
  EXPECT_EQ(review.trigger(), "quota alert alert-100");
  // Under review, still valid: it never revokes by itself.
  v1::ListTitlesRequest titles;
  titles.mutable_uscc()->set_value(kUscc);
  v1::ListTitlesResponse held;
  ASSERT_TRUE(stub_->ListTitles(Ctx(kEnterprise).get(), titles, &held).ok());
  ASSERT_EQ(held.titles_size(), 1);
  EXPECT_EQ(held.titles(0).status(), v1::TITLE_STATUS_UNDER_REVIEW);
  // The over-plan year now fails the gate of a new application.
  EXPECT_FALSE(GatePassed(v1::LEVEL_MUNICIPAL, "no_over_plan"));

  // A revocation states its reason; an enterprise cannot decide.
  v1::DecideTitleReviewRequest decide;
  decide.set_review_id(review.review_id());
  decide.set_outcome(v1::REVIEW_OUTCOME_REVOKED);
  v1::TitleReview decided;
  EXPECT_EQ(stub_->DecideTitleReview(Ctx(kEnterprise).get(), decide, &decided).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    auto ctx = Ctx(kWaterAffairs);
    grpc::Status st = stub_->DecideTitleReview(ctx.get(), decide, &decided);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(st, *ctx), "reasons");
  }
  decide.add_reasons("2026年超计划取水");
  ASSERT_TRUE(stub_->DecideTitleReview(Ctx(kWaterAffairs).get(), decide, &decided).ok());
  EXPECT_EQ(decided.outcome(), v1::REVIEW_OUTCOME_REVOKED);
  ASSERT_TRUE(stub_->ListTitles(Ctx(kEnterprise).get(), titles, &held).ok());
  EXPECT_EQ(held.titles(0).status(), v1::TITLE_STATUS_REVOKED);
  EXPECT_EQ(held.titles(0).reason(), "2026年超计划取水");
  // Deciding it again is a transition not allowed from the current state.
  EXPECT_EQ(stub_->DecideTitleReview(Ctx(kWaterAffairs).get(), decide, &decided).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
}

TEST_F(CertificationIntegrationTest, AReplayOfTheConsumedTopicsChangesNothing) {
  FileAcceptedBalanceTest();
  Grant(v1::LEVEL_DISTRICT);
  ev::UsageChanged usage;
  usage.mutable_uscc()->set_value(kUscc);
  usage.mutable_month()->set_year(2026);
  usage.mutable_month()->set_month(11);
  usage.mutable_new_water()->set_litres(12'000'000);
  quota_.Publish(usage_topic_, kUscc, usage);
  ev::QuotaNotice notice;
  notice.set_kind(ev::QUOTA_NOTICE_KIND_ANNUAL_PLAN_THRESHOLD);
  notice.mutable_uscc()->set_value(kUscc);
  notice.mutable_period()->set_year(2026);
  notice.set_reference_id("alert-7");
  notice.set_threshold_percent(100);
  notice.set_crossed_at_unix_ms(now_ms_.load());
  quota_.Publish(alert_topic_, kUscc, notice);
  ev::QuotaNotice order;
  order.set_kind(ev::QUOTA_NOTICE_KIND_ORDER_ISSUED);
  order.mutable_uscc()->set_value(kUscc);
  order.set_reference_id("order-3");
  quota_.Publish(alert_topic_, kUscc, order);
  ASSERT_TRUE(WaitFor([&] { return Count("open_orders") == 1 && Count("title_reviews") == 1; }));
  const int64_t applied = app_->consumer().applied();
  EXPECT_EQ(applied, 3 + 3);  // three meters, the usage, the alert, the order

  // A fresh consumer group reads every topic from the start; the offsets stored with the effects
  // skip all of it.
  app_->Stop();
  app_.reset();
  env_->Unique("certification.consumer_group", "cert_facts_again");
  Start();
  ASSERT_TRUE(WaitFor([&] { return app_->consumer().replayed() >= applied; }));
  EXPECT_EQ(app_->consumer().applied(), 0);
  EXPECT_EQ(Count("title_reviews"), 1u);
  EXPECT_EQ(Count("over_plan_years"), 1u);
  EXPECT_EQ(Count("usage_months"), 1u);
  EXPECT_EQ(Count("open_orders"), 1u);
  EXPECT_EQ(Count("meters"), 3u);
  // The open order fails its gate.
  EXPECT_FALSE(GatePassed(v1::LEVEL_DISTRICT, "no_open_rectification"));
}

TEST_F(CertificationIntegrationTest, BadRecordsAreRefusedNamingTheFieldAndStoreNothing) {
  // A unit tree with a cycle.
  v1::CreateRecordRequest cycle;
  *cycle.mutable_record() = BalanceTest();
  cycle.mutable_record()->mutable_balance_test()->mutable_units(1)->set_parent_id("ws2");
  cycle.mutable_record()->mutable_balance_test()->mutable_units(2)->set_parent_id("ws1");
  v1::Record out;
  {
    auto ctx = Ctx(kEnterprise);
    grpc::Status st = stub_->CreateRecord(ctx.get(), cycle, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_NE(FieldOf(st, *ctx).find("units["), std::string::npos) << FieldOf(st, *ctx);
  }
  // Units off the enterprise's total by more than 10%.
  v1::CreateRecordRequest open;
  *open.mutable_record() = BalanceTest();
  open.mutable_record()
      ->mutable_balance_test()
      ->mutable_units(2)
      ->mutable_volumes()
      ->mutable_new_tap()
      ->set_litres(70'000);
  {
    auto ctx = Ctx(kEnterprise);
    grpc::Status st = stub_->CreateRecord(ctx.get(), open, &out);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(st, *ctx), "units");
  }
  // Another enterprise's record, and a partner filing at all.
  v1::CreateRecordRequest good;
  *good.mutable_record() = BalanceTest();
  EXPECT_EQ(stub_->CreateRecord(Ctx(kOtherEnterprise).get(), good, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->CreateRecord(Ctx(kPartner).get(), good, &out).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Count("records"), 0u);
  // Returning a record needs reasons; reviewing it twice is not allowed.
  ASSERT_TRUE(stub_->CreateRecord(Ctx(kEnterprise).get(), good, &out).ok());
  v1::ReviewRecordRequest review;
  review.set_record_id(out.record_id());
  review.set_accept(false);
  v1::Record reviewed;
  EXPECT_EQ(stub_->ReviewRecord(Ctx(kWaterAffairs).get(), review, &reviewed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  review.add_reasons("缺少水平衡图");
  ASSERT_TRUE(stub_->ReviewRecord(Ctx(kWaterAffairs).get(), review, &reviewed).ok());
  EXPECT_EQ(reviewed.status(), v1::RECORD_STATUS_RETURNED);
  EXPECT_EQ(stub_->ReviewRecord(Ctx(kWaterAffairs).get(), review, &reviewed).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(stub_->ReviewRecord(Ctx(kIndustry).get(), review, &reviewed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // A returned test passes no gate.
  EXPECT_FALSE(GatePassed(v1::LEVEL_DISTRICT, "balance_test"));

  // A submission without the intake permit stops at that gate, naming it, and stays a draft; an
  // industry key may not submit at all (told so before any gate is judged).
  v1::CreateApplicationRequest create;
  create.mutable_uscc()->set_value(kUscc);
  create.set_level(v1::LEVEL_DISTRICT);
  v1::Application app;
  ASSERT_TRUE(stub_->CreateApplication(Ctx(kEnterprise).get(), create, &app).ok());
  // No accepted balance test: the reviewers' items include the metric ones.
  v1::ScoreApplicationRequest score;
  score.set_application_id(app.application_id());
  score.set_stage(v1::SCORE_STAGE_SELF);
  for (const char* item : {"rules", "metering_ledgers", "balance_test", "retrofit_investment",
                           "publicity", "unit_intake", "repeat_utilisation", "leakage"}) {
    v1::ItemScore* i = score.add_items();
    i->set_item_id(item);
    i->set_points(10);
  }
  for (const auto& [item, points] : std::vector<std::pair<const char*, int>>{
           {"cooling_recirculation", 8}, {"wastewater_reuse", 7}, {"nonconventional", 5}}) {
    v1::ItemScore* i = score.add_items();
    i->set_item_id(item);
    i->set_points(points);
  }
  grpc::Status scored = stub_->ScoreApplication(Ctx(kEnterprise).get(), score, &app);
  ASSERT_TRUE(scored.ok()) << scored.error_message();
  EXPECT_EQ(app.scores(0).total(), 100);
  EXPECT_EQ(Act(kIndustry, app.application_id(), v1::ACTION_SUBMIT, &app).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  {
    auto ctx = Ctx(kEnterprise);
    v1::ActRequest req;
    req.set_application_id(app.application_id());
    req.set_action(v1::ACTION_SUBMIT);
    grpc::Status st = stub_->Act(ctx.get(), req, &app);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
    EXPECT_EQ(FieldOf(st, *ctx), "gates[intake_permit]");
  }
  v1::GetApplicationRequest get;
  get.set_application_id(app.application_id());
  ASSERT_TRUE(stub_->GetApplication(Ctx(kEnterprise).get(), get, &app).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_DRAFT);
  EXPECT_EQ(app.gates_size(), 0);
}

TEST_F(CertificationIntegrationTest, AnImportedTitleCountsWhileValidAndReadsExpiredAfter) {
  // A district title of 2019 (5 years: its last valid day 2024-06-30) and a municipal one of 2023.
  v1::ImportTitleRequest old;
  old.mutable_uscc()->set_value(kUscc);
  old.set_level(v1::LEVEL_DISTRICT);
  old.set_certificate_number("吴节水2019-07");
  old.set_document_number("吴水〔2019〕31号");
  *old.mutable_valid_from() = D(2019, 7, 1);
  v1::Title imported;
  grpc::Status st = stub_->ImportTitle(Ctx(kWaterAffairs).get(), old, &imported);
  ASSERT_TRUE(st.ok()) << st.error_message();
  EXPECT_EQ(FromProto(imported.valid_until()).ToString(), "2024-06-30");
  // The same certificate twice, an enterprise importing, an end before the start: refused.
  EXPECT_EQ(stub_->ImportTitle(Ctx(kWaterAffairs).get(), old, &imported).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(stub_->ImportTitle(Ctx(kEnterprise).get(), old, &imported).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ImportTitleRequest current = old;
  current.set_level(v1::LEVEL_MUNICIPAL);
  current.set_certificate_number("苏节水2023-15");
  *current.mutable_valid_from() = D(2023, 5, 10);
  *current.mutable_valid_until() = D(2023, 5, 9);
  {
    auto ctx = Ctx(kWaterAffairs);
    st = stub_->ImportTitle(ctx.get(), current, &imported);
    EXPECT_EQ(st.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(st, *ctx), "valid_until");
  }
  current.clear_valid_until();
  ASSERT_TRUE(stub_->ImportTitle(Ctx(kWaterAffairs).get(), current, &imported).ok());
  EXPECT_EQ(FromProto(imported.valid_until()).ToString(), "2028-05-09");

  // Today (2026-12-02) the district title reads EXPIRED and the municipal one ACTIVE.
  v1::ListTitlesRequest titles;
  titles.mutable_uscc()->set_value(kUscc);
  v1::ListTitlesResponse held;
  ASSERT_TRUE(stub_->ListTitles(Ctx(kPartner).get(), titles, &held).ok());
  ASSERT_EQ(held.titles_size(), 2);
  EXPECT_EQ(held.titles(0).status(), v1::TITLE_STATUS_EXPIRED);
  EXPECT_EQ(held.titles(1).status(), v1::TITLE_STATUS_ACTIVE);
  // On its last valid day the district title still counts, the day after only the municipal.
  v1::ListCertifiedRequest certified;
  *certified.mutable_on() = D(2024, 6, 30);
  v1::ListCertifiedResponse list;
  ASSERT_TRUE(stub_->ListCertified(Ctx(kWaterAffairs).get(), certified, &list).ok());
  ASSERT_EQ(list.enterprises_size(), 1);
  EXPECT_EQ(list.enterprises(0).level(), v1::LEVEL_MUNICIPAL);  // the higher of the two
  certified.set_level(v1::LEVEL_DISTRICT);
  ASSERT_TRUE(stub_->ListCertified(Ctx(kWaterAffairs).get(), certified, &list).ok());
  EXPECT_EQ(list.enterprises_size(), 1);
  *certified.mutable_on() = D(2024, 7, 1);
  ASSERT_TRUE(stub_->ListCertified(Ctx(kWaterAffairs).get(), certified, &list).ok());
  EXPECT_EQ(list.enterprises_size(), 0);
  // An enterprise does not read the district's list.
  EXPECT_EQ(stub_->ListCertified(Ctx(kEnterprise).get(), certified, &list).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  // Both announced on the status topic, the last event carrying both.
  jieshui::testing::TopicCollector status(status_topic_);
  auto events = status.WaitForKey(kUscc, 2);
  ASSERT_EQ(events.size(), 2u);
  auto last = kafka::UnpackPayload<ev::CertificationStatus>(events.back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->titles_size(), 2);
}

}  // namespace
}  // namespace jieshui::certification
