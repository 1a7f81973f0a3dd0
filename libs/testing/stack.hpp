// Test helpers: addresses of the real local stack (Kafka, Redis, PostgreSQL), unique names so tests
// never see each other's data, and polling for a condition with a deadline instead of sleeping.
#pragma once

#include <chrono>
#include <functional>
#include <string>

namespace jieshui::testing {

// Kafka bootstrap servers: $JIESHUI_TEST_KAFKA or 127.0.0.1:19092.
std::string KafkaBootstrap();
// Redis host and port: $JIESHUI_TEST_REDIS ("host:port") or 127.0.0.1:16379.
std::string RedisHost();
int RedisPort();
// libpq connection URI: $JIESHUI_TEST_PG or postgresql://jieshui:jieshui@127.0.0.1:15432/jieshui.
std::string PostgresUri();

// "<prefix>_<pid>_<counter>_<random>": lowercase, safe as a topic, schema or key name.
std::string UniqueName(const std::string& prefix);

// Polls `condition` every `interval` until it returns true or `timeout` passes; returns its last
// value. Use it instead of sleeping for a fixed time.
bool WaitFor(const std::function<bool()>& condition,
             std::chrono::milliseconds timeout = std::chrono::seconds(30),
             std::chrono::milliseconds interval = std::chrono::milliseconds(20));

// Path of a binary that the build placed next to the test (for subprocess tests).
std::string SiblingBinary(const std::string& name);

}  // namespace jieshui::testing
