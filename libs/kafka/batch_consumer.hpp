// The one way a Jieshui service consumes a topic it derives state from: a consumer-group member
// that takes what has arrived in bounded polls, decodes it, dead-letters what can never be
// applied, hands the batch to the caller's transaction (which stores the offsets with the effect),
// and commits to Kafka only after that. Classify() decides what is retried and what is poison.
#pragma once

#include <algorithm>
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "kafka/consumer.hpp"
#include "kafka/dead_letter.hpp"
#include "log/log.hpp"

namespace jieshui::kafka {

// One polled message and, unless it was dead-lettered, its decoded form. A dead-lettered message
// stays in the batch without a value, so the caller still stores its offset.
template <typename T>
struct Decoded {
  Message message;
  std::optional<T> value;
};

struct BatchConsumerOptions {
  std::string name = "consumer";                // in logs
  int max_batch = 500;                          // messages per batch (and per transaction) at most
  std::chrono::milliseconds poll_timeout{100};  // wait for the first message of a batch
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
};

// Counters, readable while the consumer runs.
struct BatchConsumerStats {
  std::atomic<int64_t> messages{0};       // settled: applied or dead-lettered
  std::atomic<int64_t> dead_lettered{0};  // sent to the DLQ and confirmed
  std::atomic<int64_t> retries{0};        // batches read again after a retryable failure
};

// Per batch:
//   1. poll up to max_batch messages (the first waits poll_timeout, the rest take what arrived);
//   2. decode each; one whose decoding is poison goes to the DLQ, and the consumer moves past it
//      only once the broker confirmed that delivery (no DLQ, or a failed delivery, is retried);
//   3. `apply` the batch in the caller's transaction, with its offsets;
//   4. commit the next offsets to Kafka (a failed commit only replays, since apply is idempotent).
// A retryable failure seeks every partition of the batch back to its first offset and backs off.
// A batch whose apply is poison is taken again one message at a time, so that only the message
// at fault goes to the DLQ (with the apply's error); the others apply as before.
template <typename T>
class BatchConsumer {
 public:
  using Decode = std::function<absl::StatusOr<T>(const Message&)>;
  using Apply = std::function<absl::Status(std::vector<Decoded<T>>& batch)>;

  BatchConsumer(std::unique_ptr<Consumer> consumer, Decode decode, Apply apply,
                DeadLetterQueue* dlq, BatchConsumerOptions options)
      : consumer_(std::move(consumer)),
        decode_(std::move(decode)),
        apply_(std::move(apply)),
        dlq_(dlq),
        options_(std::move(options)) {}
  ~BatchConsumer() { Stop(); }
  BatchConsumer(const BatchConsumer&) = delete;
  BatchConsumer& operator=(const BatchConsumer&) = delete;

  void Start() {
    thread_ = std::thread([this] { Run(); });
  }
  // Finishes the batch in hand, then leaves the group. Idempotent.
  void Stop() {
    {
      std::lock_guard lock(stop_mu_);
      stop_ = true;
    }
    stop_cv_.notify_all();
    if (thread_.joinable()) {
      thread_.join();
    }
    consumer_->Close();
  }

  const BatchConsumerStats& stats() const { return stats_; }

 private:
  bool stopping() {
    std::lock_guard lock(stop_mu_);
    return stop_;
  }

  // Waits `backoff_` (doubling it) unless stopped; false once stopping.
  bool BackOff() {
    std::unique_lock lock(stop_mu_);
    stop_cv_.wait_for(lock, backoff_, [this] { return stop_; });
    backoff_ = std::min(backoff_ * 2, options_.backoff_max);
    return !stop_;
  }

  void Run() {
    backoff_ = options_.backoff_initial;
    while (!stopping()) {
      std::vector<Message> raw = Poll(one_at_a_time_ > 0 ? 1 : options_.max_batch);
      if (raw.empty()) {
        continue;
      }
      absl::Status s = Settle(raw);
      if (s.ok()) {
        backoff_ = options_.backoff_initial;
        if (one_at_a_time_ > 0) {
          --one_at_a_time_;
        }
        continue;
      }
      const bool isolate = Classify(s) == Outcome::kPoison && raw.size() > 1;
      if (isolate) {
        // Find the message at fault: the same messages again, one per batch.
        one_at_a_time_ = static_cast<int>(raw.size());
        log::Warn("batch not applicable, taking its messages one by one",
                  {{"consumer", options_.name}, {"error", std::string(s.message())}});
      } else {
        stats_.retries.fetch_add(1);
        log::Warn("batch not applied, will read it again",
                  {{"consumer", options_.name},
                   {"error", std::string(s.message())},
                   {"messages", static_cast<int64_t>(raw.size())}});
      }
      SeekBack(raw);
      if (!isolate && !BackOff()) {
        return;
      }
    }
  }

