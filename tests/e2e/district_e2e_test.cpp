// End to end: a small simulated district through every service, as users run them. The registry,
// ingest, quota, certification and reporting binaries run as child processes on their own topics
// and schemas against the real Kafka, PostgreSQL and Redis; jieshui-simulator makes the
// applicants' enterprise keys (the services start with them), registers the district, streams its
// readings (gRPC and HJ 212, with outages, back-fill, duplicates, late readings, roll-overs and
// bursts), loads its certification history (records filed and reviewed, titles imported,
// applications driven by the enterprises and the bureaus), and submits Statistics' value added
// (then a few rows revised, as a new version) and the 2020 baseline. The test then works out,
// from the simulator's ground truth and the rules as DOMAIN.md, the certification contract and
// reporting's README state them (not from the services' code), each enterprise's monthly intake
// by source, the alerts that must have been raised, the surcharges due, the activity counted per
// year, who is certified today at which level, where the applications stand, which titles have
// expired, and the action plan's six rows for each simulated year, and compares them with what
// quota, certification and reporting serve.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <tuple>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "district.hpp"
#include "domain/period.hpp"
#include "grpcpp/grpcpp.h"
#include "grpcserver/auth.hpp"
#include "jieshui/certification/v1/certification_service.grpc.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "jieshui/reporting/v1/reporting_service.grpc.pb.h"
#include "kafka/topic_reader.hpp"
#include "nlohmann/json.hpp"
#include "testing/child_process.hpp"
#include "testing/stack.hpp"

