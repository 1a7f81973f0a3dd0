// What a consumer does with a message it could not handle: Outcome and Classify (retry or poison),
// and the dead-letter queue jieshui.dlq.v1 that poison goes to (DESIGN.md "Events").
#pragma once

#include <string>

#include "absl/status/status.h"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"

namespace jieshui::kafka {

enum class Outcome {
  kProcessed,  // the effect is durable: commit the offset
  kRetry,      // a dependency failed (database down...): handle the same message again later
  kPoison,     // the message can never be applied: dead-letter it and move on
};

// What a consumer does with a message, or a batch, whose decoding or applying ended in `status`.
// The list follows the canonical codes' own guidance (absl/status/status.h, and gRPC's status
// codes table): a code that says the input itself is wrong is poison, since reading it again
// gives the same answer; a code that says a dependency was down, busy or interrupted is retried,
// since the same message may apply later. INTERNAL and UNKNOWN are retried: they are what a
// database driver reports for a failure it does not classify, and dropping a reading because a
// dependency failed strangely would lose data, while retrying only delays it.
Outcome Classify(const absl::Status& status);

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

}  // namespace jieshui::kafka
