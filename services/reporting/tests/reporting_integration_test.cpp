// The reporting service in-process against the real Kafka and PostgreSQL, the registry's, quota's
// and certification's events published to its topics as those services would: the six rows of the
// attachment table for a small district worked by hand, Statistics' import (refused whole, with
// an error per row naming the line and column, or accepted as one version), an enterprise reading
// only its own figures, bad requests naming the field, and a replay of every topic (a new consumer
// group) changing nothing.
#include <algorithm>
#include <atomic>
#include <memory>
#include <string>

#include <grpcpp/grpcpp.h>
#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "domain/period.hpp"
#include "domain/ratio.hpp"
#include "grpcserver/status.hpp"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/events/v1/reporting_events.pb.h"
#include "jieshui/reporting/v1/reporting_service.grpc.pb.h"
#include "kafka/envelope.hpp"
#include "redis_server.hpp"
#include "reporting/src/app.hpp"
#include "reporting/src/core/indicators.hpp"
#include "service/start.hpp"
#include "sheet/sheet.hpp"
#include "testing/service_env.hpp"
#include "testing/stack.hpp"

namespace jieshui::reporting {
namespace {

namespace ev = ::jieshui::events::v1;
namespace reg = ::jieshui::registry::v1;
namespace cert = ::jieshui::certification::v1;
using jieshui::testing::WaitFor;

constexpr char kA[] = "91350200776049653A";  // above scale, 甪直镇, certified
constexpr char kB[] = "91440101MA5CJQ4N59";  // 木渎镇
constexpr char kUnknown[] = "913502000728319549";
constexpr char kWaterAffairs[] = "rep-wa-key";
constexpr char kStatistics[] = "rep-statistics-key";
constexpr char kPartner[] = "rep-partner-key";
constexpr char kEnterpriseA[] = "rep-enterprise-a-key";
constexpr char kIndustry[] = "rep-industry-key";

std::string FieldOf(const grpc::ClientContext& ctx) {
  auto detail = grpcserver::ErrorDetailFromTrailers(ctx);
  return detail && detail->field_violations_size() > 0 ? detail->field_violations(0).field() : "";
}

// A percent from basis points as a spreadsheet stores the number: 9300 → "93", -3125 → "-31.25".
std::string PercentNumber(int64_t basis_points) {
  std::string text = domain::BasisPointsText(basis_points);
  text.pop_back();  // the '%'
  while (text.back() == '0') {
    text.pop_back();
  }
  if (text.back() == '.') {
    text.pop_back();
  }
  return text;
}

v1::IndicatorPeriod Year(int y) {
  v1::IndicatorPeriod p;
  p.set_kind(v1::PERIOD_KIND_YEAR);
  p.set_year(y);
  return p;
}

class ReportingIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = std::make_unique<jieshui::testing::ServiceEnv>(
        "reporting",
        std::vector<jieshui::testing::TestKey>{{kWaterAffairs, "water_affairs", "", "区水务局"},
                                               {kStatistics, "statistics", "", "区统计局"},
                                               {kPartner, "partner", "", "市平台"},
                                               {kEnterpriseA, "enterprise", kA, "企业A"},
                                               {kIndustry, "industry", "", "区工信局"}});
    enterprise_topic_ = env_->Unique("reporting.topics.registry_enterprise", "rep_ent");
    usage_topic_ = env_->Unique("reporting.topics.quota_usage", "rep_usage");
    status_topic_ = env_->Unique("reporting.topics.certification_status", "rep_status");
    activity_topic_ = env_->Unique("reporting.topics.certification_activity", "rep_activity");
    env_->Unique("reporting.topics.submission", "rep_submission");
    indicator_topic_ = env_->Unique("reporting.topics.indicator", "rep_indicator");
    env_->Unique("reporting.topics.dlq", "rep_dlq");
    env_->Unique("reporting.consumer_group", "rep_facts");
    auto redis = redis::testing::RedisServerProcess::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    env_->Set("redis.host", "127.0.0.1");
    env_->Set("redis.port", absl::StrCat(redis_->port()));
    env_->Unique("redis.key_prefix", "jieshui");

