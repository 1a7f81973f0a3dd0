// Turns jieshui.ingest.reading.v1 into usage, as a kafka::BatchConsumer: a consumer-group member
// that applies what has arrived (up to a batch) in one PostgreSQL transaction together with the
// next offsets (UsageStore::ApplyReadings skips anything already applied, so replays and
// rebalances change nothing), then commits to Kafka and writes the changed figures to the cache.
// A message that does not decode goes to jieshui.dlq.v1 and counts as applied (with no effect);
// a database failure re-reads the batch after a back-off.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>

#include "kafka/batch_consumer.hpp"
#include "kafka/dead_letter.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "quota/src/adapters/usage_cache.hpp"
#include "quota/src/adapters/usage_store.hpp"

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
  UsageConsumer(UsageStore* store, UsageCache* cache, kafka::DeadLetterQueue* dlq,
                UsageConsumerOptions options);
  UsageConsumer(const UsageConsumer&) = delete;
  UsageConsumer& operator=(const UsageConsumer&) = delete;

  absl::Status Start();
  void Stop();

  int64_t messages_applied() const { return messages_applied_.load(); }
  int64_t records_counted() const { return records_counted_.load(); }
  int64_t dead_lettered() const;

 private:
  // One batch in one transaction; counters and the cache once it committed.
  absl::Status Apply(std::vector<kafka::Decoded<ingest::v1::ReadingRecords>>& batch);

  UsageStore* store_;
  UsageCache* cache_;
  kafka::DeadLetterQueue* dlq_;
  UsageConsumerOptions options_;
  std::unique_ptr<kafka::BatchConsumer<ingest::v1::ReadingRecords>> batches_;
  std::atomic<int64_t> messages_applied_{0};
  std::atomic<int64_t> records_counted_{0};
};

}  // namespace jieshui::quota
