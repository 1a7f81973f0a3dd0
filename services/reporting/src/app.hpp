// The reporting service assembled on the shared platform (service/platform.hpp): its schema and
// outbox, one consumer of the registry's enterprises, quota's usage, certification's status and
// activity and its own submissions (each event moving the sums it touches), and its handlers.
#pragma once

#include <memory>
#include <mutex>
#include <set>
#include <string>

#include "absl/status/statusor.h"
#include "config/config_loader.hpp"
#include "kafka/dead_letter.hpp"
#include "redis/write_behind_cache.hpp"
#include "reporting/src/adapters/facts_store.hpp"
#include "reporting/src/adapters/indicator_log.hpp"
#include "reporting/src/adapters/reporting_handlers.hpp"
#include "reporting/src/adapters/reporting_store.hpp"
#include "service/clock.hpp"
#include "service/event_consumer.hpp"
#include "service/platform.hpp"
#include "service/settings.hpp"

namespace jieshui::reporting {

struct ReportingConfig {
  service::CommonSettings common;
  ReportingStoreOptions store;
  HandlerOptions handlers;
  Rules rules;
  std::string enterprise_topic;
  std::string usage_topic;
  std::string status_topic;
  std::string activity_topic;
  std::string indicator_topic;
  std::string dlq_topic;
  std::string consumer_group;
  int max_batch_messages = 500;
  absl::Duration cache_ttl = absl::Hours(24);
};

// Reads reporting.yaml (and its environment overrides); errors name the key.
absl::StatusOr<ReportingConfig> LoadReportingConfig(const config::ConfigLoader& config);

class ReportingApp {
 public:
  static absl::StatusOr<std::unique_ptr<ReportingApp>> Start(
      ReportingConfig config, service::Clock clock = service::SystemClock());
  ~ReportingApp() { Stop(); }
  ReportingApp(const ReportingApp&) = delete;
  ReportingApp& operator=(const ReportingApp&) = delete;

  int port() const { return platform_->port(); }
  service::EventConsumer& consumer() { return *consumer_; }
  redis::WriteBehindCache* cache() { return cache_.get(); }
  void Stop() {
    if (platform_ != nullptr) {
      platform_->Stop();
    }
  }

 private:
  ReportingApp() = default;

  ReportingConfig config_;
  std::unique_ptr<service::Platform> platform_;
  std::unique_ptr<FactsStore> facts_;
  std::unique_ptr<IndicatorLog> log_;
  std::unique_ptr<ReportingStore> store_;
  std::unique_ptr<kafka::DeadLetterQueue> dlq_;
  std::unique_ptr<service::EventConsumer> consumer_;
  std::unique_ptr<redis::WriteBehindCache> cache_;
  std::unique_ptr<ReportingHandlers> handlers_;
  std::mutex moved_mu_;
  std::set<SumsKey> moved_;  // moved by the batch in hand, invalidated once it committed
};

}  // namespace jieshui::reporting
