// Throughput of the ingest service end to end: a gRPC streaming client on loopback sends readings
// for many meters at full speed to the jieshui-ingest binary (VEE, Kafka with acks=all, and the
// ledger writer unless --ledger off), and, in the same run against the same broker with payloads
// of the same size, raw librdkafka under the service's producer settings, so the ratio shows what
// the service costs on top of Kafka.
//
//   ingest_bench [--ingest-binary PATH] [--config services/ingest/ingest.yaml]
//                [--kafka 127.0.0.1:19092] [--pg postgresql://...] [--meters 100000]
//                [--readings-per-meter 30] [--batch 1000] [--in-flight 64] [--ledger on|off]
//
// Setup publishes one MeterChanged per meter to a fresh compacted registry topic; the service runs
// on fresh reading and rejected topics and a fresh PostgreSQL schema, all removed at the end.
// Prints readings/s acknowledged (ACCEPTED answers), p50 and p99 batch acknowledgement latency,
// the service's peak RSS, the raw librdkafka rate and the ratio service / raw, and where the CPU
// went in each phase (the service, this client, the rest of the machine: broker, PostgreSQL and
// whatever else runs), since on a 2-core machine they all share the same cores.
#include <librdkafka/rdkafkacpp.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cmath>
#include <condition_variable>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iterator>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <pqxx/pqxx>
#include <regex>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/uscc.hpp"
#include "grpcpp/grpcpp.h"
#include "grpcserver/auth.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/ingest/v1/ingest_service.grpc.pb.h"
#include "jieshui/ingest/v1/readings.pb.h"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "kafka/topic_reader.hpp"
#include "kafka/topics.hpp"
#include "testing/child_process.hpp"

