// Throughput of jieshui::kafka::Producer (a delivery result per message) against raw librdkafka
// with the same settings, payload size and broker, in one run, so the wrapper's overhead shows.
//
//   kafka_produce_bench [--brokers 127.0.0.1:19092] [--messages 500000] [--size 200]
//                       [--keys 100000] [--partitions 6]
//
// Prints messages/s acknowledged for both and their ratio. Both produce with enable.idempotence,
// acks=all, lz4 and linger.ms=5, count only messages whose delivery report says success, and
// each writes to a fresh topic.
#include <librdkafka/rdkafkacpp.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <thread>

#include "absl/strings/numbers.h"
#include "kafka/admin.hpp"
#include "kafka/producer.hpp"

namespace {

struct Args {
  std::string brokers = "127.0.0.1:19092";
  int messages = 500000;
  int size = 200;
  int keys = 100000;
  int partitions = 6;
};

int PositiveInt(const std::string& flag, const std::string& value) {
  int n = 0;
  if (!absl::SimpleAtoi(value, &n) || n <= 0) {
    std::fprintf(stderr, "%s: \"%s\" is not a positive integer\n", flag.c_str(), value.c_str());
    std::exit(2);
  }
  return n;
}

Args Parse(int argc, char** argv) {
  Args a;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string flag = argv[i];
    const std::string value = argv[i + 1];
    if (flag == "--brokers") {
      a.brokers = value;
    } else if (flag == "--messages") {
      a.messages = PositiveInt(flag, value);
    } else if (flag == "--size") {
      a.size = PositiveInt(flag, value);
    } else if (flag == "--keys") {
      a.keys = PositiveInt(flag, value);
    } else if (flag == "--partitions") {
      a.partitions = PositiveInt(flag, value);
    } else {
      std::fprintf(stderr, "unknown flag %s\n", flag.c_str());
      std::exit(2);
    }
  }
  return a;
}

std::string Topic(const char* what) {
  return std::string("bench.") + what + "." + std::to_string(std::random_device{}());
}

class CountingReport : public RdKafka::DeliveryReportCb {
 public:
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  void dr_cb(RdKafka::Message& m) override {
    (m.err() == RdKafka::ERR_NO_ERROR ? ok : failed).fetch_add(1);
  }
};

double RawRate(const Args& a, const std::string& topic, const std::string& payload) {
  CountingReport report;
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (auto [k, v] :
       std::initializer_list<std::pair<const char*, const char*>>{{"enable.idempotence", "true"},
                                                                  {"acks", "all"},
                                                                  {"compression.type", "lz4"},
                                                                  {"linger.ms", "5"}}) {
    conf->set(k, v, err);
  }
  conf->set("bootstrap.servers", a.brokers, err);
  conf->set("dr_cb", &report, err);
  std::unique_ptr<RdKafka::Producer> producer(RdKafka::Producer::create(conf.get(), err));
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < a.messages; ++i) {
    const std::string key = "m" + std::to_string(i % a.keys);
    while (producer->produce(topic, RdKafka::Topic::PARTITION_UA, RdKafka::Producer::RK_MSG_COPY,
                             const_cast<char*>(payload.data()), payload.size(), key.data(),
                             key.size(), 0, nullptr, nullptr) == RdKafka::ERR__QUEUE_FULL) {
      producer->poll(1);
    }
    producer->poll(0);
  }
  while (report.ok.load() + report.failed.load() < a.messages) {
    producer->poll(10);
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (report.failed.load() > 0) {
    std::printf("raw librdkafka: %lld deliveries FAILED\n",
                static_cast<long long>(report.failed.load()));
  }
  return static_cast<double>(report.ok.load()) / seconds;
}

double WrapperRate(const Args& a, const std::string& topic, const std::string& payload) {
  jieshui::kafka::ProducerOptions options;
  options.bootstrap_servers = a.brokers;
  auto producer = jieshui::kafka::Producer::Create(options);
  if (!producer.ok()) {
    std::fprintf(stderr, "%s\n", producer.status().ToString().c_str());
    std::exit(1);
  }
  std::atomic<int64_t> ok{0};
  std::atomic<int64_t> failed{0};
  const auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < a.messages; ++i) {
    const std::string key = "m" + std::to_string(i % a.keys);
    absl::Status s =
        (*producer)->Produce(topic, key, payload, [&](const jieshui::kafka::DeliveryResult& r) {
          (r.status.ok() ? ok : failed).fetch_add(1);
        });
    if (!s.ok()) {
      failed.fetch_add(1);
    }
  }
  while (ok.load() + failed.load() < a.messages) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
  if (failed.load() > 0) {
    std::printf("jieshui::kafka::Producer: %lld deliveries FAILED\n",
                static_cast<long long>(failed.load()));
  }
  return static_cast<double>(ok.load()) / seconds;
}

}  // namespace

int main(int argc, char** argv) {
  const Args a = Parse(argc, argv);
  const std::string payload(static_cast<size_t>(a.size), 'x');
  auto admin = jieshui::kafka::Admin::Create(a.brokers);
  const std::string raw_topic = Topic("raw");
  const std::string wrapped_topic = Topic("wrapped");
  if (!admin.ok() ||
      !(*admin)
           ->EnsureTopics({{raw_topic, a.partitions, 1, {}}, {wrapped_topic, a.partitions, 1, {}}})
           .ok()) {
    std::fprintf(stderr, "cannot create benchmark topics on %s\n", a.brokers.c_str());
    return 1;
  }
  std::printf("%d messages of %d bytes, %d keys, %d partitions, broker %s\n", a.messages, a.size,
              a.keys, a.partitions, a.brokers.c_str());
  const double raw = RawRate(a, raw_topic, payload);
  std::printf("raw librdkafka:           %10.0f msg/s acknowledged\n", raw);
  const double wrapped = WrapperRate(a, wrapped_topic, payload);
  std::printf("jieshui::kafka::Producer: %10.0f msg/s acknowledged\n", wrapped);
  std::printf("ratio wrapper/raw:        %10.2f\n", wrapped / raw);
  (void)(*admin)->DeleteTopics({raw_topic, wrapped_topic});
  return 0;
}