namespace jieshui::simulator {
namespace {

namespace rv1 = ::jieshui::registry::v1;
namespace qv1 = ::jieshui::quota::v1;
namespace cv1 = ::jieshui::certification::v1;
namespace pv1 = ::jieshui::reporting::v1;
using ::jieshui::testing::ChildProcess;

constexpr char kWaterAffairsKey[] = "e2e-water-affairs-key-0123456789abcdef";
constexpr char kIndustryKey[] = "e2e-industry-key-0123456789abcdef";
constexpr char kStatisticsKey[] = "e2e-statistics-key-0123456789abcdef";

// DOMAIN.md's default bands (from the 2017 national guideline) and the illustrative base prices
// of quota.yaml, in fen per m³: tap 4.10, self-supplied surface 0.50, self-supplied ground 2.00
// yuan.
struct Band {
  int64_t from_bp;
  int64_t to_bp;  // -1: unbounded
  int64_t multiplier_num;
  int64_t multiplier_den;
};
constexpr Band kBands[] = {{0, 2000, 1, 2}, {2000, 4000, 1, 1}, {4000, -1, 2, 1}};
const std::map<rv1::MeasuredFlow, int64_t> kPriceFen = {
    {rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP, 410},
    {rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE, 50},
    {rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND, 200}};

int64_t DivideHalfUp(absl::int128 numerator, absl::int128 denominator) {
  return static_cast<int64_t>((numerator * 2 + denominator) / (denominator * 2));
}

// The progressive surcharge of `over` litres beyond `allowed`, priced at the intake-weighted
// price of the month's new-water sources, each band rounded to the fen once.
int64_t ExpectedSurchargeFen(int64_t allowed, int64_t used,
                             const std::map<rv1::MeasuredFlow, int64_t>& intake) {
  const int64_t over = std::max<int64_t>(0, used - allowed);
  int64_t price_numerator = 0;  // Σ litres × fen/m³
  int64_t price_denominator = 0;
  for (const auto& [flow, fen] : kPriceFen) {
    const auto it = intake.find(flow);
    const int64_t litres = it == intake.end() ? 0 : it->second;
    price_numerator += litres * fen;
    price_denominator += litres;
  }
  if (over == 0 || price_denominator == 0) {
    return 0;
  }
  int64_t total = 0;
  for (const Band& band : kBands) {
    const int64_t lo = DivideHalfUp(absl::int128(allowed) * band.from_bp, 10000);
    const int64_t hi =
        band.to_bp < 0 ? over : DivideHalfUp(absl::int128(allowed) * band.to_bp, 10000);
    const int64_t litres = std::max<int64_t>(0, std::min(over, std::max(hi, lo)) - lo);
    total += DivideHalfUp(absl::int128(litres) * price_numerator * band.multiplier_num,
                          absl::int128(1000) * price_denominator * band.multiplier_den);
  }
  return total;
}

// numerator / denominator × 10000, rounded once, half away from zero (reporting's README).
int64_t BasisPoints(absl::int128 numerator, absl::int128 denominator) {
  const bool negative = (numerator < 0) != (denominator < 0);
  const absl::int128 n = numerator < 0 ? -numerator : numerator;
  const absl::int128 d = denominator < 0 ? -denominator : denominator;
  const absl::int128 bp = (n * 20000 + d) / (d * 2);
  return static_cast<int64_t>(negative ? -bp : bp);
}

std::string Decimal(absl::int128 n) {
  std::ostringstream out;
  out << n;
  return out.str();
}

// One row of the action plan's attachment table: a ratio's exact sums (0/0: undefined), or a
// count.
struct ExpectedRow {
  std::string code;
  bool count = false;
  absl::int128 numerator = 0;
  absl::int128 denominator = 0;
  int64_t value = 0;
};

// Whether reporting serves `want` as `got`: the numerator and denominator exactly, whether it is
// defined, its basis points; a count as it stands.
bool SameRow(const ExpectedRow& want, const pv1::Indicator& got) {
  if (want.count) {
    return got.unit() == pv1::INDICATOR_UNIT_COUNT && got.count() == want.value;
  }
  const bool defined = want.denominator != 0;
  return got.unit() == pv1::INDICATOR_UNIT_RATIO &&
         got.ratio().numerator() == Decimal(want.numerator) &&
         got.ratio().denominator() == Decimal(want.denominator) &&
         got.ratio().defined() == defined &&
         (!defined || got.ratio().basis_points() == BasisPoints(want.numerator, want.denominator));
}

std::string RowText(const ExpectedRow& r) {
  if (r.count) {
    return absl::StrCat(r.code, " ", r.value);
  }
  return absl::StrCat(
      r.code, " ", Decimal(r.numerator), "/", Decimal(r.denominator), " (",
      r.denominator == 0 ? "undefined" : absl::StrCat(BasisPoints(r.numerator, r.denominator)),
      ")");
}

std::string RowText(const pv1::Indicator& i) {
  if (i.unit() == pv1::INDICATOR_UNIT_COUNT) {
    return absl::StrCat(i.code(), " ", i.count());
  }
  return absl::StrCat(i.code(), " ", i.ratio().numerator(), "/", i.ratio().denominator(), " (",
                      i.ratio().defined() ? absl::StrCat(i.ratio().basis_points()) : "undefined",
                      ")");
}

struct Service {
  ChildProcess process;
  std::string target;
  int hj212_port = 0;
};

// The bureaus' keys and every applicant's enterprise key (USCC → key), as auth.api_keys.
std::string KeysYaml(const std::map<std::string, std::string>& enterprise_keys) {
  std::string out = absl::StrCat(
      "[{sha256: ", grpcserver::Sha256Hex(kWaterAffairsKey),
      ", principal: water_affairs, name: e2e bureau}, {sha256: ",
      grpcserver::Sha256Hex(kIndustryKey), ", principal: industry, name: e2e industry}, {sha256: ",
      grpcserver::Sha256Hex(kStatisticsKey), ", principal: statistics, name: e2e statistics}");
  for (const auto& [uscc, key] : enterprise_keys) {
    absl::StrAppend(&out, ", {sha256: ", grpcserver::Sha256Hex(key),
                    ", principal: enterprise, uscc: ", uscc, ", name: e2e ", uscc, "}");
  }
  return out + "]";
}

std::string ReadFile(const std::string& path) {
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string out = text.str();
  while (!out.empty() && std::isspace(static_cast<unsigned char>(out.back())) != 0) {
    out.pop_back();
  }
  return out;
}

// Starts `binary` and returns its address once it serves; the port is the one it logged.
void StartService(const std::string& binary, const std::string& config, Service* service) {
  ASSERT_TRUE(service->process.Start({binary, "--config", config}));
  const auto started =
      service->process.WaitForLine("grpc server started", std::chrono::seconds(180));
  ASSERT_TRUE(started.has_value()) << binary << " did not start:\n"
                                   << ::testing::PrintToString(service->process.Lines());
  std::smatch port;
  ASSERT_TRUE(std::regex_search(*started, port, std::regex(R"("port":(\d+))"))) << *started;
  service->target = "127.0.0.1:" + port[1].str();
  for (const std::string& line : service->process.Lines()) {
    std::smatch hj212;
    if (line.find("hj212 listener started") != std::string::npos &&
        std::regex_search(line, hj212, std::regex(R"("port":(\d+))"))) {
      service->hj212_port = std::stoi(hj212[1].str());
    }
  }
}

void SetEnv(const std::map<std::string, std::string>& env) {
  for (const auto& [name, value] : env) {
    ASSERT_EQ(setenv(name.c_str(), value.c_str(), 1), 0);
  }
}

// The PostgreSQL settings of the test stack for a service's prefix.
std::map<std::string, std::string> PostgresEnv(const std::string& prefix,
                                               const std::string& schema) {
  static const std::regex kUri(R"(^postgres(?:ql)?://([^:@/]+):([^@/]*)@([^:/]+):(\d+)/([^?]+))");
  const std::string uri = jieshui::testing::PostgresUri();
  std::smatch m;
  EXPECT_TRUE(std::regex_search(uri, m, kUri)) << uri;
  return {{prefix + "POSTGRES_USER", m[1].str()},     {prefix + "POSTGRES_PASSWORD", m[2].str()},
          {prefix + "POSTGRES_HOST", m[3].str()},     {prefix + "POSTGRES_PORT", m[4].str()},
          {prefix + "POSTGRES_DATABASE", m[5].str()}, {prefix + "POSTGRES_SCHEMA", schema},
          {prefix + "POSTGRES_POOL_SIZE", "4"}};
}

std::unique_ptr<grpc::ClientContext> Context() {
  auto context = std::make_unique<grpc::ClientContext>();
  context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  context->AddMetadata("authorization", std::string("Bearer ") + kWaterAffairsKey);
  return context;
}

// The highest level of a water-saving enterprise; a leader title is not one.
int Rank(cv1::Level level) { return level == cv1::LEVEL_LEADER ? 0 : static_cast<int>(level); }

common::v1::YearMonth YearMonthOf(const std::string& key) {
  common::v1::YearMonth ym;
  ym.set_year(std::stoi(key.substr(0, 4)));
  ym.set_month(std::stoi(key.substr(5, 2)));
  return ym;
}

rv1::MeasuredFlow FlowOf(qv1::WaterSource source) {
  switch (source) {
    case qv1::WATER_SOURCE_MUNICIPAL_TAP:
      return rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP;
    case qv1::WATER_SOURCE_SELF_SUPPLIED_SURFACE:
      return rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE;
    case qv1::WATER_SOURCE_SELF_SUPPLIED_GROUND:
      return rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND;
    case qv1::WATER_SOURCE_RECLAIMED:
      return rv1::MEASURED_FLOW_INTAKE_RECLAIMED;
    default:
      return rv1::MEASURED_FLOW_UNSPECIFIED;
  }
}

// Statistics' figures as they stand after both submissions: the first, with the revised rows of
// the second in place (the latest version of each enterprise's year counts).
std::map<std::pair<int, int>, SimValueAdded> LatestStatistics(const District& d) {
  std::map<std::pair<int, int>, SimValueAdded> out;
  for (const SimValueAdded& v : d.statistics().first) {
    out[{v.enterprise, v.year}] = v;
  }
  for (const SimValueAdded& v : d.statistics().revised) {
    out[{v.enterprise, v.year}] = v;
  }
  return out;
}

// A district of `enterprises` whose seed, from `start` on, gives at least one HJ 212 gateway,
// one outage, one enterprise over plan and one with a product quota, a certification history
// with an expired and a valid title, a returned record and a provincial application in its public
// notice (the gates checked, both bureaus' approvals given), an enterprise Statistics classifies
// otherwise than the registry, an above-scale one that recirculates or reuses water, one that
// uses reclaimed water and one large enough to be a carrier, so every path is taken.
Options ChooseDistrict(uint64_t start, int enterprises, absl::Time from, absl::Time to) {
  Options o;
  o.enterprises = enterprises;
  o.from = from;
  o.to = to;
  o.hj212_share = 0.4;
  o.faults = FaultOptions::Default();
  o.faults.outage_share = 0.5;
  o.faults.duplicate_share = 0.01;
  o.faults.out_of_order_share = 0.01;
  o.faults.rollover_share = 0.2;
  o.faults.spike_share = 0.002;
  o.faults.over_plan_share = 0.5;
  o.certification_share = 1.0;
  for (uint64_t seed = start;; ++seed) {
    o.seed = seed;
    const District d(o);
    bool hj212 = false;
    bool outage = false;
    bool over = false;
    bool product = false;
    for (const SimEnterprise& e : d.enterprises()) {
      hj212 = hj212 || e.hj212;
      outage = outage || e.outage_first != 0;
      over = over || e.over_plan;
      product = product || !e.product.empty();
    }
    const CertificationHistory& h = d.certification();
    const absl::CivilDay today = ShanghaiDay(absl::Now());
    const bool expired = std::any_of(h.titles.begin(), h.titles.end(), [&](const SimTitle& t) {
      return DayOf(t.title.valid_until()) < today;
    });
    const bool valid = std::any_of(h.titles.begin(), h.titles.end(), [&](const SimTitle& t) {
      return DayOf(t.title.valid_until()) >= today;
    });
    const bool returned = std::any_of(h.records.begin(), h.records.end(),
                                      [](const SimRecord& r) { return !r.accept; });
    // A provincial title's final review needs both Water Affairs and Industry (DOMAIN.md).
    const bool both_approved =
        std::any_of(h.applications.begin(), h.applications.end(), [](const SimApplication& a) {
          return a.level == cv1::LEVEL_PROVINCIAL &&
                 a.state == cv1::APPLICATION_STATE_PUBLIC_NOTICE;
        });
    const auto statistics = LatestStatistics(d);
    bool reclassified = false;
    for (const auto& [key, v] : statistics) {
      reclassified =
          reclassified ||
          v.above_scale != d.enterprises()[static_cast<size_t>(key.first)].enterprise.above_scale();
    }
    bool above_scale_repeating = false;
    bool reclaimed = false;
    for (const SimMeter& m : d.meters()) {
      const bool repeating = m.meter.measures() == rv1::MEASURED_FLOW_RECIRCULATED_COOLING ||
                             m.meter.measures() == rv1::MEASURED_FLOW_REUSED_PROCESS;
      above_scale_repeating =
          above_scale_repeating ||
          (repeating && statistics.at({m.enterprise, d.PlanYears().back()}).above_scale);
      reclaimed = reclaimed || m.meter.measures() == rv1::MEASURED_FLOW_INTAKE_RECLAIMED;
    }
    bool large = false;
    for (const SimEnterprise& e : d.enterprises()) {
      // The year so far is annualised over its months with usage, a month begun counting whole:
      // from last month's 1st, at least half the year's intake, and 500,000 m³ then reaches the
      // carriers' 200,000 m³.
      large = large || e.enterprise.latest_annual_intake().litres() >= 500'000'000;
    }
    if (hj212 && outage && over && product && expired && valid && returned && both_approved &&
        reclassified && above_scale_repeating && reclaimed && large) {
      return o;
    }
  }
}

std::vector<std::string> FaultFlags(const Options& o) {
  return {absl::StrCat("--outages=", o.faults.outage_share),
          absl::StrCat("--duplicates=", o.faults.duplicate_share),
          absl::StrCat("--out-of-order=", o.faults.out_of_order_share),
          absl::StrCat("--rollovers=", o.faults.rollover_share),
          absl::StrCat("--spikes=", o.faults.spike_share),
          absl::StrCat("--over-plan=", o.faults.over_plan_share),
          absl::StrCat("--certification-share=", o.certification_share)};
}

TEST(DistrictEndToEnd, ASimulatedDistrictFlowsThroughEveryServiceAndMatchesTheGroundTruth) {
  const absl::Time test_started = absl::Now();
  const std::string run = jieshui::testing::UniqueName("e2e");
  const std::string enterprise_topic = run + "_enterprise";
  const std::string meter_topic = run + "_meter";
  const std::string reading_topic = run + "_reading";
  const std::string activity_topic = run + "_cert_activity";

  // From the 1st of last month to the last whole hour. A fresh seed per run: quota's Redis cache
  // is shared by the stack, keyed by USCC.
  const absl::Time to = absl::FromUnixSeconds(absl::ToUnixSeconds(absl::Now()) / 3600 * 3600);
  const absl::Time from = domain::StartOf(domain::MonthOf(to).Prev());
  const Options options = ChooseDistrict(
      static_cast<uint64_t>(absl::ToUnixMicros(absl::Now()) % 1'000'000'000), 8, from, to);
  const District district(options);
  const absl::TimeZone tz = domain::ShanghaiTimeZone();
  std::vector<std::string> district_flags = {
      absl::StrCat("--seed=", options.seed), absl::StrCat("--enterprises=", options.enterprises),
      absl::StrCat("--from=", absl::FormatTime("%Y-%m-%d", from, tz)),
      absl::StrCat("--to=", absl::FormatTime("%Y-%m-%dT%H", to, tz)),
      absl::StrCat("--hj212-share=", options.hj212_share)};
  for (std::string& flag : FaultFlags(options)) {
    district_flags.push_back(std::move(flag));
  }

  // The applicants' enterprise keys, made by the simulator before the services start (as
  // start.sh does), an industry key for the second final-review approval and a statistics key for
  // the value added.
  const std::string keys_dir = (std::filesystem::temp_directory_path() / (run + "_keys")).string();
  ChildProcess keys;
  std::vector<std::string> keys_argv = {JIESHUI_SIMULATOR_BINARY, "keys", "--dir", keys_dir};
  keys_argv.insert(keys_argv.end(), district_flags.begin(), district_flags.end());
  ASSERT_TRUE(keys.Start(keys_argv));
  ASSERT_EQ(keys.Wait(std::chrono::seconds(60)).value_or(-1), 0)
      << ::testing::PrintToString(keys.Lines());
  std::map<std::string, std::string> enterprise_keys;
  for (const int e : district.Applicants()) {
    const std::string& uscc =
        district.enterprises()[static_cast<size_t>(e)].enterprise.uscc().value();
    const std::string path = absl::StrCat(keys_dir, "/", uscc, ".key");
    EXPECT_EQ(std::filesystem::status(path).permissions() & std::filesystem::perms::all,
              std::filesystem::perms::owner_read | std::filesystem::perms::owner_write)
        << path;
    enterprise_keys[uscc] = ReadFile(path);
    ASSERT_FALSE(enterprise_keys[uscc].empty()) << path;
  }
  ASSERT_FALSE(enterprise_keys.empty());
  const std::string industry_key_file = keys_dir + "/industry.key";
  std::ofstream(industry_key_file) << kIndustryKey << "\n";
  const std::string statistics_key_file = keys_dir + "/statistics.key";
  std::ofstream(statistics_key_file) << kStatisticsKey << "\n";

  const std::map<std::string, std::string> common = {
      {"GRPC_LISTEN", "127.0.0.1:0"},    {"GRPC_DRAIN_TIMEOUT", "1s"},
      {"METRICS_LISTEN", "127.0.0.1:0"}, {"LOG_LEVEL", "info"},
      {"KAFKA_TOPIC_PARTITIONS", "3"},   {"AUTH_API_KEYS", KeysYaml(enterprise_keys)}};
  for (const char* prefix : {"JIESHUI_REGISTRY_", "JIESHUI_INGEST_", "JIESHUI_QUOTA_",
                             "JIESHUI_CERTIFICATION_", "JIESHUI_REPORTING_"}) {
    std::map<std::string, std::string> env;
    for (const auto& [key, value] : common) {
      env[prefix + key] = value;
    }
    env[absl::StrCat(prefix, "KAFKA_BOOTSTRAP_SERVERS")] = jieshui::testing::KafkaBootstrap();
    SetEnv(env);
  }
  SetEnv(PostgresEnv("JIESHUI_REGISTRY_", run + "_registry"));
  SetEnv(PostgresEnv("JIESHUI_INGEST_", run + "_ingest"));
  SetEnv(PostgresEnv("JIESHUI_QUOTA_", run + "_quota"));
  SetEnv(PostgresEnv("JIESHUI_CERTIFICATION_", run + "_certification"));
  SetEnv(PostgresEnv("JIESHUI_REPORTING_", run + "_reporting"));
  SetEnv({{"JIESHUI_REGISTRY_REGISTRY_TOPICS_ENTERPRISE", enterprise_topic},
          {"JIESHUI_REGISTRY_REGISTRY_TOPICS_METER", meter_topic},
          {"JIESHUI_INGEST_INGEST_TOPICS_READING", reading_topic},
          {"JIESHUI_INGEST_INGEST_TOPICS_REJECTED", run + "_rejected"},
          {"JIESHUI_INGEST_INGEST_TOPICS_REGISTRY_METER", meter_topic},
          {"JIESHUI_INGEST_HJ212_LISTEN", "127.0.0.1:0"},
          // The district's history reaches back to the 1st of last month.
          {"JIESHUI_INGEST_VEE_BACKFILL_WINDOW", "1600h"},
          {"JIESHUI_QUOTA_QUOTA_TOPICS_READING", reading_topic},
          {"JIESHUI_QUOTA_QUOTA_TOPICS_REGISTRY_ENTERPRISE", enterprise_topic},
          {"JIESHUI_QUOTA_QUOTA_TOPICS_CERTIFICATION_ACTIVITY", activity_topic},
          {"JIESHUI_QUOTA_QUOTA_TOPICS_USAGE", run + "_usage"},
          {"JIESHUI_QUOTA_QUOTA_TOPICS_ALERT", run + "_alert"},
          {"JIESHUI_QUOTA_QUOTA_TOPICS_DLQ", run + "_dlq"},
          {"JIESHUI_QUOTA_QUOTA_CONSUMER_GROUP", run + "_usage"},
          {"JIESHUI_QUOTA_QUOTA_BALANCE_TEST_CONSUMER_GROUP", run + "_balance_tests"},
          {"JIESHUI_QUOTA_REDIS_HOST", jieshui::testing::RedisHost()},
          {"JIESHUI_QUOTA_REDIS_PORT", absl::StrCat(jieshui::testing::RedisPort())},
          // The stack's Redis is shared: a prefix of this run's own.
          {"JIESHUI_QUOTA_REDIS_KEY_PREFIX", jieshui::testing::UniqueName("jieshui")},
          // Certification reads the registry's enterprises and meters and quota's usage and
          // alerts, on this run's topics.
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_REGISTRY_ENTERPRISE", enterprise_topic},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_REGISTRY_METER", meter_topic},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_QUOTA_USAGE", run + "_usage"},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_QUOTA_ALERT", run + "_alert"},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_STATUS", run + "_cert_status"},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_ACTIVITY", activity_topic},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_TOPICS_DLQ", run + "_cert_dlq"},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_CONSUMER_GROUP", run + "_cert_facts"},
          {"JIESHUI_CERTIFICATION_CERTIFICATION_SCHEMES_FILE",
           JIESHUI_SOURCE_DIR "/services/certification/schemes.yaml"},
          // Reporting reads the registry's enterprises, quota's usage and certification's status
          // and activity, on this run's topics, and keeps its own.
          {"JIESHUI_REPORTING_REPORTING_TOPICS_REGISTRY_ENTERPRISE", enterprise_topic},
          {"JIESHUI_REPORTING_REPORTING_TOPICS_QUOTA_USAGE", run + "_usage"},
          {"JIESHUI_REPORTING_REPORTING_TOPICS_CERTIFICATION_STATUS", run + "_cert_status"},
          {"JIESHUI_REPORTING_REPORTING_TOPICS_CERTIFICATION_ACTIVITY", activity_topic},
          {"JIESHUI_REPORTING_REPORTING_TOPICS_SUBMISSION", run + "_rep_submission"},
          {"JIESHUI_REPORTING_REPORTING_TOPICS_INDICATOR", run + "_rep_indicator"},
          {"JIESHUI_REPORTING_REPORTING_TOPICS_DLQ", run + "_rep_dlq"},
          {"JIESHUI_REPORTING_REPORTING_CONSUMER_GROUP", run + "_rep_facts"},
          {"JIESHUI_REPORTING_REDIS_HOST", jieshui::testing::RedisHost()},
          {"JIESHUI_REPORTING_REDIS_PORT", absl::StrCat(jieshui::testing::RedisPort())},
          {"JIESHUI_REPORTING_REDIS_KEY_PREFIX", jieshui::testing::UniqueName("jieshui")}});

