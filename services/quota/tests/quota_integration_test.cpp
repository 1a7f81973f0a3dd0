// Integration tests of the quota service against the real local stack (Kafka, PostgreSQL) and a
// private redis-server: ingest and quota run in-process with their own schemas and topics, the
// registry's events are published as the registry would. Readings go in through ingest's gRPC API
// and come out as usage, alerts and surcharges; figures are worked by hand in each test.
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "domain/period.hpp"
#include "grpcpp/grpcpp.h"
#include "grpcserver/status.hpp"
#include "gtest/gtest.h"
#include "ingest/src/app.hpp"
#include "ingest_test_env.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/envelope.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/ingest/v1/ingest_service.grpc.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "quota/src/app.hpp"
#include "quota_test_env.hpp"
#include "redis_server.hpp"
#include "testing/stack.hpp"

namespace jieshui::quota {
namespace {

using ingest::testing::Context;
using ingest::testing::kEnterpriseKey;
using ingest::testing::kEnterpriseUscc;  // 91350200776049653A
using ingest::testing::kGatewayKey;
using ingest::testing::kOtherUscc;  // 91440101MA5CJQ4N59
using ingest::testing::kWaterAffairsKey;

constexpr char kUnknownUscc[] = "913502000728319549";

void PublishEnterprises(const std::string& topic) {
  kafka::ProducerOptions options;
  options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
  auto producer = kafka::Producer::Create(options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  for (const char* uscc : {kEnterpriseUscc, kOtherUscc}) {
    events::v1::EnterpriseChanged event;
    event.set_change(registry::v1::CHANGE_KIND_CREATED);
    registry::v1::Enterprise* e = event.mutable_enterprise();
    e->mutable_uscc()->set_value(uscc);
    e->set_name(absl::StrCat("企业 ", uscc));
    e->mutable_industry_code()->set_value("C1513");  // beer (啤酒制造)
    e->set_status(registry::v1::ENTERPRISE_STATUS_ACTIVE);
    e->set_version(1);
    auto delivery = (*producer)
                        ->Produce(topic, uscc,
                                  kafka::EncodeEvent(event, {.producer = "registry",
                                                             .subject_key = uscc,
                                                             .occurred_at = absl::Now(),
                                                             .correlation_id = ""}))
                        .get();
    ASSERT_TRUE(delivery.status.ok()) << delivery.status;
  }
}

// Publishes `payload` on `topic` keyed by `key`, in the envelope `producer` would wrap it in.
void Publish(const std::string& topic, const std::string& key,
             const google::protobuf::Message& payload, const std::string& producer) {
  kafka::ProducerOptions options;
  options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
  auto created = kafka::Producer::Create(options);
  ASSERT_TRUE(created.ok()) << created.status();
  auto delivery = (*created)
                      ->Produce(topic, key,
                                kafka::EncodeEvent(payload, {.producer = producer,
                                                             .subject_key = key,
                                                             .occurred_at = absl::Now(),
                                                             .correlation_id = ""}))
                      .get();
  ASSERT_TRUE(delivery.status.ok()) << delivery.status;
}

// A water balance test of `uscc` as the certification service announces it on its activity topic
// (keyed by the enterprise's USCC): the record as it now stands, in a RecordChanged.
void PublishBalanceTest(const std::string& topic, const std::string& record_id,
                        const std::string& uscc, certification::v1::RecordStatus status) {
  events::v1::RecordChanged changed;
  certification::v1::Record* record = changed.mutable_record();
  record->set_record_id(record_id);
  record->set_kind(certification::v1::RECORD_KIND_BALANCE_TEST);
  record->mutable_uscc()->set_value(uscc);
  record->set_year(2025);
  record->set_status(status);
  Publish(topic, uscc, changed, "certification");
}

ingest::v1::Reading Register(const std::string& meter, int64_t ts_ms, const std::string& value) {
  ingest::v1::Reading r;
  r.set_meter_id(meter);
  r.set_timestamp_unix_ms(ts_ms);
  r.set_register_value(value);
  return r;
}

// A schedule whose second band (from 20%) overlaps the first (0-30%), with a tap price.
v1::SetSurchargeScheduleRequest OverlappingBands(int year) {
  v1::SetSurchargeScheduleRequest schedule;
  schedule.mutable_schedule()->set_year(year);
  auto* b0 = schedule.mutable_schedule()->add_bands();
  b0->set_from_percent("0");
  b0->set_to_percent("30");
  b0->set_multiplier("0.5");
  auto* b1 = schedule.mutable_schedule()->add_bands();
  b1->set_from_percent("20");
  b1->set_multiplier("2");
  auto* price = schedule.mutable_schedule()->add_base_prices();
  price->set_source(v1::WATER_SOURCE_MUNICIPAL_TAP);
  price->mutable_price_per_cubic_metre()->set_fen(410);
  return schedule;
}

class QuotaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const absl::Time now = absl::Now();
    clock_shift_ =
        std::max(absl::ZeroDuration(), domain::StartOf(domain::DateOf(now)) + absl::Hours(1) - now);
    ingest_env_ = ingest::testing::MakeTestEnv();
    // M-A1: the boundary tap meter (level 1) of the enterprise; M-A2: a workshop sub-meter
    // (level 2) on the same tap water, which must not be counted again.
    registry::v1::Meter sub = ingest::testing::SampleMeter("M-A2", kEnterpriseUscc);
    sub.set_level(registry::v1::METER_LEVEL_2);
    ingest::testing::PublishMeters(ingest_env_.meter_topic,
                                   {ingest::testing::SampleMeter("M-A1", kEnterpriseUscc), sub,
                                    ingest::testing::SampleMeter("M-B1", kOtherUscc)});
    auto redis = redis::testing::RedisServerProcess::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);

    schema_ = jieshui::testing::UniqueName("quota");
    enterprise_topic_ = jieshui::testing::UniqueName("quota_enterprises");
    alert_topic_ = jieshui::testing::UniqueName("quota_alert");
    usage_topic_ = jieshui::testing::UniqueName("quota_usage");
    activity_topic_ = jieshui::testing::UniqueName("quota_cert_activity");
    PublishEnterprises(enterprise_topic_);
    StartIngest();
    StartQuota(jieshui::testing::UniqueName("quota_group"));
  }

  void TearDown() override {
    if (quota_) {
      quota_->Stop();
    }
    if (ingest_) {
      ingest_->Stop();
    }
  }

  void StartIngest() {
    auto app = ingest::testing::StartApp(ingest_env_.env, Clock());
    ASSERT_TRUE(app.ok()) << app.status();
    ingest_ = *std::move(app);
    ingest_stub_ = ingest::v1::IngestService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", ingest_->port()), grpc::InsecureChannelCredentials()));
  }

  // Quota beside ingest: its database and keys, its own schema and topics, consumer `group` (and a
  // fresh consumer group of the balance test consumer each time).
  void StartQuota(const std::string& group) {
    testing::QuotaTopics topics = testing::MakeTopics(ingest_env_.reading_topic, enterprise_topic_);
    topics.usage = usage_topic_;
    topics.alert = alert_topic_;
    topics.activity = activity_topic_;
    topics.consumer_group = group;
    dlq_topic_ = topics.dlq;
    consumer_group_ = group;
    auto app = testing::StartApp(
        testing::QuotaEnv(ingest_env_.env, schema_, redis_->port(), topics), Clock());
    ASSERT_TRUE(app.ok()) << app.status();
    quota_ = *std::move(app);
    stub_ = v1::QuotaService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", quota_->port()), grpc::InsecureChannelCredentials()));
  }

