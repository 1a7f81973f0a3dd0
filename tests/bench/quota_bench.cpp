// Throughput of the quota service's usage consumer: how fast a backlog of accepted readings on
// jieshui.ingest.reading.v1 becomes usage (daily and monthly sums, alert checks, usage events in
// the outbox, offsets), all in PostgreSQL transactions, with every enterprise holding an annual
// plan.
//
//   quota_bench [--kafka 127.0.0.1:19092] [--pg postgresql://...] [--redis-port 16379]
//               [--enterprises 500] [--messages-per-enterprise 200] [--records-per-message 20]
//               [--batch 500]
//
// Setup: fresh topics and a fresh schema; one EnterpriseChanged per enterprise; the backlog is
// published before the service starts (ReadingRecords messages keyed by USCC, as ingest writes
// them: one message per enterprise and submitted batch, one boundary tap meter each, one record per
// 15 minutes across the days before now). Then the quota service starts in-process, a plan is set
// for every enterprise through its gRPC API, and the clock runs until the consumer has applied
// every message. Prints messages/s and records/s, and checks that the stored sums equal what was
// published. Everything is removed at the end.
#include <cstdio>
#include <memory>
#include <regex>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "CLI/CLI.hpp"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "grpcpp/grpcpp.h"
#include "grpcserver/auth.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/ingest/v1/readings.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "kafka/topics.hpp"
#include "quota/src/app.hpp"
#include "testing/stack.hpp"