  Service registry;
  Service ingest;
  Service quota;
  Service certification;
  Service reporting;
  ASSERT_NO_FATAL_FAILURE(StartService(
      JIESHUI_REGISTRY_BINARY, JIESHUI_SOURCE_DIR "/services/registry/registry.yaml", &registry));
  ASSERT_NO_FATAL_FAILURE(StartService(JIESHUI_INGEST_BINARY,
                                       JIESHUI_SOURCE_DIR "/services/ingest/ingest.yaml", &ingest));
  ASSERT_GT(ingest.hj212_port, 0) << "ingest logged no HJ 212 port";
  ASSERT_NO_FATAL_FAILURE(
      StartService(JIESHUI_QUOTA_BINARY, JIESHUI_SOURCE_DIR "/services/quota/quota.yaml", &quota));
  ASSERT_NO_FATAL_FAILURE(StartService(
      JIESHUI_CERTIFICATION_BINARY, JIESHUI_SOURCE_DIR "/services/certification/certification.yaml",
      &certification));
  ASSERT_NO_FATAL_FAILURE(StartService(JIESHUI_REPORTING_BINARY,
                                       JIESHUI_SOURCE_DIR "/services/reporting/reporting.yaml",
                                       &reporting));

  ChildProcess simulator;
  std::vector<std::string> argv = {JIESHUI_SIMULATOR_BINARY, "run", "--json"};
  argv.insert(argv.end(), district_flags.begin(), district_flags.end());
  for (const std::string& flag :
       {"--registry=" + registry.target, "--ingest=" + ingest.target,
        absl::StrCat("--hj212=127.0.0.1:", ingest.hj212_port), "--quota=" + quota.target,
        "--certification=" + certification.target, "--enterprise-keys=" + keys_dir,
        "--industry-key-file=" + industry_key_file, "--reporting=" + reporting.target,
        "--statistics-key-file=" + statistics_key_file, std::string("--settle-timeout=400")}) {
    argv.push_back(flag);
  }
  ASSERT_EQ(setenv("JIESHUI_API_KEY", kWaterAffairsKey, 1), 0);
  ASSERT_TRUE(simulator.Start(argv));
  const std::optional<int> exit_code = simulator.Wait(std::chrono::seconds(900));
  const std::string output = absl::StrJoin(simulator.Lines(), "\n");
  ASSERT_EQ(exit_code.value_or(-1), 0) << "seed " << options.seed << ":\n" << output;
  const nlohmann::json result = nlohmann::json::parse(output);
  const nlohmann::json& outcome = result["outcome"];