  void Submit(const std::vector<ingest::v1::Reading>& readings) {
    ingest::v1::SubmitReadingsRequest request;
    request.set_batch_id(jieshui::testing::UniqueName("batch"));
    for (const auto& r : readings) {
      *request.add_readings() = r;
    }
    ingest::v1::SubmitReadingsResponse response;
    grpc::Status s = ingest_stub_->SubmitReadings(Context(kGatewayKey).get(), request, &response);
    ASSERT_TRUE(s.ok()) << s.error_message();
    ASSERT_EQ(response.rejected(), 0) << response.DebugString();
    ASSERT_EQ(response.accepted(), request.readings_size()) << response.DebugString();
  }

  v1::AnnualPlan SetPlan(const std::string& uscc, int year, int64_t litres) {
    v1::SetAnnualPlanRequest req;
    req.mutable_uscc()->set_value(uscc);
    req.set_year(year);
    req.mutable_total()->set_litres(litres);
    req.set_reason("2026 计划用水指标");
    v1::AnnualPlan plan;
    grpc::Status s = stub_->SetAnnualPlan(Context(kWaterAffairsKey).get(), req, &plan);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return plan;
  }

  grpc::Status GetUsage(const std::string& uscc, const domain::YearMonth& month, v1::Usage* out,
                        const std::string& key = kWaterAffairsKey) {
    v1::GetUsageRequest req;
    req.mutable_uscc()->set_value(uscc);
    req.mutable_period()->mutable_month()->set_year(month.year());
    req.mutable_period()->mutable_month()->set_month(month.month());
    out->Clear();
    return stub_->GetUsage(Context(key).get(), req, out);
  }

