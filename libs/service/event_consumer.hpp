// The one way a service derives state from other services' events: a consumer-group member over
// one or more topics that applies each event (an EventEnvelope) in the batch's PostgreSQL
// transaction together with the partitions' next offsets (db/idempotent.hpp), so a replay, a
// rebalance or a crash between the commit and Kafka's never applies an event twice. What is no
// envelope, or what `apply` calls poison (INVALID_ARGUMENT), goes to the dead-letter topic; a
// database failure re-reads the batch after a back-off (kafka::BatchConsumer).
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include <prometheus/counter.h>
#include <prometheus/family.h>
#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "db/pool.hpp"
#include "kafka/batch_consumer.hpp"
#include "kafka/dead_letter.hpp"
#include "kafka/envelope.hpp"

namespace jieshui::service {

struct EventConsumerOptions {
  std::string name;  // in logs, and the consumer's name beside its stored offsets
  std::string bootstrap_servers;
  std::string group_id;
  std::string client_id = "jieshui";
  std::vector<std::string> topics;
  std::string schema;  // the service's schema, which holds the offsets
  int max_batch = 500;
  std::chrono::milliseconds poll_timeout{100};
  // Optional: messages by outcome ("applied", "replayed": applied before, "dead_lettered").
  prometheus::Family<prometheus::Counter>* messages_counter = nullptr;
};

class EventConsumer {
 public:
  // A message as polled: its envelope, or why it is none. Decoding never fails in the batch
  // consumer, so a message that is no envelope is judged after the replay check, and one read
  // again is skipped rather than dead-lettered twice.
  struct Incoming {
    kafka::EventEnvelope event;
    absl::Status decode_error;
  };

  // Applies one event inside the batch's transaction. INVALID_ARGUMENT: the event can never apply
  // (dead-lettered alone, the rest of the batch applies); any other error: the batch is retried.
  // An event of a type the service does not use should return OK having done nothing.
  using Apply = std::function<absl::Status(pqxx::work& tx, const kafka::Message& message,
                                           const kafka::EventEnvelope& event)>;
  // Runs after a batch committed (caches, counters), outside the transaction; may be empty.
  using AfterCommit = std::function<void()>;

  EventConsumer(db::ConnectionPool* pool, kafka::DeadLetterQueue* dlq, EventConsumerOptions options,
                Apply apply, AfterCommit after_commit = {});
  ~EventConsumer() { Stop(); }
  EventConsumer(const EventConsumer&) = delete;
  EventConsumer& operator=(const EventConsumer&) = delete;

  // Creates the offset tables when missing, joins the group and starts the thread.
  absl::Status Start();
  // Finishes the batch in hand and leaves the group. Idempotent.
  void Stop();

  int64_t applied() const { return applied_.load(); }    // events applied (first time)
  int64_t replayed() const { return replayed_.load(); }  // skipped: applied before
  int64_t dead_lettered() const;

 private:
  absl::Status ApplyBatch(std::vector<kafka::Decoded<Incoming>>& batch);

  db::ConnectionPool* pool_;
  kafka::DeadLetterQueue* dlq_;
  EventConsumerOptions options_;
  Apply apply_;
  AfterCommit after_commit_;
  std::unique_ptr<kafka::BatchConsumer<Incoming>> batches_;
  std::atomic<int64_t> applied_{0};
  std::atomic<int64_t> replayed_{0};
  int64_t dead_lettered_counted_ = 0;  // the consumer thread's: dead letters already counted
};

}  // namespace jieshui::service