namespace {

namespace ingest = jieshui::ingest::v1;
namespace registry = jieshui::registry::v1;
namespace topics = jieshui::kafka::topics;
using Clock = std::chrono::steady_clock;

// The partitions of every topic of the run (the service's topic_partitions, set to match).
constexpr int kPartitions = 6;
constexpr int64_t kStepMs = int64_t{15} * 60 * 1000;  // readings of one meter are 15 minutes apart
constexpr int64_t kStepMilli = 1234;                  // register grows 1.234 m³ per step
constexpr int kDistinctPayloads = 1024;  // raw baseline: distinct records cycled (see RawRate)

struct Options {
  std::string ingest_binary = JIESHUI_INGEST_BINARY;
  std::string config = JIESHUI_SOURCE_DIR "/services/ingest/ingest.yaml";
  std::string kafka = "127.0.0.1:19092";
  std::string pg = "postgresql://jieshui:jieshui@127.0.0.1:15432/jieshui";
  int meters = 100000;
  int readings_per_meter = 30;
  int batch = 1000;
  int in_flight = 64;
  std::string ledger = "on";
};

struct PgParts {
  std::string user;
  std::string password;
  std::string host;
  std::string port;
  std::string database;
};

std::optional<PgParts> ParsePg(const std::string& uri) {
  static const std::regex kUri(R"(^postgres(?:ql)?://([^:@/]+):([^@/]*)@([^:/]+):(\d+)/([^?]+))");
  std::smatch m;
  if (!std::regex_search(uri, m, kUri)) {
    return std::nullopt;
  }
  return PgParts{m[1].str(), m[2].str(), m[3].str(), m[4].str(), m[5].str()};
}

std::string MeterId(int n) { return absl::StrCat("B-", n); }

// "91320506" + 9 digits of n / 10 + check character: about ten meters per enterprise.
std::string UsccFor(int n) {
  const std::string first17 = absl::StrFormat("91320506%09d", n / 10);
  return first17 + *jieshui::domain::ComputeUsccCheckCharacter(first17);
}

// The register value of `meter` after `step` steps, in thousandths of a cubic metre.
int64_t RegisterMilli(int meter, int step) {
  return 1'000'000 + static_cast<int64_t>(meter % 1000) * 1000 + step * kStepMilli;
}

std::string FormatMilli(int64_t milli) {
  return absl::StrFormat("%d.%03d", milli / 1000, milli % 1000);
}

registry::Meter MeterFor(int n, const std::string& uscc) {
  registry::Meter m;
  m.set_meter_id(MeterId(n));
  m.mutable_uscc()->set_value(uscc);
  m.set_description("benchmark meter");
  m.set_level(registry::METER_LEVEL_1);
  m.set_measures(registry::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
  m.set_unit(registry::METER_UNIT_CUBIC_METRE);
  m.set_multiplier("1");
  m.set_register_digits(8);
  m.set_accuracy_class("2");
  m.mutable_calibration_due_on()->set_year(2027);
  m.mutable_calibration_due_on()->set_month(6);
  m.mutable_calibration_due_on()->set_day(30);
  m.mutable_installed_on()->set_year(2024);
  m.mutable_installed_on()->set_month(3);
  m.mutable_installed_on()->set_day(1);
  m.set_serial_number(absl::StrCat("SN", n));
  m.set_status(registry::METER_STATUS_ACTIVE);
  m.set_version(1);
  return m;
}

// One steady-state record as the service publishes it for a reading of `meter` at `step`.
std::string EncodedRecord(int meter, int step, const std::string& uscc, int64_t end_ms) {
  ingest::ReadingAccepted a;
  a.set_meter_id(MeterId(meter));
  a.mutable_uscc()->set_value(uscc);
  a.set_measures(registry::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
  a.set_level(registry::METER_LEVEL_1);
  a.set_kind(ingest::RECORD_KIND_REAL);
  a.set_interval_start_unix_ms(end_ms - kStepMs);
  a.set_interval_end_unix_ms(end_ms);
  a.mutable_delta()->set_litres(kStepMilli);
  a.set_register_value(FormatMilli(RegisterMilli(meter, step)));
  a.set_data_flag("N");
  a.set_source("grpc");
  a.set_received_unix_ms(absl::ToUnixMillis(absl::Now()));
  a.set_cumulative_litres(step * kStepMilli);
  return jieshui::kafka::EncodeEvent(a, {.producer = "ingest",
                                         .subject_key = uscc,
                                         .occurred_at = absl::FromUnixMillis(end_ms),
                                         .correlation_id = ""});
}

bool PublishMeters(const Options& o, const std::string& topic,
                   const std::vector<std::string>& usccs) {
  jieshui::kafka::ProducerOptions po;
  po.bootstrap_servers = o.kafka;
  po.client_id = "ingest-bench-setup";
  po.extra = {{"batch.num.messages", "10000"},
              {"batch.size", "1000000"},
              {"queue.buffering.max.messages", "1000000"}};
  auto producer = jieshui::kafka::Producer::Create(po);
  if (!producer.ok()) {
    std::fprintf(stderr, "setup producer: %s\n", producer.status().ToString().c_str());
    return false;
  }
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  const absl::Time now = absl::Now();
  for (int n = 0; n < o.meters; ++n) {
    jieshui::events::v1::MeterChanged changed;
    changed.set_change(registry::CHANGE_KIND_CREATED);
    *changed.mutable_meter() = MeterFor(n, usccs[static_cast<size_t>(n)]);
    const std::string id = MeterId(n);
    const std::string value = jieshui::kafka::EncodeEvent(
        changed,
        {.producer = "registry", .subject_key = id, .occurred_at = now, .correlation_id = ""});
    absl::Status s =
        (*producer)->Produce(topic, id, value, [&](const jieshui::kafka::DeliveryResult& r) {
          (r.status.ok() ? ok : failed).fetch_add(1);
        });
    if (!s.ok()) {
      std::fprintf(stderr, "setup: %s\n", s.ToString().c_str());
      return false;
    }
  }
  while (ok.load() + failed.load() < o.meters) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (failed.load() > 0) {
    std::fprintf(stderr, "setup: %lld meter events not delivered\n",
                 static_cast<long long>(failed.load()));
    return false;
  }
  return true;
}

class CountingReport : public RdKafka::DeliveryReportCb {
 public:
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  void dr_cb(RdKafka::Message& m) override {
    (m.err() == RdKafka::ERR_NO_ERROR ? ok : failed).fetch_add(1);
  }
};

struct RawResult {
  double rate = 0;
  int64_t failed = 0;
};

// Raw librdkafka with the properties jieshui::kafka::Producer sets plus the service's extras.
// The payloads are kDistinctPayloads real encoded records cycled (each with its own event id,
// meter and values), not one repeated buffer: lz4 would squeeze identical payloads far below what
// the service's records compress to. They are spread over more than lz4's 64 KiB window.
RawResult RawRate(const Options& o, const std::string& topic, int64_t messages,
                  const std::vector<std::string>& payloads, const std::vector<std::string>& usccs) {
  CountingReport report;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  const std::map<std::string, std::string> props = {
      {"bootstrap.servers", o.kafka},
      {"client.id", "ingest-bench-raw"},
      {"linger.ms", "5"},
      {"delivery.timeout.ms", "30000"},
      {"compression.type", "lz4"},
      {"batch.num.messages", "10000"},
      {"batch.size", "1000000"},
      {"queue.buffering.max.messages", "1000000"},
      {"enable.idempotence", "true"},
      {"acks", "all"},
  };
  for (const auto& [k, v] : props) {
    if (conf->set(k, v, err) != RdKafka::Conf::CONF_OK) {
      std::fprintf(stderr, "raw producer: %s=%s: %s\n", k.c_str(), v.c_str(), err.c_str());
      std::exit(1);
    }
  }
  conf->set("dr_cb", &report, err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  if (!producer) {
    std::fprintf(stderr, "raw producer: %s\n", err.c_str());
    std::exit(1);
  }
  const auto start = Clock::now();
  for (int64_t i = 0; i < messages; ++i) {
    const std::string& payload = payloads[static_cast<size_t>(i % kDistinctPayloads)];
    const std::string& key = usccs[static_cast<size_t>(i % o.meters)];
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             const_cast<char*>(payload.data()), payload.size(), key.data(),
                             key.size(), 0, nullptr, nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(1);
    }
    producer->poll(0);
  }
  while (report.ok.load() + report.failed.load() < messages) {
    producer->poll(10);
  }
  const double seconds = std::chrono::duration<double>(Clock::now() - start).count();
  return {static_cast<double>(report.ok.load()) / seconds, report.failed.load()};
}

// CPU seconds (user + system) `pid` has used so far, or -1 (/proc/<pid>/stat fields 14 and 15).
double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in(absl::StrCat("/proc/", pid, "/stat"));
  const std::string stat((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const size_t paren = stat.rfind(')');  // the command name may hold spaces
  if (paren == std::string::npos) {
    return -1;
  }
  std::istringstream fields(stat.substr(paren + 2));
  std::string field;
  int64_t utime = 0;
  int64_t stime = 0;
  for (int i = 3; i <= 15 && fields >> field; ++i) {
    if (i == 14 && !absl::SimpleAtoi(field, &utime)) {
      return -1;
    }
    if (i == 15 && !absl::SimpleAtoi(field, &stime)) {
      return -1;
    }
  }
  return static_cast<double>(utime + stime) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// CPU seconds this process (the benchmark client) has used so far.
double SelfCpuSeconds() {
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  auto seconds = [](const timeval& t) {
    return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) / 1e6;
  };
  return seconds(usage.ru_utime) + seconds(usage.ru_stime);
}

// CPU seconds the whole machine has been busy (all cores; /proc/stat minus idle and iowait).
double MachineBusySeconds() {
  std::ifstream in("/proc/stat");
  std::string cpu;
  in >> cpu;
  int64_t total = 0;
  int64_t idle = 0;
  int64_t value = 0;
  for (int i = 0; i < 8 && in >> value; ++i) {
    total += value;
    if (i == 3 || i == 4) {
      idle += value;
    }
  }
  return static_cast<double>(total - idle) / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Peak resident set size of `pid` in KiB (VmHWM), or -1.
int64_t PeakRssKib(pid_t pid) {
  std::ifstream status(absl::StrCat("/proc/", pid, "/status"));
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("VmHWM:", 0) == 0) {
      int64_t kib = -1;
      std::string digits;
      for (char c : line) {
        if (c >= '0' && c <= '9') {
          digits.push_back(c);
        }
      }
      return absl::SimpleAtoi(digits, &kib) ? kib : -1;
    }
  }
  return -1;
}

double Percentile(std::vector<double> sorted, double p) {
  if (sorted.empty()) {
    return 0;
  }
  std::sort(sorted.begin(), sorted.end());
  const auto rank = static_cast<size_t>(std::llround(p * static_cast<double>(sorted.size() - 1)));
  return sorted[std::min(rank, sorted.size() - 1)];
}

struct StreamResult {
  int64_t sent = 0;
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  int64_t failed_batches = 0;  // answered without results: Kafka did not confirm them
  int64_t answered_batches = 0;
  double seconds = 0;
  std::vector<double> latencies_ms;
  // (seconds since the first send, readings accepted) per answer, for the rate over time.
  std::vector<std::pair<double, int64_t>> answers;
  std::string stream_status;
};

std::vector<ingest::SubmitReadingsRequest> BuildBatches(const Options& o, int64_t first_ms) {
  const int64_t total = static_cast<int64_t>(o.meters) * o.readings_per_meter;
  std::vector<ingest::SubmitReadingsRequest> batches;
  batches.reserve(static_cast<size_t>((total + o.batch - 1) / o.batch));
  for (int64_t k = 0; k < total; k += o.batch) {
    ingest::SubmitReadingsRequest& req = batches.emplace_back();
    req.set_batch_id(absl::StrCat("b", batches.size() - 1));
    const int64_t end = std::min(total, k + o.batch);
    req.mutable_readings()->Reserve(static_cast<int>(end - k));
    for (int64_t i = k; i < end; ++i) {
      const int meter = static_cast<int>(i % o.meters);
      const int step = static_cast<int>(i / o.meters);
      ingest::Reading* r = req.add_readings();
      r->set_meter_id(MeterId(meter));
      r->set_timestamp_unix_ms(first_ms + step * kStepMs);
      r->set_register_value(FormatMilli(RegisterMilli(meter, step)));
      r->set_data_flag("N");
    }
  }
  return batches;
}

StreamResult RunStream(const Options& o, const std::string& address, const std::string& api_key,
                       const std::vector<ingest::SubmitReadingsRequest>& batches) {
  StreamResult result;
  grpc::ChannelArguments args;
  args.SetMaxReceiveMessageSize(64 << 20);
  args.SetMaxSendMessageSize(64 << 20);
  auto stub = ingest::IngestService::NewStub(
      grpc::CreateCustomChannel(address, grpc::InsecureChannelCredentials(), args));
  grpc::ClientContext ctx;
  ctx.AddMetadata("authorization", "Bearer " + api_key);
  ctx.set_deadline(std::chrono::system_clock::now() + std::chrono::hours(1));
  auto stream = stub->StreamReadings(&ctx);

  std::mutex mu;
  std::condition_variable cv;
  int outstanding = 0;                                     // guarded by mu
  std::vector<Clock::time_point> sent_at(batches.size());  // guarded by mu
  Clock::time_point last_answer;
  const auto start = Clock::now();

  std::thread reader([&] {
    ingest::SubmitReadingsResponse response;
    while (stream->Read(&response)) {
      const auto now = Clock::now();
      size_t index = 0;
      const std::string& id = response.batch_id();
      const bool known =
          id.size() > 1 && absl::SimpleAtoi(id.substr(1), &index) && index < batches.size();
      std::lock_guard lock(mu);
      if (known) {
        result.latencies_ms.push_back(
            std::chrono::duration<double, std::milli>(now - sent_at[index]).count());
      }
      ++result.answered_batches;
      if (response.results_size() == 0 && batches[known ? index : 0].readings_size() > 0) {
        ++result.failed_batches;
      }
      result.accepted += response.accepted();
      result.answers.emplace_back(std::chrono::duration<double>(now - start).count(),
                                  response.accepted());
      result.duplicates += response.duplicates();
      result.rejected += response.rejected();
      last_answer = now;
      --outstanding;
      cv.notify_all();
    }
  });

  for (size_t b = 0; b < batches.size(); ++b) {
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding < o.in_flight; });
      ++outstanding;
      sent_at[b] = Clock::now();
    }
    if (!stream->Write(batches[b])) {
      break;  // the stream is broken; Finish says why
    }
    result.sent += batches[b].readings_size();
  }
  stream->WritesDone();
  reader.join();
  const grpc::Status status = stream->Finish();
  if (!status.ok()) {
    result.stream_status =
        absl::StrCat(static_cast<int>(status.error_code()), " ", status.error_message());
  }
  if (result.answered_batches > 0) {
    result.seconds = std::chrono::duration<double>(last_answer - start).count();
  }
  return result;
}

