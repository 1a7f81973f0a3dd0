// jieshui-cli report … against the real local stack: the registry and reporting run in-process
// with their own schemas and topics (reporting reads the registry's enterprise topic; quota's
// usage and certification's activity are published to reporting's topics as those services would
// announce them), reporting on a fixed clock (2026-12-02 10:00 in Shanghai), and the built
// jieshui-cli binary is run as a child process against their ports, as an operator would run it.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "domain/period.hpp"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "nlohmann/json.hpp"
#include "redis_server.hpp"
#include "registry/src/app.hpp"
#include "registry_test_env.hpp"
#include "reporting/src/app.hpp"
#include "service/start.hpp"
#include "sheet/sheet.hpp"
#include "testing/child_process.hpp"
#include "testing/service_env.hpp"
#include "testing/stack.hpp"

namespace jieshui::cli {
namespace {

namespace ev = ::jieshui::events::v1;
namespace cert = ::jieshui::certification::v1;
using ::testing::HasSubstr;
using ::testing::Not;

// The same raw key is a water_affairs key in both services' test environments.
constexpr const char* kKey = registry::testing::kWaterAffairsKey;
constexpr char kStatisticsKey[] = "cli-report-statistics-key";
constexpr char kIndustryKey[] = "cli-report-industry-key";
// From tools/registry/examples/enterprises.csv (all four above scale in the registry): the dyeing
// works in 甪直镇 and the steel works in 胥口镇.
constexpr char kDyeing[] = "91320506MA1N7K2Q3F";
constexpr char kSteel[] = "91350200776049653A";
const std::string kExamples = JIESHUI_SOURCE_DIR "/tools/registry/examples/";

// Reporting's fixed "now": 2026-12-02 10:00 in Shanghai, so what is in the future, late or
// overdue does not move with the day the test runs.
const absl::Time kNow = domain::StartOf(*domain::Date::Create(2026, 12, 2)) + absl::Hours(10);

struct CliResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// The line of `text` that starts with `prefix`, "" when none does.
std::string LineStarting(const std::string& text, const std::string& prefix) {
  for (absl::string_view line : absl::StrSplit(text, '\n')) {
    if (absl::StartsWith(line, prefix)) {
      return std::string(line);
    }
  }
  return "";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

class ReportCliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    work_dir_ = absl::StrCat(::testing::TempDir(), jieshui::testing::UniqueName("cli_report"));
    std::filesystem::create_directories(work_dir_);
    registry_env_ = registry::testing::MakeTestEnv();
    auto registry = registry::testing::StartApp(registry_env_.env);
    ASSERT_TRUE(registry.ok()) << registry.status();
    registry_ = *std::move(registry);
    StartReporting();
  }

  void TearDown() override {
    if (reporting_) {
      reporting_->Stop();
    }
    if (registry_) {
      registry_->Stop();
    }
  }

  // Reporting as deployed (services/reporting/tests starts it the same way): the registry's
  // enterprise topic, its own topics, schema, consumer group and a private redis-server.
  void StartReporting() {
    auto redis = redis::testing::RedisServerProcess::Start();
    ASSERT_TRUE(redis.ok()) << redis.status();
    redis_ = *std::move(redis);
    env_ = std::make_unique<jieshui::testing::ServiceEnv>(
        "reporting",
        std::vector<jieshui::testing::TestKey>{{kKey, "water_affairs", "", "区水务局"},
                                               {kStatisticsKey, "statistics", "", "区统计局"},
                                               {kIndustryKey, "industry", "", "区工信局"}});
    env_->Set("reporting.topics.registry_enterprise", registry_env_.enterprise_topic);
    usage_topic_ = env_->Unique("reporting.topics.quota_usage", "cli_rep_usage");
    env_->Unique("reporting.topics.certification_status", "cli_rep_status");
    activity_topic_ = env_->Unique("reporting.topics.certification_activity", "cli_rep_activity");
    env_->Unique("reporting.topics.submission", "cli_rep_submission");
    env_->Unique("reporting.topics.indicator", "cli_rep_indicator");
    env_->Unique("reporting.topics.dlq", "cli_rep_dlq");
    env_->Unique("reporting.consumer_group", "cli_rep_facts");
    env_->Set("redis.host", "127.0.0.1");
    env_->Set("redis.port", absl::StrCat(redis_->port()));
    env_->Unique("redis.key_prefix", "jieshui");
    auto app = service::LoadAndStart("reporting", env_->ConfigPath(), env_->env(),
                                     reporting::LoadReportingConfig, reporting::ReportingApp::Start,
                                     [] { return kNow; });
    ASSERT_TRUE(app.ok()) << app.status();
    reporting_ = *std::move(app);
  }

