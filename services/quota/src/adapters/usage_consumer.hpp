// Turns jieshui.ingest.reading.v1 into usage: a consumer-group member that takes what has arrived
// (up to a batch), applies it in one PostgreSQL transaction together with the next offsets
// (QuotaStore::ApplyReadings skips anything already applied, so replays and rebalances change
// nothing), then commits to Kafka and writes the changed figures to the cache. A message that does
// not decode goes to jieshui.dlq.v1 and counts as applied (with no effect); a database failure
// re-reads the batch after a back-off.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "adapters/quota_store.hpp"
#include "adapters/usage_cache.hpp"
#include "kafka/consumer.hpp"
#include "kafka/consumer_loop.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace jieshui::quota {

struct UsageConsumerOptions {
  std::string bootstrap_servers;
  std::string reading_topic = "jieshui.ingest.reading.v1";
  std::string group_id = "quota-usage";
  int max_batch = 500;
  std::chrono::milliseconds poll_timeout{100};
  // Optional Prometheus counters: messages by outcome (applied, replayed, dead_lettered) and
  // records counted into usage.
  prometheus::Family<prometheus::Counter>* messages_counter = nullptr;
  prometheus::Family<prometheus::Counter>* records_counter = nullptr;
};

class UsageConsumer {
 public:
  UsageConsumer(QuotaStore* store, UsageCache* cache, kafka::DeadLetterQueue* dlq,
                UsageConsumerOptions options);
  ~UsageConsumer();
  UsageConsumer(const UsageConsumer&) = delete;
  UsageConsumer& operator=(const UsageConsumer&) = delete;

  absl::Status Start();
  void Stop();

  int64_t messages_applied() const { return messages_applied_.load(); }
  int64_t records_counted() const { return records_counted_.load(); }
  int64_t dead_lettered() const { return dead_lettered_.load(); }

 private:
  void Run();

  QuotaStore* store_;
  UsageCache* cache_;
  kafka::DeadLetterQueue* dlq_;
  UsageConsumerOptions options_;
  std::unique_ptr<kafka::Consumer> consumer_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> messages_applied_{0};
  std::atomic<int64_t> records_counted_{0};
  std::atomic<int64_t> dead_lettered_{0};
  std::thread thread_;
};

}  // namespace jieshui::quota