// Removes what the run created, whatever happened.
class Cleanup {
 public:
  Cleanup(jieshui::kafka::Admin* admin, std::string pg, std::string schema)
      : admin_(admin), pg_(std::move(pg)), schema_(std::move(schema)) {}
  ~Cleanup() {
    if (!topics_.empty()) {
      absl::Status s = admin_->DeleteTopics(topics_);
      if (!s.ok()) {
        std::fprintf(stderr, "cleanup: delete topics: %s\n", s.ToString().c_str());
      }
    }
    try {
      pqxx::connection conn(pg_);
      pqxx::work tx(conn);
      tx.exec("DROP SCHEMA IF EXISTS " + tx.quote_name(schema_) + " CASCADE");
      tx.commit();
    } catch (const std::exception& e) {
      std::fprintf(stderr, "cleanup: drop schema %s: %s\n", schema_.c_str(), e.what());
    }
  }
  Cleanup(const Cleanup&) = delete;
  Cleanup& operator=(const Cleanup&) = delete;
  void AddTopic(const std::string& topic) { topics_.push_back(topic); }

 private:
  jieshui::kafka::Admin* admin_;
  std::string pg_;
  std::string schema_;
  std::vector<std::string> topics_;
};

void PrintTail(const jieshui::testing::ChildProcess& child, size_t lines) {
  const std::vector<std::string> all = child.Lines();
  for (size_t i = all.size() > lines ? all.size() - lines : 0; i < all.size(); ++i) {
    std::fprintf(stderr, "  service: %s\n", all[i].c_str());
  }
}

