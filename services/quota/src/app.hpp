// The quota service assembled on the shared platform (service/platform.hpp): its schema and
// outbox, the enterprise directory, the usage consumer, the balance test consumer (certification's
// activity topic), the usage cache in Redis and its handlers.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config_loader.hpp"
#include "kafka/dead_letter.hpp"
#include "quota/src/adapters/balance_test_store.hpp"
#include "quota/src/adapters/quota_handlers.hpp"
#include "quota/src/adapters/quota_tables.hpp"
#include "quota/src/adapters/usage_cache.hpp"
#include "quota/src/adapters/usage_consumer.hpp"
#include "service/clock.hpp"
#include "service/event_consumer.hpp"
#include "service/platform.hpp"
#include "service/settings.hpp"

namespace jieshui::quota {

struct QuotaConfig {
  service::CommonSettings common;
  StoreOptions store;
  HandlerOptions handlers;
  std::string reading_topic;
  std::string enterprise_topic;
  std::string activity_topic;  // certification's: the water balance tests plan increases need
  std::string dlq_topic;
  std::string consumer_group;
  std::string balance_test_consumer_group;
  int max_batch_messages = 2000;
  absl::Duration cache_ttl = absl::Hours(24);
};

// Reads quota.yaml (and its environment overrides); errors name the key.
absl::StatusOr<QuotaConfig> LoadQuotaConfig(const config::ConfigLoader& config);

class QuotaApp {
 public:
  static absl::StatusOr<std::unique_ptr<QuotaApp>> Start(
      QuotaConfig config, service::Clock clock = service::SystemClock());
  ~QuotaApp() { Stop(); }
  QuotaApp(const QuotaApp&) = delete;
  QuotaApp& operator=(const QuotaApp&) = delete;

  int port() const { return platform_->port(); }
  UsageConsumer& consumer() { return *consumer_; }
  service::EventConsumer& balance_test_consumer() { return *balance_test_consumer_; }
  BalanceTestStore& balance_tests() { return *balance_tests_; }
  UsageCache& cache() { return *cache_; }
  void Stop() {
    if (platform_ != nullptr) {
      platform_->Stop();
    }
  }

 private:
  QuotaApp() = default;

  QuotaConfig config_;
  std::unique_ptr<service::Platform> platform_;
  std::unique_ptr<AlertStore> alerts_;
  std::unique_ptr<PlanStore> plans_;
  std::unique_ptr<ProductionStore> production_;
  std::unique_ptr<UsageStore> usage_;
  std::unique_ptr<SurchargeStore> surcharges_;
  std::unique_ptr<OrderStore> orders_;
  std::unique_ptr<UsageCache> cache_;
  std::unique_ptr<kafka::DeadLetterQueue> dlq_;
  std::unique_ptr<UsageConsumer> consumer_;
  std::unique_ptr<BalanceTestStore> balance_tests_;
  std::unique_ptr<kafka::DeadLetterQueue> balance_test_dlq_;
  std::unique_ptr<service::EventConsumer> balance_test_consumer_;
  std::unique_ptr<QuotaHandlers> handlers_;
};

}  // namespace jieshui::quota