  // The simulator registered exactly the district, and every reading was taken.
  EXPECT_EQ(result["district"]["enterprises"].get<int>(), 8);
  EXPECT_EQ(outcome["registered"]["enterprises"]["created"].get<int>(), 8);
  EXPECT_EQ(outcome["registered"]["meters"]["created"].get<size_t>(), district.meters().size());
  EXPECT_EQ(outcome["readings"]["rejected"].get<int>(), 0) << outcome["readings"].dump();
  EXPECT_EQ(outcome["readings"]["accepted"].get<int64_t>() +
                outcome["readings"]["duplicates"].get<int64_t>(),
            outcome["readings"]["sent_grpc"].get<int64_t>());
  EXPECT_GT(outcome["readings"]["sent_hj212"].get<int64_t>(), 0);
  EXPECT_EQ(outcome["readings"]["hj212_acknowledged"].get<int64_t>(),
            outcome["readings"]["hj212_uploads"].get<int64_t>());
  EXPECT_GT(outcome["faults"]["readings_held_and_back_filled"].get<int64_t>(), 0);
  EXPECT_GT(outcome["readings"]["flags"].value("VEE_FLAG_GAP", 0), 0);

  // The ground truth, worked out here: level-1 intake per Shanghai month (an hour belongs to the
  // day it ends in) and source; new water is tap + self-supplied surface and ground; recirculated
  // and reused water at whatever level it is metered (it never crosses the boundary).
  struct Month {
    std::map<rv1::MeasuredFlow, int64_t> intake;
    int64_t new_water = 0;
    int64_t repeated = 0;
  };
  std::map<std::pair<int, std::string>, Month> truth;  // (enterprise, "YYYY-MM")
  std::set<std::string> months;
  for (size_t m = 0; m < district.meters().size(); ++m) {
    const rv1::Meter& meter = district.meters()[m].meter;
    const bool intake = meter.measures() >= rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP &&
                        meter.measures() <= rv1::MEASURED_FLOW_INTAKE_RECLAIMED;
    for (int k = 1; k <= district.last_step(); ++k) {
      const std::string month = absl::FormatTime("%Y-%m", district.TimeOf(k), tz);
      months.insert(month);
      const bool repeated = meter.measures() == rv1::MEASURED_FLOW_RECIRCULATED_COOLING ||
                            meter.measures() == rv1::MEASURED_FLOW_REUSED_PROCESS;
      if (repeated) {
        truth[{district.meters()[m].enterprise, month}].repeated +=
            district.Consumption(static_cast<int>(m), k);
        continue;
      }
      if (meter.level() != rv1::METER_LEVEL_1 || !intake) {
        continue;
      }
      Month& t = truth[{district.meters()[m].enterprise, month}];
      const int64_t litres = district.Consumption(static_cast<int>(m), k);
      t.intake[meter.measures()] += litres;
      if (meter.measures() != rv1::MEASURED_FLOW_INTAKE_RECLAIMED) {
        t.new_water += litres;
      }
    }
  }

