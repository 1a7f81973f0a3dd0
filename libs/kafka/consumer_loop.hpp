// A consumer that handles one message at a time and acts on the handler's verdict: commit when
// processed, re-read after a back-off when retryable, dead-letter and move on when poison. Built
// on kafka::BatchConsumer with batches of one; services consume in batches (batch_consumer.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "kafka/batch_consumer.hpp"
#include "kafka/consumer.hpp"
#include "kafka/dead_letter.hpp"

namespace jieshui::kafka {

struct HandlerResult {
  Outcome outcome = Outcome::kProcessed;
  std::string error;  // why, for kRetry and kPoison

  static HandlerResult Processed() { return {Outcome::kProcessed, {}}; }
  static HandlerResult Retry(std::string why) { return {Outcome::kRetry, std::move(why)}; }
  static HandlerResult Poison(std::string why) { return {Outcome::kPoison, std::move(why)}; }
};

using MessageHandler = std::function<HandlerResult(const Message&)>;

struct ConsumerLoopOptions {
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{10000};
};

class ConsumerLoop {
 public:
  ConsumerLoop(std::unique_ptr<Consumer> consumer, MessageHandler handler, DeadLetterQueue* dlq,
               ConsumerLoopOptions options = {});

  void Start() { batches_.Start(); }
  // Finishes the message in hand, then leaves the group. Idempotent.
  void Stop() { batches_.Stop(); }

  int64_t processed() const { return batches_.stats().messages.load(); }
  int64_t dead_lettered() const { return batches_.stats().dead_lettered.load(); }
  int64_t retries() const { return batches_.stats().retries.load(); }

 private:
  BatchConsumer<bool> batches_;
};

}  // namespace jieshui::kafka
