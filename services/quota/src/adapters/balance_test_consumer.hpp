// Follows the certification service's activity topic (jieshui.certification.activity.v1) into
// quota's balance_tests, as a kafka::BatchConsumer in its own consumer group: each batch in one
// PostgreSQL transaction together with the next offsets (BalanceTestStore::Apply skips anything
// applied before, so replays and rebalances change nothing), then the Kafka commit. Only a
// RecordChanged of a water balance test has an effect; the topic's other events (other record
// kinds, ApplicationChanged, TitleReviewChanged, and any type added later) are passed over. A
// message that is no envelope, or a balance test without its id, enterprise or status, goes to
// jieshui.dlq.v1; a database failure re-reads the batch after a back-off.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kafka/batch_consumer.hpp"
#include "kafka/dead_letter.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "quota/src/adapters/balance_test_store.hpp"

namespace jieshui::quota {

struct BalanceTestConsumerOptions {
  std::string bootstrap_servers;
  std::string activity_topic = "jieshui.certification.activity.v1";
  std::string group_id = "quota-balance-tests";
  int max_batch = 500;
  std::chrono::milliseconds poll_timeout{100};
  // Optional Prometheus counter of messages by outcome (applied, replayed, dead_lettered).
  prometheus::Family<prometheus::Counter>* messages_counter = nullptr;
};

// An activity-topic message decoded: the balance test it announces, or none when it is about
// something else.
struct ActivityEvent {
  std::optional<BalanceTest> test;
};

// The decoding the consumer does (for tests): INVALID_ARGUMENT for what goes to the DLQ.
absl::StatusOr<ActivityEvent> DecodeActivity(const kafka::Message& message);

class BalanceTestConsumer {
 public:
  BalanceTestConsumer(BalanceTestStore* store, kafka::DeadLetterQueue* dlq,
                      BalanceTestConsumerOptions options);
  BalanceTestConsumer(const BalanceTestConsumer&) = delete;
  BalanceTestConsumer& operator=(const BalanceTestConsumer&) = delete;

  absl::Status Start();
  void Stop();

  int64_t messages_applied() const { return messages_applied_.load(); }
  int64_t tests_changed() const { return tests_changed_.load(); }
  int64_t dead_lettered() const;

 private:
  absl::Status Apply(std::vector<kafka::Decoded<ActivityEvent>>& batch);

  BalanceTestStore* store_;
  kafka::DeadLetterQueue* dlq_;
  BalanceTestConsumerOptions options_;
  std::unique_ptr<kafka::BatchConsumer<ActivityEvent>> batches_;
  std::atomic<int64_t> messages_applied_{0};
  std::atomic<int64_t> tests_changed_{0};
};

}  // namespace jieshui::quota
