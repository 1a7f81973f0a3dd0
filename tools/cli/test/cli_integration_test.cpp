// jieshui-cli against the real local stack: the registry, ingest and quota run in-process with
// their own schemas and topics (ingest reads the registry's meter topic, quota its enterprise
// topic), and the built jieshui-cli binary is run as a child process against their ports, as an
// operator would run it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/period.hpp"
#include "ingest/src/app.hpp"
#include "ingest_test_env.hpp"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "quota/src/app.hpp"
#include "quota_test_env.hpp"
#include "redis_server.hpp"
#include "registry/src/app.hpp"
#include "registry_test_env.hpp"
#include "testing/child_process.hpp"
#include "testing/stack.hpp"

namespace jieshui::cli {
namespace {

using ::testing::HasSubstr;

// The same raw key is a water_affairs key in all three services' test environments.
constexpr const char* kKey = ingest::testing::kWaterAffairsKey;
// From tools/registry/examples: the dyeing works and its level-1 municipal tap meter.
constexpr char kUscc[] = "91320506MA1N7K2Q3F";
constexpr char kName[] = "苏州甪直纺织印染有限公司";
constexpr char kMeter[] = "LZ-FY-M01";
const std::string kExamples = JIESHUI_SOURCE_DIR "/tools/registry/examples/";

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
  }

  void TearDown() override {
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
    auto app = quota::testing::StartApp(quota::testing::QuotaEnv(
        ingest_env_.env, jieshui::testing::UniqueName("quota"), redis_->port(),
        quota::testing::MakeTopics(ingest_env_.reading_topic, registry_env_.enterprise_topic)));
    ASSERT_TRUE(app.ok()) << app.status();
    quota_ = *std::move(app);
    quota_stub_ = quota::v1::QuotaService::NewStub(grpc::CreateChannel(
        absl::StrCat("127.0.0.1:", quota_->port()), grpc::InsecureChannelCredentials()));
  }

  // Runs jieshui-cli with the three services' addresses and JIESHUI_API_KEY = `key` (unset when
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
                 absl::StrCat("--quota=127.0.0.1:", quota_->port())});
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
  std::unique_ptr<quota::QuotaApp> quota_;
  std::unique_ptr<quota::v1::QuotaService::Stub> quota_stub_;
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

}  // namespace
}  // namespace jieshui::cli