  auto stub = qv1::QuotaService::NewStub(
      grpc::CreateChannel(quota.target, grpc::InsecureChannelCredentials()));
  int over_plan_months = 0;
  int alerts_expected = 0;
  // An annual alert at 100% opens a revocation review of each valid title (certification's
  // contract): such a title reads UNDER_REVIEW, still valid.
  std::set<std::string> reviewed_for_over_plan;
  for (size_t e = 0; e < district.enterprises().size(); ++e) {
    const SimEnterprise& sim = district.enterprises()[e];
    const std::string& uscc = sim.enterprise.uscc().value();
    SCOPED_TRACE(uscc);
    std::set<std::tuple<int, std::string, int, std::string>> expected_alerts;
    std::map<int, int64_t> year_new_water;
    for (const std::string& month : months) {
      const Month& t = truth[{static_cast<int>(e), month}];
      const common::v1::YearMonth ym = YearMonthOf(month);
      year_new_water[ym.year()] += t.new_water;

      // 1. Intake by source.
      qv1::GetUsageRequest usage_request;
      usage_request.mutable_uscc()->set_value(uscc);
      *usage_request.mutable_period()->mutable_month() = ym;
      qv1::Usage usage;
      ASSERT_TRUE(stub->GetUsage(Context().get(), usage_request, &usage).ok());
      std::map<rv1::MeasuredFlow, int64_t> served;
      for (const qv1::SourceVolume& v : usage.intake()) {
        if (v.volume().litres() != 0) {
          served[FlowOf(v.source())] = v.volume().litres();
        }
      }
      std::map<rv1::MeasuredFlow, int64_t> expected_intake;
      for (const auto& [flow, litres] : t.intake) {
        if (litres != 0) {
          expected_intake[flow] = litres;
        }
      }
      EXPECT_EQ(served, expected_intake) << month;
      EXPECT_EQ(usage.new_water().litres(), t.new_water) << month;

      // 2. The month's plan: the annual plan split evenly in whole litres, the remainder one
      // litre each to the first months.
      const int64_t annual = sim.annual_plan_litres.at(ym.year());
      const int64_t month_plan = annual / 12 + (ym.month() <= annual % 12 ? 1 : 0);
      EXPECT_EQ(usage.plan().litres(), month_plan) << month;
      for (const int threshold : {80, 100}) {
        if (t.new_water > 0 && t.new_water * 100 >= threshold * month_plan) {
          expected_alerts.emplace(qv1::ALERT_KIND_MONTHLY_PLAN, month, threshold, "");
        }
      }

      // 3. Output against the quota: the simulator reported the output its true water use per
      // unit gives; over quota when intake ÷ output is above the general value.
      int64_t allowed_by_quota = -1;
      if (!sim.product.empty()) {
        const int64_t output_milli = district.OutputMilli(static_cast<int>(e), t.new_water);
        int64_t general_ml = -1;
        for (const qv1::ProductQuota& q : district.quotas()) {
          if (q.year() == ym.year() && q.product() == sim.product) {
            const std::string& text = q.general_litres_per_unit();
            const size_t dot = text.find('.');
            general_ml = std::stoll(text.substr(0, dot)) * 1000 + std::stoll(text.substr(dot + 1));
          }
        }
        ASSERT_GT(general_ml, 0);
        if (absl::int128(t.new_water) * 1'000'000 > absl::int128(general_ml) * output_milli) {
          expected_alerts.emplace(qv1::ALERT_KIND_OVER_QUOTA, month, 100, sim.product);
          allowed_by_quota = DivideHalfUp(absl::int128(general_ml) * output_milli, 1'000'000);
        }
      }

      // 4. The surcharge due: over plan, and over quota for the product.
      const int64_t over_plan_fen = ExpectedSurchargeFen(month_plan, t.new_water, t.intake);
      const int64_t over_quota_fen =
          allowed_by_quota < 0 ? 0 : ExpectedSurchargeFen(allowed_by_quota, t.new_water, t.intake);
      over_plan_months += over_plan_fen > 0 ? 1 : 0;
      qv1::ComputeSurchargeRequest surcharge_request;
      surcharge_request.mutable_uscc()->set_value(uscc);
      *surcharge_request.mutable_period()->mutable_month() = ym;
      qv1::SurchargeStatement statement;
      ASSERT_TRUE(stub->ComputeSurcharge(Context().get(), surcharge_request, &statement).ok());
      EXPECT_EQ(statement.over_plan().amount().fen(), over_plan_fen) << month;
      int64_t served_over_quota = 0;
      for (const qv1::SurchargeWorking& w : statement.over_quota()) {
        served_over_quota += w.amount().fen();
      }
      EXPECT_EQ(served_over_quota, over_quota_fen) << month;
      EXPECT_EQ(statement.total().fen(), over_plan_fen + over_quota_fen) << month;
    }
    for (const auto& [year, used] : year_new_water) {
      for (const int threshold : {80, 100}) {
        if (used > 0 && used * 100 >= threshold * sim.annual_plan_litres.at(year)) {
          expected_alerts.emplace(qv1::ALERT_KIND_ANNUAL_PLAN, absl::StrCat(year), threshold, "");
          if (threshold == 100) {
            reviewed_for_over_plan.insert(uscc);
          }
        }
      }
    }

    // 5. Exactly the alerts the figures call for.
    qv1::ListAlertsRequest alerts_request;
    alerts_request.mutable_uscc()->set_value(uscc);
    qv1::ListAlertsResponse alerts;
    ASSERT_TRUE(stub->ListAlerts(Context().get(), alerts_request, &alerts).ok());
    std::set<std::tuple<int, std::string, int, std::string>> raised;
    for (const qv1::Alert& a : alerts.alerts()) {
      const std::string period =
          a.period().has_month()
              ? absl::StrFormat("%04d-%02d", a.period().month().year(), a.period().month().month())
              : absl::StrCat(a.period().year());
      raised.emplace(a.kind(), period, a.threshold_percent(), a.product());
    }
    EXPECT_EQ(raised, expected_alerts);
    alerts_expected += static_cast<int>(expected_alerts.size());
  }
  // The district had enterprises over plan, so alerts and surcharges were really checked.
  EXPECT_GT(over_plan_months, 0);
  EXPECT_GT(alerts_expected, 0);

