// The registry service assembled: configuration, PostgreSQL (migrations, store, outbox relay),
// Kafka (topics, producer) and the gRPC server, started in that order and stopped in reverse.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/registry_handlers.hpp"
#include "adapters/registry_store.hpp"
#include "config/config_loader.hpp"
#include "db/outbox.hpp"
#include "db/pool.hpp"
#include "grpcserver/server.hpp"
#include "kafka/producer.hpp"
#include "service/settings.hpp"

namespace jieshui::registry {

struct RegistryConfig {
  service::CommonSettings common;
  HandlerOptions handlers;
  std::string enterprise_topic;
  std::string meter_topic;
  int topic_partitions = 6;
  int topic_replication = 1;
};

// Reads registry.yaml (and its environment overrides); errors name the key.
absl::StatusOr<RegistryConfig> LoadRegistryConfig(const config::ConfigLoader& config);

class RegistryApp {
 public:
  // Connects, migrates, creates the topics if missing and starts serving. UNAVAILABLE when a
  // dependency cannot be reached.
  static absl::StatusOr<std::unique_ptr<RegistryApp>> Start(RegistryConfig config);
  ~RegistryApp();
  RegistryApp(const RegistryApp&) = delete;
  RegistryApp& operator=(const RegistryApp&) = delete;

  int port() const { return server_->port(); }
  // Drains gRPC calls, then stops the relay (after its batch), flushes Kafka, closes the pool.
  void Stop();

 private:
  RegistryApp() = default;

  RegistryConfig config_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<db::OutboxRelay> relay_;
  std::unique_ptr<RegistryHandlers> handlers_;
  std::unique_ptr<grpcserver::GrpcServer> server_;
};

}  // namespace jieshui::registry