namespace {

using namespace jieshui;  // NOLINT(google-build-using-namespace): a benchmark program

constexpr char kKey[] = "quota-bench-key";

std::string UsccFor(int n) {
  const std::string first17 = absl::StrFormat("91320506%09d", n);
  return first17 + *domain::ComputeUsccCheckCharacter(first17);
}

int Fail(const std::string& what) {
  std::fprintf(stderr, "quota_bench: %s\n", what.c_str());
  return 1;
}

int Run(int argc, char** argv) {
  CLI::App cli("quota usage consumer throughput");
  std::string kafka_servers = testing::KafkaBootstrap();
  std::string pg = testing::PostgresUri();
  int redis_port = testing::RedisPort();
  int enterprises = 500;
  int messages_per_enterprise = 200;
  int records_per_message = 20;
  int batch = 500;
  cli.add_option("--kafka", kafka_servers);
  cli.add_option("--pg", pg);
  cli.add_option("--redis-port", redis_port);
  cli.add_option("--enterprises", enterprises)->check(CLI::Range(1, 100000));
  cli.add_option("--messages-per-enterprise", messages_per_enterprise)
      ->check(CLI::Range(1, 100000));
  cli.add_option("--records-per-message", records_per_message)->check(CLI::Range(1, 10000));
  cli.add_option("--batch", batch)->check(CLI::Range(1, 100000));
  CLI11_PARSE(cli, argc, argv);

  static const std::regex kUri(R"(^postgres(?:ql)?://([^:@/]+):([^@/]*)@([^:/]+):(\d+)/([^?]+))");
  std::smatch m;
  if (!std::regex_search(pg, m, kUri)) {
    return Fail("cannot parse --pg " + pg);
  }
  const std::string schema = testing::UniqueName("quota_bench");
  const std::string reading_topic = testing::UniqueName("bench_reading");
  const std::string enterprise_topic = testing::UniqueName("bench_enterprise");
  const std::vector<std::string> topics = {
      reading_topic, enterprise_topic, testing::UniqueName("bench_usage"),
      testing::UniqueName("bench_alert"), testing::UniqueName("bench_dlq")};
  auto admin = kafka::Admin::Create(kafka_servers);
  if (!admin.ok()) {
    return Fail(std::string(admin.status().message()));
  }
  using kafka::topics::Retention;
  if (absl::Status s = (*admin)->EnsureTopics(
          {kafka::topics::SpecFor({reading_topic, Retention::kRetained}, 6, 1, 1),
           kafka::topics::SpecFor({enterprise_topic, Retention::kCompacted}, 6, 1, -1)});
      !s.ok()) {
    return Fail(std::string(s.message()));
  }
  kafka::ProducerOptions po;
  po.bootstrap_servers = kafka_servers;
  po.extra = {{"batch.num.messages", "10000"}, {"queue.buffering.max.messages", "1000000"}};
  auto producer = kafka::Producer::Create(po);
  if (!producer.ok()) {
    return Fail(std::string(producer.status().message()));
  }
  std::vector<std::string> usccs;
  for (int e = 0; e < enterprises; ++e) {
    usccs.push_back(UsccFor(e));
    events::v1::EnterpriseChanged event;
    event.set_change(registry::v1::CHANGE_KIND_CREATED);
    event.mutable_enterprise()->mutable_uscc()->set_value(usccs.back());
    event.mutable_enterprise()->set_name(absl::StrCat("bench ", e));
    event.mutable_enterprise()->mutable_industry_code()->set_value("C2614");
    event.mutable_enterprise()->set_status(registry::v1::ENTERPRISE_STATUS_ACTIVE);
    event.mutable_enterprise()->set_version(1);
    (void)(*producer)->Produce(enterprise_topic, usccs.back(),
                               kafka::EncodeEvent(event, {.producer = "bench",
                                                          .subject_key = usccs.back(),
                                                          .occurred_at = absl::Now(),
                                                          .correlation_id = ""}));
  }
  // The backlog: records 15 minutes apart, ending an hour ago.
  const absl::Time end = absl::Now() - absl::Hours(1);
  const int64_t per_enterprise =
      static_cast<int64_t>(messages_per_enterprise) * records_per_message;
  std::atomic<int64_t> failed{0};
  int64_t published_litres = 0;
  const absl::Time publish_start = absl::Now();
  for (int msg = 0; msg < messages_per_enterprise; ++msg) {
    for (int e = 0; e < enterprises; ++e) {
      ingest::v1::ReadingRecords records;
      for (int r = 0; r < records_per_message; ++r) {
        const int64_t step = static_cast<int64_t>(msg) * records_per_message + r;
        const absl::Time t = end - absl::Minutes(15) * (per_enterprise - step);
        ingest::v1::ReadingAccepted* rec = records.add_records();
        rec->set_meter_id(absl::StrCat("BQ-", e));
        rec->mutable_uscc()->set_value(usccs[static_cast<size_t>(e)]);
        rec->set_measures(registry::v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
        rec->set_level(registry::v1::METER_LEVEL_1);
        rec->set_kind(ingest::v1::RECORD_KIND_REAL);
        rec->set_interval_start_unix_ms(absl::ToUnixMillis(t - absl::Minutes(15)));
        rec->set_interval_end_unix_ms(absl::ToUnixMillis(t));
        const int64_t litres = 100 + (step % 7) * 10;
        rec->mutable_delta()->set_litres(litres);
        published_litres += litres;
      }
      absl::Status s = (*producer)->Produce(
          reading_topic, usccs[static_cast<size_t>(e)],
          kafka::EncodeEvent(records, {.producer = "bench",
                                       .subject_key = usccs[static_cast<size_t>(e)],
                                       .occurred_at = absl::Now(),
                                       .correlation_id = ""}),
          [&failed](const kafka::DeliveryResult& d) {
            if (!d.status.ok()) {
              failed.fetch_add(1);
            }
          });
      if (!s.ok()) {
        return Fail(std::string(s.message()));
      }
    }
  }
  (void)(*producer)->Flush(std::chrono::seconds(120));
  if (failed.load() > 0 || (*producer)->InFlight() > 0) {
    return Fail("backlog not fully delivered");
  }
  producer->reset();
  const int64_t total_messages = static_cast<int64_t>(enterprises) * messages_per_enterprise;
  const int64_t total_records = total_messages * records_per_message;
  std::printf("backlog: %lld messages, %lld records, published in %.1f s\n",
              static_cast<long long>(total_messages), static_cast<long long>(total_records),
              absl::ToDoubleSeconds(absl::Now() - publish_start));
  std::fflush(stdout);

  config::EnvMap env = {
      {"JIESHUI_QUOTA_GRPC_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_QUOTA_METRICS_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_QUOTA_LOG_LEVEL", "warn"},
      {"JIESHUI_QUOTA_KAFKA_BOOTSTRAP_SERVERS", kafka_servers},
      {"JIESHUI_QUOTA_POSTGRES_USER", m[1].str()},
      {"JIESHUI_QUOTA_POSTGRES_PASSWORD", m[2].str()},
      {"JIESHUI_QUOTA_POSTGRES_HOST", m[3].str()},
      {"JIESHUI_QUOTA_POSTGRES_PORT", m[4].str()},
      {"JIESHUI_QUOTA_POSTGRES_DATABASE", m[5].str()},
      {"JIESHUI_QUOTA_POSTGRES_SCHEMA", schema},
      {"JIESHUI_QUOTA_REDIS_PORT", absl::StrCat(redis_port)},
      {"JIESHUI_QUOTA_QUOTA_TOPICS_READING", reading_topic},
      {"JIESHUI_QUOTA_QUOTA_TOPICS_REGISTRY_ENTERPRISE", enterprise_topic},
      {"JIESHUI_QUOTA_QUOTA_TOPICS_USAGE", topics[2]},
      {"JIESHUI_QUOTA_QUOTA_TOPICS_ALERT", topics[3]},
      {"JIESHUI_QUOTA_QUOTA_TOPICS_DLQ", topics[4]},
      {"JIESHUI_QUOTA_QUOTA_CONSUMER_GROUP", testing::UniqueName("bench_group")},
      {"JIESHUI_QUOTA_QUOTA_MAX_BATCH_MESSAGES", absl::StrCat(batch)},
      {"JIESHUI_QUOTA_AUTH_API_KEYS", absl::StrCat("[{sha256: ", grpcserver::Sha256Hex(kKey),
                                                   ", principal: water_affairs, name: bench}]")},
  };
  auto config =
      config::ConfigLoader::Load("quota", JIESHUI_SOURCE_DIR "/services/quota/quota.yaml", env);
  if (!config.ok()) {
    return Fail(std::string(config.status().message()));
  }
  auto settings = quota::LoadQuotaConfig(*config);
  if (!settings.ok()) {
    return Fail(std::string(settings.status().message()));
  }
  const absl::Time start = absl::Now();
  auto app = quota::QuotaApp::Start(*std::move(settings));
  if (!app.ok()) {
    return Fail(std::string(app.status().message()));
  }
  // Plans: 1,000 m³ a year each, set while the consumer already works through the backlog.
  auto stub = quota::v1::QuotaService::NewStub(grpc::CreateChannel(
      absl::StrCat("127.0.0.1:", (*app)->port()), grpc::InsecureChannelCredentials()));
  const int year = domain::YearOf(end);
  for (const std::string& uscc : usccs) {
    quota::v1::SetAnnualPlanRequest req;
    req.mutable_uscc()->set_value(uscc);
    req.set_year(year);
    req.mutable_total()->set_litres(1'000'000);
    req.set_reason("bench");
    quota::v1::AnnualPlan plan;
    grpc::ClientContext ctx;
    ctx.AddMetadata("authorization", absl::StrCat("Bearer ", kKey));
    if (grpc::Status s = stub->SetAnnualPlan(&ctx, req, &plan); !s.ok()) {
      return Fail("SetAnnualPlan: " + s.error_message());
    }
  }
  const bool done =
      testing::WaitFor([&] { return (*app)->consumer().messages_applied() >= total_messages; },
                       std::chrono::minutes(30), std::chrono::milliseconds(50));
  const double seconds = absl::ToDoubleSeconds(absl::Now() - start);
  const int64_t applied = (*app)->consumer().messages_applied();
  (*app)->Stop();
  app->reset();

  int64_t stored_litres = 0;
  int64_t alerts = 0;
  {
    pqxx::connection conn(pg);
    pqxx::work tx(conn);
    stored_litres = tx.exec1("SELECT COALESCE(sum(tap), 0)::bigint FROM " + tx.quote_name(schema) +
                             ".usage_monthly")[0]
                        .as<int64_t>();
    alerts = tx.exec1("SELECT count(*) FROM " + tx.quote_name(schema) + ".alerts")[0].as<int64_t>();
    tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(schema) + " CASCADE");
    tx.commit();
  }
  (void)(*admin)->DeleteTopics(topics);

  std::printf("applied %lld of %lld messages in %.1f s (service start and %d plans included)\n",
              static_cast<long long>(applied), static_cast<long long>(total_messages), seconds,
              enterprises);
  const auto applied_d = static_cast<double>(applied);
  std::printf("  %.0f messages/s, %.0f records/s (batch %d)\n", applied_d / seconds,
              applied_d * records_per_message / seconds, batch);
  std::printf("  stored %lld L against %lld L published: %s; %lld alerts raised\n",
              static_cast<long long>(stored_litres), static_cast<long long>(published_litres),
              stored_litres == published_litres ? "equal" : "DIFFERENT",
              static_cast<long long>(alerts));
  return done && stored_litres == published_litres ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // figures as they come, also into a pipe
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {  // libpqxx and CLI11 throw
    return Fail(e.what());
  }
}
