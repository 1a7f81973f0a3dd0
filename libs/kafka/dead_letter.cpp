#include "kafka/dead_letter.hpp"

#include "absl/time/clock.h"
#include "jieshui/events/v1/envelope.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::kafka {

Outcome Classify(const absl::Status& status) {
  switch (status.code()) {
    case absl::StatusCode::kOk:
      return Outcome::kProcessed;
    // The message itself is at fault: the same bytes fail the same way every time.
    case absl::StatusCode::kInvalidArgument:
    case absl::StatusCode::kFailedPrecondition:
    case absl::StatusCode::kOutOfRange:
    case absl::StatusCode::kNotFound:
    case absl::StatusCode::kAlreadyExists:
    case absl::StatusCode::kPermissionDenied:
    case absl::StatusCode::kUnauthenticated:
    case absl::StatusCode::kUnimplemented:
    case absl::StatusCode::kDataLoss:
      return Outcome::kPoison;
    // A dependency was down, overloaded, interrupted or failed in a way it did not explain.
    case absl::StatusCode::kUnavailable:
    case absl::StatusCode::kDeadlineExceeded:
    case absl::StatusCode::kResourceExhausted:
    case absl::StatusCode::kAborted:
    case absl::StatusCode::kCancelled:
    case absl::StatusCode::kInternal:
    case absl::StatusCode::kUnknown:
    default:
      return Outcome::kRetry;
  }
}

DeadLetterQueue::DeadLetterQueue(Producer* producer, std::string consumer_group, std::string topic)
    : producer_(producer), consumer_group_(std::move(consumer_group)), topic_(std::move(topic)) {}

absl::Status DeadLetterQueue::Send(const Message& message, const std::string& error) {
  events::v1::DeadLetter letter;
  letter.set_source_topic(message.topic);
  letter.set_source_partition(message.partition);
  letter.set_source_offset(message.offset);
  letter.set_original_key(message.key);
  letter.set_original_value(message.value);
  letter.set_consumer_group(consumer_group_);
  letter.set_error(error);
  const absl::Time now = absl::Now();
  letter.mutable_failed_at()->set_seconds(absl::ToUnixSeconds(now));
  EventMeta meta{consumer_group_, message.key, now, ""};
  DeliveryResult result = producer_->Produce(topic_, message.key, EncodeEvent(letter, meta)).get();
  return result.status;
}

}  // namespace jieshui::kafka
