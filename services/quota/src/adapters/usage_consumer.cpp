#include "quota/src/adapters/usage_consumer.hpp"

#include <utility>
#include <vector>

#include "kafka/envelope.hpp"

namespace jieshui::quota {
namespace {

// A reading message's records: ReadingRecords, or a lone ReadingAccepted (readings.proto).
absl::StatusOr<ingest::v1::ReadingRecords> DecodeRecords(const kafka::Message& message) {
  auto envelope = kafka::DecodeEnvelope(message.value);
  if (!envelope.ok()) {
    return envelope.status();
  }
  if (envelope->payload().Is<ingest::v1::ReadingAccepted>()) {
    auto one = kafka::UnpackPayload<ingest::v1::ReadingAccepted>(*envelope);
    if (!one.ok()) {
      return one.status();
    }
    ingest::v1::ReadingRecords records;
    *records.add_records() = *std::move(one);
    return records;
  }
  return kafka::UnpackPayload<ingest::v1::ReadingRecords>(*envelope);
}

}  // namespace

UsageConsumer::UsageConsumer(UsageStore* store, UsageCache* cache, kafka::DeadLetterQueue* dlq,
                             UsageConsumerOptions options)
    : store_(store), cache_(cache), dlq_(dlq), options_(std::move(options)) {}

absl::Status UsageConsumer::Start() {
  kafka::ConsumerOptions co;
  co.bootstrap_servers = options_.bootstrap_servers;
  co.group_id = options_.group_id;
  co.client_id = "jieshui-quota";
  co.topics = {options_.reading_topic};
  auto consumer = kafka::Consumer::Create(co);
  if (!consumer.ok()) {
    return consumer.status();
  }
  batches_ = std::make_unique<kafka::BatchConsumer<ingest::v1::ReadingRecords>>(
      *std::move(consumer), DecodeRecords,
      [this](std::vector<kafka::Decoded<ingest::v1::ReadingRecords>>& batch) {
        return Apply(batch);
      },
      dlq_,
      kafka::BatchConsumerOptions{.name = "usage consumer",
                                  .max_batch = options_.max_batch,
                                  .poll_timeout = options_.poll_timeout});
  batches_->Start();
  return absl::OkStatus();
}

void UsageConsumer::Stop() {
  if (batches_ != nullptr) {
    batches_->Stop();
  }
}

int64_t UsageConsumer::dead_lettered() const {
  return batches_ == nullptr ? 0 : batches_->stats().dead_lettered.load();
}

absl::Status UsageConsumer::Apply(std::vector<kafka::Decoded<ingest::v1::ReadingRecords>>& batch) {
  std::vector<ReadingMessage> messages;
  messages.reserve(batch.size());
  int64_t dead = 0;
  for (auto& d : batch) {
    ReadingMessage rm{.topic = d.message.topic,
                      .partition = d.message.partition,
                      .offset = d.message.offset,
                      .records = {}};
    if (d.value) {
      rm.records = std::move(*d.value);
    } else {
      ++dead;
    }
    messages.push_back(std::move(rm));
  }
  absl::StatusOr<ApplyResult> result = store_->ApplyReadings(messages);
  if (!result.ok()) {
    return result.status();  // the consumer reads and decodes the batch again
  }
  messages_applied_.fetch_add(result->messages_applied);
  records_counted_.fetch_add(result->records_counted);
  if (options_.messages_counter != nullptr) {
    options_.messages_counter->Add({{"outcome", "applied"}}).Increment(result->messages_applied);
    options_.messages_counter->Add({{"outcome", "replayed"}})
        .Increment(static_cast<double>(batch.size()) - result->messages_applied);
    if (dead > 0) {
      options_.messages_counter->Add({{"outcome", "dead_lettered"}})
          .Increment(static_cast<double>(dead));
    }
  }
  if (options_.records_counter != nullptr) {
    options_.records_counter->Add({}).Increment(result->records_counted);
  }
  for (const auto& [uscc, period] : result->changed) {
    cache_->Invalidate(uscc, period);
  }
  return absl::OkStatus();
}

}  // namespace jieshui::quota
