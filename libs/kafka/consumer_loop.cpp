#include "kafka/consumer_loop.hpp"

#include <algorithm>

#include "absl/time/clock.h"
#include "jieshui/events/v1/envelope.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::kafka {

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

ConsumerLoop::ConsumerLoop(std::unique_ptr<Consumer> consumer, MessageHandler handler,
                           DeadLetterQueue* dlq, ConsumerLoopOptions options)
    : consumer_(std::move(consumer)), handler_(std::move(handler)), dlq_(dlq), options_(options) {}

ConsumerLoop::~ConsumerLoop() { Stop(); }

void ConsumerLoop::Start() {
  thread_ = std::thread([this] { Run(); });
}

void ConsumerLoop::Stop() {
  stop_.store(true);
  if (thread_.joinable()) {
    thread_.join();
  }
  consumer_->Close();
}

bool ConsumerLoop::Backoff(std::chrono::milliseconds delay) {
  const auto until = std::chrono::steady_clock::now() + delay;
  while (std::chrono::steady_clock::now() < until) {
    if (stop_.load()) {
      return false;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  return true;
}

bool ConsumerLoop::Settle(const Message& message) {
  HandlerResult result = handler_(message);
  switch (result.outcome) {
    case Outcome::kProcessed:
      return true;
    case Outcome::kRetry:
      return false;
    case Outcome::kPoison:
      // Never step past a message that is not safely in the DLQ: until it is, retry.
      if (dlq_ == nullptr || !dlq_->Send(message, result.error).ok()) {
        return false;
      }
      dead_lettered_.fetch_add(1);
      return true;
  }
  return false;
}

void ConsumerLoop::Run() {
  std::chrono::milliseconds backoff = options_.retry_backoff_initial;
  auto back_off = [&] {
    const bool go_on = Backoff(backoff);
    backoff = std::min(backoff * 2, options_.retry_backoff_max);
    return go_on;
  };
  while (!stop_.load()) {
    auto polled = consumer_->Poll(options_.poll_timeout);
    if (!polled.ok()) {
      // Fatal consumer errors are rare (authorisation, unknown group protocol): back off and try
      // again rather than spinning; the service's logs and metrics show the failure.
      if (!back_off()) {
        return;
      }
      continue;
    }
    if (!polled->has_value()) {
      continue;
    }
    const Message& message = **polled;
    // A message is retried in place until its effect is durable or it is in the DLQ: nothing after
    // it on the partition is handled first (per-key order holds) and nothing is skipped. A stop
    // leaves it uncommitted, so the next member of the group reads it again.
    while (!Settle(message)) {
      retries_.fetch_add(1);
      if (!back_off()) {
        return;
      }
    }
    backoff = options_.retry_backoff_initial;
    // A failed commit is not fatal: handlers are idempotent, so a later commit covers it and a
    // crash before then only replays.
    (void)consumer_->Commit(message);
    processed_.fetch_add(1);
  }
}

}  // namespace jieshui::kafka
