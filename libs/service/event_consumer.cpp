#include "service/event_consumer.hpp"

#include <map>
#include <utility>

#include "db/idempotent.hpp"

namespace jieshui::service {

EventConsumer::EventConsumer(db::ConnectionPool* pool, kafka::DeadLetterQueue* dlq,
                             EventConsumerOptions options, Apply apply, AfterCommit after_commit)
    : pool_(pool),
      dlq_(dlq),
      options_(std::move(options)),
      apply_(std::move(apply)),
      after_commit_(std::move(after_commit)) {}

absl::Status EventConsumer::Start() {
  if (absl::Status s = db::EnsureConsumerTables(*pool_, options_.schema); !s.ok()) {
    return s;
  }
  kafka::ConsumerOptions co;
  co.bootstrap_servers = options_.bootstrap_servers;
  co.group_id = options_.group_id;
  co.client_id = options_.client_id;
  co.topics = options_.topics;
  auto consumer = kafka::Consumer::Create(co);
  if (!consumer.ok()) {
    return consumer.status();
  }
  batches_ = std::make_unique<kafka::BatchConsumer<Incoming>>(
      *std::move(consumer),
      [](const kafka::Message& m) -> absl::StatusOr<Incoming> {
        Incoming in;
        absl::StatusOr<kafka::EventEnvelope> event = kafka::DecodeEnvelope(m.value);
        if (event.ok()) {
          in.event = *std::move(event);
        } else {
          in.decode_error = event.status();
        }
        return in;
      },
      [this](std::vector<kafka::Decoded<Incoming>>& batch) { return ApplyBatch(batch); }, dlq_,
      kafka::BatchConsumerOptions{.name = options_.name,
                                  .max_batch = options_.max_batch,
                                  .poll_timeout = options_.poll_timeout});
  batches_->Start();
  return absl::OkStatus();
}

void EventConsumer::Stop() {
  if (batches_ != nullptr) {
    batches_->Stop();
  }
}

int64_t EventConsumer::dead_lettered() const {
  return batches_ == nullptr ? 0 : batches_->stats().dead_lettered.load();
}

absl::Status EventConsumer::ApplyBatch(std::vector<kafka::Decoded<Incoming>>& batch) {
  int64_t applied = 0;
  int64_t replayed = 0;
  absl::Status s = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
    applied = 0;
    replayed = 0;
    std::map<std::pair<std::string, int32_t>, int64_t> stored;
    std::map<std::pair<std::string, int32_t>, int64_t> next;
    for (const auto& d : batch) {
      const auto tp = std::make_pair(d.message.topic, d.message.partition);
      auto it = stored.find(tp);
      if (it == stored.end()) {
        it = stored
                 .emplace(tp, db::StoredNextOffset(tx, options_.schema, options_.name, tp.first,
                                                   tp.second))
                 .first;
      }
      if (d.message.offset < it->second) {
        ++replayed;
        continue;
      }
      next[tp] = d.message.offset + 1;
      if (!d.value.has_value()) {
        continue;  // dead-lettered: only its offset is stored
      }
      if (!d.value->decode_error.ok()) {
        return d.value->decode_error;  // poison: the batch consumer isolates and dead-letters it
      }
      if (absl::Status a = apply_(tx, d.message, d.value->event); !a.ok()) {
        return a;
      }
      ++applied;
    }
    for (const auto& [tp, offset] : next) {
      db::StoreNextOffset(tx, options_.schema, options_.name, tp.first, tp.second, offset);
    }
    return absl::OkStatus();
  });
  if (!s.ok()) {
    return s;
  }
  applied_.fetch_add(applied);
  replayed_.fetch_add(replayed);
  if (options_.messages_counter != nullptr) {
    options_.messages_counter->Add({{"outcome", "applied"}})
        .Increment(static_cast<double>(applied));
    options_.messages_counter->Add({{"outcome", "replayed"}})
        .Increment(static_cast<double>(replayed));
    // Dead letters are produced by the batch consumer around this call: count those since the last
    // batch.
    const int64_t dead = dead_lettered();
    options_.messages_counter->Add({{"outcome", "dead_lettered"}})
        .Increment(static_cast<double>(dead - dead_lettered_counted_));
    dead_lettered_counted_ = dead;
  }
  if (after_commit_) {
    after_commit_();
  }
  return absl::OkStatus();
}

}  // namespace jieshui::service
