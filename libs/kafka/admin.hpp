// Kafka topic administration: create topics with partitions and configs (e.g. compaction),
// idempotently, and read a topic's partition count and configs back.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace RdKafka {
class Producer;
}

namespace jieshui::kafka {

struct TopicSpec {
  std::string name;
  int partitions = 1;
  int replication_factor = 1;
  // Topic configs, e.g. {"cleanup.policy", "compact"}.
  std::map<std::string, std::string> configs;
};

class Admin {
 public:
  static absl::StatusOr<std::unique_ptr<Admin>> Create(const std::string& bootstrap_servers);
  ~Admin();
  Admin(const Admin&) = delete;
  Admin& operator=(const Admin&) = delete;

  // Creates the topics that do not exist; an existing topic is left as it is (not an error).
  absl::Status EnsureTopics(const std::vector<TopicSpec>& topics,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

  // Number of partitions of an existing topic (NOT_FOUND when it does not exist).
  absl::StatusOr<int> PartitionCount(const std::string& topic,
                                     std::chrono::milliseconds timeout = std::chrono::seconds(10));

  // The topic's effective configs as the broker reports them.
  absl::StatusOr<std::map<std::string, std::string>> DescribeTopicConfigs(
      const std::string& topic, std::chrono::milliseconds timeout = std::chrono::seconds(10));

  absl::Status DeleteTopics(const std::vector<std::string>& topics,
                            std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  Admin() = default;
  // Admin requests ride on a producer handle's rd_kafka_t (the C++ API has no admin client).
  std::unique_ptr<RdKafka::Producer> handle_;
};

}  // namespace jieshui::kafka
