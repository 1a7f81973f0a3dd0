#include "quota/src/app.hpp"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kafka/topics.hpp"

namespace jieshui::quota {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

absl::StatusOr<std::unique_ptr<QuotaApp>> QuotaApp::Start(QuotaConfig config,
                                                          service::Clock clock) {
  std::unique_ptr<QuotaApp> app(new QuotaApp());
  app->config_ = std::move(config);
  app->config_.handlers.now = std::move(clock);
  const QuotaConfig& c = app->config_;
  namespace topics = kafka::topics;
  auto platform = service::Platform::Start(
      {.name = "quota",
       .migrations = EmbeddedMigrationFiles,
       .outbox = true,
       .consumer_offsets = true,
       .topics =
           {{topics::kQuotaUsage, c.store.usage_topic, true},
            {topics::kQuotaAlert, c.store.alert_topic, true},
            {topics::kDeadLetter, c.dlq_topic, true},
            // Normally ingest's, the registry's and certification's; created here too so quota
            // can start first (certification's activity topic before that service exists).
            {topics::kIngestReading, c.reading_topic},
            {topics::kRegistryEnterprise, c.enterprise_topic},
            {topics::kCertificationActivity, c.activity_topic}},
       .producer_tuning = {},
       .redis = true},
      c.common);
  if (!platform.ok()) {
    return platform.status();
  }
  service::Platform& p = **platform;
  app->platform_ = *std::move(platform);

  app->alerts_ = std::make_unique<AlertStore>(&p.pool(), c.store);
  app->plans_ = std::make_unique<PlanStore>(&p.pool(), c.store, app->alerts_.get());
  app->production_ = std::make_unique<ProductionStore>(&p.pool(), app->alerts_.get());
  app->surcharges_ = std::make_unique<SurchargeStore>(&p.pool(), c.store);
  app->usage_ =
      std::make_unique<UsageStore>(&p.pool(), c.store, app->alerts_.get(), app->surcharges_.get());
  app->orders_ = std::make_unique<OrderStore>(&p.pool(), c.store);
  UsageStore* usage = app->usage_.get();
  app->cache_ =
      std::make_unique<UsageCache>(p.redis(), absl::StrCat(p.redis_prefix(), "usage:"), c.cache_ttl,
                                   [usage](const std::string& uscc, const PeriodKey& period) {
                                     return usage->LoadUsage(uscc, period);
                                   });
  if (auto directory = p.FollowEnterprises(c.enterprise_topic); !directory.ok()) {
    return directory.status();
  }
  auto messages_counter = p.metrics().AddCounterFamily(
      "jieshui_quota_usage_messages_total",
      "Reading-topic messages taken by the usage consumer, by outcome (applied, replayed: "
      "applied before, dead_lettered).");
  auto records_counter = p.metrics().AddCounterFamily("jieshui_quota_usage_records_total",
                                                      "Reading records counted into usage.");
  if (!messages_counter.ok() || !records_counter.ok()) {
    return !messages_counter.ok() ? messages_counter.status() : records_counter.status();
  }
  p.Run(
      "usage cache", [cache = app->cache_.get()] { cache->Start(); },
      [cache = app->cache_.get()] { cache->Stop(); });
  app->dlq_ =
      std::make_unique<kafka::DeadLetterQueue>(&p.producer(), c.consumer_group, c.dlq_topic);
  app->consumer_ = std::make_unique<UsageConsumer>(
      usage, app->cache_.get(), app->dlq_.get(),
      UsageConsumerOptions{.bootstrap_servers = c.common.kafka_bootstrap,
                           .reading_topic = c.reading_topic,
                           .group_id = c.consumer_group,
                           .max_batch = c.max_batch_messages,
                           .messages_counter = *messages_counter,
                           .records_counter = *records_counter});
  if (absl::Status s = p.Step(
          "usage consumer", [&] { return app->consumer_->Start(); },
          [consumer = app->consumer_.get()] { consumer->Stop(); });
      !s.ok()) {
    return s;
  }
  auto activity_counter = p.metrics().AddCounterFamily(
      "jieshui_quota_balance_test_messages_total",
      "Certification activity-topic messages taken by the balance test consumer, by outcome "
      "(applied, replayed: applied before, dead_lettered).");
  if (!activity_counter.ok()) {
    return activity_counter.status();
  }
  app->balance_tests_ = std::make_unique<BalanceTestStore>(&p.pool(), c.store.schema);
  app->balance_test_dlq_ = std::make_unique<kafka::DeadLetterQueue>(
      &p.producer(), c.balance_test_consumer_group, c.dlq_topic);
  app->balance_test_consumer_ = std::make_unique<service::EventConsumer>(
      &p.pool(), app->balance_test_dlq_.get(),
      service::EventConsumerOptions{.name = kBalanceTestConsumer,
                                    .bootstrap_servers = c.common.kafka_bootstrap,
                                    .group_id = c.balance_test_consumer_group,
                                    .client_id = p.client_id(),
                                    .topics = {c.activity_topic},
                                    .schema = p.schema(),
                                    .max_batch = c.max_batch_messages,
                                    .poll_timeout = std::chrono::milliseconds(100),
                                    .messages_counter = *activity_counter},
      [store = app->balance_tests_.get()](pqxx::work& tx, const kafka::Message& message,
                                          const kafka::EventEnvelope& event) {
        return store->ApplyEvent(tx, message, event);
      });
  if (absl::Status s = p.Step(
          "balance test consumer", [&] { return app->balance_test_consumer_->Start(); },
          [consumer = app->balance_test_consumer_.get()] { consumer->Stop(); });
      !s.ok()) {
    return s;
  }
  app->handlers_ = std::make_unique<QuotaHandlers>(QuotaStores{.plans = app->plans_.get(),
                                                               .production = app->production_.get(),
                                                               .usage = usage,
                                                               .alerts = app->alerts_.get(),
                                                               .surcharges = app->surcharges_.get(),
                                                               .orders = app->orders_.get()},
                                                   app->cache_.get(), c.handlers);
  if (absl::Status s = p.Serve({{app->handlers_.get(), v1::QuotaService::service_full_name()}});
      !s.ok()) {
    return s;
  }
  return app;
}

}  // namespace jieshui::quota
