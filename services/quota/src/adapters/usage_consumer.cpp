#include "adapters/usage_consumer.hpp"

#include <algorithm>
#include <map>
#include <utility>
#include <vector>

#include "kafka/envelope.hpp"
#include "log/log.hpp"

namespace jieshui::quota {
namespace {

// A reading message's records: ReadingRecords, or a lone ReadingAccepted (readings.proto).
absl::StatusOr<ingest::v1::ReadingRecords> DecodeRecords(const std::string& value) {
  auto envelope = kafka::DecodeEnvelope(value);
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

UsageConsumer::UsageConsumer(QuotaStore* store, UsageCache* cache, kafka::DeadLetterQueue* dlq,
                             UsageConsumerOptions options)
    : store_(store), cache_(cache), dlq_(dlq), options_(std::move(options)) {}

UsageConsumer::~UsageConsumer() { Stop(); }

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
  consumer_ = *std::move(consumer);
  thread_ = std::thread([this] { Run(); });
  return absl::OkStatus();
}

void UsageConsumer::Stop() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
  if (consumer_ != nullptr) {
    consumer_->Close();
  }
}

void UsageConsumer::Run() {
  auto backoff = std::chrono::milliseconds(100);
  while (!stop_) {
    std::vector<kafka::Message> raw;
    while (static_cast<int>(raw.size()) < options_.max_batch && !stop_) {
      auto m = consumer_->Poll(raw.empty() ? options_.poll_timeout : std::chrono::milliseconds(0));
      if (!m.ok()) {
        log::Error("usage consumer: poll failed", {{"error", std::string(m.status().message())}});
        break;
      }
      if (!m->has_value()) {
        break;
      }
      raw.push_back(*std::move(*m));
    }
    if (raw.empty()) {
      continue;
    }
    std::vector<ReadingMessage> batch;
    bool dlq_failed = false;
    for (const kafka::Message& m : raw) {
      ReadingMessage rm{
          .topic = m.topic, .partition = m.partition, .offset = m.offset, .records = {}};
      auto records = DecodeRecords(m.value);
      if (records.ok()) {
        rm.records = *std::move(records);
      } else {
        if (absl::Status s = dlq_->Send(m, std::string(records.status().message())); !s.ok()) {
          dlq_failed = true;
          break;
        }
        dead_lettered_.fetch_add(1);
        if (options_.messages_counter != nullptr) {
          options_.messages_counter->Add({{"outcome", "dead_lettered"}}).Increment();
        }
        log::Warn("usage consumer: dead-lettered a message",
                  {{"topic", m.topic},
                   {"partition", m.partition},
                   {"offset", m.offset},
                   {"error", std::string(records.status().message())}});
      }
      batch.push_back(std::move(rm));
    }
    absl::StatusOr<ApplyResult> result =
        dlq_failed ? absl::UnavailableError("dead-letter queue unavailable")
                   : store_->ApplyReadings(batch);
    if (!result.ok()) {
      log::Warn("usage consumer: batch not applied, will re-read it",
                {{"error", std::string(result.status().message())},
                 {"messages", static_cast<int64_t>(raw.size())}});
      // Re-read from the first message of each partition in the batch.
      std::map<int32_t, int64_t> first;
      for (const kafka::Message& m : raw) {
        auto [it, inserted] = first.emplace(m.partition, m.offset);
        if (!inserted) {
          it->second = std::min(it->second, m.offset);
        }
      }
      for (const auto& [partition, offset] : first) {
        (void)consumer_->Seek(options_.reading_topic, partition, offset);
      }
      std::this_thread::sleep_for(backoff);
      backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
      continue;
    }
    backoff = std::chrono::milliseconds(100);
    messages_applied_.fetch_add(result->messages_applied);
    records_counted_.fetch_add(result->records_counted);
    if (options_.messages_counter != nullptr) {
      options_.messages_counter->Add({{"outcome", "applied"}}).Increment(result->messages_applied);
      options_.messages_counter->Add({{"outcome", "replayed"}})
          .Increment(static_cast<double>(raw.size()) - result->messages_applied);
    }
    if (options_.records_counter != nullptr) {
      options_.records_counter->Add({}).Increment(result->records_counted);
    }
    // The offsets are in PostgreSQL already; the Kafka commit only spares a replay after restart.
    std::map<int32_t, int64_t> next;
    for (const kafka::Message& m : raw) {
      next[m.partition] = std::max(next[m.partition], m.offset + 1);
    }
    std::vector<kafka::TopicPartitionOffset> offsets;
    offsets.reserve(next.size());
    for (const auto& [partition, offset] : next) {
      offsets.push_back({options_.reading_topic, partition, offset});
    }
    if (absl::Status s = consumer_->Commit(offsets); !s.ok()) {
      log::Warn("usage consumer: kafka commit failed", {{"error", std::string(s.message())}});
    }
    for (const auto& [uscc, period] : result->changed) {
      cache_->Invalidate(uscc, period);
    }
  }
}

}  // namespace jieshui::quota
