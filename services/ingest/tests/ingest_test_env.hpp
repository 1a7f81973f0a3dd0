// Test support for ingest: an environment pointing the service (in-process or the binary) at the
// local stack with its own schema and topics, meters published to its registry meter topic, and
// readers of its output topics.
#pragma once

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "grpcpp/grpcpp.h"
#include "jieshui/ingest/v1/ingest_service.grpc.pb.h"
#include "jieshui/registry/v1/resources.pb.h"
#include "kafka/consumer.hpp"
#include "service/clock.hpp"
#include "testing/service_env.hpp"

namespace jieshui::ingest {
class IngestApp;
}  // namespace jieshui::ingest

namespace jieshui::ingest::testing {

inline constexpr char kGatewayKey[] = "test-gateway-key";
inline constexpr char kWaterAffairsKey[] = "test-water-affairs-key";
inline constexpr char kEnterpriseKey[] = "test-enterprise-key";
inline constexpr char kEnterpriseUscc[] = "91350200776049653A";
inline constexpr char kOtherUscc[] = "91440101MA5CJQ4N59";

struct TestEnv {
  std::string schema;
  std::string reading_topic;
  std::string rejected_topic;
  std::string meter_topic;
  std::string dlq_topic;  // the ledger writer's dead letters
  config::EnvMap env;     // JIESHUI_INGEST_* overrides
};

TestEnv MakeTestEnv();
std::string ConfigPath();
// ingest.yaml with `env` as overrides, started in-process as the binary would start it.
absl::StatusOr<std::unique_ptr<IngestApp>> StartApp(const config::EnvMap& env,
                                                    service::Clock clock = service::SystemClock());

jieshui::registry::v1::Meter SampleMeter(const std::string& meter_id, const std::string& uscc);
// Publishes MeterChanged events (as the registry would) and waits for their delivery.
void PublishMeters(const std::string& topic,
                   const std::vector<jieshui::registry::v1::Meter>& meters);

std::unique_ptr<grpc::ClientContext> Context(const std::string& key);

// All messages of a topic from the beginning, decoded envelopes' payload bytes by key order.
using TopicCollector = jieshui::testing::TopicCollector;

}  // namespace jieshui::ingest::testing