  // 6. Certification: the history as the district generated it, worked out here from the
  // contract's rules (CountActivity counts accepted records in the year of a test's or audit's
  // period end or a project's year, and titles in the year of their valid_from; ListCertified
  // lists each enterprise once, at its highest valid water-saving level, leaders only when asked
  // by level; a title is valid through its last valid day, Shanghai time, then reads EXPIRED).
  const CertificationHistory& history = district.certification();
  const absl::CivilDay today = ShanghaiDay(absl::Now());
  struct Activity {
    int balance_tests = 0, audits = 0, retrofit = 0, contract = 0, demonstrations = 0;
    std::map<cv1::Level, int> granted;
  };
  std::map<int, Activity> activity;
  for (const SimRecord& r : history.records) {
    if (!r.accept) {
      continue;
    }
    const cv1::Record& x = r.record;
    if (x.has_balance_test()) {
      ++activity[x.balance_test().period_end().year()].balance_tests;
    } else if (x.has_audit()) {
      ++activity[x.audit().period_end().year()].audits;
    } else if (x.has_retrofit()) {
      ++activity[x.retrofit().year()].retrofit;
    } else if (x.has_contract()) {
      ++activity[x.contract().year()].contract;
    } else if (x.has_demonstration()) {
      ++activity[x.demonstration().year()].demonstrations;
    }
  }
  std::map<std::string, cv1::Level> certified_today;
  std::set<std::string> leaders_today;
  for (const SimTitle& t : history.titles) {
    ++activity[t.title.valid_from().year()].granted[t.title.level()];
    const bool valid =
        DayOf(t.title.valid_from()) <= today && today <= DayOf(t.title.valid_until());
    const std::string& uscc = t.title.uscc().value();
    if (valid && t.title.level() == cv1::LEVEL_LEADER) {
      leaders_today.insert(uscc);
    } else if (valid && Rank(t.title.level()) > Rank(certified_today[uscc])) {
      certified_today[uscc] = t.title.level();
    }
  }
  for (auto it = certified_today.begin(); it != certified_today.end();) {
    it = it->second == cv1::LEVEL_UNSPECIFIED ? certified_today.erase(it) : std::next(it);
  }
  ASSERT_FALSE(activity.empty());
  auto certification_stub = cv1::CertificationService::NewStub(
      grpc::CreateChannel(certification.target, grpc::InsecureChannelCredentials()));
  for (const auto& [year, figures] : activity) {
    SCOPED_TRACE(year);
    const Activity& want = figures;
    cv1::CountActivityRequest request;
    request.set_year(year);
    cv1::ActivityCounts counts;
    ASSERT_TRUE(certification_stub->CountActivity(Context().get(), request, &counts).ok());
    EXPECT_EQ(counts.balance_tests(), want.balance_tests);
    EXPECT_EQ(counts.audits(), want.audits);
    EXPECT_EQ(counts.retrofit_projects(), want.retrofit);
    EXPECT_EQ(counts.contract_projects(), want.contract);
    EXPECT_EQ(counts.demonstrations(), want.demonstrations);
    const auto granted = [&want](cv1::Level level) {
      const auto it = want.granted.find(level);
      return it == want.granted.end() ? 0 : it->second;
    };
    EXPECT_EQ(counts.granted_district(), granted(cv1::LEVEL_DISTRICT));
    EXPECT_EQ(counts.granted_municipal(), granted(cv1::LEVEL_MUNICIPAL));
    EXPECT_EQ(counts.granted_provincial(), granted(cv1::LEVEL_PROVINCIAL));
    EXPECT_EQ(counts.granted_leader(), granted(cv1::LEVEL_LEADER));
  }
  {
    cv1::ListCertifiedRequest request;
    *request.mutable_on() = ToDate(today);
    cv1::ListCertifiedResponse response;
    ASSERT_TRUE(certification_stub->ListCertified(Context().get(), request, &response).ok());
    std::map<std::string, cv1::Level> served;
    for (const cv1::CertifiedEnterprise& e : response.enterprises()) {
      EXPECT_TRUE(served.emplace(e.uscc().value(), e.level()).second) << "listed twice";
    }
    EXPECT_EQ(served, certified_today);
    EXPECT_FALSE(served.empty());
    request.set_level(cv1::LEVEL_LEADER);
    ASSERT_TRUE(certification_stub->ListCertified(Context().get(), request, &response).ok());
    std::set<std::string> leaders;
    for (const cv1::CertifiedEnterprise& e : response.enterprises()) {
      leaders.insert(e.uscc().value());
    }
    EXPECT_EQ(leaders, leaders_today);
  }
  std::map<cv1::ApplicationState, int> applications_expected;
  for (const SimApplication& a : history.applications) {
    ++applications_expected[a.state];
  }
  for (int s = cv1::APPLICATION_STATE_DRAFT; s <= cv1::APPLICATION_STATE_WITHDRAWN; ++s) {
    const auto state = static_cast<cv1::ApplicationState>(s);
    cv1::ListApplicationsRequest request;
    request.set_state(state);
    cv1::ListApplicationsResponse response;
    ASSERT_TRUE(certification_stub->ListApplications(Context().get(), request, &response).ok());
    EXPECT_EQ(response.applications_size(), applications_expected[state])
        << cv1::ApplicationState_Name(state);
    for (const cv1::Application& a : response.applications()) {
      // An enterprise applied, scored itself and submitted; the bureaus did the rest.
      ASSERT_GE(a.history_size(), 1);
      EXPECT_EQ(a.history(0).by().substr(0, 11), "enterprise:") << a.application_id();
      if (a.level() == cv1::LEVEL_PROVINCIAL && state == cv1::APPLICATION_STATE_PUBLIC_NOTICE) {
        EXPECT_THAT(a.approvals(), ::testing::UnorderedElementsAre("water_affairs", "industry"));
        EXPECT_FALSE(a.gates().empty());
        EXPECT_EQ(a.scores_size(), 3) << "self, preliminary and final score sheets";
      }
      for (const cv1::Transition& t : a.history()) {
        if (t.action() == cv1::ACTION_SUBMIT) {
          EXPECT_EQ(t.by().substr(0, 11), "enterprise:");
        } else if (t.action() != cv1::ACTION_UNSPECIFIED) {
          EXPECT_NE(t.by().substr(0, 11), "enterprise:") << cv1::Action_Name(t.action());
        }
      }
    }
  }
  std::set<int> with_history;
  for (const SimRecord& r : history.records) {
    with_history.insert(r.enterprise);
  }
  for (const SimTitle& t : history.titles) {
    with_history.insert(t.enterprise);
  }
  int expired_titles = 0;
  for (const int e : with_history) {
    const std::string& uscc =
        district.enterprises()[static_cast<size_t>(e)].enterprise.uscc().value();
    SCOPED_TRACE(uscc);
    // Titles: every certificate, EXPIRED once past its last valid day.
    cv1::ListTitlesRequest titles_request;
    titles_request.mutable_uscc()->set_value(uscc);
    cv1::ListTitlesResponse titles;
    ASSERT_TRUE(certification_stub->ListTitles(Context().get(), titles_request, &titles).ok());
    std::map<std::pair<int, std::string>, cv1::TitleStatus> served_titles;
    for (const cv1::Title& t : titles.titles()) {
      served_titles[{t.level(), t.certificate_number()}] = t.status();
    }
    std::map<std::pair<int, std::string>, cv1::TitleStatus> expected_titles;
    for (const SimTitle& t : history.titles) {
      if (t.enterprise != e) {
        continue;
      }
      const bool expired = DayOf(t.title.valid_until()) < today;
      expired_titles += expired ? 1 : 0;
      expected_titles[{t.title.level(), t.title.certificate_number()}] =
          expired                                 ? cv1::TITLE_STATUS_EXPIRED
          : reviewed_for_over_plan.contains(uscc) ? cv1::TITLE_STATUS_UNDER_REVIEW
                                                  : cv1::TITLE_STATUS_ACTIVE;
    }
    EXPECT_EQ(served_titles, expected_titles);
    // Records: each filed once, accepted or returned as the district says, the audit items the
    // bureau closed closed.
    cv1::ListRecordsRequest records_request;
    records_request.mutable_uscc()->set_value(uscc);
    cv1::ListRecordsResponse records;
    ASSERT_TRUE(certification_stub->ListRecords(Context().get(), records_request, &records).ok());
    int expected_records = 0;
    for (const SimRecord& r : history.records) {
      if (r.enterprise != e) {
        continue;
      }
      ++expected_records;
      int found = 0;
      for (const cv1::Record& x : records.records()) {
        if (RecordText(x).find(r.reference) == std::string::npos) {
          continue;
        }
        ++found;
        EXPECT_EQ(x.status(), r.accept ? cv1::RECORD_STATUS_ACCEPTED : cv1::RECORD_STATUS_RETURNED)
            << r.reference;
        EXPECT_EQ(x.year(), r.year) << r.reference;
        std::set<std::string> closed;
        for (const cv1::RectificationItem& item : x.audit().rectifications()) {
          if (item.closed()) {
            closed.insert(item.item_id());
          }
        }
        EXPECT_EQ(closed, std::set<std::string>(r.closed_items.begin(), r.closed_items.end()));
      }
      EXPECT_EQ(found, 1) << r.reference;
    }
    EXPECT_EQ(records.records_size(), expected_records);
  }
  EXPECT_GT(expired_titles, 0);
  // The simulator's own comparison agreed.
  const nlohmann::json& checked = outcome["certification"];
  EXPECT_TRUE(checked["loaded"].get<bool>());
  EXPECT_TRUE(checked["checked"].get<bool>());
  EXPECT_EQ(checked["mismatches"].size(), 0U) << checked["mismatches"].dump();
  EXPECT_EQ(checked["records"]["filed"].get<size_t>(), history.records.size());
  EXPECT_EQ(checked["titles"]["imported"].get<size_t>(), history.titles.size());

