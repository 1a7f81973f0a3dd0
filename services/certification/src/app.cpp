#include "certification/src/app.hpp"

#include <utility>

#include "kafka/topics.hpp"

namespace jieshui::certification {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

absl::StatusOr<std::unique_ptr<CertificationApp>> CertificationApp::Start(
    CertificationConfig config, service::Clock clock) {
  std::unique_ptr<CertificationApp> app(new CertificationApp());
  app->config_ = std::move(config);
  app->config_.handlers.now = std::move(clock);
  const CertificationConfig& c = app->config_;
  namespace topics = kafka::topics;
  auto platform = service::Platform::Start(
      {.name = "certification",
       .migrations = EmbeddedMigrationFiles,
       .outbox = true,
       .consumer_offsets = true,
       .topics = {{topics::kCertificationStatus, c.store.status_topic, true},
                  {topics::kCertificationActivity, c.store.activity_topic, true},
                  {topics::kDeadLetter, c.dlq_topic, true},
                  // The registry's and quota's; created here too so certification can start first.
                  {topics::kRegistryEnterprise, c.enterprise_topic},
                  {topics::kRegistryMeter, c.meter_topic},
                  {topics::kQuotaUsage, c.usage_topic},
                  {topics::kQuotaAlert, c.alert_topic}},
       .producer_tuning = {},
       .redis = false},
      c.common);
  if (!platform.ok()) {
    return platform.status();
  }
  service::Platform& p = **platform;
  app->platform_ = *std::move(platform);

  app->store_ = std::make_unique<CertificationStore>(&p.pool(), c.store);
  if (auto directory = p.FollowEnterprises(c.enterprise_topic); !directory.ok()) {
    return directory.status();
  }
  app->dlq_ =
      std::make_unique<kafka::DeadLetterQueue>(&p.producer(), c.consumer_group, c.dlq_topic);
  auto facts_counter = p.metrics().AddCounterFamily(
      "jieshui_certification_facts_messages_total",
      "Registry meter and quota usage and alert messages taken by the facts consumer, by outcome "
      "(applied, replayed: applied before, dead_lettered).");
  if (!facts_counter.ok()) {
    return facts_counter.status();
  }
  CertificationStore* store = app->store_.get();
  app->consumer_ = std::make_unique<service::EventConsumer>(
      &p.pool(), app->dlq_.get(),
      service::EventConsumerOptions{.name = "certification facts",
                                    .bootstrap_servers = c.common.kafka_bootstrap,
                                    .group_id = c.consumer_group,
                                    .client_id = p.client_id(),
                                    .topics = {c.meter_topic, c.usage_topic, c.alert_topic},
                                    .schema = p.schema(),
                                    .max_batch = c.max_batch_messages,
                                    .poll_timeout = std::chrono::milliseconds(100),
                                    .messages_counter = *facts_counter},
      [store](pqxx::work& tx, const kafka::Message& message, const kafka::EventEnvelope& event) {
        return store->ApplyEvent(tx, message, event);
      });
  if (absl::Status s = p.Step(
          "facts consumer", [&] { return app->consumer_->Start(); },
          [consumer = app->consumer_.get()] { consumer->Stop(); });
      !s.ok()) {
    return s;
  }
  app->handlers_ = std::make_unique<CertificationHandlers>(store, c.handlers);
  if (absl::Status s =
          p.Serve({{app->handlers_.get(), v1::CertificationService::service_full_name()}});
      !s.ok()) {
    return s;
  }
  return app;
}

}  // namespace jieshui::certification
