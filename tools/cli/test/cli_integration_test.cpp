// jieshui-cli against the real local stack: the registry, ingest, quota and certification run
// in-process with their own schemas and topics (ingest reads the registry's meter topic, quota its
// enterprise topic, certification both of the registry's and quota's usage and alerts, and quota
// certification's activity), and the built jieshui-cli binary is run as a child process against
// their ports, as an operator would run it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "certification/src/app.hpp"
#include "domain/period.hpp"
#include "ingest/src/app.hpp"
#include "ingest_test_env.hpp"
#include "jieshui/certification/v1/certification_service.grpc.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "quota/src/app.hpp"
#include "quota_test_env.hpp"
#include "redis_server.hpp"
#include "registry/src/app.hpp"
#include "registry_test_env.hpp"
#include "service/start.hpp"
#include "testing/child_process.hpp"
#include "testing/service_env.hpp"
#include "testing/stack.hpp"

namespace jieshui::cli {
namespace {

namespace cert = ::jieshui::certification::v1;
using ::testing::HasSubstr;

// The same raw key is a water_affairs key in all four services' test environments.
constexpr const char* kKey = ingest::testing::kWaterAffairsKey;
// Certification's key of the dyeing works (an application is the enterprise's own).
constexpr char kCertEnterpriseKey[] = "cli-cert-enterprise-key";
// From tools/registry/examples: the dyeing works and its level-1 municipal tap meter.
constexpr char kUscc[] = "91320506MA1N7K2Q3F";
constexpr char kName[] = "苏州甪直纺织印染有限公司";
constexpr char kMeter[] = "LZ-FY-M01";
const std::string kExamples = JIESHUI_SOURCE_DIR "/tools/registry/examples/";

common::v1::Date D(int y, int m, int d) {
  common::v1::Date out;
  out.set_year(y);
  out.set_month(m);
  out.set_day(d);
  return out;
}

// Certification's fixed "now": 2026-12-02 10:00 in Shanghai, so what is valid and due today does
// not move with the day the test runs.
const absl::Time kCertificationNow =
    domain::StartOf(*domain::Date::Create(2026, 12, 2)) + absl::Hours(10);

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

class CliIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_dir_ = absl::StrCat(::testing::TempDir(), jieshui::testing::UniqueName("cli"));
    std::filesystem::create_directories(work_dir_);
    StartRegistry();
    StartIngest();
    StartQuota();
    StartCertification();
  }

  void TearDown() override {
    if (certification_) {
      certification_->Stop();
    }
    if (quota_) {
      quota_->Stop();
    }
    if (ingest_) {
      ingest_->Stop();
    }
    if (registry_) {
      registry_->Stop();
    }
  }

  void StartRegistry() {
    registry_env_ = registry::testing::MakeTestEnv();
    auto app = registry::testing::StartApp(registry_env_.env);
    ASSERT_TRUE(app.ok()) << app.status();
    registry_ = *std::move(app);
  }

  // Ingest learns meters from the registry's meter topic, as in the deployment.
  void StartIngest() {
    ingest_env_ = ingest::testing::MakeTestEnv();
    ingest_env_.env["JIESHUI_INGEST_INGEST_TOPICS_REGISTRY_METER"] = registry_env_.meter_topic;
    auto app = ingest::testing::StartApp(ingest_env_.env);
    ASSERT_TRUE(app.ok()) << app.status();
    ingest_ = *std::move(app);
    ingest_stub_ = ingest::v1::IngestService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", ingest_->port()), grpc::InsecureChannelCredentials()));
  }

  // Quota: ingest's database and keys, its own schema and topics, a private redis-server, the
  // registry's enterprise topic and ingest's reading topic (as quota_integration_test does).
  void StartQuota() {
    auto redis = redis::testing::RedisServerProcess::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    quota_topics_ =
        quota::testing::MakeTopics(ingest_env_.reading_topic, registry_env_.enterprise_topic);
    auto app = quota::testing::StartApp(quota::testing::QuotaEnv(
        ingest_env_.env, jieshui::testing::UniqueName("quota"), redis_->port(), quota_topics_));
    ASSERT_TRUE(app.ok()) << app.status();
    quota_ = *std::move(app);
    quota_stub_ = quota::v1::QuotaService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", quota_->port()), grpc::InsecureChannelCredentials()));
  }

  // Certification as deployed (services/certification/tests starts it the same way): the
  // registry's enterprise and meter topics, quota's usage and alert topics, and quota's
  // certification activity topic as its own, so the enterprises the test imports reach it. Its
  // own schema, status topic, DLQ and consumer group; the fixed clock above.
  void StartCertification() {
    cert_env_ = std::make_unique<jieshui::testing::ServiceEnv>(
        "certification", std::vector<jieshui::testing::TestKey>{
                             {kKey, "water_affairs", "", "区水务局"},
                             {kCertEnterpriseKey, "enterprise", kUscc, "甪直印染"}});
    cert_env_->Set("certification.topics.registry_enterprise", registry_env_.enterprise_topic);
    cert_env_->Set("certification.topics.registry_meter", registry_env_.meter_topic);
    cert_env_->Set("certification.topics.quota_usage", quota_topics_.usage);
    cert_env_->Set("certification.topics.quota_alert", quota_topics_.alert);
    cert_env_->Set("certification.topics.activity", quota_topics_.activity);
    cert_env_->Unique("certification.topics.status", "cli_cert_status");
    cert_env_->Unique("certification.topics.dlq", "cli_cert_dlq");
    cert_env_->Unique("certification.consumer_group", "cli_cert_facts");
    cert_env_->Set("certification.schemes_file",
                   JIESHUI_SOURCE_DIR "/services/certification/schemes.yaml");
    auto app = service::LoadAndStart("certification", cert_env_->ConfigPath(), cert_env_->env(),
                                     certification::LoadCertificationConfig,
                                     certification::CertificationApp::Start,
                                     [] { return kCertificationNow; });
    ASSERT_TRUE(app.ok()) << app.status();
    certification_ = *std::move(app);
    cert_stub_ = cert::CertificationService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", certification_->port()), grpc::InsecureChannelCredentials()));
  }