  // 7. Reporting: Statistics' figures as submitted (the revised rows in a second version, the
  // latest version counting), the 2020 baseline, and the action plan's six rows of each simulated
  // year, worked out here by the rules of DOMAIN.md and reporting's README (reporting.yaml's
  // defaults): sums over the district's enterprises,
  //   1. (base − current) ÷ base, base = Vf₀/VA₀, current = ΣVf/ΣVA, over one denominator:
  //      (Vf₀·ΣVA − ΣVf·VA₀) / (Vf₀·ΣVA);
  //   2. ΣVr / (ΣVr + ΣVf) of the enterprises Statistics counts above scale that year;
  //   3. enterprises with a water-saving-enterprise title valid on 31 December ÷ those whose
  //      intake, annualised over the months with usage (× 12 ÷ months, rounded down), reaches
  //      200,000 m³;
  //   4, 5. balance tests and audits accepted in the year (counted in their period end's year);
  //   6. (ΣR − R₀) / R₀, R reclaimed water;
  // a ratio over nothing is undefined (0/0).
  const auto statistics = LatestStatistics(district);
  std::set<std::string> revised;
  for (const SimValueAdded& v : district.statistics().revised) {
    revised.insert(absl::StrCat(v.enterprise, "/", v.year));
  }
  const SimBaseline& base = district.baseline();
  auto reporting_stub = pv1::ReportingService::NewStub(
      grpc::CreateChannel(reporting.target, grpc::InsecureChannelCredentials()));
  {
    pv1::Baseline served;
    ASSERT_TRUE(
        reporting_stub->GetBaseline(Context().get(), pv1::GetBaselineRequest(), &served).ok());
    EXPECT_EQ(served.new_water().litres(), base.new_water_litres);
    EXPECT_EQ(served.value_added().fen(), base.value_added_fen);
    EXPECT_EQ(served.reclaimed_water().litres(), base.reclaimed_litres);
    EXPECT_EQ(served.version(), 1);
  }
  std::set<int> years;
  for (const std::string& month : months) {
    years.insert(std::stoi(month.substr(0, 4)));
  }
  const auto statistics_context = [] {
    auto context = std::make_unique<grpc::ClientContext>();
    context->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
    context->AddMetadata("authorization", std::string("Bearer ") + kStatisticsKey);
    return context;
  };
  // The latest version of each enterprise's year, as reporting holds it: (fen, above scale,
  // version) by "enterprise/year".
  const auto held_value_added = [&](int year) {
    std::map<std::string, std::tuple<int64_t, bool, int>> held;
    pv1::ListValueAddedRequest request;
    request.set_year(year);
    request.mutable_page()->set_page_size(1000);
    pv1::ListValueAddedResponse response;
    EXPECT_TRUE(
        reporting_stub->ListValueAdded(statistics_context().get(), request, &response).ok());
    EXPECT_EQ(response.enterprises_without(), 0);
    for (const pv1::ValueAdded& v : response.rows()) {
      for (size_t e = 0; e < district.enterprises().size(); ++e) {
        if (district.enterprises()[e].enterprise.uscc().value() == v.uscc().value()) {
          held[absl::StrCat(e, "/", year)] = {v.value_added().fen(), v.above_scale(), v.version()};
        }
      }
    }
    return held;
  };
  int carriers_last_year = 0;
  for (const int year : years) {
    SCOPED_TRACE(year);
    const auto held = held_value_added(year);
    EXPECT_EQ(held.size(), district.enterprises().size());
    absl::int128 new_water = 0;
    absl::int128 value_added = 0;
    absl::int128 above_repeated = 0;
    absl::int128 above_new_water = 0;
    int carriers = 0;
    int certified = 0;
    absl::int128 reclaimed = 0;
    for (size_t e = 0; e < district.enterprises().size(); ++e) {
      const auto key = absl::StrCat(e, "/", year);
      const SimValueAdded& v = statistics.at({static_cast<int>(e), year});
      // Statistics' latest version is the one reporting holds: the second for the revised rows.
      using Held = std::tuple<int64_t, bool, int>;
      EXPECT_EQ(held.count(key) == 1 ? held.at(key) : Held(),
                Held(v.fen, v.above_scale, revised.contains(key) ? 2 : 1))
          << key;
      int64_t intake = 0;
      int64_t repeated = 0;
      int metered = 0;
      for (const std::string& month : months) {
        if (std::stoi(month.substr(0, 4)) != year) {
          continue;
        }
        const Month& t = truth[{static_cast<int>(e), month}];
        ++metered;  // every enterprise draws water every hour: quota announces every month
        intake += t.new_water;
        repeated += t.repeated;
        const auto r = t.intake.find(rv1::MEASURED_FLOW_INTAKE_RECLAIMED);
        reclaimed += r == t.intake.end() ? 0 : r->second;
      }
      new_water += intake;
      value_added += v.fen;
      if (v.above_scale) {
        above_repeated += repeated;
        above_new_water += intake;
      }
      if (absl::int128(intake) * 12 / metered >= 200'000'000) {
        ++carriers;
        const bool valid_at_year_end =
            std::any_of(history.titles.begin(), history.titles.end(), [&](const SimTitle& t) {
              const absl::CivilDay last(year, 12, 31);
              return t.enterprise == static_cast<int>(e) && t.title.level() != cv1::LEVEL_LEADER &&
                     DayOf(t.title.valid_from()) <= last && last <= DayOf(t.title.valid_until());
            });
        certified += valid_at_year_end ? 1 : 0;
      }
    }
    carriers_last_year = carriers;
    const absl::int128 vf0 = base.new_water_litres;
    const absl::int128 va0 = base.value_added_fen;
    const absl::int128 r0 = base.reclaimed_litres;
    const bool decline_defined = value_added != 0 && va0 != 0;
    const std::vector<ExpectedRow> want = {
        {"water_use_per_value_added_decline", false,
         decline_defined ? vf0 * value_added - new_water * va0 : 0,
         decline_defined ? vf0 * value_added : 0, 0},
        {"repeat_utilisation_above_scale", false, above_repeated, above_repeated + above_new_water,
         0},
        {"carrier_coverage", false, carriers == 0 ? 0 : certified, carriers, 0},
        {"balance_tests", true, 0, 0, activity[year].balance_tests},
        {"audits", true, 0, 0, activity[year].audits},
        {"reclaimed_water_increase", false, r0 == 0 ? 0 : reclaimed - r0, r0, 0}};
    // Rows 1, 2 and 6 have something under them in this district (ChooseDistrict).
    EXPECT_NE(want[0].denominator, 0);
    EXPECT_NE(want[1].denominator, 0);
    EXPECT_NE(want[5].denominator, 0);

    // Reporting catches up in the background: wait until its figures equal these, as of this
    // run's events, or a deadline; then compare. (Not until as_of reaches the last submission:
    // as reporting stands, as_of moves only with an event that changes the sums, and an import's
    // figures are in its tables before its events are read, so an earlier event read after the
    // import can bring them in and the import's own events then change nothing.)
    pv1::GetIndicatorsRequest request;
    request.mutable_period()->set_kind(pv1::PERIOD_KIND_YEAR);
    request.mutable_period()->set_year(year);
    for (const ExpectedRow& r : want) {
      request.add_codes(r.code);
    }
    pv1::IndicatorSet served;
    const auto all_same = [&] {
      if (served.indicators_size() != static_cast<int>(want.size())) {
        return false;
      }
      for (size_t i = 0; i < want.size(); ++i) {
        if (!SameRow(want[i], served.indicators(static_cast<int>(i)))) {
          return false;
        }
      }
      return true;
    };
    const absl::Time deadline = absl::Now() + absl::Minutes(2);
    while (true) {
      ASSERT_TRUE(reporting_stub->GetIndicators(Context().get(), request, &served).ok());
      if ((all_same() && served.as_of_unix_ms() >= absl::ToUnixMillis(test_started)) ||
          absl::Now() > deadline) {
        break;
      }
      absl::SleepFor(absl::Milliseconds(200));
    }
    EXPECT_GE(served.as_of_unix_ms(), absl::ToUnixMillis(test_started));
    ASSERT_EQ(served.indicators_size(), static_cast<int>(want.size()));
    for (size_t i = 0; i < want.size(); ++i) {
      const pv1::Indicator& got = served.indicators(static_cast<int>(i));
      EXPECT_EQ(got.code(), want[i].code);
      EXPECT_TRUE(SameRow(want[i], got))
          << "served " << RowText(got) << ", worked out " << RowText(want[i]);
    }

    // The simulator read the same rows against the year's targets, or the latest year's with one
    // (the attachment table's run 2023-2025).
    const int target_year = std::min(year, 2025);
    const nlohmann::json* table = nullptr;
    for (const nlohmann::json& t : outcome["reporting"]["years"]) {
      table = t["year"].get<int>() == year ? &t : table;
    }
    ASSERT_NE(table, nullptr);
    ASSERT_EQ((*table)["rows"].size(), want.size());
    for (size_t i = 0; i < want.size(); ++i) {
      const nlohmann::json& row = (*table)["rows"][i];
      SCOPED_TRACE(want[i].code);
      EXPECT_EQ(row["code"].get<std::string>(), want[i].code);
      EXPECT_EQ(row["target_year"].get<int>(), target_year);
      const int64_t target = row["target"].get<int64_t>();
      if (want[i].count) {
        EXPECT_EQ(row["value"].get<int64_t>(), want[i].value);
        EXPECT_EQ(row["gap"].get<int64_t>(), target - want[i].value);
        EXPECT_EQ(row["on_track"].get<bool>(), want[i].value >= target);
      } else if (want[i].denominator != 0) {
        const int64_t bp = BasisPoints(want[i].numerator, want[i].denominator);
        EXPECT_EQ(row["basis_points"].get<int64_t>(), bp);
        EXPECT_EQ(row["gap"].get<int64_t>(), target - bp);
        EXPECT_EQ(row["on_track"].get<bool>(), bp >= target);
      }
    }
  }
  // The last year's carrier set holds the district's large enterprise (ChooseDistrict).
  EXPECT_GT(carriers_last_year, 0);
  const nlohmann::json& reported = outcome["reporting"];
  EXPECT_TRUE(reported["loaded"].get<bool>());
  EXPECT_TRUE(reported["checked"].get<bool>());
  EXPECT_EQ(reported["mismatches"].size(), 0U) << reported["mismatches"].dump();
  EXPECT_EQ(reported["value_added"]["versions"], nlohmann::json::array({1, 2}));
  EXPECT_EQ(reported["value_added"]["rows_submitted"].get<size_t>(),
            district.statistics().first.size() + district.statistics().revised.size());
  EXPECT_TRUE(reported["baseline"]["set"].get<bool>());

