// Kafka consumer with manual commits: offsets are committed only when the caller says the effect
// of a message is durable, so a crash replays rather than loses. Auto-commit is always off.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kafka/producer.hpp"

namespace RdKafka {
class KafkaConsumer;
}

namespace jieshui::kafka {

struct ConsumerOptions {
  std::string bootstrap_servers = "127.0.0.1:19092";
  std::string group_id;
  std::string client_id = "jieshui";
  std::vector<std::string> topics;
  // Where a group with no committed offset starts: "earliest" (read everything) or "latest".
  std::string auto_offset_reset = "earliest";
  std::map<std::string, std::string> extra;
};

struct Message {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
  std::string key;
  std::string value;
  std::vector<Header> headers;
  int64_t timestamp_ms = -1;
};

struct TopicPartitionOffset {
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;  // the next offset to read
};

class Consumer {
 public:
  static absl::StatusOr<std::unique_ptr<Consumer>> Create(const ConsumerOptions& options);
  ~Consumer();
  Consumer(const Consumer&) = delete;
  Consumer& operator=(const Consumer&) = delete;

  // Next message, or nullopt when none arrived within `timeout` (or at a partition's end).
  // Errors that librdkafka recovers from by itself (broker down, rebalance) are not returned;
  // fatal ones are.
  absl::StatusOr<std::optional<Message>> Poll(std::chrono::milliseconds timeout);

  // Synchronously commits "processed up to and including `message`".
  absl::Status Commit(const Message& message);
  // Synchronously commits the given next-offsets.
  absl::Status Commit(const std::vector<TopicPartitionOffset>& offsets);

  // Moves the fetch position of one partition (used to re-read a message after a retryable
  // failure, or to restore positions kept in a database).
  absl::Status Seek(const std::string& topic, int32_t partition, int64_t offset);

  // Partitions currently assigned to this member.
  absl::StatusOr<std::vector<TopicPartitionOffset>> Assignment();

  // Leaves the group cleanly (commits nothing). Idempotent.
  void Close();

 private:
  Consumer() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  bool closed_ = false;
};

}  // namespace jieshui::kafka
