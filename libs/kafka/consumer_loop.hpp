// A consumer thread that hands each message to a handler and acts on its verdict: commit when
// processed, re-read after a back-off when retryable, dead-letter and move on when poison.
#pragma once

#include <atomic>
#include <chrono>
#include <functional>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"

namespace jieshui::kafka {

enum class Outcome {
  kProcessed,  // the effect is durable: commit the offset
  kRetry,      // a dependency failed (database down...): handle the same message again later
  kPoison,     // the message can never be applied: dead-letter it and move on
};

struct HandlerResult {
  Outcome outcome = Outcome::kProcessed;
  std::string error;  // why, for kRetry and kPoison

  static HandlerResult Processed() { return {Outcome::kProcessed, {}}; }
  static HandlerResult Retry(std::string why) { return {Outcome::kRetry, std::move(why)}; }
  static HandlerResult Poison(std::string why) { return {Outcome::kPoison, std::move(why)}; }
};

using MessageHandler = std::function<HandlerResult(const Message&)>;

// Publishes undecodable or unappliable messages to jieshui.dlq.v1 (events.v1.DeadLetter inside
// an envelope), keyed like the original, and waits for the broker's acknowledgement.
class DeadLetterQueue {
 public:
  DeadLetterQueue(Producer* producer, std::string consumer_group,
                  std::string topic = "jieshui.dlq.v1");
  absl::Status Send(const Message& message, const std::string& error);
  const std::string& topic() const { return topic_; }

 private:
  Producer* producer_;
  std::string consumer_group_;
  std::string topic_;
};

struct ConsumerLoopOptions {
  std::chrono::milliseconds poll_timeout{100};
  std::chrono::milliseconds retry_backoff_initial{100};
  std::chrono::milliseconds retry_backoff_max{10000};
};

class ConsumerLoop {
 public:
  ConsumerLoop(std::unique_ptr<Consumer> consumer, MessageHandler handler, DeadLetterQueue* dlq,
               ConsumerLoopOptions options = {});
  ~ConsumerLoop();

  void Start();
  // Finishes the message in hand, then leaves the group. Idempotent.
  void Stop();

  int64_t processed() const { return processed_.load(); }
  int64_t dead_lettered() const { return dead_lettered_.load(); }
  int64_t retries() const { return retries_.load(); }

 private:
  void Run();
  // Hands the message to the handler (and the DLQ for poison); true once it is settled.
  bool Settle(const Message& message);
  // Returns false when stopping.
  bool Backoff(std::chrono::milliseconds delay);

  std::unique_ptr<Consumer> consumer_;
  MessageHandler handler_;
  DeadLetterQueue* dlq_;
  ConsumerLoopOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> processed_{0};
  std::atomic<int64_t> dead_lettered_{0};
  std::atomic<int64_t> retries_{0};
  std::thread thread_;
};

}  // namespace jieshui::kafka