  // Runs jieshui-cli with the four services' addresses and JIESHUI_API_KEY = `key` (unset when
  // empty); stdout and stderr are kept apart.
  CliResult Cli(const std::vector<std::string>& args, const std::string& key = kKey) {
    const std::string err_file = absl::StrCat(work_dir_, "/stderr_", ++runs_);
    std::vector<std::string> argv = {"/bin/sh",
                                     "-c",
                                     "f=$1; shift; exec \"$@\" 2>\"$f\"",
                                     "sh",
                                     err_file,
                                     "/usr/bin/env",
                                     "-u",
                                     "JIESHUI_API_KEY"};
    if (!key.empty()) {
      argv.push_back(absl::StrCat("JIESHUI_API_KEY=", key));
    }
    argv.insert(argv.end(),
                {JIESHUI_CLI_BINARY, absl::StrCat("--registry=127.0.0.1:", registry_->port()),
                 absl::StrCat("--ingest=127.0.0.1:", ingest_->port()),
                 absl::StrCat("--quota=127.0.0.1:", quota_->port()),
                 absl::StrCat("--certification=127.0.0.1:", certification_->port())});
    argv.insert(argv.end(), args.begin(), args.end());
    jieshui::testing::ChildProcess child;
    CliResult result;
    if (!child.Start(argv)) {
      ADD_FAILURE() << "cannot start " << JIESHUI_CLI_BINARY;
      return result;
    }
    result.exit_code = child.Wait(std::chrono::seconds(120)).value_or(-1);
    // The reader thread has the whole output once the child is gone; ReadLine to EOF waits for it.
    while (child.ReadLine(std::chrono::seconds(10)).has_value()) {
    }
    result.out = absl::StrJoin(child.Lines(), "\n");
    std::ifstream err(err_file);
    std::stringstream text;
    text << err.rdbuf();
    result.err = text.str();
    return result;
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = absl::StrCat(work_dir_, "/", name);
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  void ImportExamples() {
    CliResult enterprises =
        Cli({"import", "enterprises", absl::StrCat(kExamples, "enterprises.csv")});
    ASSERT_EQ(enterprises.exit_code, 0) << enterprises.out << enterprises.err;
    EXPECT_THAT(enterprises.out, HasSubstr("created 4"));
    CliResult meters = Cli({"import", "meters", absl::StrCat(kExamples, "meters.csv")});
    ASSERT_EQ(meters.exit_code, 0) << meters.out << meters.err;
    EXPECT_THAT(meters.out, HasSubstr("created 6"));
  }

  std::string work_dir_;
  int runs_ = 0;
  registry::testing::TestEnv registry_env_;
  ingest::testing::TestEnv ingest_env_;
  std::unique_ptr<registry::RegistryApp> registry_;
  std::unique_ptr<ingest::IngestApp> ingest_;
  std::unique_ptr<ingest::v1::IngestService::Stub> ingest_stub_;
  std::unique_ptr<redis::testing::RedisServerProcess> redis_;
  quota::testing::QuotaTopics quota_topics_;
  std::unique_ptr<quota::QuotaApp> quota_;
  std::unique_ptr<quota::v1::QuotaService::Stub> quota_stub_;
  std::unique_ptr<jieshui::testing::ServiceEnv> cert_env_;
  std::unique_ptr<certification::CertificationApp> certification_;
  std::unique_ptr<cert::CertificationService::Stub> cert_stub_;
};

TEST_F(CliIntegrationTest, ImportsListsAndShowsTheRegister) {
  ImportExamples();

  CliResult list = Cli({"enterprises", "list"});
  ASSERT_EQ(list.exit_code, 0) << list.err;
  EXPECT_THAT(list.out, HasSubstr("USCC"));
  EXPECT_THAT(list.out, HasSubstr(kUscc));
  EXPECT_THAT(list.out, HasSubstr(kName));
  EXPECT_THAT(list.out, HasSubstr("285000.500"));  // latest intake, m³ with 3 decimals
  EXPECT_THAT(list.out, HasSubstr("4 of 4 enterprises"));

  CliResult key_monitored = Cli({"enterprises", "list", "--key-monitored", "--json"});
  ASSERT_EQ(key_monitored.exit_code, 0) << key_monitored.err;
  const nlohmann::json listed = nlohmann::json::parse(key_monitored.out);
  std::vector<std::string> usccs;
  for (const auto& e : listed["enterprises"]) {
    usccs.push_back(e["uscc"]["value"]);
    EXPECT_EQ(e["key_monitored"], true);
  }
  EXPECT_THAT(usccs, ::testing::ElementsAre(kUscc, "91350200776049653A"));

  CliResult show = Cli({"enterprises", "show", kUscc});
  ASSERT_EQ(show.exit_code, 0) << show.err;
  EXPECT_THAT(show.out, HasSubstr(kName));
  EXPECT_THAT(show.out, HasSubstr("甪直镇"));
  EXPECT_THAT(show.out, HasSubstr("C1713"));

  CliResult show_json = Cli({"--json", "enterprises", "show", kUscc});
  ASSERT_EQ(show_json.exit_code, 0) << show_json.err;
  const nlohmann::json enterprise = nlohmann::json::parse(show_json.out);
  EXPECT_EQ(enterprise["uscc"]["value"], kUscc);
  EXPECT_EQ(enterprise["name"], kName);
  EXPECT_EQ(enterprise["latest_annual_intake"]["litres"], "285000500");
  EXPECT_EQ(enterprise["industry_code"]["value"], "C1713");

  CliResult meters = Cli({"meters", "list", kUscc});
  ASSERT_EQ(meters.exit_code, 0) << meters.err;
  EXPECT_THAT(meters.out, HasSubstr(kMeter));
  EXPECT_THAT(meters.out, HasSubstr("intake_municipal_tap"));
  EXPECT_THAT(meters.out, HasSubstr("LZ-FY-M21"));  // suspended, not retired: listed

  CliResult meter = Cli({"meters", "show", kMeter, "--json"});
  ASSERT_EQ(meter.exit_code, 0) << meter.err;
  const nlohmann::json meter_json = nlohmann::json::parse(meter.out);
  EXPECT_EQ(meter_json["meter_id"], kMeter);
  EXPECT_EQ(meter_json["uscc"]["value"], kUscc);
  EXPECT_EQ(meter_json["measures"], "MEASURED_FLOW_INTAKE_MUNICIPAL_TAP");

  CliResult missing = Cli({"meters", "show", "NO-SUCH-METER"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("NOT_FOUND"));

  // A bad row is named by line and field; the good rows still go in, and the exit status is 1.
  const std::string bad = WriteFile(
      "bad_enterprises.csv",
      absl::StrCat("uscc,name,town,industry_code,water_sources\n", registry::testing::UsccFor(7),
                   ",苏州木渎新材料有限公司,木渎镇,C2614,municipal_tap\n",
                   "91320506MA1N7K2Q3X,坏校验位,甪直镇,C1713,municipal_tap\n"));
  CliResult rejected = Cli({"import", "enterprises", bad});
  EXPECT_EQ(rejected.exit_code, 1) << rejected.out << rejected.err;
  EXPECT_THAT(rejected.out, HasSubstr("created 1"));
  EXPECT_THAT(rejected.out, HasSubstr("row 3: uscc"));

  // Without a key the registry refuses, and the CLI says what to check.
  CliResult refused = Cli({"enterprises", "list"}, "");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(refused.err, HasSubstr(absl::StrCat("(target 127.0.0.1:", registry_->port(), ")")));
  EXPECT_THAT(refused.err, HasSubstr("JIESHUI_API_KEY"));
  EXPECT_TRUE(refused.out.empty()) << refused.out;
}

// Readings today, before now: the boundary tap meter reads 1000 m³ and then 1130 m³ (130,000 L;
// the first reading is the baseline). Plan 1,200,000 L for the year, split evenly: 100,000 L for
// the month, so the month is 30% over. At the default bands and 4.10 yuan/m³ (as in
// quota_integration_test): 20,000 L × 4.10 × 0.5 = 41.00 and 10,000 L × 4.10 × 1 = 41.00 yuan.
TEST_F(CliIntegrationTest, ReadingsBecomeUsageAlertsAndASurcharge) {
  ImportExamples();
  // Quota knows the enterprise once the registry's event has reached it; ingest the meter.
  quota::v1::SetAnnualPlanRequest plan;
  plan.mutable_uscc()->set_value(kUscc);
  const absl::Time now = absl::Now();
  const domain::YearMonth month = domain::MonthOf(now);
  plan.set_year(month.year());
  plan.mutable_total()->set_litres(1'200'000);
  plan.set_reason("计划用水指标");
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] {
        quota::v1::AnnualPlan answer;
        return quota_stub_->SetAnnualPlan(ingest::testing::Context(kKey).get(), plan, &answer).ok();
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)));
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] {
        ingest::v1::GetMeterStateRequest request;
        request.set_meter_id(kMeter);
        ingest::v1::MeterState state;
        return ingest_stub_->GetMeterState(ingest::testing::Context(kKey).get(), request, &state)
            .ok();
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)));

  // Two instants today before now (at least a minute apart unless just after midnight).
  const absl::Time day_start = domain::StartOf(domain::DateOf(now));
  ASSERT_TRUE(jieshui::testing::WaitFor([&] { return absl::Now() - day_start > absl::Seconds(4); },
                                        std::chrono::seconds(6)));
  const absl::Time t0 = std::max(absl::Now() - absl::Minutes(30), day_start + absl::Seconds(1));
  const absl::Time t1 = t0 + (absl::Now() - t0) / 2;
  const absl::TimeZone shanghai = domain::ShanghaiTimeZone();
  const std::string readings = WriteFile(
      "readings.csv",
      absl::StrCat("meter_id,timestamp,register_value,volume_litres,interval_minutes,data_flag\n",
                   kMeter, ",", absl::FormatTime("%Y-%m-%dT%H:%M:%S", t0, shanghai), ",1000,,,\n",
                   kMeter, ",", absl::FormatTime("%Y-%m-%dT%H:%M:%SZ", t1, absl::UTCTimeZone()),
                   ",1130,,,N\n", "NO-SUCH-METER,",
                   absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", t1, shanghai), ",5,,,\n"));
  CliResult submitted = Cli({"readings", "submit", readings});
  EXPECT_EQ(submitted.exit_code, 1) << submitted.out << submitted.err;
  EXPECT_THAT(submitted.out, HasSubstr("3 readings in 1 batch: accepted 2, duplicate 0, "
                                       "rejected 1"));
  EXPECT_THAT(submitted.out, HasSubstr("UNKNOWN_METER"));
  // The rejected reading is named by its file line (the header is line 1).
  EXPECT_THAT(submitted.out, ::testing::ContainsRegex("\n +4  NO-SUCH-METER .* rejected"));
  EXPECT_THAT(submitted.out, HasSubstr("FIRST"));  // the baseline reading is flagged

  // The same file again: nothing new is counted.
  CliResult again = Cli({"readings", "submit", readings, "--json"});
  EXPECT_EQ(again.exit_code, 1) << again.err;
  const nlohmann::json again_json = nlohmann::json::parse(again.out);
  EXPECT_EQ(again_json["duplicates"], 2);
  EXPECT_EQ(again_json["rejected"], 1);
  EXPECT_EQ(again_json["readings_reported"][0]["line"], 4);
  EXPECT_EQ(again_json["readings_reported"][0]["reason"], "UNKNOWN_METER");

  // A bad cell is named locally and nothing is sent.
  const std::string bad = WriteFile(
      "bad_readings.csv", absl::StrCat("meter_id,timestamp,volume_litres,interval_minutes\n",
                                       kMeter, ",2026-11-28T10:00:00+08:00,40,\n"));
  CliResult local = Cli({"readings", "submit", bad});
  EXPECT_EQ(local.exit_code, 2);
  EXPECT_THAT(local.err,
              HasSubstr("line 2, column 4 (interval_minutes): required with volume_litres"));

  const std::string month_flag = month.ToString();
  nlohmann::json usage;
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] {
        CliResult r = Cli({"usage", kUscc, "--month", month_flag, "--json"});
        if (r.exit_code != 0) {
          return false;
        }
        usage = nlohmann::json::parse(r.out);
        return usage["new_water"]["litres"] == "130000";
      },
      std::chrono::seconds(60), std::chrono::milliseconds(200)))
      << usage.dump();
  EXPECT_EQ(usage["plan"]["litres"], "100000");
  EXPECT_EQ(usage["used_basis_points"], "13000");
  CliResult usage_text = Cli({"usage", kUscc, "--month", month_flag});
  ASSERT_EQ(usage_text.exit_code, 0) << usage_text.err;
  EXPECT_THAT(usage_text.out, ::testing::ContainsRegex("\nmunicipal_tap +130.000\n"));
  EXPECT_THAT(usage_text.out, HasSubstr("new water m³:        130.000"));
  EXPECT_THAT(usage_text.out, HasSubstr("plan m³:             100.000"));
  EXPECT_THAT(usage_text.out, HasSubstr("share of plan used:  130.00%"));

  // The month's plan thresholds were crossed as the usage came in.
  CliResult alerts = Cli({"alerts", "--uscc", kUscc, "--month", month_flag, "--json"});
  ASSERT_EQ(alerts.exit_code, 0) << alerts.err;
  const nlohmann::json alerts_json = nlohmann::json::parse(alerts.out);
  // The default thresholds (services/quota/README.md): 80% and 100% of the month's plan.
  std::vector<int> thresholds;
  for (const auto& alert : alerts_json["alerts"]) {
    EXPECT_EQ(alert["uscc"]["value"], kUscc);
    EXPECT_EQ(alert["kind"], "ALERT_KIND_MONTHLY_PLAN");
    EXPECT_EQ(alert["limit"]["litres"], "100000");
    EXPECT_EQ(alert["status"], "ALERT_STATUS_OPEN");
    thresholds.push_back(alert["threshold_percent"]);
  }
  std::sort(thresholds.begin(), thresholds.end());
  EXPECT_THAT(thresholds, ::testing::ElementsAre(80, 100)) << alerts.out;
  CliResult alerts_text = Cli({"alerts", "--status", "open"});
  ASSERT_EQ(alerts_text.exit_code, 0) << alerts_text.err;
  EXPECT_THAT(alerts_text.out, HasSubstr("monthly_plan"));
  EXPECT_THAT(alerts_text.out, HasSubstr(kUscc));

  CliResult surcharge = Cli({"surcharge", kUscc, "--month", month_flag});
  ASSERT_EQ(surcharge.exit_code, 0) << surcharge.err;
  EXPECT_THAT(surcharge.out, HasSubstr("over m³:     30.000"));
  EXPECT_THAT(surcharge.out, ::testing::ContainsRegex("0-20% +20.000 +1/2 +4.1000 +41.00"));
  EXPECT_THAT(surcharge.out, ::testing::ContainsRegex("20-40% +10.000 +1 +4.1000 +41.00"));
  EXPECT_THAT(surcharge.out, HasSubstr("Total yuan:  82.00"));
  CliResult surcharge_json = Cli({"surcharge", kUscc, "--month", month_flag, "--json"});
  ASSERT_EQ(surcharge_json.exit_code, 0) << surcharge_json.err;
  EXPECT_EQ(nlohmann::json::parse(surcharge_json.out)["total"]["fen"], "8200");

  CliResult plan_text = Cli({"plan", kUscc, "--year", absl::StrCat(month.year())});
  ASSERT_EQ(plan_text.exit_code, 0) << plan_text.err;
  EXPECT_THAT(plan_text.out, HasSubstr("total m³:       1200.000"));
  EXPECT_THAT(plan_text.out, HasSubstr(absl::StrCat(month_flag, "  100.000")));

  CliResult over = Cli({"over-plan", "--month", month_flag});
  ASSERT_EQ(over.exit_code, 0) << over.err;
  EXPECT_THAT(over.out, ::testing::ContainsRegex(absl::StrCat(
                            kUscc, " +", kName, " +100.000 +130.000 +30.000 +30.00%")));

  CliResult refused = Cli({"usage", kUscc, "--month", month_flag}, "");
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("UNAUTHENTICATED"));
  EXPECT_THAT(refused.err, HasSubstr(absl::StrCat("(target 127.0.0.1:", quota_->port(), ")")));
}

