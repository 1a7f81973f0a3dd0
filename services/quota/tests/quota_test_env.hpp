// Test helpers for quota: its configuration on the test stack beside an in-process ingest (same
// PostgreSQL, Kafka and API keys; its own schema, topics and Redis), and starting it in-process.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config_loader.hpp"
#include "service/clock.hpp"

namespace jieshui::quota {
class QuotaApp;
}  // namespace jieshui::quota

namespace jieshui::quota::testing {

struct QuotaTopics {
  std::string reading;              // ingest's reading topic
  std::string registry_enterprise;  // the registry's enterprise topic
  std::string activity;             // certification's activity topic (balance tests)
  std::string usage;
  std::string alert;
  std::string dlq;
  std::string consumer_group;
  std::string balance_test_consumer_group;
};

// Fresh usage, alert, DLQ and certification activity topics and consumer groups, reading the two
// topics given.
QuotaTopics MakeTopics(const std::string& reading, const std::string& registry_enterprise);

// The JIESHUI_QUOTA_* overrides: the PostgreSQL, Kafka and API-key settings of ingest's test
// environment (`ingest_env`, JIESHUI_INGEST_*), quota's own `schema`, Redis on
// 127.0.0.1:`redis_port`, and `topics`.
config::EnvMap QuotaEnv(const config::EnvMap& ingest_env, const std::string& schema, int redis_port,
                        const QuotaTopics& topics);

// quota.yaml of the source tree.
std::string ConfigPath();
// quota.yaml with `env` as overrides, started in-process as the binary would start it.
absl::StatusOr<std::unique_ptr<QuotaApp>> StartApp(const config::EnvMap& env,
                                                   service::Clock clock = service::SystemClock());

}  // namespace jieshui::quota::testing