  // Waits until the month's new water of the enterprise reads `litres`.
  bool WaitForNewWater(const domain::YearMonth& month, int64_t litres) {
    return jieshui::testing::WaitFor(
        [&] {
          v1::Usage usage;
          return GetUsage(kEnterpriseUscc, month, &usage).ok() &&
                 usage.new_water().litres() == litres;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(100));
  }

  grpc::Status AdjustPlan(const std::string& uscc, int year, int64_t litres,
                          const std::string& balance_test_ref, v1::AnnualPlan* plan,
                          std::optional<common::v1::ErrorDetail>* detail = nullptr) {
    v1::AdjustPlanRequest req;
    req.mutable_uscc()->set_value(uscc);
    req.set_year(year);
    req.mutable_new_total()->set_litres(litres);
    req.set_reason("扩产");
    req.set_water_balance_test_ref(balance_test_ref);
    auto ctx = Context(kWaterAffairsKey);
    grpc::Status s = stub_->AdjustPlan(ctx.get(), req, plan);
    if (detail != nullptr) {
      *detail = grpcserver::ErrorDetailFromTrailers(*ctx);
    }
    return s;
  }

  v1::AnnualPlan GetPlan(const std::string& uscc, int year) {
    v1::GetPlanRequest req;
    req.mutable_uscc()->set_value(uscc);
    req.set_year(year);
    v1::AnnualPlan plan;
    grpc::Status s = stub_->GetPlan(Context(kWaterAffairsKey).get(), req, &plan);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return plan;
  }

  // Waits until this quota instance's balance test consumer has taken `n` messages not taken
  // before (balance tests, events passed over and dead letters alike).
  bool WaitForActivity(int64_t n) {
    return jieshui::testing::WaitFor(
        [&] {
          const service::EventConsumer& c = quota_->balance_test_consumer();
          return c.applied() + c.dead_lettered() >= n;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(100));
  }

  v1::SurchargeStatement Surcharge(const std::string& uscc, const domain::YearMonth& month) {
    v1::ComputeSurchargeRequest req;
    req.mutable_uscc()->set_value(uscc);
    req.mutable_period()->mutable_month()->set_year(month.year());
    req.mutable_period()->mutable_month()->set_month(month.month());
    v1::SurchargeStatement statement;
    grpc::Status s = stub_->ComputeSurcharge(Context(kWaterAffairsKey).get(), req, &statement);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return statement;
  }

  // Reads the usage topic until the latest UsageChanged of `uscc` for `month` shows `new_water`
  // litres, and returns it (nullopt when none does within the deadline). Its readings may have
  // come in one batch or several, so the events before it are not counted on.
  static std::optional<events::v1::UsageChanged> WaitForUsageChanged(
      ingest::testing::TopicCollector& usage, const std::string& uscc,
      const domain::YearMonth& month, int64_t new_water) {
    std::optional<events::v1::UsageChanged> latest;
    const bool seen = jieshui::testing::WaitFor(
        [&] {
          usage.WaitFor(usage.messages().size() + 1, std::chrono::milliseconds(200));
          latest.reset();
          for (const events::v1::EventEnvelope& e :
               usage.WaitForKey(uscc, 0, std::chrono::milliseconds(0))) {
            auto changed = kafka::UnpackPayload<events::v1::UsageChanged>(e);
            if (changed.ok() && changed->month().year() == month.year() &&
                changed->month().month() == month.month()) {
              latest = *std::move(changed);
            }
          }
          return latest.has_value() && latest->new_water().litres() == new_water;
        },
        std::chrono::seconds(60), std::chrono::milliseconds(10));
    return seen ? latest : std::nullopt;
  }

  std::vector<v1::Alert> Alerts(const std::string& uscc) {
    v1::ListAlertsRequest req;
    req.mutable_uscc()->set_value(uscc);
    v1::ListAlertsResponse resp;
    grpc::Status s = stub_->ListAlerts(Context(kWaterAffairsKey).get(), req, &resp);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return {resp.alerts().begin(), resp.alerts().end()};
  }

  // The services' time (App::Start's clock): the system clock, moved on to 01:00 Shanghai time
  // when the test starts just after midnight, so today always has room for the readings.
  absl::Time Now() const { return absl::Now() + clock_shift_; }
  service::Clock Clock() const {
    return [shift = clock_shift_] { return absl::Now() + shift; };
  }

  // Readings inside today (Asia/Shanghai) and before now: `n` instants spread over the last
  // 50 minutes, or since midnight when that is nearer.
  std::vector<int64_t> InstantsToday(int n) {
    const absl::Time now = Now();
    absl::Time start = std::max(now - absl::Minutes(50), domain::StartOf(domain::DateOf(now)));
    const absl::Duration step = (Now() - start - absl::Seconds(1)) / n;
    std::vector<int64_t> out;
    out.reserve(static_cast<size_t>(n));
    for (int i = 0; i < n; ++i) {
      out.push_back(absl::ToUnixMillis(start + step * i));
    }
    return out;
  }

  absl::Duration clock_shift_;
  ingest::testing::TestEnv ingest_env_;
  std::unique_ptr<redis::testing::RedisServerProcess> redis_;
  std::string schema_;
  std::string enterprise_topic_;
  std::string alert_topic_;
  std::string dlq_topic_;
  std::string consumer_group_;
  std::string usage_topic_;
  std::string activity_topic_;
  std::unique_ptr<ingest::IngestApp> ingest_;
  std::unique_ptr<ingest::v1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<QuotaApp> quota_;
  std::unique_ptr<v1::QuotaService::Stub> stub_;
};

// Plan 1,200,000 L for the year: 100,000 L a month (even split). The boundary meter reads
// 1000 → 1080 → 1130 m³ today: 80,000 L (exactly 80%), then 130,000 L (130%). The sub-meter
// M-A2 reads 50 m³ more; it is level 2 and not counted. Product quota for beer (C1513): general
// 5,000 L/kL, advanced 4,000 L/kL; output reported 20 kL → 100,000 L allowed, so 130,000 L is
// 30,000 L over quota too. Surcharges at the default bands and 4.10 yuan/m³:
//   20,000 L × 4.10 × 0.5 = 41.00 yuan; 10,000 L × 4.10 × 1 = 41.00 yuan → 82.00 yuan each.
TEST_F(QuotaIntegrationTest, ReadingsBecomeUsageAlertsAndSurchargesAndAReplayChangesNothing) {
  const std::vector<int64_t> t = InstantsToday(5);
  const domain::YearMonth month = domain::MonthOfUnixMillis(t[0]);
  const int year = month.year();
  SetPlan(kEnterpriseUscc, year, 1'200'000);

  Submit({Register("M-A1", t[0], "1000"), Register("M-A2", t[0], "200")});
  Submit({Register("M-A1", t[1], "1080"), Register("M-A2", t[1], "250")});
  ASSERT_TRUE(WaitForNewWater(month, 80'000));
  Submit({Register("M-A1", t[2], "1130")});
  ASSERT_TRUE(WaitForNewWater(month, 130'000));

  v1::Usage usage;
  ASSERT_TRUE(GetUsage(kEnterpriseUscc, month, &usage).ok());
  EXPECT_EQ(usage.intake(0).source(), v1::WATER_SOURCE_MUNICIPAL_TAP);
  EXPECT_EQ(usage.intake(0).volume().litres(), 130'000);
  EXPECT_TRUE(usage.plan_known());
  EXPECT_EQ(usage.plan().litres(), 100'000);
  EXPECT_EQ(usage.used_basis_points(), 13'000);

  // Alerts: the month's 80% and 100%; the year (130,000 of 1,200,000 = 10.8%) none.
  std::vector<v1::Alert> alerts = Alerts(kEnterpriseUscc);
  ASSERT_EQ(alerts.size(), 2U);
  EXPECT_EQ(alerts[0].kind(), v1::ALERT_KIND_MONTHLY_PLAN);
  EXPECT_EQ(alerts[0].threshold_percent(), 80);
  EXPECT_EQ(alerts[0].used().litres(), 80'000);
  EXPECT_EQ(alerts[1].threshold_percent(), 100);
  EXPECT_EQ(alerts[1].used().litres(), 130'000);

  // Product quota and output: an over-quota alert and a second surcharge.
  v1::SetProductQuotaRequest quota;
  quota.mutable_quota()->set_year(year);
  quota.mutable_quota()->mutable_industry_code()->set_value("C151");
  quota.mutable_quota()->set_product("啤酒");
  quota.mutable_quota()->set_unit("kL");
  quota.mutable_quota()->set_general_litres_per_unit("5000");
  quota.mutable_quota()->set_advanced_litres_per_unit("4000");
  v1::ProductQuota stored;
  ASSERT_TRUE(stub_->SetProductQuota(Context(kWaterAffairsKey).get(), quota, &stored).ok());
  v1::ReportProductionRequest report;
  report.mutable_report()->mutable_uscc()->set_value(kEnterpriseUscc);
  report.mutable_report()->mutable_month()->set_year(year);
  report.mutable_report()->mutable_month()->set_month(month.month());
  report.mutable_report()->set_product("啤酒");
  report.mutable_report()->set_output("20");
  v1::ProductionReport filed;
  grpc::Status s = stub_->ReportProduction(Context(kEnterpriseKey).get(), report, &filed);
  ASSERT_TRUE(s.ok()) << s.error_message();

  v1::CheckProductQuotasRequest check_req;
  check_req.mutable_uscc()->set_value(kEnterpriseUscc);
  check_req.mutable_month()->set_year(year);
  check_req.mutable_month()->set_month(month.month());
  v1::CheckProductQuotasResponse checks;
  ASSERT_TRUE(stub_->CheckProductQuotas(Context(kEnterpriseKey).get(), check_req, &checks).ok());
  ASSERT_EQ(checks.checks_size(), 1);
  EXPECT_TRUE(checks.checks(0).quota_found());
  EXPECT_EQ(checks.checks(0).unit_intake_litres_per_unit(), "6500.000");  // 130,000 L / 20 kL
  EXPECT_EQ(checks.checks(0).allowed().litres(), 100'000);
  EXPECT_TRUE(checks.checks(0).over_quota());
  alerts = Alerts(kEnterpriseUscc);
  ASSERT_EQ(alerts.size(), 3U);
  EXPECT_EQ(alerts[2].kind(), v1::ALERT_KIND_OVER_QUOTA);
  EXPECT_EQ(alerts[2].product(), "啤酒");

  v1::ComputeSurchargeRequest sreq;
  sreq.mutable_uscc()->set_value(kEnterpriseUscc);
  sreq.mutable_period()->mutable_month()->set_year(year);
  sreq.mutable_period()->mutable_month()->set_month(month.month());
  v1::SurchargeStatement statement;
  s = stub_->ComputeSurcharge(Context(kEnterpriseKey).get(), sreq, &statement);
  ASSERT_TRUE(s.ok()) << s.error_message();
  ASSERT_TRUE(statement.has_over_plan());
  EXPECT_EQ(statement.over_plan().over().litres(), 30'000);
  ASSERT_EQ(statement.over_plan().lines_size(), 3);
  EXPECT_EQ(statement.over_plan().lines(0).volume().litres(), 20'000);
  EXPECT_EQ(statement.over_plan().lines(0).amount().fen(), 4'100);
  EXPECT_EQ(statement.over_plan().lines(1).volume().litres(), 10'000);
  EXPECT_EQ(statement.over_plan().lines(1).amount().fen(), 4'100);
  EXPECT_EQ(statement.over_plan().lines(2).volume().litres(), 0);
  EXPECT_EQ(statement.over_plan().lines(0).base_price_yuan_per_cubic_metre(), "4.1000");
  EXPECT_EQ(statement.over_plan().amount().fen(), 8'200);
  ASSERT_EQ(statement.over_quota_size(), 1);
  EXPECT_EQ(statement.over_quota(0).amount().fen(), 8'200);
  EXPECT_EQ(statement.total().fen(), 16'400);
  EXPECT_TRUE(statement.schedule_is_default());

  // The alerts are on the alert topic, once each.
  ingest::testing::TopicCollector notices(alert_topic_);
  EXPECT_EQ(notices.WaitFor(3), 3U);

  // Replay: a quota instance in a new consumer group has no Kafka offsets and reads the reading
  // topic from the beginning. One more reading (+10,000 L) comes after the replayed ones on the
  // enterprise's partition, so once it shows, the replay has been seen.
  quota_->Stop();
  quota_.reset();
  StartQuota(jieshui::testing::UniqueName("quota_group_replay"));
  Submit({Register("M-A1", t[3], "1140")});
  ASSERT_TRUE(WaitForNewWater(month, 140'000));
  EXPECT_EQ(Alerts(kEnterpriseUscc).size(), 3U);
  EXPECT_EQ(notices.WaitFor(4, std::chrono::seconds(3)), 3U);  // no notice raised twice
}

// UsageChanged carries the month's over-plan volume and the surcharge due so far, as
// ComputeSurcharge answers them, so the statistical ledger (统计台账) can be printed from the usage
// topic alone. Both plans 1,200,000 L for the year: 100,000 L a month (even split). Default bands,
// tap water at 4.10 yuan/m³.
// A reads 1000 → 1150 m³: 150,000 L, 50,000 L over plan (20,000 L is 20% of the plan):
//   0–20%:  20,000 L × 4.10 × 0.5 = 41.00 yuan =  4,100 fen
//   20–40%: 20,000 L × 4.10 × 1   = 82.00 yuan =  8,200 fen
//   >40%:   10,000 L × 4.10 × 2   = 82.00 yuan =  8,200 fen   → 20,500 fen.
// B reads 100 → 160 m³: 60,000 L, under its plan: 0 L over, 0 fen.
// Then A reports 20 kL of beer, quota 5,000 L/kL (C151): 100,000 L allowed. The report alone
// announces no usage; A's next reading, 1160 m³ (160,000 L), does: 60,000 L over plan, and
// 60,000 L over quota with the same allowance, each 4,100 + 8,200 + 20,000 L × 4.10 × 2 (16,400)
// = 28,700 fen, 57,400 fen in all.
TEST_F(QuotaIntegrationTest, UsageChangedCarriesTheMonthsOverPlanVolumeAndSurchargeDue) {
  const std::vector<int64_t> t = InstantsToday(3);
  const domain::YearMonth month = domain::MonthOfUnixMillis(t[0]);
  const int year = month.year();
  SetPlan(kEnterpriseUscc, year, 1'200'000);
  SetPlan(kOtherUscc, year, 1'200'000);
  ingest::testing::TopicCollector usage(usage_topic_);

  Submit({Register("M-A1", t[0], "1000"), Register("M-B1", t[0], "100")});
  Submit({Register("M-A1", t[1], "1150"), Register("M-B1", t[1], "160")});
  std::optional<events::v1::UsageChanged> a =
      WaitForUsageChanged(usage, kEnterpriseUscc, month, 150'000);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->plan().litres(), 100'000);
  ASSERT_TRUE(a->has_over_plan());
  EXPECT_EQ(a->over_plan().litres(), 50'000);
  ASSERT_TRUE(a->has_surcharge_due());
  EXPECT_EQ(a->surcharge_due().fen(), 20'500);
  v1::SurchargeStatement statement = Surcharge(kEnterpriseUscc, month);
  EXPECT_EQ(statement.over_plan().over().litres(), 50'000);
  EXPECT_EQ(statement.total().fen(), 20'500);
  EXPECT_EQ(a->over_plan().litres(), statement.over_plan().over().litres());
  EXPECT_EQ(a->surcharge_due().fen(), statement.total().fen());

  std::optional<events::v1::UsageChanged> b = WaitForUsageChanged(usage, kOtherUscc, month, 60'000);
  ASSERT_TRUE(b.has_value());
  ASSERT_TRUE(b->has_over_plan());
  EXPECT_EQ(b->over_plan().litres(), 0);
  ASSERT_TRUE(b->has_surcharge_due());
  EXPECT_EQ(b->surcharge_due().fen(), 0);
  statement = Surcharge(kOtherUscc, month);
  EXPECT_EQ(statement.over_plan().over().litres(), 0);
  EXPECT_EQ(statement.total().fen(), 0);

  v1::SetProductQuotaRequest quota;
  quota.mutable_quota()->set_year(year);
  quota.mutable_quota()->mutable_industry_code()->set_value("C151");
  quota.mutable_quota()->set_product("啤酒");
  quota.mutable_quota()->set_unit("kL");
  quota.mutable_quota()->set_general_litres_per_unit("5000");
  quota.mutable_quota()->set_advanced_litres_per_unit("4000");
  v1::ProductQuota stored;
  ASSERT_TRUE(stub_->SetProductQuota(Context(kWaterAffairsKey).get(), quota, &stored).ok());
  v1::ReportProductionRequest report;
  report.mutable_report()->mutable_uscc()->set_value(kEnterpriseUscc);
  report.mutable_report()->mutable_month()->set_year(year);
  report.mutable_report()->mutable_month()->set_month(month.month());
  report.mutable_report()->set_product("啤酒");
  report.mutable_report()->set_output("20");
  v1::ProductionReport filed;
  grpc::Status s = stub_->ReportProduction(Context(kEnterpriseKey).get(), report, &filed);
  ASSERT_TRUE(s.ok()) << s.error_message();
  Submit({Register("M-A1", t[2], "1160")});
  a = WaitForUsageChanged(usage, kEnterpriseUscc, month, 160'000);
  ASSERT_TRUE(a.has_value());
  EXPECT_EQ(a->over_plan().litres(), 60'000);
  EXPECT_EQ(a->surcharge_due().fen(), 57'400);
  statement = Surcharge(kEnterpriseUscc, month);
  EXPECT_EQ(statement.over_plan().amount().fen(), 28'700);
  ASSERT_EQ(statement.over_quota_size(), 1);
  EXPECT_EQ(statement.over_quota(0).over().litres(), 60'000);
  EXPECT_EQ(statement.over_quota(0).amount().fen(), 28'700);
  EXPECT_EQ(a->over_plan().litres(), statement.over_plan().over().litres());
  EXPECT_EQ(a->surcharge_due().fen(), statement.total().fen());
}

// An alert says where its threshold was crossed, not where a batch ended. Plan 1,200,000 L for the
// year: 100,000 L a month. Readings 1000 → 1070 → 1081 → 1094.5 m³: 70,000, then 81,000 L (80%
// reached: 80,000), then 94,500 L; then 1102 m³: 102,000 L (100% reached). The 80% alert holds
// 81,000 L and the time of the reading at 1081; the 100% alert 102,000 L and the last reading's.
// One enterprise sends the first four in one batch, the other one by one: the same alerts.
TEST_F(QuotaIntegrationTest, AnAlertCarriesTheUsageAndTimeOfTheReadingThatCrossedIt) {
  const std::vector<int64_t> t = InstantsToday(5);
  const domain::YearMonth month = domain::MonthOfUnixMillis(t[0]);
  SetPlan(kEnterpriseUscc, month.year(), 1'200'000);
  SetPlan(kOtherUscc, month.year(), 1'200'000);
  const std::vector<std::string> registers = {"1000", "1070", "1081", "1094.5", "1102"};
  std::vector<ingest::v1::Reading> batch;
  for (size_t i = 0; i < 4; ++i) {
    batch.push_back(Register("M-A1", t[i], registers[i]));
    Submit({Register("M-B1", t[i], registers[i])});
  }
  Submit(batch);
  Submit({Register("M-A1", t[4], registers[4])});
  Submit({Register("M-B1", t[4], registers[4])});
  ASSERT_TRUE(WaitForNewWater(month, 102'000));
  for (const std::string& uscc : {std::string(kEnterpriseUscc), std::string(kOtherUscc)}) {
    SCOPED_TRACE(uscc);
    std::vector<v1::Alert> alerts;
    ASSERT_TRUE(jieshui::testing::WaitFor([&] {
      alerts = Alerts(uscc);
      return alerts.size() == 2;
    }));
    EXPECT_EQ(alerts[0].threshold_percent(), 80);
    EXPECT_EQ(alerts[0].used().litres(), 81'000);
    EXPECT_EQ(alerts[0].crossed_at_unix_ms(), t[2]);
    EXPECT_EQ(alerts[1].threshold_percent(), 100);
    EXPECT_EQ(alerts[1].used().litres(), 102'000);
    EXPECT_EQ(alerts[1].crossed_at_unix_ms(), t[4]);
  }
}

// The reading topic carries a message that is not a reading event (DESIGN.md "Events": a message a
// consumer cannot decode goes to jieshui.dlq.v1 and the consumer moves on). Both of its consumers,
// ingest's ledger writer and quota's usage consumer, dead-letter it and apply the readings after.
TEST_F(QuotaIntegrationTest, AnUndecodableReadingMessageGoesToTheDlqAndBothConsumersGoOn) {
  const std::vector<int64_t> t = InstantsToday(2);
  const domain::YearMonth month = domain::MonthOfUnixMillis(t[0]);
  {
    kafka::ProducerOptions options;
    options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
    auto producer = kafka::Producer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    auto delivery =
        (*producer)->Produce(ingest_env_.reading_topic, kEnterpriseUscc, "not an envelope").get();
    ASSERT_TRUE(delivery.status.ok()) << delivery.status;
  }
  Submit({Register("M-A1", t[0], "1000")});
  Submit({Register("M-A1", t[1], "1080")});
  // The usage consumer went on: 80 m³ between the two readings.
  ASSERT_TRUE(WaitForNewWater(month, 80'000));
  // The ledger writer went on: both readings are in the raw ledger.
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] {
        ingest::v1::QueryLedgerRequest req;
        req.set_meter_id("M-A1");
        req.mutable_range()->set_start_unix_ms(t[0] - 3'600'000);
        req.mutable_range()->set_end_unix_ms(t[1] + 3'600'000);
        ingest::v1::QueryLedgerResponse response;
        return ingest_stub_->QueryLedger(Context(kWaterAffairsKey).get(), req, &response).ok() &&
               response.records_size() == 2;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)));

  const std::pair<std::string, std::string> dlqs[] = {{ingest_env_.dlq_topic, "ingest-ledger"},
                                                      {dlq_topic_, consumer_group_}};
  for (const auto& [topic, group] : dlqs) {
    ingest::testing::TopicCollector collector(topic);
    ASSERT_EQ(collector.WaitFor(1), 1U) << topic;
    auto envelope = kafka::DecodeEnvelope(collector.messages()[0].value);
    ASSERT_TRUE(envelope.ok()) << envelope.status();
    auto letter = kafka::UnpackPayload<events::v1::DeadLetter>(*envelope);
    ASSERT_TRUE(letter.ok()) << letter.status();
    EXPECT_EQ(letter->source_topic(), ingest_env_.reading_topic);
    EXPECT_EQ(letter->original_value(), "not an envelope");
    EXPECT_EQ(letter->consumer_group(), group);
    EXPECT_FALSE(letter->error().empty());
  }
}

TEST_F(QuotaIntegrationTest, UsageAnswersFromPostgresWhileRedisIsDownAndTheCacheHealsAfter) {
  const std::vector<int64_t> t = InstantsToday(4);
  const domain::YearMonth month = domain::MonthOfUnixMillis(t[0]);
  SetPlan(kEnterpriseUscc, month.year(), 1'200'000);
  Submit({Register("M-A1", t[0], "500")});
  Submit({Register("M-A1", t[1], "510")});  // 10,000 L
  ASSERT_TRUE(WaitForNewWater(month, 10'000));
  v1::Usage usage;
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    return GetUsage(kEnterpriseUscc, month, &usage).ok() && usage.served_from() == "cache";
  }));
  EXPECT_EQ(usage.new_water().litres(), 10'000);

  ASSERT_TRUE(redis_->Stop().ok());
  Submit({Register("M-A1", t[2], "535")});  // +25,000 L while Redis is down
  ASSERT_TRUE(WaitForNewWater(month, 35'000));
  ASSERT_TRUE(GetUsage(kEnterpriseUscc, month, &usage).ok());
  EXPECT_EQ(usage.served_from(), "database");
  EXPECT_EQ(usage.new_water().litres(), 35'000);
  EXPECT_GE(quota_->cache().dirty(), 1U);

  ASSERT_TRUE(redis_->Restart().ok());
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    return GetUsage(kEnterpriseUscc, month, &usage).ok() && usage.served_from() == "cache";
  }));
  EXPECT_EQ(usage.new_water().litres(), 35'000);
  EXPECT_EQ(usage.plan().litres(), 100'000);
}

// A valid USCC the registry never announced has no figures to show: NOT_FOUND, not zeros.
TEST_F(QuotaIntegrationTest, AnEnterpriseNeverRegisteredIsNotFoundRatherThanZero) {
  const domain::Date today = domain::DateOf(Now());
  v1::Usage usage;
  grpc::Status s = GetUsage(kUnknownUscc, domain::MonthOf(Now()), &usage);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  EXPECT_EQ(s.error_message().rfind("uscc: no enterprise", 0), 0U) << s.error_message();

  v1::GetUsageRequest daily;
  daily.mutable_uscc()->set_value(kUnknownUscc);
  daily.mutable_day()->set_year(today.year());
  daily.mutable_day()->set_month(today.month());
  daily.mutable_day()->set_day(today.day());
  s = stub_->GetUsage(Context(kWaterAffairsKey).get(), daily, &usage);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();

  v1::ComputeSurchargeRequest surcharge;
  surcharge.mutable_uscc()->set_value(kUnknownUscc);
  surcharge.mutable_period()->set_year(today.year());
  v1::SurchargeStatement statement;
  s = stub_->ComputeSurcharge(Context(kWaterAffairsKey).get(), surcharge, &statement);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();
  // A registered enterprise without usage is answered with zeros, as before.
  EXPECT_TRUE(GetUsage(kEnterpriseUscc, domain::MonthOf(Now()), &usage).ok());
  EXPECT_EQ(usage.new_water().litres(), 0);
}

// Every INVALID_ARGUMENT carries its field in the error detail (jieshui-error-bin), not only in
// the message, and a PERMISSION_DENIED carries its code and message there too.
TEST_F(QuotaIntegrationTest, EveryRefusalCarriesItsFieldViolationInTheErrorDetail) {
  const int year = domain::DateOf(Now()).year();
  SetPlan(kEnterpriseUscc, year, 1200);
  struct Refusal {
    std::string what;
    std::function<grpc::Status(grpc::ClientContext*)> call;
    grpc::StatusCode code;
    std::string field;  // "" for no violation expected
  };
  v1::AnnualPlan plan;
  v1::FileMonthlySplitRequest split;
  split.mutable_uscc()->set_value(kEnterpriseUscc);
  split.set_year(year);
  for (int m = 0; m < 12; ++m) {
    split.add_monthly()->set_litres(m == 0 ? 90 : 100);  // 1,190 of 1,200 L
  }
  v1::CutPlanRequest cut;
  cut.mutable_uscc()->set_value(kEnterpriseUscc);
  cut.set_year(year);
  cut.mutable_cut()->set_litres(5000);  // more than the plan
  cut.set_reason("处罚");
  v1::AdjustPlanRequest adjust;
  adjust.mutable_uscc()->set_value(kEnterpriseUscc);
  adjust.set_year(year);
  adjust.mutable_new_total()->set_litres(2400);  // an increase without a water balance test
  adjust.set_reason("扩产");
  const v1::SetSurchargeScheduleRequest schedule = OverlappingBands(year);
  v1::SurchargeSchedule stored_schedule;
  v1::ReportProductionRequest report;
  report.mutable_report()->mutable_uscc()->set_value(kEnterpriseUscc);
  report.mutable_report()->mutable_month()->set_year(year);
  report.mutable_report()->mutable_month()->set_month(1);
  report.mutable_report()->set_product("啤酒");
  report.mutable_report()->set_output("twenty");
  v1::ProductionReport filed;
  v1::GetUsageRequest usage;
  usage.mutable_uscc()->set_value(kEnterpriseUscc);
  usage.mutable_period()->mutable_month()->set_year(year);
  usage.mutable_period()->mutable_month()->set_month(13);
  v1::Usage used;
  const std::vector<Refusal> refusals = {
      {"a split that does not add up",
       [&](grpc::ClientContext* c) { return stub_->FileMonthlySplit(c, split, &plan); },
       grpc::StatusCode::INVALID_ARGUMENT, "monthly"},
      {"a cut larger than the plan",
       [&](grpc::ClientContext* c) { return stub_->CutPlan(c, cut, &plan); },
       grpc::StatusCode::INVALID_ARGUMENT, "cut"},
      {"an increase without a water balance test",
       [&](grpc::ClientContext* c) { return stub_->AdjustPlan(c, adjust, &plan); },
       grpc::StatusCode::INVALID_ARGUMENT, "water_balance_test_ref"},
      {"bands that overlap",
       [&](grpc::ClientContext* c) {
         return stub_->SetSurchargeSchedule(c, schedule, &stored_schedule);
       },
       grpc::StatusCode::INVALID_ARGUMENT, "schedule.bands[1].from_percent"},
      {"an output that is not a number",
       [&](grpc::ClientContext* c) { return stub_->ReportProduction(c, report, &filed); },
       grpc::StatusCode::INVALID_ARGUMENT, "report.output"},
      {"a month 13", [&](grpc::ClientContext* c) { return stub_->GetUsage(c, usage, &used); },
       grpc::StatusCode::INVALID_ARGUMENT, "period.month"},
  };
  for (const Refusal& r : refusals) {
    SCOPED_TRACE(r.what);
    auto ctx =
        Context(r.what == "a split that does not add up" ? kEnterpriseKey : kWaterAffairsKey);
    const grpc::Status s = r.call(ctx.get());
    EXPECT_EQ(s.error_code(), r.code) << s.error_message();
    const std::optional<common::v1::ErrorDetail> detail = grpcserver::ErrorDetailFromTrailers(*ctx);
    ASSERT_TRUE(detail.has_value());
    ASSERT_EQ(detail->field_violations_size(), 1) << detail->ShortDebugString();
    EXPECT_EQ(detail->field_violations(0).field(), r.field);
    EXPECT_EQ(s.error_message(), absl::StrCat(r.field, ": ", detail->field_violations(0).reason()));
  }
  // Refused for who is calling: the detail says so, with the code.
  auto ctx = Context(kEnterpriseKey);
  const grpc::Status s = stub_->CutPlan(ctx.get(), cut, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  const std::optional<common::v1::ErrorDetail> denied = grpcserver::ErrorDetailFromTrailers(*ctx);
  ASSERT_TRUE(denied.has_value());
  EXPECT_EQ(denied->code(), "PERMISSION_DENIED");
  EXPECT_EQ(denied->message(), s.error_message());
}

TEST_F(QuotaIntegrationTest, BadRequestsAreRefusedNamingTheFieldAndStoreNothing) {
  const int year = domain::DateOf(Now()).year();
  v1::AnnualPlan plan;
  v1::SetAnnualPlanRequest set;
  set.mutable_uscc()->set_value(kUnknownUscc);
  set.set_year(year);
  set.mutable_total()->set_litres(1000);
  set.set_reason("r");
  grpc::Status s = stub_->SetAnnualPlan(Context(kWaterAffairsKey).get(), set, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND) << s.error_message();

  set.mutable_uscc()->set_value(kEnterpriseUscc);
  set.mutable_total()->set_litres(-5);
  s = stub_->SetAnnualPlan(Context(kWaterAffairsKey).get(), set, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("total:", 0), 0U) << s.error_message();

  // Only the authority sets plans.
  set.mutable_total()->set_litres(1200);
  s = stub_->SetAnnualPlan(Context(kEnterpriseKey).get(), set, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);
  SetPlan(kEnterpriseUscc, year, 1200);

  // A split that does not add up (1,190 of 1,200 L); nothing is stored.
  v1::FileMonthlySplitRequest split;
  split.mutable_uscc()->set_value(kEnterpriseUscc);
  split.set_year(year);
  for (int m = 0; m < 12; ++m) {
    split.add_monthly()->set_litres(m == 0 ? 90 : 100);
  }
  s = stub_->FileMonthlySplit(Context(kEnterpriseKey).get(), split, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("monthly:", 0), 0U) << s.error_message();
  split.mutable_monthly(0)->set_litres(100);
  ASSERT_TRUE(stub_->FileMonthlySplit(Context(kEnterpriseKey).get(), split, &plan).ok());
  EXPECT_TRUE(plan.current().split_filed());
  // An enterprise files only its own.
  split.mutable_uscc()->set_value(kOtherUscc);
  s = stub_->FileMonthlySplit(Context(kEnterpriseKey).get(), split, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::PERMISSION_DENIED);

  // An increase needs a water balance test; a cut is recorded as a version.
  v1::AdjustPlanRequest adjust;
  adjust.mutable_uscc()->set_value(kEnterpriseUscc);
  adjust.set_year(year);
  adjust.mutable_new_total()->set_litres(2400);
  adjust.set_reason("扩产");
  s = stub_->AdjustPlan(Context(kWaterAffairsKey).get(), adjust, &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("water_balance_test_ref:", 0), 0U) << s.error_message();
  v1::CutPlanRequest cut;
  cut.mutable_uscc()->set_value(kEnterpriseUscc);
  cut.set_year(year);
  cut.mutable_cut()->set_litres(120);
  cut.set_reason("超计划用水处罚");
  ASSERT_TRUE(stub_->CutPlan(Context(kWaterAffairsKey).get(), cut, &plan).ok());
  EXPECT_EQ(plan.current().total().litres(), 1080);
  EXPECT_EQ(plan.current().monthly(0).litres(), 90);  // 1,080 / 12, split evenly again
  v1::GetPlanRequest get;
  get.mutable_uscc()->set_value(kEnterpriseUscc);
  get.set_year(year);
  ASSERT_TRUE(stub_->GetPlan(Context(kEnterpriseKey).get(), get, &plan).ok());
  ASSERT_EQ(plan.history_size(), 3);  // set, split filed, cut; nothing of the refused calls
  EXPECT_EQ(plan.history(0).change(), v1::PLAN_CHANGE_KIND_CUT);
  EXPECT_EQ(plan.history(1).change(), v1::PLAN_CHANGE_KIND_SPLIT_FILED);
  EXPECT_EQ(plan.history(2).change(), v1::PLAN_CHANGE_KIND_SET);

  // Bands that overlap.
  const v1::SetSurchargeScheduleRequest schedule = OverlappingBands(year);
  v1::SurchargeSchedule stored;
  s = stub_->SetSurchargeSchedule(Context(kWaterAffairsKey).get(), schedule, &stored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(s.error_message().rfind("schedule.bands[1].from_percent:", 0), 0U) << s.error_message();

  // Orders: issued, closed once; none on a closed plan year.
  v1::IssueRectificationOrderRequest issue;
  issue.mutable_uscc()->set_value(kEnterpriseUscc);
  issue.mutable_period()->set_year(year - 1);
  issue.set_reason("超计划用水，限期整改");
  const domain::Date deadline = domain::DateOf(Now() + absl::Hours(24 * 30));
  issue.mutable_deadline()->set_year(deadline.year());
  issue.mutable_deadline()->set_month(deadline.month());
  issue.mutable_deadline()->set_day(deadline.day());
  v1::RectificationOrder order;
  s = stub_->IssueRectificationOrder(Context(kWaterAffairsKey).get(), issue, &order);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(order.status(), v1::ORDER_STATUS_OPEN);
  v1::CloseRectificationOrderRequest close;
  close.set_order_id(order.order_id());
  close.set_resolution("已整改");
  ASSERT_TRUE(stub_->CloseRectificationOrder(Context(kWaterAffairsKey).get(), close, &order).ok());
  s = stub_->CloseRectificationOrder(Context(kWaterAffairsKey).get(), close, &order);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION);
  v1::ClosePlanYearRequest close_year;
  close_year.set_year(year - 1);
  v1::ClosePlanYearResponse closed;
  ASSERT_TRUE(stub_->ClosePlanYear(Context(kWaterAffairsKey).get(), close_year, &closed).ok());
  s = stub_->IssueRectificationOrder(Context(kWaterAffairsKey).get(), issue, &order);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();
  v1::ListRectificationOrdersRequest list;
  list.mutable_uscc()->set_value(kEnterpriseUscc);
  v1::ListRectificationOrdersResponse orders;
  ASSERT_TRUE(stub_->ListRectificationOrders(Context(kEnterpriseKey).get(), list, &orders).ok());
  EXPECT_EQ(orders.orders_size(), 1);
}

// Two enterprises over their monthly plan: A 130% (30% over), B 300% (200% over); B comes first.
TEST_F(QuotaIntegrationTest, DistrictOverPlanListPutsTheFurthestOverFirst) {
  const std::vector<int64_t> t = InstantsToday(3);
  const domain::YearMonth month = domain::MonthOfUnixMillis(t[0]);
  SetPlan(kEnterpriseUscc, month.year(), 1'200'000);  // 100,000 L a month
  SetPlan(kOtherUscc, month.year(), 120'000);         // 10,000 L a month
  Submit({Register("M-A1", t[0], "100"), Register("M-B1", t[0], "100")});
  Submit({Register("M-A1", t[1], "230"), Register("M-B1", t[1], "130")});
  ASSERT_TRUE(WaitForNewWater(month, 130'000));
  v1::ListOverPlanRequest req;
  req.mutable_period()->mutable_month()->set_year(month.year());
  req.mutable_period()->mutable_month()->set_month(month.month());
  v1::ListOverPlanResponse resp;
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    resp.Clear();
    return stub_->ListOverPlan(Context(kWaterAffairsKey).get(), req, &resp).ok() &&
           resp.entries_size() == 2;
  }));
  EXPECT_EQ(resp.entries(0).uscc().value(), kOtherUscc);
  EXPECT_EQ(resp.entries(0).over().litres(), 20'000);
  EXPECT_EQ(resp.entries(0).over_basis_points(), 20'000);
  EXPECT_EQ(resp.entries(1).uscc().value(), kEnterpriseUscc);
  EXPECT_EQ(resp.entries(1).over_basis_points(), 3'000);
  // An enterprise may not read the district list.
  EXPECT_EQ(stub_->ListOverPlan(Context(kEnterpriseKey).get(), req, &resp).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
}

// Last month, as ingest would have published it (a back-fill): two records of the boundary tap
// meter on the month's second day, 60,000 + 70,000 L, against a 100,000 L month. The notice bills
// the ended month once: 20,000 L × 4.10 × 0.5 + 10,000 L × 4.10 × 1 = 82.00 yuan.
TEST_F(QuotaIntegrationTest, ASurchargeNoticeBillsAnEndedMonthOnce) {
  const domain::YearMonth last = domain::MonthOf(Now()).Prev();
  SetPlan(kEnterpriseUscc, last.year(), 1'200'000);
  const absl::Time second_day = domain::StartOf(last) + absl::Hours(24 + 10);
  ingest::v1::ReadingRecords records;
  int64_t cumulative = 0;
  for (int64_t litres : {60'000, 70'000}) {
    ingest::v1::ReadingAccepted* r = records.add_records();
    r->set_meter_id("M-A1");
    r->mutable_uscc()->set_value(kEnterpriseUscc);
    r->set_measures(registry::v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
    r->set_level(registry::v1::METER_LEVEL_1);
    r->set_kind(ingest::v1::RECORD_KIND_REAL);
    const absl::Time end = second_day + absl::Hours(records.records_size());
    r->set_interval_start_unix_ms(absl::ToUnixMillis(end - absl::Hours(1)));
    r->set_interval_end_unix_ms(absl::ToUnixMillis(end));
    r->mutable_delta()->set_litres(litres);
    cumulative += litres;
    r->set_cumulative_litres(cumulative);
  }
  kafka::ProducerOptions options;
  options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
  auto producer = kafka::Producer::Create(options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  auto delivery = (*producer)
                      ->Produce(ingest_env_.reading_topic, kEnterpriseUscc,
                                kafka::EncodeEvent(records, {.producer = "ingest",
                                                             .subject_key = kEnterpriseUscc,
                                                             .occurred_at = absl::Now(),
                                                             .correlation_id = ""}))
                      .get();
  ASSERT_TRUE(delivery.status.ok()) << delivery.status;
  ASSERT_TRUE(WaitForNewWater(last, 130'000));

  // The day's usage, from usage_daily.
  v1::GetUsageRequest day_req;
  day_req.mutable_uscc()->set_value(kEnterpriseUscc);
  const domain::Date day = domain::DateOf(second_day);
  day_req.mutable_day()->set_year(day.year());
  day_req.mutable_day()->set_month(day.month());
  day_req.mutable_day()->set_day(day.day());
  v1::Usage usage;
  ASSERT_TRUE(stub_->GetUsage(Context(kEnterpriseKey).get(), day_req, &usage).ok());
  EXPECT_EQ(usage.new_water().litres(), 130'000);
  EXPECT_EQ(usage.day().day(), day.day());

  v1::IssueSurchargeNoticeRequest req;
  req.mutable_uscc()->set_value(kEnterpriseUscc);
  req.mutable_period()->mutable_month()->set_year(last.year());
  req.mutable_period()->mutable_month()->set_month(last.month());
  v1::SurchargeNotice notice;
  EXPECT_EQ(stub_->IssueSurchargeNotice(Context(kEnterpriseKey).get(), req, &notice).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  grpc::Status s = stub_->IssueSurchargeNotice(Context(kWaterAffairsKey).get(), req, &notice);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(notice.statement().total().fen(), 8'200);
  EXPECT_EQ(notice.statement().over_plan().over().litres(), 30'000);
  s = stub_->IssueSurchargeNotice(Context(kWaterAffairsKey).get(), req, &notice);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ALREADY_EXISTS) << s.error_message();
  // The current month has not ended.
  const domain::YearMonth now = domain::MonthOf(Now());
  req.mutable_period()->mutable_month()->set_year(now.year());
  req.mutable_period()->mutable_month()->set_month(now.month());
  s = stub_->IssueSurchargeNotice(Context(kWaterAffairsKey).get(), req, &notice);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::FAILED_PRECONDITION) << s.error_message();

  v1::ListSurchargeNoticesRequest list;
  v1::ListSurchargeNoticesResponse notices;
  ASSERT_TRUE(stub_->ListSurchargeNotices(Context(kEnterpriseKey).get(), list, &notices).ok());
  ASSERT_EQ(notices.notices_size(), 1);
  EXPECT_EQ(notices.notices(0).statement().total().fen(), 8'200);
  ingest::testing::TopicCollector alerts(alert_topic_);
  ASSERT_GE(alerts.WaitFor(3), 3U);  // the month's 80% and 100% alerts and the notice
  bool saw_notice = false;
  for (const kafka::Message& m : alerts.messages()) {
    auto envelope = kafka::DecodeEnvelope(m.value);
    ASSERT_TRUE(envelope.ok());
    auto payload = kafka::UnpackPayload<events::v1::QuotaNotice>(*envelope);
    ASSERT_TRUE(payload.ok());
    if (payload->kind() == events::v1::QUOTA_NOTICE_KIND_SURCHARGE_NOTICE) {
      saw_notice = true;
      EXPECT_EQ(payload->amount().fen(), 8'200);
    }
  }
  EXPECT_TRUE(saw_notice);
}

// A plan increase names a water balance test (DOMAIN.md "Plans"), which quota checks against the
// certification service's tests as its activity topic announced them. On the topic: a message that
// is no envelope (dead-lettered), an application and a title review (passed over), an accepted
// audit of A (not a balance test), and three balance tests: A's accepted BT-A1, A's submitted
// BT-A2, B's accepted BT-B1. Plan 1,200 L; an increase to 2,400 L is refused for an unknown ref,
// the audit, BT-A2 and BT-B1, each naming water_balance_test_ref and storing nothing, and made
// with BT-A1. A decrease needs no test.
TEST_F(QuotaIntegrationTest, AnIncreaseNeedsAnAcceptedBalanceTestOfTheSameEnterprise) {
  const int year = domain::DateOf(Now()).year();
  SetPlan(kEnterpriseUscc, year, 1200);
  {
    kafka::ProducerOptions options;
    options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
    auto producer = kafka::Producer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    auto delivery = (*producer)->Produce(activity_topic_, kEnterpriseUscc, "not an envelope").get();
    ASSERT_TRUE(delivery.status.ok()) << delivery.status;
  }
  events::v1::ApplicationChanged application;
  application.mutable_application()->set_application_id("APP-1");
  application.mutable_application()->mutable_uscc()->set_value(kEnterpriseUscc);
  Publish(activity_topic_, kEnterpriseUscc, application, "certification");
  events::v1::TitleReviewChanged review;
  review.mutable_review()->set_review_id("REV-1");
  review.mutable_review()->mutable_uscc()->set_value(kEnterpriseUscc);
  Publish(activity_topic_, kEnterpriseUscc, review, "certification");
  events::v1::RecordChanged audit;
  audit.mutable_record()->set_record_id("AUD-A1");
  audit.mutable_record()->set_kind(certification::v1::RECORD_KIND_AUDIT);
  audit.mutable_record()->mutable_uscc()->set_value(kEnterpriseUscc);
  audit.mutable_record()->set_status(certification::v1::RECORD_STATUS_ACCEPTED);
  Publish(activity_topic_, kEnterpriseUscc, audit, "certification");
  PublishBalanceTest(activity_topic_, "BT-A1", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_ACCEPTED);
  PublishBalanceTest(activity_topic_, "BT-A2", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_SUBMITTED);
  PublishBalanceTest(activity_topic_, "BT-B1", kOtherUscc,
                     certification::v1::RECORD_STATUS_ACCEPTED);
  ASSERT_TRUE(WaitForActivity(7));
  // Only the non-envelope is dead-lettered (counted just after its batch committed).
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] { return quota_->balance_test_consumer().dead_lettered() > 0; }));
  EXPECT_EQ(quota_->balance_test_consumer().dead_lettered(), 1);
  EXPECT_EQ(*quota_->balance_tests().CountTests(), 3);

  struct Refused {
    std::string ref;
    std::string reason;  // the error's reason, in full
  };
  const std::vector<Refused> refusals = {
      {"BT-NONE",
       "unknown water balance test \"BT-NONE\": the certification service has announced no test "
       "by that reference"},
      {"AUD-A1",
       "unknown water balance test \"AUD-A1\": the certification service has announced no test "
       "by that reference"},
      {"BT-A2",
       "water balance test \"BT-A2\" is not accepted (its status is submitted); an increase needs "
       "an accepted test"},
      {"BT-B1", absl::StrCat("water balance test \"BT-B1\" is a test of enterprise ", kOtherUscc,
                             ", not of ", kEnterpriseUscc)},
  };
  v1::AnnualPlan plan;
  for (const Refused& r : refusals) {
    SCOPED_TRACE(r.ref);
    std::optional<common::v1::ErrorDetail> detail;
    const grpc::Status s = AdjustPlan(kEnterpriseUscc, year, 2400, r.ref, &plan, &detail);
    EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
    EXPECT_EQ(s.error_message(), absl::StrCat("water_balance_test_ref: ", r.reason));
    ASSERT_TRUE(detail.has_value());
    ASSERT_EQ(detail->field_violations_size(), 1) << detail->ShortDebugString();
    EXPECT_EQ(detail->field_violations(0).field(), "water_balance_test_ref");
    EXPECT_EQ(detail->field_violations(0).reason(), r.reason);
  }
  plan = GetPlan(kEnterpriseUscc, year);
  ASSERT_EQ(plan.history_size(), 1);  // nothing of the refused calls
  EXPECT_EQ(plan.current().total().litres(), 1200);

  grpc::Status s = AdjustPlan(kEnterpriseUscc, year, 2400, "BT-A1", &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(plan.current().total().litres(), 2400);
  EXPECT_EQ(plan.current().water_balance_test_ref(), "BT-A1");
  // B's own accepted test serves B.
  SetPlan(kOtherUscc, year, 1200);
  s = AdjustPlan(kOtherUscc, year, 1800, "BT-B1", &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  // A decrease needs no test.
  s = AdjustPlan(kEnterpriseUscc, year, 1800, "", &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  plan = GetPlan(kEnterpriseUscc, year);
  ASSERT_EQ(plan.history_size(), 3);
  EXPECT_EQ(plan.current().total().litres(), 1800);
  EXPECT_EQ(plan.history(1).water_balance_test_ref(), "BT-A1");
}

// A test's later status wins, in the topic's order: BT-1 submitted, then accepted; BT-2 accepted,
// then returned. Replaying the topic (a new consumer group reads it from the beginning) changes
// nothing: the new instance applies only the event published after its start.
TEST_F(QuotaIntegrationTest, ALaterStatusOfABalanceTestWinsAndAReplayChangesNothing) {
  const int year = domain::DateOf(Now()).year();
  SetPlan(kEnterpriseUscc, year, 1200);
  v1::AnnualPlan plan;
  PublishBalanceTest(activity_topic_, "BT-1", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_SUBMITTED);
  ASSERT_TRUE(WaitForActivity(1));
  grpc::Status s = AdjustPlan(kEnterpriseUscc, year, 2400, "BT-1", &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("its status is submitted"), std::string::npos)
      << s.error_message();

  PublishBalanceTest(activity_topic_, "BT-1", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_ACCEPTED);
  PublishBalanceTest(activity_topic_, "BT-2", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_ACCEPTED);
  PublishBalanceTest(activity_topic_, "BT-2", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_RETURNED);
  ASSERT_TRUE(WaitForActivity(4));
  s = AdjustPlan(kEnterpriseUscc, year, 2400, "BT-1", &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = AdjustPlan(kEnterpriseUscc, year, 3600, "BT-2", &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("its status is returned"), std::string::npos)
      << s.error_message();

  // Replay: a new instance in new consumer groups. BT-3 comes after the replayed events on A's
  // partition, so once it is applied the replay has been seen.
  quota_->Stop();
  quota_.reset();
  StartQuota(jieshui::testing::UniqueName("quota_group_replay"));
  PublishBalanceTest(activity_topic_, "BT-3", kEnterpriseUscc,
                     certification::v1::RECORD_STATUS_ACCEPTED);
  ASSERT_TRUE(WaitForActivity(1));
  EXPECT_EQ(quota_->balance_test_consumer().applied(), 1);  // the four before: replayed
  EXPECT_EQ(quota_->balance_test_consumer().replayed(), 4);
  EXPECT_EQ(*quota_->balance_tests().CountTests(), 3);  // BT-1, BT-2 and BT-3
  s = AdjustPlan(kEnterpriseUscc, year, 3600, "BT-2", &plan);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT) << s.error_message();
  EXPECT_NE(s.error_message().find("its status is returned"), std::string::npos)
      << s.error_message();
  s = AdjustPlan(kEnterpriseUscc, year, 3600, "BT-3", &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  s = AdjustPlan(kEnterpriseUscc, year, 4800, "BT-1", &plan);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(plan.current().total().litres(), 4800);
  EXPECT_EQ(GetPlan(kEnterpriseUscc, year).history_size(), 4);  // set, BT-1, BT-3, BT-1
}

}  // namespace
}  // namespace jieshui::quota
