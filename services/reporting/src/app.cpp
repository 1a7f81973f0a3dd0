#include "reporting/src/app.hpp"

#include <set>
#include <utility>

#include "absl/strings/str_cat.h"
#include "kafka/topics.hpp"

namespace jieshui::reporting {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

absl::StatusOr<std::unique_ptr<ReportingApp>> ReportingApp::Start(ReportingConfig config,
                                                                  service::Clock clock) {
  std::unique_ptr<ReportingApp> app(new ReportingApp());
  app->config_ = std::move(config);
  app->config_.handlers.now = std::move(clock);
  const ReportingConfig& c = app->config_;
  namespace topics = kafka::topics;
  auto platform = service::Platform::Start(
      {.name = "reporting",
       .migrations = EmbeddedMigrationFiles,
       .outbox = true,
       .consumer_offsets = true,
       .topics = {{topics::kReportingSubmission, c.store.submission_topic, true},
                  {topics::kReportingIndicator, c.indicator_topic, true},
                  {topics::kDeadLetter, c.dlq_topic, true},
                  // The other services'; created here too so reporting can start first.
                  {topics::kRegistryEnterprise, c.enterprise_topic},
                  {topics::kQuotaUsage, c.usage_topic},
                  {topics::kCertificationStatus, c.status_topic},
                  {topics::kCertificationActivity, c.activity_topic}},
       .producer_tuning = {},
       .redis = true},
      c.common);
  if (!platform.ok()) {
    return platform.status();
  }
  service::Platform& p = **platform;
  app->platform_ = *std::move(platform);

  app->facts_ = std::make_unique<FactsStore>(p.schema(), c.rules);
  app->store_ = std::make_unique<ReportingStore>(&p.pool(), c.store);
  auto counter = p.metrics().AddCounterFamily(
      "jieshui_reporting_facts_messages_total",
      "Messages of the consumed topics taken by the facts consumer, by outcome (applied, "
      "replayed: applied before, dead_lettered).");
  if (!counter.ok()) {
    return counter.status();
  }
  app->dlq_ =
      std::make_unique<kafka::DeadLetterQueue>(&p.producer(), c.consumer_group, c.dlq_topic);
  app->log_ = std::make_unique<IndicatorLog>(IndicatorLogOptions{
      .schema = p.schema(), .indicator_topic = c.indicator_topic, .producer = "reporting"});
  ReportingStore* store = app->store_.get();
  app->cache_ = std::make_unique<redis::WriteBehindCache>(
      p.redis(), absl::StrCat(p.redis_prefix(), "indicators:"), c.cache_ttl,
      [store](const std::string& key) { return LoadForCache(*store, key); });
  p.Run(
      "indicator cache", [cache = app->cache_.get()] { cache->Start(); },
      [cache = app->cache_.get()] { cache->Stop(); });
  FactsStore* facts = app->facts_.get();
  IndicatorLog* log = app->log_.get();
  ReportingApp* self = app.get();
  app->consumer_ = std::make_unique<service::EventConsumer>(
      &p.pool(), app->dlq_.get(),
      service::EventConsumerOptions{.name = "reporting facts",
                                    .bootstrap_servers = c.common.kafka_bootstrap,
                                    .group_id = c.consumer_group,
                                    .client_id = p.client_id(),
                                    .topics = {c.enterprise_topic, c.usage_topic, c.status_topic,
                                               c.activity_topic, c.store.submission_topic},
                                    .schema = p.schema(),
                                    .max_batch = c.max_batch_messages,
                                    .poll_timeout = std::chrono::milliseconds(100),
                                    .messages_counter = *counter},
      [facts, log, self](pqxx::work& tx, const kafka::Message& message,
                         const kafka::EventEnvelope& event) -> absl::Status {
        std::set<SumsKey> moved;
        if (absl::Status s = facts->ApplyEvent(tx, message, event, &moved); !s.ok()) {
          return s;
        }
        {
          std::lock_guard<std::mutex> lock(self->moved_mu_);
          self->moved_.insert(moved.begin(), moved.end());
        }
        return log->RecordChanges(tx, moved).status();
      },
      // After the commit: what moved is dirty in the cache until rewritten (a batch that rolled
      // back and is read again only adds keys to rewrite).
      [self] {
        std::set<SumsKey> moved;
        {
          std::lock_guard<std::mutex> lock(self->moved_mu_);
          moved.swap(self->moved_);
        }
        for (const auto& [scope, period] : moved) {
          self->cache_->Invalidate(absl::StrCat(scope, "|", period));
        }
      });
  if (absl::Status s = p.Step(
          "facts consumer", [&] { return app->consumer_->Start(); },
          [consumer = app->consumer_.get()] { consumer->Stop(); });
      !s.ok()) {
    return s;
  }
  app->handlers_ =
      std::make_unique<ReportingHandlers>(app->store_.get(), app->cache_.get(), c.handlers);
  if (absl::Status s = p.Serve({{app->handlers_.get(), v1::ReportingService::service_full_name()}});
      !s.ok()) {
    return s;
  }
  return app;
}

}  // namespace jieshui::reporting
