// The quota service assembled: configuration, PostgreSQL (migrations, store, outbox relay), Kafka
// (topics, producer, the enterprise directory, the usage consumer), Redis (usage cache) and the
// gRPC server, started in that order and stopped in reverse.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/enterprise_directory.hpp"
#include "adapters/quota_handlers.hpp"
#include "adapters/quota_store.hpp"
#include "adapters/usage_cache.hpp"
#include "adapters/usage_consumer.hpp"
#include "config/config_loader.hpp"
#include "db/outbox.hpp"
#include "db/pool.hpp"
#include "grpcserver/server.hpp"
#include "kafka/consumer_loop.hpp"
#include "kafka/producer.hpp"
#include "redis/client.hpp"
#include "service/settings.hpp"

namespace jieshui::quota {

struct QuotaConfig {
  service::CommonSettings common;
  StoreOptions store;
  HandlerOptions handlers;
  std::string reading_topic;
  std::string enterprise_topic;
  std::string dlq_topic;
  std::string consumer_group;
  int max_batch_messages = 2000;
  absl::Duration startup_timeout = absl::Seconds(120);
  absl::Duration cache_ttl = absl::Hours(24);
  int topic_partitions = 6;
  int topic_replication = 1;
};

// Reads quota.yaml (and its environment overrides); errors name the key.
absl::StatusOr<QuotaConfig> LoadQuotaConfig(const config::ConfigLoader& config);

class QuotaApp {
 public:
  static absl::StatusOr<std::unique_ptr<QuotaApp>> Start(QuotaConfig config);
  ~QuotaApp();
  QuotaApp(const QuotaApp&) = delete;
  QuotaApp& operator=(const QuotaApp&) = delete;

  int port() const { return server_->port(); }
  UsageConsumer& consumer() { return *consumer_; }
  UsageCache& cache() { return *cache_; }
  void Stop();

 private:
  QuotaApp() = default;

  QuotaConfig config_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<QuotaStore> store_;
  std::unique_ptr<UsageCache> cache_;
  std::unique_ptr<db::OutboxRelay> relay_;
  std::unique_ptr<EnterpriseDirectory> directory_;
  std::unique_ptr<kafka::DeadLetterQueue> dlq_;
  std::unique_ptr<UsageConsumer> consumer_;
  std::unique_ptr<QuotaHandlers> handlers_;
  std::unique_ptr<grpcserver::GrpcServer> server_;
};

}  // namespace jieshui::quota