    Announce(kA, "甪直镇", true);
    Announce(kB, "木渎镇", false);
    // 2025: A takes 20,000 m³ of tap water a month (240,000 m³) and recirculates 230,000 m³ a
    // month; B 5,000 m³ a month (60,000 m³) and 10,000 m³ of reclaimed water in total.
    for (int m = 1; m <= 12; ++m) {
      ev::UsageChanged a;
      a.mutable_uscc()->set_value(kA);
      a.mutable_month()->set_year(2025);
      a.mutable_month()->set_month(m);
      a.mutable_intake_municipal_tap()->set_litres(20'000'000);
      a.mutable_recirculated()->set_litres(230'000'000);
      a.mutable_discharge()->set_litres(15'000'000);
      a.mutable_new_water()->set_litres(20'000'000);
      a.set_plan_known(true);
      a.mutable_plan()->set_litres(22'000'000);
      if (m == 7) {  // July: 3,000 m³ over a lower plan, 450.00 元 due (as quota announces it)
        a.mutable_plan()->set_litres(17'000'000);
        a.mutable_over_plan()->set_litres(3'000'000);
        a.mutable_surcharge_due()->set_fen(45'000);
      }
      quota_.Publish(usage_topic_, kA, a);
      ev::UsageChanged b;
      b.mutable_uscc()->set_value(kB);
      b.mutable_month()->set_year(2025);
      b.mutable_month()->set_month(m);
      b.mutable_intake_municipal_tap()->set_litres(5'000'000);
      b.mutable_intake_reclaimed()->set_litres(m == 12 ? 10'000'000 : 0);
      quota_.Publish(usage_topic_, kB, b);
    }
    // A holds a district title all year; one balance test of A and one audit of B were accepted.
    ev::CertificationStatus status;
    status.mutable_uscc()->set_value(kA);
    cert::Title* t = status.add_titles();
    t->set_title_id("1");
    t->set_level(cert::LEVEL_DISTRICT);
    t->set_status(cert::TITLE_STATUS_ACTIVE);
    t->mutable_valid_from()->set_year(2023);
    t->mutable_valid_from()->set_month(3);
    t->mutable_valid_from()->set_day(1);
    t->mutable_valid_until()->set_year(2028);
    t->mutable_valid_until()->set_month(2);
    t->mutable_valid_until()->set_day(29);
    certification_.Publish(status_topic_, kA, status);
    Record("11", kA, cert::RECORD_KIND_BALANCE_TEST);
    Record("12", kB, cert::RECORD_KIND_AUDIT);
    Start();
  }

  void TearDown() override {
    if (app_) {
      app_->Stop();
    }
  }

  void Announce(const char* uscc, const char* town, bool above_scale) {
    ev::EnterpriseChanged e;
    reg::Enterprise& x = *e.mutable_enterprise();
    x.mutable_uscc()->set_value(uscc);
    x.set_name(uscc);
    x.set_town(town);
    x.mutable_industry_code()->set_value("C1713");
    x.set_above_scale(above_scale);
    x.set_key_monitored(above_scale);  // A is a key-monitored unit too
    x.set_version(1);
    registry_.Publish(enterprise_topic_, uscc, e);
  }

  void Record(const char* id, const char* uscc, cert::RecordKind kind) {
    ev::RecordChanged r;
    r.mutable_record()->set_record_id(id);
    r.mutable_record()->mutable_uscc()->set_value(uscc);
    r.mutable_record()->set_kind(kind);
    r.mutable_record()->set_year(2025);
    r.mutable_record()->set_status(cert::RECORD_STATUS_ACCEPTED);
    certification_.Publish(activity_topic_, uscc, r);
  }

  void Start() {
    auto app = service::LoadAndStart(
        "reporting", env_->ConfigPath(), env_->env(), LoadReportingConfig, ReportingApp::Start,
        [] { return domain::StartOf(*domain::Date::Create(2026, 12, 2)) + absl::Hours(10); });
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    stub_ = v1::ReportingService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", app_->port()), grpc::InsecureChannelCredentials()));
  }

  static std::unique_ptr<grpc::ClientContext> Ctx(const std::string& key) {
    return jieshui::testing::AuthorizedContext(key);
  }

  grpc::Status Import(const std::vector<v1::ValueAddedRow>& rows,
                      v1::ImportValueAddedResponse* out) {
    auto ctx = Ctx(kStatistics);
    auto writer = stub_->ImportValueAdded(ctx.get(), out);
    v1::ImportValueAddedRequest source;
    source.set_source("2025年规上工业增加值.xlsx");
    writer->Write(source);
    for (const v1::ValueAddedRow& r : rows) {
      v1::ImportValueAddedRequest msg;
      *msg.mutable_row() = r;
      writer->Write(msg);
    }
    writer->WritesDone();
    return writer->Finish();
  }

  static v1::ValueAddedRow Row(const char* uscc, int64_t wan_yuan, bool above, int64_t line) {
    v1::ValueAddedRow r;
    r.mutable_uscc()->set_value(uscc);
    r.set_year(2025);
    r.mutable_value_added()->set_fen(wan_yuan * 1'000'000);
    r.set_above_scale(above);
    r.set_line(line);
    return r;
  }

  // Every event the fixture published applied (a generous deadline: a loaded machine starts the
  // consumer slowly).
  void WaitForTheDistrict() {
    ASSERT_TRUE(WaitFor([&] { return app_->consumer().applied() >= 2 + 24 + 3; },
                        std::chrono::seconds(120)));
  }

