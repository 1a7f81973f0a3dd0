// Reading a whole topic without a consumer group: every partition from given offsets (or the
// beginning), with the end offsets at a moment, so a service can load a compacted topic into
// memory, or replay a topic from stored offsets, "up to now" and then keep following it.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "absl/status/statusor.h"
#include "kafka/consumer.hpp"

namespace RdKafka {
class KafkaConsumer;
}  // namespace RdKafka

namespace jieshui::kafka {

class TopicReader {
 public:
  // Assigns every partition of `topic` (which must exist), starting at `start[partition]` or at
  // the beginning for partitions not in the map. Nothing is ever committed.
  static absl::StatusOr<std::unique_ptr<TopicReader>> Create(
      const std::string& bootstrap_servers, const std::string& topic,
      const std::map<int32_t, int64_t>& start = {});
  ~TopicReader();
  TopicReader(const TopicReader&) = delete;
  TopicReader& operator=(const TopicReader&) = delete;

  int partitions() const { return partitions_; }
  // The next offset to be written to each partition now (high watermarks).
  absl::StatusOr<std::map<int32_t, int64_t>> EndOffsets(
      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  // Next message, nullopt when none arrived within `timeout`.
  absl::StatusOr<std::optional<Message>> Poll(std::chrono::milliseconds timeout);
  // Next offset this reader will return per partition (after what it has returned).
  const std::map<int32_t, int64_t>& positions() const { return positions_; }
  // True once positions() reached `ends` on every partition.
  bool Reached(const std::map<int32_t, int64_t>& ends) const;
  // Hands every message up to the topic's end as of now to `apply`, in order per partition (how a
  // service loads a compacted topic before it serves). Stops at the first error `apply` returns;
  // UNAVAILABLE naming the topic when the end is not reached within `timeout`.
  absl::Status CatchUp(std::chrono::milliseconds timeout,
                       const std::function<absl::Status(const Message&)>& apply);

 private:
  TopicReader() = default;
  std::unique_ptr<RdKafka::KafkaConsumer> consumer_;
  std::string topic_;
  int partitions_ = 0;
  std::map<int32_t, int64_t> positions_;
};

}  // namespace jieshui::kafka