  // jieshui-cli with both services' addresses and JIESHUI_API_KEY = `key` (unset when empty),
  // stderr to `err_file`.
  std::vector<std::string> Argv(const std::vector<std::string>& args, const std::string& key,
                                const std::string& err_file) const {
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
                 absl::StrCat("--reporting=127.0.0.1:", reporting_->port())});
    argv.insert(argv.end(), args.begin(), args.end());
    return argv;
  }

  CliResult Cli(const std::vector<std::string>& args, const std::string& key = kKey) {
    const std::string err_file = absl::StrCat(work_dir_, "/stderr_", ++runs_);
    jieshui::testing::ChildProcess child;
    CliResult result;
    if (!child.Start(Argv(args, key, err_file))) {
      ADD_FAILURE() << "cannot start " << JIESHUI_CLI_BINARY;
      return result;
    }
    result.exit_code = child.Wait(std::chrono::seconds(120)).value_or(-1);
    // The reader thread has the whole output once the child is gone; ReadLine to EOF waits for it.
    while (child.ReadLine(std::chrono::seconds(10)).has_value()) {
    }
    result.out = absl::StrJoin(child.Lines(), "\n");
    result.err = ReadFile(err_file);
    return result;
  }

  std::string WriteFile(const std::string& name, const std::string& content) {
    std::string path = absl::StrCat(work_dir_, "/", name);
    std::ofstream out(path, std::ios::binary);
    out << content;
    return path;
  }

  // The registry's example enterprises, and reporting knowing them from its topic.
  void ImportEnterprises() {
    CliResult imported = Cli({"import", "enterprises", absl::StrCat(kExamples, "enterprises.csv")});
    ASSERT_EQ(imported.exit_code, 0) << imported.out << imported.err;
    ASSERT_TRUE(jieshui::testing::WaitFor(
        [&] {
          return absl::StrContains(Cli({"report", "value-added", "list", "--year", "2025"}).out,
                                   "4 registered enterprises without");
        },
        std::chrono::seconds(60), std::chrono::milliseconds(250)))
        << "reporting never learned the registry's four enterprises";
  }

  // A year of usage as quota announces it, month by month: tap water and recirculated water in
  // m³ a month.
  void AnnounceUsage(const char* uscc, int64_t tap_m3, int64_t recirculated_m3) {
    for (int m = 1; m <= 12; ++m) {
      ev::UsageChanged usage;
      usage.mutable_uscc()->set_value(uscc);
      usage.mutable_month()->set_year(2025);
      usage.mutable_month()->set_month(m);
      usage.mutable_intake_municipal_tap()->set_litres(tap_m3 * 1000);
      usage.mutable_recirculated()->set_litres(recirculated_m3 * 1000);
      usage.mutable_new_water()->set_litres(tap_m3 * 1000);
      quota_.Publish(usage_topic_, uscc, usage);
    }
  }

  std::string work_dir_;
  int runs_ = 0;
  registry::testing::TestEnv registry_env_;
  std::unique_ptr<registry::RegistryApp> registry_;
  std::unique_ptr<redis::testing::RedisServerProcess> redis_;
  std::unique_ptr<jieshui::testing::ServiceEnv> env_;
  std::unique_ptr<reporting::ReportingApp> reporting_;
  std::string usage_topic_;
  std::string activity_topic_;
  jieshui::testing::EventPublisher quota_{"quota"};
  jieshui::testing::EventPublisher certification_{"certification"};
};