  // The whole district sent again, as a gateway or a partner system resends its files: every
  // re-sent reading is a duplicate, and nothing new reaches the reading topic, whose records are
  // what the ledger and quota's usage are made of (HJ 212 uploads included, whose answers carry
  // no per-reading outcome). The simulator's settle checks quota's figures once more.
  auto reading_reader =
      kafka::TopicReader::Create(jieshui::testing::KafkaBootstrap(), reading_topic);
  ASSERT_TRUE(reading_reader.ok()) << reading_reader.status();
  const auto ends_before = (*reading_reader)->EndOffsets();
  ASSERT_TRUE(ends_before.ok()) << ends_before.status();
  ChildProcess resend;
  ASSERT_TRUE(resend.Start(argv));
  const std::optional<int> resend_exit = resend.Wait(std::chrono::seconds(900));
  const std::string resend_output = absl::StrJoin(resend.Lines(), "\n");
  ASSERT_EQ(resend_exit.value_or(-1), 0) << "seed " << options.seed << ":\n" << resend_output;
  const nlohmann::json again = nlohmann::json::parse(resend_output)["outcome"]["readings"];
  EXPECT_EQ(again["sent_grpc"].get<int64_t>(), outcome["readings"]["sent_grpc"].get<int64_t>());
  EXPECT_EQ(again["duplicates"].get<int64_t>(), again["sent_grpc"].get<int64_t>()) << again.dump();
  EXPECT_EQ(again["accepted"].get<int64_t>(), 0);
  EXPECT_EQ(again["rejected"].get<int64_t>(), 0);
  EXPECT_EQ(again["hj212_acknowledged"].get<int64_t>(), again["hj212_uploads"].get<int64_t>());
  const auto ends_after = (*reading_reader)->EndOffsets();
  ASSERT_TRUE(ends_after.ok()) << ends_after.status();
  EXPECT_EQ(*ends_after, *ends_before);
  // The certification history is found, not filed again: the figures stand as they were.
  const nlohmann::json resent = nlohmann::json::parse(resend_output);
  const nlohmann::json& history_again = resent["outcome"]["certification"];
  EXPECT_EQ(history_again["records"]["filed"].get<int>(), 0) << history_again.dump();
  EXPECT_EQ(history_again["records"]["found"].get<size_t>(), history.records.size());
  EXPECT_EQ(history_again["titles"]["imported"].get<int>(), 0);
  EXPECT_EQ(history_again["titles"]["already_held"].get<size_t>(), history.titles.size());
  EXPECT_EQ(history_again["applications"]["created"].get<int>(), 0);
  EXPECT_EQ(history_again["applications"]["steps"].get<int>(), 0);
  EXPECT_EQ(history_again["mismatches"].size(), 0U) << history_again["mismatches"].dump();
  // Statistics' submissions and the baseline are found, not made again.
  const nlohmann::json& reported_again = resent["outcome"]["reporting"];
  EXPECT_TRUE(reported_again["value_added"]["found"].get<bool>()) << reported_again.dump();
  EXPECT_EQ(reported_again["value_added"]["versions"].size(), 0U);
  EXPECT_FALSE(reported_again["baseline"]["set"].get<bool>());
  EXPECT_EQ(reported_again["baseline"]["version"].get<int>(), 1);
  EXPECT_EQ(reported_again["mismatches"].size(), 0U) << reported_again["mismatches"].dump();

  for (Service* s : {&reporting, &certification, &quota, &ingest, &registry}) {
    s->process.Signal(SIGTERM);
    EXPECT_EQ(s->process.Wait(std::chrono::seconds(60)).value_or(-1), 0);
  }
  std::filesystem::remove_all(keys_dir);
}

}  // namespace
}  // namespace jieshui::simulator