  std::vector<Message> Poll(int limit) {
    std::vector<Message> raw;
    while (static_cast<int>(raw.size()) < limit && !stopping()) {
      auto m = consumer_->Poll(raw.empty() ? options_.poll_timeout : std::chrono::milliseconds(0));
      if (!m.ok()) {
        log::Error("poll failed",
                   {{"consumer", options_.name}, {"error", std::string(m.status().message())}});
        break;
      }
      if (!m->has_value()) {
        break;
      }
      raw.push_back(*std::move(*m));
    }
    return raw;
  }

  // Decode, dead-letter, apply, commit. OK once the batch is settled; otherwise nothing of it is
  // settled (dead letters already sent are sent again, harmlessly, when it is read again).
  absl::Status Settle(const std::vector<Message>& raw) {
    std::vector<Decoded<T>> batch;
    batch.reserve(raw.size());
    int64_t dead = 0;
    for (const Message& m : raw) {
      Decoded<T> d{m, std::nullopt};
      absl::StatusOr<T> value = decode_(m);
      if (value.ok()) {
        d.value = *std::move(value);
      } else if (Classify(value.status()) == Outcome::kRetry) {
        return value.status();
      } else if (absl::Status s = DeadLetter(m, value.status()); !s.ok()) {
        return s;
      } else {
        ++dead;
      }
      batch.push_back(std::move(d));
    }
    absl::Status applied = apply_(batch);
    if (Classify(applied) == Outcome::kPoison && batch.size() == 1 && batch[0].value) {
      // The one message at fault: into the DLQ with the apply's error, then its offset alone.
      if (absl::Status s = DeadLetter(batch[0].message, applied); !s.ok()) {
        return s;
      }
      ++dead;
      batch[0].value.reset();
      applied = apply_(batch);
    }
    if (!applied.ok()) {
      return applied;
    }
    stats_.messages.fetch_add(static_cast<int64_t>(raw.size()));
    stats_.dead_lettered.fetch_add(dead);
    Commit(raw);
    return absl::OkStatus();
  }

  absl::Status DeadLetter(const Message& m, const absl::Status& why) {
    if (dlq_ == nullptr) {
      return absl::UnavailableError(
          absl::StrCat(options_.name, ": no dead-letter queue for a poison message"));
    }
    if (absl::Status s = dlq_->Send(m, std::string(why.message())); !s.ok()) {
      return absl::UnavailableError(absl::StrCat("dead-letter queue: ", s.message()));
    }
    log::Warn("dead-lettered a message", {{"consumer", options_.name},
                                          {"topic", m.topic},
                                          {"partition", m.partition},
                                          {"offset", m.offset},
                                          {"error", std::string(why.message())}});
    return absl::OkStatus();
  }

  // Every partition of the batch back to its first offset in it.
  void SeekBack(const std::vector<Message>& raw) {
    std::map<std::pair<std::string, int32_t>, int64_t> first;
    for (const Message& m : raw) {
      auto [it, inserted] = first.emplace(std::make_pair(m.topic, m.partition), m.offset);
      if (!inserted) {
        it->second = std::min(it->second, m.offset);
      }
    }
    for (const auto& [tp, offset] : first) {
      if (absl::Status s = consumer_->Seek(tp.first, tp.second, offset); !s.ok()) {
        log::Warn("seek failed", {{"consumer", options_.name},
                                  {"topic", tp.first},
                                  {"partition", tp.second},
                                  {"error", std::string(s.message())}});
      }
    }
  }

  // The offsets are in the caller's database already; the Kafka commit only spares a replay.
  void Commit(const std::vector<Message>& raw) {
    std::map<std::pair<std::string, int32_t>, int64_t> next;
    for (const Message& m : raw) {
      int64_t& n = next[{m.topic, m.partition}];
      n = std::max(n, m.offset + 1);
    }
    std::vector<TopicPartitionOffset> offsets;
    offsets.reserve(next.size());
    for (const auto& [tp, offset] : next) {
      offsets.push_back({tp.first, tp.second, offset});
    }
    if (absl::Status s = consumer_->Commit(offsets); !s.ok()) {
      log::Warn("kafka commit failed",
                {{"consumer", options_.name}, {"error", std::string(s.message())}});
    }
  }

  std::unique_ptr<Consumer> consumer_;
  Decode decode_;
  Apply apply_;
  DeadLetterQueue* dlq_;
  const BatchConsumerOptions options_;
  BatchConsumerStats stats_;
  std::chrono::milliseconds backoff_{100};
  int one_at_a_time_ = 0;  // batches of one still to take after a poison batch
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace jieshui::kafka
