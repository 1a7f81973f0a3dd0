// The certification service assembled on the shared platform (service/platform.hpp): its schema
// and outbox, the enterprise directory, one consumer of the registry's meters and quota's usage
// and alerts, the schemes file, and its handlers.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "certification/src/adapters/certification_handlers.hpp"
#include "certification/src/adapters/certification_store.hpp"
#include "config/config_loader.hpp"
#include "kafka/dead_letter.hpp"
#include "service/clock.hpp"
#include "service/event_consumer.hpp"
#include "service/platform.hpp"
#include "service/settings.hpp"

namespace jieshui::certification {

struct CertificationConfig {
  service::CommonSettings common;
  StoreOptions store;
  HandlerOptions handlers;
  std::string schemes_file;  // schemes.yaml
  std::string enterprise_topic;
  std::string meter_topic;
  std::string usage_topic;
  std::string alert_topic;
  std::string dlq_topic;
  std::string consumer_group;
  int max_batch_messages = 500;
};

// Reads certification.yaml (and its environment overrides) and the schemes file it names; errors
// name the key.
absl::StatusOr<CertificationConfig> LoadCertificationConfig(const config::ConfigLoader& config);

class CertificationApp {
 public:
  static absl::StatusOr<std::unique_ptr<CertificationApp>> Start(
      CertificationConfig config, service::Clock clock = service::SystemClock());
  ~CertificationApp() { Stop(); }
  CertificationApp(const CertificationApp&) = delete;
  CertificationApp& operator=(const CertificationApp&) = delete;

  int port() const { return platform_->port(); }
  service::EventConsumer& consumer() { return *consumer_; }
  void Stop() {
    if (platform_ != nullptr) {
      platform_->Stop();
    }
  }

 private:
  CertificationApp() = default;

  CertificationConfig config_;
  std::unique_ptr<service::Platform> platform_;
  std::unique_ptr<CertificationStore> store_;
  std::unique_ptr<kafka::DeadLetterQueue> dlq_;
  std::unique_ptr<service::EventConsumer> consumer_;
  std::unique_ptr<CertificationHandlers> handlers_;
};

}  // namespace jieshui::certification