  // Statistics' value added and the 2020 baseline, applied through the submission topic.
  void SubmitFigures() {
    // Statistics: A 30,000 万元 (above scale), B 10,000 万元.
    v1::ImportValueAddedResponse imported;
    ASSERT_TRUE(Import({Row(kA, 30'000, true, 2), Row(kB, 10'000, false, 3)}, &imported).ok());
    EXPECT_EQ(imported.accepted(), 2);
    EXPECT_EQ(imported.version(), 1);
    // The 2020 baseline: 375,000 m³ over 25,000 万元 (15 m³/万元), 8,000 m³ reclaimed.
    v1::SetBaselineRequest base;
    base.mutable_new_water()->set_litres(375'000'000);
    base.mutable_value_added()->set_fen(25'000'000'000);
    base.mutable_reclaimed_water()->set_litres(8'000'000);
    v1::Baseline baseline;
    ASSERT_TRUE(stub_->SetBaseline(Ctx(kWaterAffairs).get(), base, &baseline).ok());
    // The import's events come back through the submission topic.
    ASSERT_TRUE(WaitFor([&] { return app_->consumer().applied() >= 2 + 24 + 3 + 2; }));
  }

  v1::IndicatorSet Indicators(const std::string& key, const v1::Scope& scope) {
    v1::GetIndicatorsRequest req;
    *req.mutable_scope() = scope;
    *req.mutable_period() = Year(2025);
    v1::IndicatorSet set;
    grpc::Status s = stub_->GetIndicators(Ctx(key).get(), req, &set);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return set;
  }

  static const v1::Indicator& Find(const v1::IndicatorSet& set, const std::string& code) {
    for (const v1::Indicator& i : set.indicators()) {
      if (i.code() == code) {
        return i;
      }
    }
    static const v1::Indicator kNone;
    return kNone;
  }

  std::unique_ptr<jieshui::testing::ServiceEnv> env_;
  jieshui::testing::EventPublisher registry_{"registry"};
  jieshui::testing::EventPublisher quota_{"quota"};
  jieshui::testing::EventPublisher certification_{"certification"};
  std::string enterprise_topic_, usage_topic_, status_topic_, activity_topic_, indicator_topic_;
  std::unique_ptr<redis::testing::RedisServerProcess> redis_;
  std::unique_ptr<ReportingApp> app_;
  std::unique_ptr<v1::ReportingService::Stub> stub_;
};

TEST_F(ReportingIntegrationTest, TheSixRowsOfASmallDistrictWorkedByHand) {
  ASSERT_NO_FATAL_FAILURE(WaitForTheDistrict());

  ASSERT_NO_FATAL_FAILURE(SubmitFigures());

  // Once the cache has it, the same figures come from Redis.
  v1::IndicatorSet set;
  ASSERT_TRUE(WaitFor([&] {
    set = Indicators(kPartner, v1::Scope());
    return set.served_from() == v1::SERVED_FROM_CACHE &&
           Find(set, codes::kWaterUseDecline).ratio().defined();
  }));
  EXPECT_GT(set.as_of_unix_ms(), 0);
  // 1: 2025 uses 300,000 m³ over 40,000 万元 = 7.5 m³/万元 against 15: a 50.00% decline.
  const v1::Indicator& decline = Find(set, codes::kWaterUseDecline);
  EXPECT_EQ(decline.ratio().basis_points(), 5000);
  EXPECT_EQ(decline.target_basis_points(), 1900);
  EXPECT_TRUE(decline.on_track());
  // 2: A alone is above scale: 2,760,000 / (2,760,000 + 240,000) m³ = 92.00% (target 93%: behind).
  const v1::Indicator& repeat = Find(set, codes::kRepeatUtilisation);
  EXPECT_EQ(repeat.ratio().basis_points(), 9200);
  EXPECT_EQ(repeat.target_basis_points(), 9300);
  EXPECT_EQ(repeat.gap_basis_points(), 100);
  EXPECT_FALSE(repeat.on_track());
  // 3: A (240,000 m³) is in the set and certified on 2025-12-31; B (60,000 m³) is not: 1 of 1.
  const v1::Indicator& coverage = Find(set, codes::kCarrierCoverage);
  EXPECT_EQ(coverage.ratio().numerator(), "1");
  EXPECT_EQ(coverage.ratio().denominator(), "1");
  EXPECT_TRUE(coverage.on_track());
  // 4 and 5: one of each against at least 5 and 2.
  EXPECT_EQ(Find(set, codes::kBalanceTests).count(), 1);
  EXPECT_FALSE(Find(set, codes::kBalanceTests).on_track());
  EXPECT_EQ(Find(set, codes::kAudits).count(), 1);
  // 6: 10,000 m³ reclaimed against 8,000: a 25.00% increase (target 20%: on track).
  const v1::Indicator& reclaimed = Find(set, codes::kReclaimedIncrease);
  EXPECT_EQ(reclaimed.ratio().basis_points(), 2500);
  EXPECT_TRUE(reclaimed.on_track());

  // A town: 木渎镇 holds B only.
  v1::Scope town;
  town.set_kind(v1::SCOPE_KIND_TOWN);
  town.set_value("木渎镇");
  EXPECT_EQ(Find(Indicators(kPartner, town), codes::kAudits).count(), 1);
  EXPECT_EQ(Find(Indicators(kPartner, town), codes::kBalanceTests).count(), 0);
  // The enterprises behind the coverage: A in the set.
  v1::ListContributorsRequest behind;
  *behind.mutable_period() = Year(2025);
  behind.set_code(codes::kCarrierCoverage);
  v1::ListContributorsResponse contributors;
  ASSERT_TRUE(stub_->ListContributors(Ctx(kPartner).get(), behind, &contributors).ok());
  ASSERT_EQ(contributors.contributions_size(), 2);
  EXPECT_EQ(contributors.contributions(0).uscc().value(), kA);
  EXPECT_TRUE(contributors.contributions(0).in_numerator_set());
  EXPECT_EQ(contributors.contributions(1).denominator(), "0");  // B is outside the set

  // An enterprise reads its own figures (A: R = 92.00% on its own), no one else's.
  const v1::IndicatorSet own = Indicators(kEnterpriseA, v1::Scope());
  EXPECT_EQ(own.scope().kind(), v1::SCOPE_KIND_ENTERPRISE);
  EXPECT_EQ(Find(own, codes::kRepeatUtilisation).ratio().basis_points(), 9200);
  // Its share in the district's figures: all of the above-scale sums (it alone is above scale),
  // 240,000 of the 300,000 m³ of new water (80.00%) and 30,000 of the 40,000 万元 (75.00%), none of
  // the reclaimed water and the one balance test of one.
  EXPECT_EQ(Find(own, codes::kRepeatUtilisation).share_of_numerator().basis_points(), 10000);
  EXPECT_EQ(Find(own, codes::kRepeatUtilisation).share_of_denominator().basis_points(), 10000);
  EXPECT_EQ(Find(own, codes::kWaterUseDecline).share_of_numerator().basis_points(), 8000);
  EXPECT_EQ(Find(own, codes::kWaterUseDecline).share_of_denominator().basis_points(), 7500);
  EXPECT_EQ(Find(own, codes::kReclaimedIncrease).share_of_numerator().numerator(), "0");
  EXPECT_EQ(Find(own, codes::kReclaimedIncrease).share_of_numerator().denominator(), "10000000");
  EXPECT_EQ(Find(own, codes::kBalanceTests).share_of_numerator().basis_points(), 10000);
  EXPECT_EQ(Find(own, codes::kAudits).share_of_numerator().basis_points(), 0);
  // Its own figures: R = 92.00% whether above scale or not; 240,000 of its 259,000 m³ plan used;
  // July's over-plan volume and surcharge; its district title valid on 2025-12-31.
  const v1::EnterpriseFigures& mine = own.enterprise();
  EXPECT_EQ(mine.months_reported(), 12);
  EXPECT_EQ(mine.new_water().litres(), 240'000'000);
  EXPECT_EQ(mine.repeated().litres(), 2'760'000'000);
  EXPECT_EQ(mine.repeat_utilisation().basis_points(), 9200);
  EXPECT_EQ(mine.plan().litres(), 259'000'000);     // 11 × 22,000 + 17,000 m³
  EXPECT_EQ(mine.plan_use().basis_points(), 9266);  // 240,000 / 259,000 = 92.664…%
  EXPECT_EQ(mine.over_plan().litres(), 3'000'000);
  EXPECT_EQ(mine.surcharge_due().fen(), 45'000);
  ASSERT_EQ(mine.titles_size(), 1);
  EXPECT_EQ(mine.titles(0).level(), "district");
  EXPECT_TRUE(mine.titles(0).valid_on_last_day());
  EXPECT_FALSE(set.has_enterprise());  // the district's set carries none
  v1::GetIndicatorsRequest other;
  *other.mutable_period() = Year(2025);
  other.mutable_scope()->set_kind(v1::SCOPE_KIND_DISTRICT);
  v1::IndicatorSet denied;
  EXPECT_EQ(stub_->GetIndicators(Ctx(kEnterpriseA).get(), other, &denied).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // A replay: a new consumer group reads every topic from the start; the stored offsets skip it
  // and the figures stay as they are.
  set.clear_served_from();
  const std::string before = set.SerializeAsString();
  app_->Stop();
  app_.reset();
  env_->Unique("reporting.consumer_group", "rep_facts_again");
  Start();
  ASSERT_TRUE(WaitFor([&] { return app_->consumer().replayed() >= 2 + 24 + 3 + 2; }));
  EXPECT_EQ(app_->consumer().applied(), 0);
  v1::IndicatorSet after = Indicators(kPartner, v1::Scope());
  after.clear_served_from();
  EXPECT_EQ(after.SerializeAsString(), before);
}

TEST_F(ReportingIntegrationTest, WithRedisDownReadsComeFromPostgresAndTheCacheHealsAfter) {
  ASSERT_NO_FATAL_FAILURE(WaitForTheDistrict());
  v1::Scope town;
  town.set_kind(v1::SCOPE_KIND_TOWN);
  town.set_value("木渎镇");
  ASSERT_TRUE(
      WaitFor([&] { return Indicators(kPartner, town).served_from() == v1::SERVED_FROM_CACHE; }));
  ASSERT_TRUE(redis_->Stop().ok());
  // A second audit of B while Redis is down: served from PostgreSQL, never the old count.
  Record("13", kB, cert::RECORD_KIND_AUDIT);
  ASSERT_TRUE(WaitFor([&] { return app_->consumer().applied() >= 2 + 24 + 3 + 1; }));
  v1::IndicatorSet down = Indicators(kPartner, town);
  EXPECT_EQ(down.served_from(), v1::SERVED_FROM_DATABASE);
  EXPECT_EQ(Find(down, codes::kAudits).count(), 2);
  ASSERT_TRUE(redis_->Restart().ok());
  ASSERT_TRUE(WaitFor(
      [&] {
        const v1::IndicatorSet up = Indicators(kPartner, town);
        return up.served_from() == v1::SERVED_FROM_CACHE && Find(up, codes::kAudits).count() == 2;
      },
      std::chrono::seconds(30)));
  // A target edit resets the cache: the next answers carry the new target.
  v1::SetTargetRequest target;
  target.set_code(codes::kAudits);
  target.set_year(2025);
  target.set_count(3);
  target.set_reason("区级加码");
  v1::Target edited;
  ASSERT_TRUE(stub_->SetTarget(Ctx(kWaterAffairs).get(), target, &edited).ok());
  EXPECT_EQ(Find(Indicators(kPartner, town), codes::kAudits).target_count(), 3);
}

TEST_F(ReportingIntegrationTest, BadInputNamesTheFieldAndSubmissionsAreKeptAsVersions) {
  ASSERT_NO_FATAL_FAILURE(WaitForTheDistrict());
  // One unknown enterprise and one negative value: both rows named, nothing stored.
  v1::ImportValueAddedResponse refused;
  ASSERT_TRUE(
      Import({Row(kA, 30'000, true, 2), Row(kUnknown, 100, false, 3), Row(kB, -5, false, 4)},
             &refused)
          .ok());
  EXPECT_EQ(refused.accepted(), 0);
  EXPECT_EQ(refused.rejected(), 2);
  ASSERT_EQ(refused.errors_size(), 2);
  EXPECT_EQ(refused.errors(0).line(), 3);
  EXPECT_EQ(refused.errors(0).column(), "uscc");
  EXPECT_EQ(refused.errors(1).line(), 4);
  EXPECT_EQ(refused.errors(1).column(), "value_added");
  v1::ListValueAddedRequest list;
  list.set_year(2025);
  v1::ListValueAddedResponse listed;
  ASSERT_TRUE(stub_->ListValueAdded(Ctx(kPartner).get(), list, &listed).ok());
  EXPECT_EQ(listed.rows_size(), 0);
  EXPECT_EQ(listed.enterprises_without(), 2);
  // Only Statistics imports.
  {
    auto ctx = Ctx(kWaterAffairs);
    v1::ImportValueAddedResponse out;
    auto writer = stub_->ImportValueAdded(ctx.get(), &out);
    writer->WritesDone();
    EXPECT_EQ(writer->Finish().error_code(), grpc::StatusCode::PERMISSION_DENIED);
  }
  // An unknown indicator code, a period in the future, an unknown scope kind.
  auto bad = [&](const std::function<void(v1::GetIndicatorsRequest&)>& edit,
                 const std::string& field) {
    v1::GetIndicatorsRequest req;
    *req.mutable_period() = Year(2025);
    edit(req);
    auto ctx = Ctx(kPartner);
    v1::IndicatorSet set;
    EXPECT_EQ(stub_->GetIndicators(ctx.get(), req, &set).error_code(),
              grpc::StatusCode::INVALID_ARGUMENT);
    EXPECT_EQ(FieldOf(*ctx), field);
  };
  bad([](v1::GetIndicatorsRequest& r) { r.add_codes("no_such_indicator"); }, "codes[0]");
  bad([](v1::GetIndicatorsRequest& r) { *r.mutable_period() = Year(2027); }, "period");
  bad([](v1::GetIndicatorsRequest& r) { r.mutable_scope()->set_kind(v1::ScopeKind(9)); },
      "scope.kind");
  // The baseline is entered once; a change states its reason.
  v1::SetBaselineRequest base;
  base.mutable_new_water()->set_litres(375'000'000);
  base.mutable_value_added()->set_fen(25'000'000'000);
  v1::Baseline out;
  ASSERT_TRUE(stub_->SetBaseline(Ctx(kWaterAffairs).get(), base, &out).ok());
  auto ctx = Ctx(kWaterAffairs);
  EXPECT_EQ(stub_->SetBaseline(ctx.get(), base, &out).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(FieldOf(*ctx), "reason");
  // A target edit is a version with its reason; the text's 90% for coverage in 2025.
  v1::SetTargetRequest target;
  target.set_code(codes::kCarrierCoverage);
  target.set_year(2025);
  target.set_basis_points(9000);
  target.set_reason("正文目标 90%");
  v1::Target edited;
  ASSERT_TRUE(stub_->SetTarget(Ctx(kWaterAffairs).get(), target, &edited).ok());
  EXPECT_EQ(edited.version(), 1);
  v1::ListTargetsRequest targets;
  targets.set_from_year(2025);
  targets.set_to_year(2025);
  v1::ListTargetsResponse listed_targets;
  ASSERT_TRUE(stub_->ListTargets(Ctx(kPartner).get(), targets, &listed_targets).ok());
  int coverage_rows = 0;
  for (const v1::Target& t : listed_targets.targets()) {
    if (t.code() == codes::kCarrierCoverage) {
      ++coverage_rows;
      EXPECT_EQ(t.basis_points(), 9000);
    }
  }
  EXPECT_EQ(coverage_rows, 1);

  // Annual reports, due 10 December: on 2026-12-02 water affairs files 2026's on time and
  // industry 2025's late; for 2025 the others are overdue, for 2026 pending.
  v1::FileAnnualReportRequest report;
  report.set_year(2026);
  report.set_text("2026年节水行动实施情况");
  report.add_document_refs("吴水〔2026〕120号");
  v1::AnnualReport filed;
  ASSERT_TRUE(stub_->FileAnnualReport(Ctx(kWaterAffairs).get(), report, &filed).ok());
  EXPECT_EQ(filed.status(), v1::REPORT_STATUS_ON_TIME);
  EXPECT_EQ(filed.department(), "water_affairs");
  report.set_year(2025);
  ASSERT_TRUE(stub_->FileAnnualReport(Ctx(kIndustry).get(), report, &filed).ok());
  EXPECT_EQ(filed.status(), v1::REPORT_STATUS_LATE);
  ASSERT_TRUE(stub_->FileAnnualReport(Ctx(kIndustry).get(), report, &filed).ok());
  EXPECT_EQ(filed.version(), 2);  // a resubmission is kept
  EXPECT_EQ(stub_->FileAnnualReport(Ctx(kPartner).get(), report, &filed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListAnnualReportsRequest reports;
  reports.set_year(2025);
  v1::ListAnnualReportsResponse status;
  ASSERT_TRUE(stub_->ListAnnualReports(Ctx(kPartner).get(), reports, &status).ok());
  ASSERT_EQ(status.reports_size(), 4);  // the four departments
  int overdue = 0;
  for (const v1::AnnualReport& r : status.reports()) {
    overdue += r.status() == v1::REPORT_STATUS_OVERDUE ? 1 : 0;
  }
  EXPECT_EQ(overdue, 3);
  reports.set_year(2026);
  ASSERT_TRUE(stub_->ListAnnualReports(Ctx(kPartner).get(), reports, &status).ok());
  int pending = 0;
  for (const v1::AnnualReport& r : status.reports()) {
    pending += r.status() == v1::REPORT_STATUS_PENDING ? 1 : 0;
  }
  EXPECT_EQ(pending, 3);
  EXPECT_EQ(status.due_on().day(), 10);
}

TEST_F(ReportingIntegrationTest, AChangeIsKeptInTheHistoryAnnouncedAndSentToAWatch) {
  ASSERT_NO_FATAL_FAILURE(WaitForTheDistrict());
  v1::Scope town;
  town.set_kind(v1::SCOPE_KIND_TOWN);
  town.set_value("木渎镇");
  // A watch of 木渎镇's audits in 2025: the snapshot first (B's one audit).
  v1::WatchIndicatorsRequest watch;
  *watch.mutable_scope() = town;
  *watch.mutable_period() = Year(2025);
  watch.add_codes(codes::kAudits);
  auto ctx = Ctx(kPartner);
  auto reader = stub_->WatchIndicators(ctx.get(), watch);
  v1::IndicatorSet got;
  ASSERT_TRUE(reader->Read(&got));
  ASSERT_EQ(got.indicators_size(), 1);
  EXPECT_EQ(got.indicators(0).count(), 1);
  // Certification accepts a second audit of B: the watch sends the change.
  Record("13", kB, cert::RECORD_KIND_AUDIT);
  ASSERT_TRUE(reader->Read(&got));
  EXPECT_EQ(got.indicators(0).count(), 2);
  ctx->TryCancel();
  (void)reader->Finish();

  // The history of 木渎镇's audits ends 1, 2 (before them a 0, when B's usage came in ahead of its
  // first audit: the topics are read in no fixed order).
  v1::ListIndicatorHistoryRequest history;
  *history.mutable_scope() = town;
  *history.mutable_period() = Year(2025);
  history.set_code(codes::kAudits);
  v1::ListIndicatorHistoryResponse snapshots;
  ASSERT_TRUE(stub_->ListIndicatorHistory(Ctx(kPartner).get(), history, &snapshots).ok());
  const int n = snapshots.snapshots_size();
  ASSERT_GE(n, 2);
  ASSERT_LE(n, 3);
  EXPECT_EQ(snapshots.snapshots(n - 2).indicator().count(), 1);
  EXPECT_EQ(snapshots.snapshots(n - 1).indicator().count(), 2);
  // A range ending at the last change's time (exclusive, Unix ms beyond 32 bits) leaves it out.
  history.mutable_range()->set_end_unix_ms(snapshots.snapshots(n - 1).changed_at_unix_ms());
  v1::ListIndicatorHistoryResponse earlier;
  const grpc::Status ranged = stub_->ListIndicatorHistory(Ctx(kPartner).get(), history, &earlier);
  ASSERT_TRUE(ranged.ok()) << ranged.error_message();
  ASSERT_GE(earlier.snapshots_size(), 1);
  EXPECT_LT(earlier.snapshots_size(), n);
  EXPECT_EQ(earlier.snapshots(earlier.snapshots_size() - 1).indicator().count(), 1);
  // And announced on the indicator topic, keyed by scope, period and code.
  jieshui::testing::TopicCollector topic(indicator_topic_);
  auto events = topic.WaitForKey("town:木渎镇|2025|audits", static_cast<size_t>(n));
  ASSERT_EQ(events.size(), static_cast<size_t>(n));
  auto last = kafka::UnpackPayload<events::v1::IndicatorChanged>(events.back());
  ASSERT_TRUE(last.ok());
  EXPECT_EQ(last->indicator().count(), 2);
  EXPECT_EQ(last->period().year(), 2025);
}

TEST_F(ReportingIntegrationTest, ExportsReadBackAsTheFiguresTheRpcsGive) {
  ASSERT_NO_FATAL_FAILURE(WaitForTheDistrict());
  ASSERT_NO_FATAL_FAILURE(SubmitFigures());
  auto fetch = [&](v1::ExportKind kind, v1::ExportFormat format, const v1::IndicatorPeriod& period,
                   const std::string& code, std::string* name) {
    v1::ExportRequest req;
    req.set_kind(kind);
    req.set_format(format);
    *req.mutable_period() = period;
    req.set_code(code);
    auto ctx = Ctx(kPartner);
    auto reader = stub_->Export(ctx.get(), req);
    std::string bytes;
    v1::ExportChunk chunk;
    bool last = false;
    int chunks = 0;
    while (reader->Read(&chunk)) {
      if (chunks++ == 0) {
        *name = chunk.file_name();
      }
      EXPECT_FALSE(last) << "a chunk after the last";
      bytes += chunk.data();
      last = chunk.last();
    }
    const grpc::Status s = reader->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    EXPECT_TRUE(last);
    return bytes;
  };
  const v1::IndicatorSet set = Indicators(kPartner, v1::Scope());

  // The annual report: the attachment table's rows, 2023 to 2025 (the clock says 2026-12-02, so
  // 2026 would be the year to date; 2025 is asked), each year's target, actual, gap and on-track.
  std::string name;
  auto book = sheet::ReadXlsx(
      fetch(v1::EXPORT_KIND_ANNUAL_REPORT, v1::EXPORT_FORMAT_XLSX, Year(2025), "", &name));
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ(name, "分年度实施计划表_district_2025.xlsx");
  ASSERT_EQ(book->size(), 2u);
  const sheet::ReadSheet& table = (*book)[0];
  EXPECT_EQ(table.name, "分年度实施计划表");
  // Four title lines, the year groups, the header; then the six rows.
  ASSERT_EQ(table.rows.size(), 4u + 2u + 6u);
  const std::vector<std::string>& groups = table.rows[4];
  const std::vector<std::string>& header = table.rows[5];
  ASSERT_EQ(header.size(), 3u + 3u * 4u);
  EXPECT_EQ(header[1], "主要目标");
  EXPECT_EQ(groups[3 + 2 * 4], "2025年");
  EXPECT_EQ(header[3 + 2 * 4], "目标");
  for (size_t r = 0; r < 6; ++r) {
    const std::vector<std::string>& row = table.rows[6 + r];
    const v1::Indicator& i = set.indicators(static_cast<int>(r));
    ASSERT_LE(row.size(), header.size()) << i.code();
    const size_t y = 6 + r;
    EXPECT_EQ(table.At(y, 1), i.title());
    const size_t at = 3 + 2 * 4;  // 2025's columns
    if (i.unit() == v1::INDICATOR_UNIT_COUNT) {
      EXPECT_EQ(table.At(y, at), absl::StrCat(i.target_count())) << i.code();
      EXPECT_EQ(table.At(y, at + 1), absl::StrCat(i.count())) << i.code();
    } else {
      // Percent with two decimals from basis points: 9300 bp is the number 93.
      EXPECT_EQ(table.At(y, at), PercentNumber(i.target_basis_points())) << i.code();
      EXPECT_EQ(table.At(y, at + 1), PercentNumber(i.ratio().basis_points())) << i.code();
      EXPECT_EQ(table.At(y, at + 2), PercentNumber(i.gap_basis_points())) << i.code();
    }
    EXPECT_EQ(table.At(y, at + 3), i.on_track() ? "是" : "否") << i.code();
  }
  // Row 2 by hand: 92.00% against 93%, 1.00 behind.
  EXPECT_EQ(table.At(7, 3 + 2 * 4 + 1), "92");
  EXPECT_EQ(table.At(7, 3 + 2 * 4 + 2), "1");

  // The ledger: A's twelve months and B's, intake by source, recirculation, discharge and plan.
  auto ledger =
      sheet::ReadXlsx(fetch(v1::EXPORT_KIND_LEDGER, v1::EXPORT_FORMAT_XLSX, Year(2025), "", &name));
  ASSERT_TRUE(ledger.ok()) << ledger.status();
  const sheet::ReadSheet& months = (*ledger)[0];
  ASSERT_EQ(months.rows.size(), 3u + 2u + 24u);
  const std::vector<std::string>& cols = months.rows[4];
  auto column = [&](const std::string& h) {
    return static_cast<size_t>(std::find(cols.begin(), cols.end(), h) - cols.begin());
  };
  auto cell = [&](size_t row, const std::string& h) { return months.At(row, column(h)); };
  const size_t march = 5 + 2;  // A sorts first, by USCC
  EXPECT_EQ(months.At(march, 0), kA);
  EXPECT_EQ(cell(march, "月份"), "2025-03");
  EXPECT_EQ(cell(march, "自来水"), "20000");
  EXPECT_EQ(cell(march, "循环水量(m³)"), "230000");
  EXPECT_EQ(cell(march, "排水量(m³)"), "15000");
  EXPECT_EQ(cell(march, "月计划(m³)"), "22000");
  EXPECT_EQ(cell(march, "超计划水量(m³)"), "0");
  const size_t july = 5 + 6;
  EXPECT_EQ(cell(july, "月计划(m³)"), "17000");
  EXPECT_EQ(cell(july, "超计划水量(m³)"), "3000");
  EXPECT_EQ(cell(july, "应缴累进加价(元)"), "450");
  const size_t december_b = 5 + 12 + 11;
  EXPECT_EQ(months.At(december_b, 0), kB);
  EXPECT_EQ(cell(december_b, "再生水"), "10000");
  EXPECT_EQ(cell(december_b, "月计划(m³)"), "");  // B has no plan

  // The enterprises behind the coverage as CSV: a byte-order mark, then the rows ListContributors
  // gives.
  const std::string csv = fetch(v1::EXPORT_KIND_CONTRIBUTORS, v1::EXPORT_FORMAT_CSV, Year(2025),
                                codes::kCarrierCoverage, &name);
  EXPECT_EQ(csv.substr(0, 3), "\xEF\xBB\xBF");
  EXPECT_NE(csv.find(absl::StrCat("\r\n", kA, ",", kA, ",甪直镇,,C1713,1,1,是\r\n")),
            std::string::npos)
      << csv;
  EXPECT_NE(csv.find(absl::StrCat("\r\n", kB, ",", kB, ",木渎镇,,C1713,0,0,否\r\n")),
            std::string::npos)
      << csv;

  // The key-monitored list: A alone, its year summed from its months (CSV: exact decimals).
  const std::string units =
      fetch(v1::EXPORT_KIND_KEY_MONITORED, v1::EXPORT_FORMAT_CSV, Year(2025), "", &name);
  EXPECT_NE(units.find(absl::StrCat("\r\n", kA, ",", kA,
                                    ",甪直镇,,C1713,12,是,240000.000,2760000.000,92.00,180000.000,"
                                    "259000.000,3000.000,450.00\r\n")),
            std::string::npos)
      << units;
  EXPECT_EQ(units.find(kB), std::string::npos) << units;

  // Bad requests name the field; an enterprise exports only its own figures.
  auto refused = [&](const std::string& key, const v1::ExportRequest& req, grpc::StatusCode code,
                     const std::string& field) {
    auto ctx = Ctx(key);
    auto reader = stub_->Export(ctx.get(), req);
    v1::ExportChunk chunk;
    EXPECT_FALSE(reader->Read(&chunk));
    EXPECT_EQ(reader->Finish().error_code(), code) << field;
    EXPECT_EQ(FieldOf(*ctx), field);
  };
  v1::ExportRequest req;
  req.set_kind(v1::EXPORT_KIND_LEDGER);
  *req.mutable_period() = Year(2025);
  refused(kPartner, req, grpc::StatusCode::INVALID_ARGUMENT, "format");
  req.set_format(v1::EXPORT_FORMAT_XLSX);
  req.set_kind(v1::EXPORT_KIND_CONTRIBUTORS);
  refused(kPartner, req, grpc::StatusCode::INVALID_ARGUMENT, "code");
  req.set_kind(v1::EXPORT_KIND_LEDGER);
  req.mutable_scope()->set_kind(v1::SCOPE_KIND_DISTRICT);
  refused(kEnterpriseA, req, grpc::StatusCode::PERMISSION_DENIED, "");
  req.mutable_scope()->set_kind(v1::SCOPE_KIND_ENTERPRISE);
  req.mutable_scope()->set_value(kA);
  auto own = [&] {
    auto ctx = Ctx(kEnterpriseA);
    auto reader = stub_->Export(ctx.get(), req);
    std::string bytes;
    v1::ExportChunk chunk;
    while (reader->Read(&chunk)) {
      bytes += chunk.data();
    }
    EXPECT_TRUE(reader->Finish().ok());
    return bytes;
  }();
  auto own_ledger = sheet::ReadXlsx(own);
  ASSERT_TRUE(own_ledger.ok()) << own_ledger.status();
  EXPECT_EQ((*own_ledger)[0].rows.size(), 3u + 2u + 12u);  // A's months only
}

}  // namespace
}  // namespace jieshui::reporting