TEST_F(ReportCliTest, TargetsListTheAttachmentTableAndAnEditIsAVersionWithItsReason) {
  CliResult targets = Cli({"report", "targets", "--from-year", "2025", "--to-year", "2025"});
  ASSERT_EQ(targets.exit_code, 0) << targets.err;
  // The attachment table's row 2 for 2025: 93%, the shipped default (version 0).
  const std::string repeat = LineStarting(targets.out, "repeat_utilisation_above_scale ");
  EXPECT_THAT(repeat, HasSubstr(" 2025   93.00%        0  行动方案附表"));
  EXPECT_THAT(LineStarting(targets.out, "carrier_coverage "), HasSubstr("80.00%"));
  EXPECT_THAT(LineStarting(targets.out, "balance_tests "), HasSubstr(">= 5"));
  EXPECT_THAT(targets.out, Not(HasSubstr(" 2024 ")));

  // The text's 90% for coverage in 2025 beside the table's 80%.
  CliResult set = Cli({"report", "set-target", "carrier_coverage", "--year", "2025", "--percent",
                       "90.00", "--reason", "正文目标 90%"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_THAT(set.out, HasSubstr("target of carrier_coverage for 2025 is now 90.00% (version 1, "
                                 "set by water_affairs:区水务局 at 2026-12-02 10:00:00): 正文目标 "
                                 "90%"));
  CliResult in_force = Cli({"report", "targets", "--from-year", "2025", "--to-year", "2025"});
  EXPECT_THAT(LineStarting(in_force.out, "carrier_coverage "), HasSubstr("90.00%        1"));
  CliResult history =
      Cli({"report", "targets", "--from-year", "2025", "--to-year", "2025", "--history"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out, HasSubstr("80.00%        0  行动方案附表"));
  EXPECT_THAT(history.out,
              HasSubstr("90.00%        1  正文目标 90%                    water_affairs:区水务局  "
                        "2026-12-02 10:00:00"));
  CliResult json = Cli({"report", "targets", "--from-year", "2025", "--to-year", "2025", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  int coverage = 0;
  const nlohmann::json listed = nlohmann::json::parse(json.out);
  for (const auto& t : listed["targets"]) {
    if (t["code"] == "carrier_coverage") {
      ++coverage;
      EXPECT_EQ(t["basis_points"], "9000");  // int64 in proto3 JSON
    }
  }
  EXPECT_EQ(coverage, 1);

  // A percent for a count would be kept as a minimum of 0: refused before the call.
  CliResult wrong_unit = Cli({"report", "set-target", "balance_tests", "--year", "2025",
                              "--percent", "50", "--reason", "x"});
  EXPECT_EQ(wrong_unit.exit_code, 2);
  EXPECT_THAT(wrong_unit.err, HasSubstr("--percent: balance_tests is a count: give its minimum "
                                        "with --count"));
  CliResult count = Cli({"report", "set-target", "balance_tests", "--year", "2025", "--count", "6",
                         "--reason", "区级加码"});
  ASSERT_EQ(count.exit_code, 0) << count.err;
  EXPECT_THAT(count.out, HasSubstr("is now >= 6 (version 1"));
  // Only water_affairs edits targets; the refusal names the code.
  CliResult denied =
      Cli({"report", "set-target", "audits", "--year", "2025", "--count", "3", "--reason", "x"},
          kStatisticsKey);
  EXPECT_EQ(denied.exit_code, 2);
  EXPECT_THAT(denied.err, HasSubstr("PERMISSION_DENIED"));
  CliResult unknown = Cli({"report", "set-target", "no_such_indicator", "--year", "2025",
                           "--percent", "5", "--reason", "x"});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_THAT(unknown.err, HasSubstr("INVALID_ARGUMENT: code: no indicator \"no_such_indicator\""));
}

TEST_F(ReportCliTest, ValueAddedImportsNameEveryBadRowAndTheIndicatorsFollowTheFlags) {
  ImportEnterprises();

  // Lines 2 and 3 are good; line 4 holds a negative value and line 5 a flag that is no word: both
  // are reported by line and column and not sent, and the good rows are stored.
  const std::string csv = WriteFile(
      "va2025.csv", absl::StrCat("\xEF\xBB\xBF统一社会信用代码,企业名称,年份,工业增加值(万元),"
                                 "规模以上\r\n",
                                 kDyeing, ",苏州甪直纺织印染有限公司,2025,30000.5,是\r\n", kSteel,
                                 ",苏州吴中特钢压延有限公司,2025,10000.1234,否\r\n",
                                 "91440101MA5CJQ4N59,苏州临湖精细化工有限公司,2025,-5,是\r\n",
                                 "913502000728319549,苏州郭巷纸业有限公司,2025,800,maybe\r\n"));
  CliResult dry = Cli({"report", "value-added", "import", csv, "--dry-run"}, kStatisticsKey);
  EXPECT_EQ(dry.exit_code, 1) << dry.err;
  EXPECT_THAT(dry.out, HasSubstr("4 rows, 2 not sent (bad cells); dry run, nothing sent"));
  CliResult listed_before =
      Cli({"report", "value-added", "list", "--year", "2025"}, kStatisticsKey);
  EXPECT_THAT(listed_before.out, HasSubstr("0 enterprises with value added for 2025"));

  CliResult imported = Cli({"report", "value-added", "import", csv}, kStatisticsKey);
  EXPECT_EQ(imported.exit_code, 1) << imported.out << imported.err;
  EXPECT_THAT(imported.out,
              HasSubstr("va2025.csv: 4 rows, 2 not sent (bad cells); 2 sent: accepted 2, "
                        "rejected 0 (version 1)"));
  EXPECT_THAT(imported.out, HasSubstr("va2025.csv: line 4, column 4 (工业增加值(万元)): must not "
                                      "be negative; got \"-5\""));
  EXPECT_THAT(imported.out, HasSubstr("va2025.csv: line 5, column 5 (规模以上): expected 是 or 否 "
                                      "(yes/no, true/false, 1/0); got \"maybe\""));

  // 30,000.5 万元 and 10,000.1234 万元 to the fen; the version and the file it came from.
  CliResult listed = Cli({"report", "value-added", "list", "--year", "2025"}, kStatisticsKey);
  ASSERT_EQ(listed.exit_code, 0) << listed.err;
  EXPECT_THAT(LineStarting(listed.out, kDyeing),
              HasSubstr("2025      300005000.00  30000.5000  yes                1  va2025.csv"));
  EXPECT_THAT(LineStarting(listed.out, kSteel), HasSubstr("100001234.00  10000.1234  no"));
  EXPECT_THAT(listed.out, HasSubstr("2 enterprises with value added for 2025; 2 registered "
                                    "enterprises without"));
  CliResult one =
      Cli({"report", "value-added", "list", "--year", "2025", "--uscc", kSteel, "--json"},
          kStatisticsKey);
  ASSERT_EQ(one.exit_code, 0) << one.err;
  const nlohmann::json rows = nlohmann::json::parse(one.out)["rows"];
  ASSERT_EQ(rows.size(), 1u);
  EXPECT_EQ(rows[0]["value_added"]["fen"], "10000123400");

  // An enterprise the registry does not have: the service refuses the whole file, naming the row
  // by its line and the file's column.
  const std::string unknown_uscc = registry::testing::UsccFor(4242);
  const std::string refused_csv =
      WriteFile("va2025-b.csv", absl::StrCat("uscc,year,value_added_wan,above_scale\n", kDyeing,
                                             ",2025,30001,yes\n", unknown_uscc, ",2025,1,no\n"));
  CliResult refused = Cli(
      {"report", "value-added", "import", refused_csv, "--source", "2025年规上工业增加值(修订)"},
      kStatisticsKey);
  EXPECT_EQ(refused.exit_code, 1) << refused.out << refused.err;
  EXPECT_THAT(refused.out, HasSubstr("2 rows; 2 sent: accepted 0, rejected 1 (the service refused "
                                     "the import: nothing was stored)"));
  EXPECT_THAT(refused.out,
              HasSubstr(absl::StrCat("va2025-b.csv: line 3, column 1 (uscc): enterprise ",
                                     unknown_uscc, " is not in the registry")));
  // The same from the XLSX a spreadsheet saves (written here with the platform's own writer): a
  // title line above the header, the year and value as numbers; line 4's value is negative.
  sheet::Sheet va2024{.name = "2024年",
                      .title = {"2024年规模以上工业增加值"},
                      .columns = {{.header = "统一社会信用代码", .group = "", .width = 22},
                                  {.header = "年份", .group = "", .width = 8},
                                  {.header = "工业增加值(万元)", .group = "", .width = 16},
                                  {.header = "规模以上", .group = "", .width = 8}},
                      .rows = {}};
  va2024.rows.push_back({std::string(kDyeing), int64_t{2024},
                         sheet::Fixed{.units = 120'002'500, .scale = 4}, std::string("是")});
  va2024.rows.push_back({std::string(kSteel), int64_t{2024},
                         sheet::Fixed{.units = -10'000, .scale = 4}, std::string("否")});
  auto xlsx_bytes = sheet::WriteXlsx(sheet::Workbook{.sheets = {va2024}});
  ASSERT_TRUE(xlsx_bytes.ok()) << xlsx_bytes.status();
  const std::string xlsx = WriteFile("va2024.xlsx", *xlsx_bytes);
  CliResult from_xlsx = Cli({"report", "value-added", "import", xlsx}, kStatisticsKey);
  EXPECT_EQ(from_xlsx.exit_code, 1) << from_xlsx.out << from_xlsx.err;
  EXPECT_THAT(from_xlsx.out, HasSubstr("va2024.xlsx: 2 rows, 1 not sent (a bad cell); 1 sent: "
                                       "accepted 1, rejected 0 (version "));
  EXPECT_THAT(from_xlsx.out, HasSubstr("va2024.xlsx: line 4, column 3 (工业增加值(万元)): must "
                                       "not be negative; got \"-1\""));
  CliResult listed_2024 = Cli({"report", "value-added", "list", "--year", "2024"}, kStatisticsKey);
  EXPECT_THAT(LineStarting(listed_2024.out, kDyeing), HasSubstr("120002500.00  12000.2500  yes"));
  EXPECT_THAT(LineStarting(listed_2024.out, kDyeing), HasSubstr("va2024.xlsx"));

  // A malformed file says so and sends nothing; only Statistics imports.
  CliResult malformed =
      Cli({"report", "value-added", "import", WriteFile("bad.csv", "uscc,year\n1,2\n")},
          kStatisticsKey);
  EXPECT_EQ(malformed.exit_code, 2);
  EXPECT_THAT(malformed.err, HasSubstr("line 1: missing columns: "));
  CliResult not_statistics = Cli({"report", "value-added", "import", refused_csv});
  EXPECT_EQ(not_statistics.exit_code, 2);
  EXPECT_THAT(not_statistics.err, HasSubstr("PERMISSION_DENIED"));

  // Row 2 of the attachment table for 2025. The dyeing works takes 20,000 m³ of tap water a
  // month and recirculates 230,000 m³; the steel works 5,000 and 5,000. Statistics counts the
  // steel works out of the above-scale set for 2025 (the registry has it in), so
  // R = 2,760,000 / (2,760,000 + 240,000) m³ = 92.00% (with it, 2,820,000 / 3,120,000 = 90.38%),
  // against 93.00%: 1.00% behind.
  AnnounceUsage(kDyeing, 20'000, 230'000);
  AnnounceUsage(kSteel, 5'000, 5'000);
  CliResult indicators;
  ASSERT_TRUE(jieshui::testing::WaitFor(
      [&] {
        indicators = Cli({"report", "indicators", "--year", "2025", "--code",
                          "repeat_utilisation_above_scale", "--code", "balance_tests"});
        return absl::StrContains(indicators.out, "92.00%");
      },
      std::chrono::seconds(60), std::chrono::milliseconds(250)))
      << indicators.out << indicators.err;
  EXPECT_THAT(indicators.out, HasSubstr("Indicators of district for 2025 (as of "));
  EXPECT_THAT(LineStarting(indicators.out, "repeat_utilisation_above_scale "),
              HasSubstr("92.00%  2760000000   3000000000  93.00%  1.00%  no"));
  EXPECT_THAT(LineStarting(indicators.out, "balance_tests "),
              HasSubstr("       0                             >= 5      5  no"));
  EXPECT_THAT(indicators.out, HasSubstr("2 indicators"));
  CliResult json = Cli({"report", "indicators", "--year", "2025", "--json", "--code",
                        "repeat_utilisation_above_scale"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json set = nlohmann::json::parse(json.out);
  EXPECT_EQ(set["indicators"][0]["ratio"]["basis_points"], "9200");
  EXPECT_EQ(set["indicators"][0]["target_basis_points"], "9300");
  // 甪直镇 holds the dyeing works alone.
  CliResult town = Cli({"report", "indicators", "--scope", "town:甪直镇", "--year", "2025",
                        "--code", "repeat_utilisation_above_scale"});
  EXPECT_THAT(town.out, HasSubstr("Indicators of town:甪直镇 for 2025"));
  EXPECT_THAT(town.out, HasSubstr("92.00%"));

  // The enterprises behind it: the dyeing works' sums; the steel works outside the set.
  CliResult contributors =
      Cli({"report", "contributors", "repeat_utilisation_above_scale", "--year", "2025"});
  ASSERT_EQ(contributors.exit_code, 0) << contributors.err;
  EXPECT_THAT(contributors.out,
              HasSubstr("of district for 2025: 92.00% (2760000000 / 3000000000)"));
  EXPECT_THAT(LineStarting(contributors.out, kDyeing), HasSubstr("2760000000   3000000000  yes"));

  // The same enterprises as a CSV export (a UTF-8 byte-order mark first, for Excel), written whole
  // with no .part left behind.
  const std::string exported = absl::StrCat(work_dir_, "/contributors.csv");
  CliResult export_csv =
      Cli({"report", "export", "contributors", "--format", "csv", "--out", exported, "--year",
           "2025", "--code", "repeat_utilisation_above_scale"});
  ASSERT_EQ(export_csv.exit_code, 0) << export_csv.err;
  EXPECT_THAT(export_csv.out, HasSubstr(absl::StrCat("wrote ", exported, ": ")));
  const std::string csv_bytes = ReadFile(exported);
  EXPECT_TRUE(absl::StartsWith(csv_bytes, "\xEF\xBB\xBF")) << csv_bytes.substr(0, 40);
  EXPECT_THAT(csv_bytes, HasSubstr(kDyeing));
  EXPECT_FALSE(std::filesystem::exists(exported + ".part"));

  // Its history (the changes since 2023) ends at 92.00%.
  CliResult history = Cli({"report", "history", "repeat_utilisation_above_scale", "--year", "2025",
                           "--from", "2023-01-01", "--all"});
  ASSERT_EQ(history.exit_code, 0) << history.err;
  EXPECT_THAT(history.out,
              HasSubstr("History of repeat_utilisation_above_scale of district for 2025"));
  const std::vector<std::string> lines = absl::StrSplit(history.out, '\n');
  ASSERT_GE(lines.size(), 4u);
  EXPECT_THAT(lines[lines.size() - 2], HasSubstr("92.00%  2760000000   3000000000  93.00%"));

  // A watch: the set now, then the change an accepted balance test makes; --count 2 ends it.
  jieshui::testing::ChildProcess watch;
  ASSERT_TRUE(watch.Start(
      Argv({"report", "watch", "--year", "2025", "--code", "balance_tests", "--count", "2"}, kKey,
           absl::StrCat(work_dir_, "/stderr_watch"))));
  auto first = watch.WaitForLine("balance_tests ", std::chrono::seconds(30));
  ASSERT_TRUE(first.has_value());
  EXPECT_THAT(*first, HasSubstr("  0  "));
  ev::RecordChanged record;
  record.mutable_record()->set_record_id("cli-1");
  record.mutable_record()->mutable_uscc()->set_value(kDyeing);
  record.mutable_record()->set_kind(cert::RECORD_KIND_BALANCE_TEST);
  record.mutable_record()->set_year(2025);
  record.mutable_record()->set_status(cert::RECORD_STATUS_ACCEPTED);
  certification_.Publish(activity_topic_, kDyeing, record);
  auto second = watch.WaitForLine("balance_tests ", std::chrono::seconds(30));
  ASSERT_TRUE(second.has_value()) << ReadFile(absl::StrCat(work_dir_, "/stderr_watch"));
  EXPECT_THAT(*second, HasSubstr("  1  "));
  EXPECT_EQ(watch.Wait(std::chrono::seconds(30)), 0);
}

TEST_F(ReportCliTest, TheBaselineIsEnteredOnceThenChangedWithAReason) {
  CliResult none = Cli({"report", "baseline"});
  EXPECT_EQ(none.exit_code, 2);
  EXPECT_THAT(none.err, HasSubstr("NOT_FOUND: the 2020 baseline has not been entered"));

  CliResult set = Cli({"report", "set-baseline", "--new-water-m3", "41200000", "--value-added-wan",
                       "2650000.5", "--reclaimed-m3", "3100000.25"});
  ASSERT_EQ(set.exit_code, 0) << set.err;
  EXPECT_THAT(set.out, HasSubstr("version:             1\n"));
  CliResult got = Cli({"report", "baseline"});
  ASSERT_EQ(got.exit_code, 0) << got.err;
  EXPECT_THAT(got.out, HasSubstr("baseline year:       2020\n"));
  EXPECT_THAT(got.out, HasSubstr("new water m³:        41200000.000\n"));
  EXPECT_THAT(got.out, HasSubstr("value added yuan:    26500005000.00\n"));
  EXPECT_THAT(got.out, HasSubstr("value added 万元:    2650000.5000\n"));
  EXPECT_THAT(got.out, HasSubstr("reclaimed water m³:  3100000.250\n"));
  EXPECT_THAT(got.out, HasSubstr("set by:              water_affairs:区水务局\n"));
  CliResult json = Cli({"report", "baseline", "--json"});
  EXPECT_EQ(nlohmann::json::parse(json.out)["value_added"]["fen"], "2650000500000");

  // A change needs its reason (the service names the field), then is version 2.
  CliResult no_reason = Cli({"report", "set-baseline", "--new-water-m3", "41300000",
                             "--value-added-wan", "2650000.5", "--reclaimed-m3", "3100000.25"});
  EXPECT_EQ(no_reason.exit_code, 2);
  EXPECT_THAT(no_reason.err, HasSubstr("INVALID_ARGUMENT: reason"));
  CliResult changed =
      Cli({"report", "set-baseline", "--new-water-m3", "41300000", "--value-added-wan", "2650000.5",
           "--reclaimed-m3", "3100000.25", "--reason", "统计年鉴修订"});
  ASSERT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_THAT(Cli({"report", "baseline"}).out, HasSubstr("version:             2\n"));
  // A bad figure names its flag before anything is sent.
  CliResult bad = Cli({"report", "set-baseline", "--new-water-m3", "41300000", "--value-added-wan",
                       "2650000.12345", "--reclaimed-m3", "0"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_THAT(bad.err, HasSubstr("--value-added-wan: at most 4 decimals"));
}

TEST_F(ReportCliTest, AnnualReportsAreFiledByDepartmentAndListedOnTimeLateOrOverdue) {
  const std::string text = WriteFile("report.txt", "2026年节水行动实施情况：完成水平衡测试6家。\n");
  CliResult filed = Cli({"report", "file-annual-report", "--year", "2026", "--text-file", text,
                         "--doc", "吴水〔2026〕120号", "--doc", "附件1.pdf"});
  ASSERT_EQ(filed.exit_code, 0) << filed.err;
  EXPECT_THAT(filed.out, HasSubstr("annual report of water_affairs for 2026 filed on_time (version "
                                   "1, by water_affairs:区水务局 at 2026-12-02 10:00:00)"));
  CliResult late =
      Cli({"report", "file-annual-report", "--year", "2025", "--text-file", text}, kIndustryKey);
  ASSERT_EQ(late.exit_code, 0) << late.err;
  EXPECT_THAT(late.out, HasSubstr("filed late"));

  CliResult year2026 = Cli({"report", "annual-reports", "--year", "2026"});
  ASSERT_EQ(year2026.exit_code, 0) << year2026.err;
  EXPECT_THAT(year2026.out, HasSubstr("Annual implementation reports for 2026 (due 2026-12-10)"));
  EXPECT_THAT(LineStarting(year2026.out, "water_affairs "),
              HasSubstr("on_time        1  2026-12-02 10:00:00  water_affairs:区水务局  "
                        "吴水〔2026〕120号; 附件1.pdf"));
  EXPECT_THAT(LineStarting(year2026.out, "industry "), HasSubstr("pending"));
  CliResult year2025 = Cli({"report", "annual-reports", "--year", "2025"});
  EXPECT_THAT(LineStarting(year2025.out, "industry "), HasSubstr("late"));
  EXPECT_THAT(LineStarting(year2025.out, "statistics "), HasSubstr("overdue"));
  CliResult missing = Cli({"report", "file-annual-report", "--year", "2026", "--text-file",
                           absl::StrCat(work_dir_, "/no-such.txt")});
  EXPECT_EQ(missing.exit_code, 2);
  EXPECT_THAT(missing.err, HasSubstr("cannot open"));
}

TEST_F(ReportCliTest, TheAnnualReportExportIsWrittenAsTheWorkbookTheServiceSends) {
  const std::string out = absl::StrCat(work_dir_, "/annual.xlsx");
  CliResult exported = Cli(
      {"report", "export", "annual-report", "--format", "xlsx", "--out", out, "--year", "2025"});
  ASSERT_EQ(exported.exit_code, 0) << exported.err;
  EXPECT_THAT(exported.out, HasSubstr(absl::StrCat("wrote ", out, ": ")));
  EXPECT_THAT(exported.out, HasSubstr(".xlsx)"));  // the name the service suggests
  EXPECT_FALSE(std::filesystem::exists(out + ".part"));
  auto sheets = sheet::ReadXlsx(ReadFile(out));
  ASSERT_TRUE(sheets.ok()) << sheets.status();
  ASSERT_FALSE(sheets->empty());
  EXPECT_EQ(sheets->front().name, "分年度实施计划表");
  // The attachment table's row 2 with its 2025 target.
  bool repeat_row = false;
  for (const std::vector<std::string>& row : sheets->front().rows) {
    const std::string joined = absl::StrJoin(row, "|");
    repeat_row =
        repeat_row || (absl::StrContains(joined, "重复利用率") && absl::StrContains(joined, "93"));
  }
  EXPECT_TRUE(repeat_row);
  CliResult json = Cli({"report", "export", "annual-report", "--format", "csv", "--out",
                        absl::StrCat(work_dir_, "/annual.csv"), "--year", "2025", "--json"});
  ASSERT_EQ(json.exit_code, 0) << json.err;
  const nlohmann::json written = nlohmann::json::parse(json.out);
  EXPECT_GT(written["bytes"].get<int64_t>(), 3);
  EXPECT_EQ(written["bytes"].get<int64_t>(),
            static_cast<int64_t>(ReadFile(absl::StrCat(work_dir_, "/annual.csv")).size()));

  // A refusal leaves no file: the annual report is asked for by year.
  const std::string refused_out = absl::StrCat(work_dir_, "/refused.xlsx");
  CliResult refused = Cli({"report", "export", "annual-report", "--format", "xlsx", "--out",
                           refused_out, "--month", "2025-11"});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_THAT(refused.err, HasSubstr("INVALID_ARGUMENT: period"));
  EXPECT_FALSE(std::filesystem::exists(refused_out));
  EXPECT_FALSE(std::filesystem::exists(refused_out + ".part"));
}

TEST_F(ReportCliTest, BadOptionsNameTheFlagBeforeAnythingIsCalled) {
  CliResult no_period = Cli({"report", "indicators"});
  EXPECT_EQ(no_period.exit_code, 2);
  EXPECT_THAT(
      no_period.err,
      HasSubstr("report indicators: one of --year, --ytd, --quarter or --month is required"));
  CliResult quarter = Cli({"report", "indicators", "--quarter", "2026-Q5"});
  EXPECT_EQ(quarter.exit_code, 2);
  EXPECT_THAT(quarter.err, HasSubstr("--quarter: expected YYYY-Qn"));
  CliResult scope = Cli({"report", "indicators", "--year", "2025", "--scope", "city:苏州"});
  EXPECT_EQ(scope.exit_code, 2);
  EXPECT_THAT(scope.err, HasSubstr("--scope: expected district, town:NAME"));
  // The service's refusals name the field: a period in the future, an unknown code.
  CliResult future = Cli({"report", "indicators", "--year", "2027"});
  EXPECT_EQ(future.exit_code, 2);
  EXPECT_THAT(future.err, HasSubstr("INVALID_ARGUMENT: period: 2027 is in the future"));
  CliResult code = Cli({"report", "indicators", "--month", "2026-11", "--code", "nope"});
  EXPECT_EQ(code.exit_code, 2);
  EXPECT_THAT(code.err, HasSubstr("codes[0]"));
  CliResult no_key = Cli({"report", "targets"}, "");
  EXPECT_EQ(no_key.exit_code, 2);
  EXPECT_THAT(no_key.err, HasSubstr("UNAUTHENTICATED"));
  CliResult export_code = Cli({"report", "export", "contributors", "--format", "csv", "--out",
                               absl::StrCat(work_dir_, "/c.csv"), "--year", "2025"});
  EXPECT_EQ(export_code.exit_code, 2);
  EXPECT_THAT(export_code.err, HasSubstr("--code: the contributors export"));
  EXPECT_FALSE(std::filesystem::exists(absl::StrCat(work_dir_, "/c.csv.part")));
}

}  // namespace
}  // namespace jieshui::cli
