#include "testing/service_env.hpp"

#include <regex>
#include <stdexcept>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "grpcserver/auth.hpp"
#include "kafka/envelope.hpp"
#include "testing/stack.hpp"

namespace jieshui::testing {

ServiceEnv::ServiceEnv(std::string service, const std::vector<TestKey>& keys)
    : service_(std::move(service)), schema_(UniqueName(service_)) {
  const std::string uri = PostgresUri();
  static const std::regex kUri(R"(^postgres(?:ql)?://([^:@/]+):([^@/]*)@([^:/]+):(\d+)/([^?]+))");
  std::smatch m;
  if (!std::regex_search(uri, m, kUri)) {
    throw std::runtime_error("cannot parse test PostgreSQL URI " + uri);
  }
  std::vector<std::string> entries;
  entries.reserve(keys.size());
  for (const TestKey& k : keys) {
    entries.push_back(absl::StrCat(
        "{sha256: ", grpcserver::Sha256Hex(k.key), ", principal: ", k.principal,
        k.uscc.empty() ? "" : absl::StrCat(", uscc: ", k.uscc), ", name: ", k.name, "}"));
  }
  Set("grpc.listen", "127.0.0.1:0");
  Set("grpc.drain_timeout", "1s");
  Set("metrics.listen", "127.0.0.1:0");
  Set("log.level", "warn");
  Set("kafka.bootstrap_servers", KafkaBootstrap());
  Set("kafka.topic_partitions", "3");
  Set("postgres.user", m[1].str());
  Set("postgres.password", m[2].str());
  Set("postgres.host", m[3].str());
  Set("postgres.port", m[4].str());
  Set("postgres.database", m[5].str());
  Set("postgres.schema", schema_);
  Set("postgres.pool_size", "4");
  Set("auth.api_keys", absl::StrCat("[", absl::StrJoin(entries, ", "), "]"));
}

void ServiceEnv::Set(const std::string& key, const std::string& value) {
  env_[config::EnvVarName(service_, key)] = value;
}

std::string ServiceEnv::Unique(const std::string& key, const std::string& prefix) {
  std::string name = UniqueName(prefix);
  Set(key, name);
  return name;
}

EventPublisher::EventPublisher(std::string producer) : producer_name_(std::move(producer)) {
  kafka::ProducerOptions options;
  options.bootstrap_servers = KafkaBootstrap();
  options.client_id = absl::StrCat("test-", producer_name_);
  options.linger_ms = 0;
  auto created = kafka::Producer::Create(options);
  if (!created.ok()) {
    throw std::runtime_error(std::string(created.status().message()));
  }
  producer_ = *std::move(created);
}

void EventPublisher::Publish(const std::string& topic, const std::string& key,
                             const google::protobuf::Message& payload, absl::Time occurred_at) {
  const kafka::DeliveryResult result =
      producer_
          ->Produce(topic, key,
                    kafka::EncodeEvent(payload, {.producer = producer_name_,
                                                 .subject_key = key,
                                                 .occurred_at = occurred_at,
                                                 .correlation_id = ""}))
          .get();
  if (!result.status.ok()) {
    throw std::runtime_error(
        absl::StrCat("event to ", topic, " not delivered: ", result.status.message()));
  }
}

std::string ServiceEnv::ConfigPath() const {
  return absl::StrCat(JIESHUI_SOURCE_DIR "/services/", service_, "/", service_, ".yaml");
}

std::unique_ptr<grpc::ClientContext> AuthorizedContext(const std::string& key,
                                                       std::chrono::seconds deadline) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!key.empty()) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + deadline);
  return ctx;
}

TopicCollector::TopicCollector(const std::string& topic) {
  kafka::ConsumerOptions options;
  options.bootstrap_servers = KafkaBootstrap();
  options.group_id = UniqueName("test_collector");
  options.topics = {topic};
  auto consumer = kafka::Consumer::Create(options);
  if (!consumer.ok()) {
    throw std::runtime_error(std::string(consumer.status().message()));
  }
  consumer_ = *std::move(consumer);
}

bool TopicCollector::PollOnce() {
  auto message = consumer_->Poll(std::chrono::milliseconds(200));
  if (!message.ok() || !message->has_value()) {
    return false;
  }
  messages_.push_back(**message);
  if (auto envelope = kafka::DecodeEnvelope((**message).value); envelope.ok()) {
    by_key_[(**message).key].push_back(*std::move(envelope));
  }
  return true;
}

size_t TopicCollector::WaitFor(size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (messages_.size() < count && std::chrono::steady_clock::now() < deadline) {
    PollOnce();
  }
  return messages_.size();
}

std::vector<events::v1::EventEnvelope> TopicCollector::WaitForKey(
    const std::string& key, size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (by_key_[key].size() < count && std::chrono::steady_clock::now() < deadline) {
    PollOnce();
  }
  return by_key_[key];
}

}  // namespace jieshui::testing
