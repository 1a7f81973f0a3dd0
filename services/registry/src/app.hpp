// The registry service assembled on the shared platform (service/platform.hpp): its schema and
// outbox, its two compacted topics, and its handlers.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config_loader.hpp"
#include "registry/src/adapters/registry_handlers.hpp"
#include "registry/src/adapters/registry_store.hpp"
#include "service/clock.hpp"
#include "service/platform.hpp"
#include "service/settings.hpp"

namespace jieshui::registry {

struct RegistryConfig {
  service::CommonSettings common;
  HandlerOptions handlers;
  std::string enterprise_topic;
  std::string meter_topic;
};

// Reads registry.yaml (and its environment overrides); errors name the key.
absl::StatusOr<RegistryConfig> LoadRegistryConfig(const config::ConfigLoader& config);

class RegistryApp {
 public:
  // Starts the platform and serves; on failure nothing is left running and the error names the
  // step (UNAVAILABLE when a dependency cannot be reached).
  static absl::StatusOr<std::unique_ptr<RegistryApp>> Start(
      RegistryConfig config, service::Clock clock = service::SystemClock());
  ~RegistryApp() { Stop(); }
  RegistryApp(const RegistryApp&) = delete;
  RegistryApp& operator=(const RegistryApp&) = delete;

  int port() const { return platform_->port(); }
  // Drains gRPC calls, then stops the relay (after its batch), flushes Kafka, closes the pool.
  void Stop() {
    if (platform_ != nullptr) {
      platform_->Stop();
    }
  }

 private:
  RegistryApp() = default;

  RegistryConfig config_;
  std::unique_ptr<service::Platform> platform_;
  std::unique_ptr<RegistryStore> store_;
  std::unique_ptr<RegistryHandlers> handlers_;
};

}  // namespace jieshui::registry