// The water balance test of services/certification's integration test, for the dyeing works
// (C1713), November 2025: the works take 110,000 L of tap water, ws1 60,000 L with 540,000 L
// recirculated and 2,000 L leaking, ws2 50,000 L. The parts' new water closes exactly (60,000 +
// 50,000 = 110,000 L). Over the leaves, R = ΣVr / (ΣVr + ΣVf) = 540,000 / (540,000 + 110,000) =
// 0.830769..., 8308 basis points: 83.08%.
cert::Record BalanceTest() {
  cert::Record r;
  r.mutable_uscc()->set_value(kUscc);
  cert::BalanceTest* t = r.mutable_balance_test();
  t->set_agency("江苏省水利科学研究院");
  t->set_standard_version("GB/T 12452-2022");
  *t->mutable_period_start() = D(2025, 11, 1);
  *t->mutable_period_end() = D(2025, 11, 30);
  auto unit = [t](const char* id, const char* parent, int64_t tap, int64_t recirculated,
                  int64_t leakage) {
    cert::WaterUnit* u = t->add_units();
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
  return r;
}

// Files the balance test as the Water Affairs Bureau on the works' behalf, once certification
// knows the works (NOT_FOUND until the registry's enterprise event has reached it).
std::string FileBalanceTest(cert::CertificationService::Stub& stub) {
  cert::CreateRecordRequest create;
  *create.mutable_record() = BalanceTest();
  cert::Record filed;
  grpc::Status status;
  EXPECT_TRUE(jieshui::testing::WaitFor(
      [&] {
        status = stub.CreateRecord(ingest::testing::Context(kKey).get(), create, &filed);
        return status.error_code() != grpc::StatusCode::NOT_FOUND;
      },
      std::chrono::seconds(60), std::chrono::milliseconds(100)));
  EXPECT_TRUE(status.ok()) << status.error_message();
  return filed.record_id();
}

cert::Title ImportTitle(cert::CertificationService::Stub& stub, cert::Level level,
                        const std::string& certificate, const std::string& document,
                        const common::v1::Date& valid_from) {
  cert::ImportTitleRequest request;
  request.mutable_uscc()->set_value(kUscc);
  request.set_level(level);
  request.set_certificate_number(certificate);
  request.set_document_number(document);
  *request.mutable_valid_from() = valid_from;
  cert::Title title;
  grpc::Status status = stub.ImportTitle(ingest::testing::Context(kKey).get(), request, &title);
  EXPECT_TRUE(status.ok()) << status.error_message();
  return title;
}

// Today is 2026-12-02 (certification's clock). The works' accepted balance test of 2025 and two
// titles from their certificates: a district one from 2022-07-01 and a municipal one from
// 2016-05-10, each valid 5 years (the schemes' validity) to the day before the anniversary:
// 2027-06-30 and 2021-05-09.
TEST_F(CliIntegrationTest, ABalanceTestAndImportedTitlesShowInTheCertificationCommands) {
  ImportExamples();
  const std::string record_id = FileBalanceTest(*cert_stub_);
  ASSERT_FALSE(record_id.empty());

  // Filed: submitted, with its repeat utilisation (83.08%, above).
  CliResult records = Cli({"certification", "records", "--uscc", kUscc});
  ASSERT_EQ(records.exit_code, 0) << records.err;
  EXPECT_THAT(records.out,
              ::testing::ContainsRegex(absl::StrCat(
                  "\n", record_id, " +balance_test +", kUscc,
                  " +2025 +submitted +83.08% +江苏省水利科学研究院 +water_affairs:区水务局 +"
                  "2026-12-02 10:00:00")))
      << records.out;
  EXPECT_THAT(records.out, HasSubstr("1 records"));
  CliResult records_json =
      Cli({"certification", "records", "--kind", "balance_test", "--year", "2025", "--json"});
  ASSERT_EQ(records_json.exit_code, 0) << records_json.err;
  const nlohmann::json listed = nlohmann::json::parse(records_json.out);
  ASSERT_EQ(listed["records"].size(), 1u) << records_json.out;
  EXPECT_EQ(listed["records"][0]["status"], "RECORD_STATUS_SUBMITTED");
  EXPECT_EQ(listed["records"][0]["balance_test"]["rates"]["repeat_utilisation"]["basis_points"],
            "8308");
  CliResult none_accepted = Cli({"certification", "records", "--status", "accepted"});
  ASSERT_EQ(none_accepted.exit_code, 0) << none_accepted.err;
  EXPECT_THAT(none_accepted.out, HasSubstr("0 records"));

  // Accepted by the bureau; a second review is refused naming record_id, and nothing is printed.
  CliResult accepted = Cli({"certification", "review-record", record_id, "--accept"});
  ASSERT_EQ(accepted.exit_code, 0) << accepted.err;
  EXPECT_EQ(accepted.out, absl::StrCat("record ", record_id, " (balance_test of ", kUscc,
                                       ", 2025) accepted by water_affairs:区水务局 at "
                                       "2026-12-02 10:00:00"));
  CliResult again =
      Cli({"certification", "review-record", record_id, "--return", "--reason", "缺少水平衡图"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_THAT(again.err,
              HasSubstr(absl::StrCat("certification review-record: INVALID_ARGUMENT: record_id: "
                                     "record ",
                                     record_id, " is already RECORD_STATUS_ACCEPTED")));
  EXPECT_TRUE(again.out.empty()) << again.out;
  CliResult record = Cli({"certification", "record", record_id});
  ASSERT_EQ(record.exit_code, 0) << record.err;
  EXPECT_THAT(record.out, ::testing::ContainsRegex("\nstatus: +accepted\n"));
  EXPECT_THAT(record.out, ::testing::ContainsRegex("\nreviewed by: +water_affairs:区水务局\n"));
  EXPECT_THAT(record.out, ::testing::ContainsRegex(
                              "\nrepeat utilisation: +83.08% \\(540.000 / 650.000 m³\\)\n"));
  // Leakage Kl = ΣVl / ΣVf = 2,000 / 110,000 = 1.82%.
  EXPECT_THAT(record.out, ::testing::ContainsRegex("\nleakage: +1.82% \\(2.000 / 110.000 m³\\)\n"));
  EXPECT_THAT(record.out, ::testing::ContainsRegex("\nws1 +ws1 +e +60.000 +0.000 +540.000"));

  const cert::Title district = ImportTitle(*cert_stub_, cert::LEVEL_DISTRICT, "吴节水2022-07",
                                           "吴水〔2022〕31号", D(2022, 7, 1));
  const cert::Title municipal = ImportTitle(*cert_stub_, cert::LEVEL_MUNICIPAL, "苏节水2016-15",
                                            "苏水节〔2016〕9号", D(2016, 5, 10));
  ASSERT_FALSE(district.title_id().empty());
  ASSERT_FALSE(municipal.title_id().empty());

  // Both titles, each with its status today: the municipal one is past its last valid day.
  CliResult titles = Cli({"certification", "titles", "--uscc", kUscc});
  ASSERT_EQ(titles.exit_code, 0) << titles.err;
  EXPECT_THAT(titles.out, ::testing::ContainsRegex(absl::StrCat(
                              "\n", district.title_id(),
                              " +district +吴节水2022-07 +吴水〔2022〕31号 +2022-07-01 +"
                              "2027-06-30 +active +imported\n")))
      << titles.out;
  EXPECT_THAT(titles.out, ::testing::ContainsRegex(absl::StrCat(
                              "\n", municipal.title_id(),
                              " +municipal +苏节水2016-15 +苏水节〔2016〕9号 +2016-05-10 +"
                              "2021-05-09 +expired +imported\n")));
  EXPECT_THAT(titles.out, ::testing::EndsWith("\n2 titles"));
  CliResult valid = Cli({"certification", "titles", "--uscc", kUscc, "--on", "2026-12-02"});
  ASSERT_EQ(valid.exit_code, 0) << valid.err;
  EXPECT_THAT(valid.out, HasSubstr("吴节水2022-07"));
  EXPECT_THAT(valid.out, ::testing::Not(HasSubstr("苏节水2016-15")));
  EXPECT_THAT(valid.out, HasSubstr("1 titles valid on 2026-12-02"));

  // Certified today by the district title; on 2021-05-09 (the municipal title's last day, before
  // the district one began) by the municipal one; on 2027-07-01 by none.
  CliResult certified = Cli({"certification", "certified", "--on", "2026-12-02"});
  ASSERT_EQ(certified.exit_code, 0) << certified.err;
  EXPECT_THAT(certified.out, ::testing::ContainsRegex(
                                 absl::StrCat(kUscc, " +", kName, " +甪直镇 +C1713 .* +district +",
                                              district.title_id(), " +2027-06-30\n")))
      << certified.out;
  EXPECT_THAT(certified.out, HasSubstr("1 enterprises certified on 2026-12-02"));
  CliResult then = Cli({"certification", "certified", "--on", "2021-05-09", "--all", "--json"});
  ASSERT_EQ(then.exit_code, 0) << then.err;
  const nlohmann::json then_json = nlohmann::json::parse(then.out);
  ASSERT_EQ(then_json["enterprises"].size(), 1u) << then.out;
  EXPECT_EQ(then_json["enterprises"][0]["level"], "LEVEL_MUNICIPAL");
  EXPECT_EQ(then_json["enterprises"][0]["title_id"], municipal.title_id());
  CliResult after = Cli({"certification", "certified", "--on", "2027-07-01"});
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_THAT(after.out, HasSubstr("0 enterprises certified on 2027-07-01"));
  CliResult elsewhere =
      Cli({"certification", "certified", "--on", "2026-12-02", "--town", "胥口镇"});
  ASSERT_EQ(elsewhere.exit_code, 0) << elsewhere.err;
  EXPECT_THAT(elsewhere.out, HasSubstr("0 enterprises certified"));
  CliResult by_industry = Cli({"certification", "certified", "--on", "2026-12-02", "--level",
                               "district", "--industry", "C17"});
  ASSERT_EQ(by_industry.exit_code, 0) << by_industry.err;
  EXPECT_THAT(by_industry.out, HasSubstr("1 enterprises certified"));

  // 2025: the one accepted balance test (it counts in the year its period ended). A title counts
  // as granted in the year of its valid_from: the district one in 2022.
  CliResult activity = Cli({"certification", "activity", "--year", "2025"});
  ASSERT_EQ(activity.exit_code, 0) << activity.err;
  EXPECT_THAT(activity.out, HasSubstr("Activity in 2025"));
  EXPECT_THAT(activity.out, HasSubstr("\nbalance tests:       1\n"));
  EXPECT_THAT(activity.out, HasSubstr("\naudits:              0\n"));
  EXPECT_THAT(activity.out, HasSubstr("\ngranted district:    0\n"));
  CliResult granted = Cli({"certification", "activity", "--year", "2022", "--json"});
  ASSERT_EQ(granted.exit_code, 0) << granted.err;
  const nlohmann::json granted_json = nlohmann::json::parse(granted.out);
  EXPECT_EQ(granted_json["year"], 2022);
  EXPECT_EQ(granted_json["balance_tests"], 0);
  EXPECT_EQ(granted_json["granted_district"], 1);
  EXPECT_EQ(granted_json["granted_municipal"], 0);

  // Leader eligibility on 2026-12-02, gate by gate (schemes.yaml leader-2023). The works'
  // metering (tools/registry/examples): 2, 14 and 46 declared points against 2 active level-1
  // meters, 1 level-2 and none at level 3 (LZ-FY-M21 is suspended): 2/2 = 100.00% >= 100%,
  // 1/14 = 7.14% (rounded down) < 95%, 0/46 < 85%. Quota announced no usage of 2025, so the
  // annual-intake gate fails first.
  const std::string metering =
      "level 1: 2/2 (100.00% >= 100.00%); level 2: 1/14 (7.14% < 95.00%); level 3: 0/46 (0.00% "
      "< 85.00%)";
  CliResult eligibility;
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] {
        eligibility = Cli({"certification", "eligibility", "--uscc", kUscc, "--level", "leader",
                           "--on", "2026-12-02"});
        return eligibility.exit_code == 0 && absl::StrContains(eligibility.out, metering);
      },
      std::chrono::seconds(60), std::chrono::milliseconds(200)))
      << "the registry's meters never reached certification: " << eligibility.out
      << eligibility.err;
  EXPECT_THAT(eligibility.out, HasSubstr(absl::StrCat("Eligibility of ", kUscc,
                                                      " for leader on 2026-12-02 "
                                                      "(scheme leader-2023 version 1)")));
  EXPECT_THAT(eligibility.out,
              ::testing::ContainsRegex("\nannual_intake +年取水量高于门槛 +failed +"
                                       "no usage announced for 2025\n"));
  EXPECT_THAT(eligibility.out,
              ::testing::ContainsRegex("\ncertified +已获节水型企业称号 +passed +valid title "
                                       "district 吴节水2022-07 until 2027-06-30\n"));
  EXPECT_THAT(eligibility.out,
              ::testing::ContainsRegex("\nno_over_plan +近3年无超计划取水 +passed +"
                                       "no annual over-plan alert in 2023-2026\n"));
  EXPECT_THAT(eligibility.out, ::testing::ContainsRegex("\nno_violation +近3年无违法违规 +passed +"
                                                        "no violation since 2023-12-02\n"));
  EXPECT_THAT(eligibility.out, HasSubstr(absl::StrCat("  failed  ", metering, "\n")));
  EXPECT_THAT(eligibility.out,
              ::testing::EndsWith("\nnot eligible: the first failed gate is annual_intake"));
  // The municipal scheme's balance test gate: the accepted test ended 2025-11-30, within the
  // 3 years back from 2026-12-02; the specialist is the works' 李娜.
  CliResult municipal_gates = Cli({"--json", "certification", "eligibility", "--uscc", kUscc,
                                   "--level", "municipal", "--on", "2026-12-02"});
  ASSERT_EQ(municipal_gates.exit_code, 0) << municipal_gates.err;
  const nlohmann::json report = nlohmann::json::parse(municipal_gates.out);
  EXPECT_EQ(report["scheme_id"], "municipal-2023");
  EXPECT_EQ(report["eligible"], false);
  std::map<std::string, nlohmann::json> gates;
  for (const auto& g : report["gates"]) {
    gates[g["gate_id"]] = g;
  }
  EXPECT_EQ(gates["balance_test"]["passed"], true);
  EXPECT_EQ(gates["balance_test"]["evidence"],
            absl::StrCat("latest accepted water balance test ", record_id, " ended 2025-11-30"));
  EXPECT_EQ(gates["specialist"]["evidence"], "specialist 李娜");
  EXPECT_EQ(gates["metering"]["passed"], false);

  // Bad options name the flag, exit 2 and call nothing.
  CliResult bad_day = Cli({"certification", "certified", "--on", "2026-13-01"});
  EXPECT_EQ(bad_day.exit_code, 2);
  EXPECT_THAT(bad_day.err, HasSubstr("certification certified: --on: expected YYYY-MM-DD, e.g. "
                                     "2026-12-02; got \"2026-13-01\""));
  EXPECT_TRUE(bad_day.out.empty()) << bad_day.out;
  CliResult bad_level = Cli({"certification", "eligibility", "--uscc", kUscc, "--level", "mayor"});
  EXPECT_EQ(bad_level.exit_code, 2);
  EXPECT_THAT(bad_level.err, HasSubstr("--level: expected district, municipal, provincial or "
                                       "leader; got \"mayor\""));
  CliResult no_reason = Cli({"certification", "review-record", record_id, "--return"});
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_THAT(no_reason.err, HasSubstr("--return needs --reason TEXT"));
  CliResult bad_days = Cli({"certification", "due", "--days", "0"});
  EXPECT_EQ(bad_days.exit_code, 2);
  EXPECT_THAT(bad_days.err, HasSubstr("--days"));
}