int Run(const Options& o) {
  const auto pg = ParsePg(o.pg);
  if (!pg.has_value()) {
    std::fprintf(stderr, "--pg: cannot parse %s (postgresql://user:password@host:port/db)\n",
                 o.pg.c_str());
    return 2;
  }
  auto admin = jieshui::kafka::Admin::Create(o.kafka);
  if (!admin.ok()) {
    std::fprintf(stderr, "kafka admin: %s\n", admin.status().ToString().c_str());
    return 1;
  }
  const std::string base = absl::StrCat("bench_", getpid(), "_", absl::ToUnixSeconds(absl::Now()));
  const std::string meter_topic = base + "_registry_meter";
  const std::string reading_topic = base + "_reading";
  const std::string rejected_topic = base + "_rejected";
  const std::string raw_topic = base + "_raw";
  Cleanup cleanup(admin->get(), o.pg, base);
  for (const std::string& t : {meter_topic, reading_topic, rejected_topic, raw_topic}) {
    cleanup.AddTopic(t);
  }
  absl::Status created = (*admin)->EnsureTopics(
      {topics::SpecFor({meter_topic, topics::Retention::kCompacted}, kPartitions, 1, -1),
       topics::SpecFor({raw_topic, topics::Retention::kRetained}, kPartitions, 1, 400)});
  if (!created.ok()) {
    std::fprintf(stderr, "create topics: %s\n", created.ToString().c_str());
    return 1;
  }

  const int64_t total = static_cast<int64_t>(o.meters) * o.readings_per_meter;
  std::printf(
      "ingest_bench: %d meters x %d readings = %lld readings, batches of %d, %d in flight, "
      "ledger %s, broker %s\n",
      o.meters, o.readings_per_meter, static_cast<long long>(total), o.batch, o.in_flight,
      o.ledger.c_str(), o.kafka.c_str());
  std::fflush(stdout);

  std::vector<std::string> usccs;
  usccs.reserve(static_cast<size_t>(o.meters));
  for (int n = 0; n < o.meters; ++n) {
    usccs.push_back(UsccFor(n));
  }
  auto t0 = Clock::now();
  if (!PublishMeters(o, meter_topic, usccs)) {
    return 1;
  }
  std::printf("setup: %d MeterChanged events delivered in %.1f s\n", o.meters,
              std::chrono::duration<double>(Clock::now() - t0).count());

  // Readings of each meter 15 minutes apart, the last one now (well inside the back-fill window).
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  const int64_t first_ms = now_ms - (o.readings_per_meter - 1) * kStepMs;

  // Raw librdkafka first, while nothing else runs (the service's ledger writer may still be
  // catching up after its run).
  std::vector<std::string> payloads;
  size_t payload_min = SIZE_MAX;
  size_t payload_max = 0;
  double payload_sum = 0;
  for (int i = 0; i < kDistinctPayloads; ++i) {
    const int meter = i % o.meters;
    const int step = 1 + (i / o.meters) % std::max(1, o.readings_per_meter - 1);
    payloads.push_back(
        EncodedRecord(meter, step, usccs[static_cast<size_t>(meter)], first_ms + step * kStepMs));
    payload_min = std::min(payload_min, payloads.back().size());
    payload_max = std::max(payload_max, payloads.back().size());
    payload_sum += static_cast<double>(payloads.back().size());
  }
  const double raw_client_cpu0 = SelfCpuSeconds();
  const double raw_machine_cpu0 = MachineBusySeconds();
  const RawResult raw = RawRate(o, raw_topic, total, payloads, usccs);
  const double raw_client_cpu = SelfCpuSeconds() - raw_client_cpu0;
  const double raw_machine_cpu = MachineBusySeconds() - raw_machine_cpu0;
  std::printf("raw librdkafka: %.0f msg/s acknowledged\n", raw.rate);
  if (raw.failed > 0) {
    std::printf("WARNING: raw librdkafka: %lld deliveries failed\n",
                static_cast<long long>(raw.failed));
  }
  std::fflush(stdout);

  const std::vector<ingest::SubmitReadingsRequest> batches = BuildBatches(o, first_ms);

  const std::string api_key = absl::StrCat("ingest-bench-key-", base);
  const std::map<std::string, std::string> env = {
      {"JIESHUI_INGEST_GRPC_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_INGEST_GRPC_DRAIN_TIMEOUT", "2s"},
      {"JIESHUI_INGEST_METRICS_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_INGEST_HJ212_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_INGEST_LOG_LEVEL", "info"},
      {"JIESHUI_INGEST_KAFKA_BOOTSTRAP_SERVERS", o.kafka},
      {"JIESHUI_INGEST_KAFKA_TOPIC_PARTITIONS", std::to_string(kPartitions)},
      {"JIESHUI_INGEST_POSTGRES_HOST", pg->host},
      {"JIESHUI_INGEST_POSTGRES_PORT", pg->port},
      {"JIESHUI_INGEST_POSTGRES_USER", pg->user},
      {"JIESHUI_INGEST_POSTGRES_PASSWORD", pg->password},
      {"JIESHUI_INGEST_POSTGRES_DATABASE", pg->database},
      {"JIESHUI_INGEST_POSTGRES_SCHEMA", base},
      {"JIESHUI_INGEST_INGEST_TOPICS_READING", reading_topic},
      {"JIESHUI_INGEST_INGEST_TOPICS_REJECTED", rejected_topic},
      {"JIESHUI_INGEST_INGEST_TOPICS_REGISTRY_METER", meter_topic},
      {"JIESHUI_INGEST_LEDGER_ENABLED", o.ledger == "on" ? "true" : "false"},
      {"JIESHUI_INGEST_AUTH_API_KEYS",
       absl::StrCat("[{sha256: ", jieshui::grpcserver::Sha256Hex(api_key),
                    ", principal: meter_gateway, name: bench}]")},
  };
  for (const auto& [name, value] : env) {
    if (setenv(name.c_str(), value.c_str(), 1) != 0) {
      std::perror("setenv");
      return 1;
    }
  }
  jieshui::testing::ChildProcess service;
  t0 = Clock::now();
  if (!service.Start({o.ingest_binary, "--config", o.config})) {
    std::fprintf(stderr, "cannot start %s\n", o.ingest_binary.c_str());
    return 1;
  }
  const auto started =
      service.WaitForLine("\"msg\":\"grpc server started\"", std::chrono::seconds(300));
  std::smatch port;
  static const std::regex kPort(R"("port":(\d+))");
  if (!started.has_value() || !std::regex_search(*started, port, kPort)) {
    std::fprintf(stderr, "the service did not start; its last output:\n");
    PrintTail(service, 30);
    return 1;
  }
  std::printf("service started in %.1f s (pid %d, gRPC port %s)\n",
              std::chrono::duration<double>(Clock::now() - t0).count(),
              static_cast<int>(service.pid()), port[1].str().c_str());
  std::fflush(stdout);

  const double service_cpu0 = ProcessCpuSeconds(service.pid());
  const double client_cpu0 = SelfCpuSeconds();
  const double machine_cpu0 = MachineBusySeconds();
  const StreamResult r = RunStream(o, "127.0.0.1:" + port[1].str(), api_key, batches);
  const double service_cpu = ProcessCpuSeconds(service.pid()) - service_cpu0;
  const double client_cpu = SelfCpuSeconds() - client_cpu0;
  const double machine_cpu = MachineBusySeconds() - machine_cpu0;
  const int64_t rss_kib = PeakRssKib(service.pid());
  const double rate = r.seconds > 0 ? static_cast<double>(r.accepted) / r.seconds : 0;
  const int64_t answered = r.accepted + r.duplicates + r.rejected;

  std::printf("readings sent:                   %lld\n", static_cast<long long>(r.sent));
  std::printf(
      "readings acknowledged:           %lld (accepted %lld, duplicates %lld, "
      "rejected %lld)\n",
      static_cast<long long>(answered), static_cast<long long>(r.accepted),
      static_cast<long long>(r.duplicates), static_cast<long long>(r.rejected));
  std::printf("seconds (first send..last answer): %.2f\n", r.seconds);
  std::printf("readings/s acknowledged:         %.0f\n", rate);
  {
    // Readings accepted per quarter second: stalls and warm-up show here, not in the average.
    std::map<int, int64_t> per_window;
    for (const auto& [at, accepted] : r.answers) {
      per_window[static_cast<int>(at * 4)] += accepted;
    }
    std::string line;
    for (int w = 0; !per_window.empty() && w <= per_window.rbegin()->first; ++w) {
      absl::StrAppend(&line, line.empty() ? "" : " ", per_window[w] * 4 / 1000);
    }
    std::printf("k readings/s per 0.25 s window:  %s\n", line.c_str());
  }
  std::printf("batch ack latency p50:           %.1f ms\n", Percentile(r.latencies_ms, 0.50));
  std::printf("batch ack latency p99:           %.1f ms\n", Percentile(r.latencies_ms, 0.99));
  std::printf("service peak RSS (VmHWM):        %.1f MiB\n", static_cast<double>(rss_kib) / 1024);
  std::printf(
      "CPU during the run:              service %.1f s (%.1f us/reading), client %.1f s, "
      "rest of machine %.1f s (broker, PostgreSQL, other load), of %.1f core-s\n",
      service_cpu, service_cpu * 1e6 / static_cast<double>(std::max<int64_t>(1, r.accepted)),
      client_cpu, machine_cpu - service_cpu - client_cpu,
      r.seconds * static_cast<double>(std::thread::hardware_concurrency()));
  std::printf("raw librdkafka msg/s:            %.0f\n", raw.rate);
  std::printf(
      "raw librdkafka CPU:              client %.1f s (%.1f us/msg), rest of machine %.1f s\n",
      raw_client_cpu, raw_client_cpu * 1e6 / static_cast<double>(total),
      raw_machine_cpu - raw_client_cpu);
  std::printf("ratio service/raw:               %.2f\n", rate / raw.rate);
  std::printf("payload bytes (encoded record):  %zu (%.1f mean, %zu..%zu over %d records)\n",
              payloads.front().size(), payload_sum / kDistinctPayloads, payload_min, payload_max,
              kDistinctPayloads);
  std::printf("ledger:                          %s\n", o.ledger.c_str());
  if (o.ledger == "on") {
    // The ledger consumes the topic behind intake: how long after the last answer it holds
    // every record (one per reading here: readings 15 minutes apart open no gaps).
    // Watched through the ledger's stored offsets (cheap) until they reach the topic's end,
    // then its rows counted once: counting 3M rows every second would slow the ledger down.
    const auto answered_at = Clock::now();
    std::map<int32_t, int64_t> ends;
    if (auto reader = jieshui::kafka::TopicReader::Create(o.kafka, reading_topic); reader.ok()) {
      if (auto e = (*reader)->EndOffsets(); e.ok()) {
        ends = *e;
      }
    }
    if (ends.empty()) {
      std::fprintf(stderr, "ledger: the reading topic's end offsets are unknown\n");
    }
    int64_t rows = -1;
    while (Clock::now() - answered_at < std::chrono::seconds(300)) {
      try {
        pqxx::connection conn(o.pg);
        pqxx::work tx(conn);
        std::map<int32_t, int64_t> stored;
        for (const auto& row :
             tx.exec_params("SELECT partition, next_offset FROM " + tx.quote_name(base) +
                                ".consumer_offsets WHERE consumer = 'ingest-ledger' AND topic = $1",
                            reading_topic)) {
          stored[row[0].as<int32_t>()] = row[1].as<int64_t>();
        }
        bool reached = true;
        for (const auto& [partition, end] : ends) {
          reached =
              reached && (end == 0 || (stored.contains(partition) && stored[partition] >= end));
        }
        if (reached) {
          rows = tx.exec1("SELECT count(*) FROM " + tx.quote_name(base) + ".readings")[0]
                     .as<int64_t>();
        }
      } catch (const std::exception& e) {
        std::fprintf(stderr, "ledger progress: %s\n", e.what());
      }
      if (rows >= r.accepted) {
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
    }
    std::printf("ledger rows stored:              %lld of %lld, %.1f s after the last answer\n",
                static_cast<long long>(rows), static_cast<long long>(r.accepted),
                std::chrono::duration<double>(Clock::now() - answered_at).count());
    // The service logs each time its ledger held back a second or more for a busy intake.
    int64_t held_ms = 0;
    int held = 0;
    static const std::regex kWaited(R"("waited_ms":(\d+))");
    for (const std::string& line : service.Lines()) {
      std::smatch waited;
      int64_t ms = 0;
      if (line.find("ledger: held back") != std::string::npos &&
          std::regex_search(line, waited, kWaited) && absl::SimpleAtoi(waited[1].str(), &ms)) {
        ++held;
        held_ms += ms;
      }
    }
    std::printf("ledger held back for intake:     %d time(s) of 1 s or more, %.1f s in all\n", held,
                static_cast<double>(held_ms) / 1000);
  }
  if (r.duplicates > 0 || r.rejected > 0 || r.failed_batches > 0 || r.accepted != total ||
      !r.stream_status.empty()) {
    std::printf(
        "WARNING: expected %lld accepted; got %lld accepted, %lld duplicates, %lld "
        "rejected, %lld batches failed, %lld of %zu batches answered%s%s\n",
        static_cast<long long>(total), static_cast<long long>(r.accepted),
        static_cast<long long>(r.duplicates), static_cast<long long>(r.rejected),
        static_cast<long long>(r.failed_batches), static_cast<long long>(r.answered_batches),
        batches.size(), r.stream_status.empty() ? "" : "; stream: ", r.stream_status.c_str());
  }
  if (rate < 100000 || rate / raw.rate < 0.5) {
    std::printf("BELOW TARGET (>= 100000 readings/s acknowledged and ratio >= 0.5)\n");
  }
  std::fflush(stdout);

  service.Signal(SIGTERM);
  const std::optional<int> code = service.Wait(std::chrono::seconds(60));
  if (code != 0) {
    std::fprintf(stderr, "the service exited with %s; its last output:\n",
                 code.has_value() ? std::to_string(*code).c_str() : "a timeout");
    PrintTail(service, 20);
  }
  return 0;
}

int Main(int argc, char** argv) {
  Options o;
  CLI::App cli("End-to-end ingest throughput against raw librdkafka");
  cli.add_option("--ingest-binary", o.ingest_binary, "the jieshui-ingest binary");
  cli.add_option("--config", o.config, "the service's YAML configuration");
  cli.add_option("--kafka", o.kafka, "Kafka bootstrap servers");
  cli.add_option("--pg", o.pg, "PostgreSQL URI (postgresql://user:password@host:port/db)");
  cli.add_option("--meters", o.meters, "meters")->check(CLI::PositiveNumber);
  cli.add_option("--readings-per-meter", o.readings_per_meter, "readings per meter, 15 min apart")
      ->check(CLI::Range(1, 600));
  cli.add_option("--batch", o.batch, "readings per batch")->check(CLI::PositiveNumber);
  cli.add_option("--in-flight", o.in_flight, "batches outstanding on the stream")
      ->check(CLI::PositiveNumber);
  cli.add_option("--ledger", o.ledger, "run the service's ledger writer")
      ->check(CLI::IsMember({"on", "off"}));
  CLI11_PARSE(cli, argc, argv);
  return Run(o);
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Main(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "ingest_bench: %s\n", e.what());
  } catch (...) {
    std::fprintf(stderr, "ingest_bench: unknown exception\n");
  }
  return 1;
}
