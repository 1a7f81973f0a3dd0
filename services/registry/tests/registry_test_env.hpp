// Test support: the environment that points a registry (in-process or the real binary) at the
// local stack with its own schema, topics and API keys, and small helpers to build valid records
// and to read the registry's topics.
#pragma once

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "config/config_loader.hpp"
#include "grpcpp/grpcpp.h"
#include "jieshui/events/v1/envelope.pb.h"
#include "jieshui/registry/v1/registry_service.grpc.pb.h"
#include "kafka/consumer.hpp"
#include "service/clock.hpp"
#include "testing/service_env.hpp"

namespace jieshui::registry {
class RegistryApp;
}  // namespace jieshui::registry

namespace jieshui::registry::testing {

// Raw API keys the test environment configures (their SHA-256 goes into auth.api_keys).
inline constexpr char kWaterAffairsKey[] = "test-water-affairs-key";
inline constexpr char kPartnerKey[] = "test-partner-key";
inline constexpr char kEnterpriseAKey[] = "test-enterprise-a-key";
inline constexpr char kGatewayKey[] = "test-gateway-key";
// The enterprise the enterprise key belongs to, and another one.
inline constexpr char kUsccA[] = "91350200776049653A";
inline constexpr char kUsccB[] = "91440101MA5CJQ4N59";

struct TestEnv {
  std::string schema;
  std::string enterprise_topic;
  std::string meter_topic;
  config::EnvMap env;  // JIESHUI_REGISTRY_* overrides
};

// Unique schema and topics; gRPC and metrics on port 0; the stack's Kafka and PostgreSQL.
TestEnv MakeTestEnv();
// registry.yaml of the source tree.
std::string ConfigPath();
// registry.yaml with `env` as overrides, started in-process as the binary would start it.
absl::StatusOr<std::unique_ptr<RegistryApp>> StartApp(
    const config::EnvMap& env, service::Clock clock = service::SystemClock());

// A valid USCC derived from `n` (for making many enterprises).
std::string UsccFor(int n);
v1::Enterprise SampleEnterprise(const std::string& uscc, const std::string& name);
v1::Meter SampleMeter(const std::string& meter_id, const std::string& uscc, int level);

std::unique_ptr<grpc::ClientContext> Context(const std::string& key);

// Reads a topic from the beginning with a fresh consumer group (WaitForKey).
using TopicReader = jieshui::testing::TopicCollector;

}  // namespace jieshui::registry::testing
