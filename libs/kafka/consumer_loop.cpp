#include "kafka/consumer_loop.hpp"

#include <utility>

namespace jieshui::kafka {
namespace {

// The handler's verdict as a status BatchConsumer classifies the same way.
absl::Status StatusOf(const HandlerResult& result) {
  switch (result.outcome) {
    case Outcome::kProcessed:
      return absl::OkStatus();
    case Outcome::kRetry:
      return absl::UnavailableError(result.error);
    case Outcome::kPoison:
      return absl::InvalidArgumentError(result.error);
  }
  return absl::InternalError("unknown handler outcome");
}

}  // namespace

ConsumerLoop::ConsumerLoop(std::unique_ptr<Consumer> consumer, MessageHandler handler,
                           DeadLetterQueue* dlq, ConsumerLoopOptions options)
    : batches_(
          std::move(consumer), [](const Message&) -> absl::StatusOr<bool> { return true; },
          [handler = std::move(handler)](std::vector<Decoded<bool>>& batch) {
            for (Decoded<bool>& d : batch) {
              if (d.value) {
                if (absl::Status s = StatusOf(handler(d.message)); !s.ok()) {
                  return s;
                }
              }
            }
            return absl::OkStatus();
          },
          dlq,
          {.name = "consumer loop",
           .max_batch = 1,
           .poll_timeout = options.poll_timeout,
           .backoff_initial = options.retry_backoff_initial,
           .backoff_max = options.retry_backoff_max}) {}

}  // namespace jieshui::kafka
