// Test support shared by every service's tests: the environment that points a service (in-process
// or its binary) at the local stack with its own schema, topics and API keys; an authorised client
// context; and a collector of the events on a topic.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "config/config_loader.hpp"
#include "google/protobuf/message.h"
#include "grpcpp/client_context.h"
#include "jieshui/events/v1/envelope.pb.h"
#include "kafka/consumer.hpp"
#include "kafka/producer.hpp"

namespace jieshui::testing {

// An API key the environment configures: the raw key tests send, and whom it stands for.
struct TestKey {
  std::string key;
  std::string principal;  // "water_affairs", "enterprise", ...
  std::string uscc;       // enterprise keys only
  std::string name;
};

// JIESHUI_<SERVICE>_* overrides for one service under test: gRPC, metrics and every other
// listener on port 0, warnings only in the log, the stack's Kafka (3 partitions per topic) and
// PostgreSQL with a unique schema, and `keys` as auth.api_keys (only their SHA-256).
class ServiceEnv {
 public:
  ServiceEnv(std::string service, const std::vector<TestKey>& keys);

  const std::string& service() const { return service_; }
  const std::string& schema() const { return schema_; }
  const config::EnvMap& env() const { return env_; }
  config::EnvMap& env() { return env_; }

  // Sets configuration `key` ("registry.topics.enterprise") to `value`.
  void Set(const std::string& key, const std::string& value);
  // Sets `key` to a fresh name starting with `prefix` (a topic, a consumer group) and returns it.
  std::string Unique(const std::string& key, const std::string& prefix);

  // services/<service>/<service>.yaml of the source tree.
  std::string ConfigPath() const;

 private:
  std::string service_;
  std::string schema_;
  config::EnvMap env_;
};

// A client context carrying `key` as "authorization: Bearer <key>" (none when empty), with a
// deadline.
std::unique_ptr<grpc::ClientContext> AuthorizedContext(
    const std::string& key, std::chrono::seconds deadline = std::chrono::seconds(60));

// Announces events as another service would: each payload wrapped in an envelope from `producer`
// ("registry", "quota") and produced to the stack's Kafka; Publish returns once the broker
// confirmed it (and throws when it did not), so a test's next step sees it on the topic.
class EventPublisher {
 public:
  explicit EventPublisher(std::string producer);
  void Publish(const std::string& topic, const std::string& key,
               const google::protobuf::Message& payload, absl::Time occurred_at = absl::Now());

 private:
  std::string producer_name_;
  std::unique_ptr<kafka::Producer> producer_;
};

// Reads a topic from its beginning with a fresh consumer group.
class TopicCollector {
 public:
  explicit TopicCollector(const std::string& topic);
  // Polls until at least `count` messages were seen or `timeout`; returns the count seen.
  size_t WaitFor(size_t count, std::chrono::milliseconds timeout = std::chrono::seconds(60));
  const std::vector<kafka::Message>& messages() const { return messages_; }
  // Polls until `count` events with `key` were seen (or `timeout`), returning every event seen
  // for that key so far, in order.
  std::vector<events::v1::EventEnvelope> WaitForKey(
      const std::string& key, size_t count,
      std::chrono::milliseconds timeout = std::chrono::seconds(30));

 private:
  bool PollOnce();
  std::unique_ptr<kafka::Consumer> consumer_;
  std::vector<kafka::Message> messages_;
  std::map<std::string, std::vector<events::v1::EventEnvelope>> by_key_;
};

}  // namespace jieshui::testing