// A review of the district title and a draft application, through the due, reviews and
// applications commands. The title's last valid day, 2027-06-30, is 210 days after 2026-12-02
// (29 days left of December, then 31 + 28 + 31 + 30 + 31 + 30): the next 210 days are 2026-12-02
// to 2027-06-29, so --days 210 does not list it and --days 211 does.
TEST_F(CliIntegrationTest, ReviewsAndApplicationsShowInTheCertificationCommands) {
  ImportExamples();
  // The title needs the works known to certification: file (and so wait for) a balance test first.
  ASSERT_FALSE(FileBalanceTest(*cert_stub_).empty());
  const cert::Title title = ImportTitle(*cert_stub_, cert::LEVEL_DISTRICT, "吴节水2022-07",
                                        "吴水〔2022〕31号", D(2022, 7, 1));

  CliResult not_yet = Cli({"certification", "due", "--days", "210"});
  ASSERT_EQ(not_yet.exit_code, 0) << not_yet.err;
  EXPECT_THAT(not_yet.out, HasSubstr("in the next 210 days:\n  none\n"));
  EXPECT_THAT(not_yet.out, HasSubstr("0 titles expiring, 0 open reviews"));

  cert::OpenTitleReviewRequest open;
  open.set_title_id(title.title_id());
  open.add_reasons("五年期满复核");
  cert::TitleReview review;
  grpc::Status status =
      cert_stub_->OpenTitleReview(ingest::testing::Context(kKey).get(), open, &review);
  ASSERT_TRUE(status.ok()) << status.error_message();

  CliResult due = Cli({"certification", "due", "--days", "211"});
  ASSERT_EQ(due.exit_code, 0) << due.err;
  EXPECT_THAT(due.out, ::testing::ContainsRegex(
                           absl::StrCat("\n", title.title_id(), " +", kUscc,
                                        " +district +吴节水2022-07 +2027-06-30 +under_review\n")))
      << due.out;
  EXPECT_THAT(due.out, ::testing::ContainsRegex(absl::StrCat(
                           "\n", review.review_id(), " +", title.title_id(), " +", kUscc,
                           " +due +2026-12-02 10:00:00 +water_affairs:区水务局\n")));
  EXPECT_THAT(due.out, HasSubstr("1 titles expiring, 1 open reviews"));

  CliResult reviews = Cli({"certification", "reviews", "--uscc", kUscc, "--open"});
  ASSERT_EQ(reviews.exit_code, 0) << reviews.err;
  EXPECT_THAT(reviews.out, ::testing::ContainsRegex(absl::StrCat(
                               "\n", review.review_id(), " +", title.title_id(), " +", kUscc,
                               " +due +2026-12-02 10:00:00 +water_affairs:区水务局 +open +"
                               "五年期满复核\n")));
  EXPECT_THAT(reviews.out, HasSubstr("1 title reviews"));

  // A draft the works opened: no gates judged yet, its creation in the history.
  cert::CreateApplicationRequest create;
  create.mutable_uscc()->set_value(kUscc);
  create.set_level(cert::LEVEL_MUNICIPAL);
  (*create.mutable_documents())["intake_permit"] = "取水(吴)字[2021]第0012号";
  cert::Application application;
  status = cert_stub_->CreateApplication(ingest::testing::Context(kCertEnterpriseKey).get(), create,
                                         &application);
  ASSERT_TRUE(status.ok()) << status.error_message();

  CliResult applications =
      Cli({"certification", "applications", "--uscc", kUscc, "--state", "draft"});
  ASSERT_EQ(applications.exit_code, 0) << applications.err;
  EXPECT_THAT(applications.out,
              ::testing::ContainsRegex(absl::StrCat("\n", application.application_id(), " +", kUscc,
                                                    " +municipal +2026 +draft +"
                                                    "municipal-2023 v1 +2026-12-02 10:00:00\n")))
      << applications.out;
  EXPECT_THAT(applications.out, HasSubstr("1 applications"));
  CliResult granted_only = Cli({"certification", "applications", "--state", "granted"});
  ASSERT_EQ(granted_only.exit_code, 0) << granted_only.err;
  EXPECT_THAT(granted_only.out, HasSubstr("0 applications"));

  CliResult shown = Cli({"certification", "application", application.application_id()});
  ASSERT_EQ(shown.exit_code, 0) << shown.err;
  EXPECT_THAT(shown.out, ::testing::ContainsRegex("\nstate: +draft\n"));
  EXPECT_THAT(shown.out, ::testing::ContainsRegex("\ndocuments: +intake_permit: 取水"));
  EXPECT_THAT(shown.out, HasSubstr("Gates:\n  not judged yet"));
  EXPECT_THAT(shown.out, HasSubstr("Score sheets:\n  none yet\n"));
  EXPECT_THAT(shown.out, ::testing::ContainsRegex("\n +draft +create +enterprise:甪直印染 +"
                                                  "2026-12-02 10:00:00"));
  CliResult shown_json =
      Cli({"certification", "application", application.application_id(), "--json"});
  ASSERT_EQ(shown_json.exit_code, 0) << shown_json.err;
  EXPECT_EQ(nlohmann::json::parse(shown_json.out)["state"], "APPLICATION_STATE_DRAFT");

  CliResult missing = Cli({"certification", "application", "999999"});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("certification application: NOT_FOUND"));
}

}  // namespace
}  // namespace jieshui::cli
