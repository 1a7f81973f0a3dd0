#include "app.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "db/migrations.hpp"
#include "kafka/admin.hpp"
#include "kafka/topics.hpp"
#include "log/log.hpp"

namespace jieshui::registry {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

absl::StatusOr<RegistryConfig> LoadRegistryConfig(const config::ConfigLoader& config) {
  RegistryConfig out;
  absl::StatusOr<service::CommonSettings> common = service::LoadCommonSettings(config);
  if (!common.ok()) {
    return common.status();
  }
  out.common = *std::move(common);
  if (out.common.postgres.host.empty()) {
    return absl::InvalidArgumentError("config: the registry needs a postgres section");
  }
  auto towns = config.GetStringList("registry.towns");
  if (!towns.ok()) {
    return towns.status();
  }
  out.handlers.rules.towns = *std::move(towns);
  for (int level = 1; level <= 3; ++level) {
    const std::string key = absl::StrCat("registry.coverage.level", level, "_rate_percent");
    auto text = config.GetString(key);
    if (!text.ok()) {
      return text.status();
    }
    auto bp = ParsePercentBasisPoints(
        *text, absl::StrCat("config key ", key, " (env ", config.EnvVarFor(key), ")"));
    if (!bp.ok()) {
      return bp.status();
    }
    out.handlers.coverage.required_rate_bp[static_cast<size_t>(level - 1)] = *bp;
  }
  auto page_default = config.GetInt("registry.page_size_default", 1, 10000);
  auto page_max = config.GetInt("registry.page_size_max", 1, 10000);
  if (!page_default.ok()) {
    return page_default.status();
  }
  if (!page_max.ok()) {
    return page_max.status();
  }
  if (*page_default > *page_max) {
    return absl::InvalidArgumentError(
        "config key registry.page_size_default: larger than registry.page_size_max");
  }
  out.handlers.page_size_default = static_cast<int>(*page_default);
  out.handlers.page_size_max = static_cast<int>(*page_max);
  auto enterprise_topic = config.GetString("registry.topics.enterprise");
  auto meter_topic = config.GetString("registry.topics.meter");
  auto partitions = config.GetInt("kafka.topic_partitions", 1, 1000);
  auto replication = config.GetInt("kafka.topic_replication", 1, 10);
  for (const absl::Status& s : {enterprise_topic.status(), meter_topic.status(),
                                partitions.status(), replication.status()}) {
    if (!s.ok()) {
      return s;
    }
  }
  out.enterprise_topic = *enterprise_topic;
  out.meter_topic = *meter_topic;
  out.topic_partitions = static_cast<int>(*partitions);
  out.topic_replication = static_cast<int>(*replication);
  return out;
}

absl::StatusOr<std::unique_ptr<RegistryApp>> RegistryApp::Start(RegistryConfig config) {
  std::unique_ptr<RegistryApp> app(new RegistryApp());
  app->config_ = std::move(config);
  const RegistryConfig& c = app->config_;
  const std::string& schema = c.common.postgres.schema;

  auto pool = db::ConnectionPool::Create({.uri = c.common.postgres.ConnectionString(),
                                          .size = c.common.postgres.pool_size,
                                          .search_path = schema,
                                          .application_name = "jieshui-registry"});
  if (!pool.ok()) {
    return pool.status();
  }
  app->pool_ = *std::move(pool);
  auto migrations = db::ParseMigrations(EmbeddedMigrationFiles());
  if (!migrations.ok()) {
    return migrations.status();
  }
  auto report = db::ApplyMigrations(*app->pool_, schema, *migrations);
  if (!report.ok()) {
    return report.status();
  }
  if (absl::Status s = db::EnsureOutboxTable(*app->pool_, schema); !s.ok()) {
    return s;
  }
  log::Info("schema ready", {{"schema", schema},
                             {"version", report->current_version},
                             {"applied", static_cast<int64_t>(report->applied.size())}});

  auto admin = kafka::Admin::Create(c.common.kafka_bootstrap);
  if (!admin.ok()) {
    return admin.status();
  }
  std::vector<kafka::TopicSpec> topics;
  for (const std::string& name : {c.enterprise_topic, c.meter_topic}) {
    topics.push_back(kafka::topics::SpecFor({name, kafka::topics::Retention::kCompacted},
                                            c.topic_partitions, c.topic_replication, -1));
  }
  if (absl::Status s = (*admin)->EnsureTopics(topics); !s.ok()) {
    return s;
  }
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = c.common.kafka_bootstrap;
  producer_options.client_id = "jieshui-registry";
  auto producer = kafka::Producer::Create(producer_options);
  if (!producer.ok()) {
    return producer.status();
  }
  app->producer_ = *std::move(producer);

  app->store_ = std::make_unique<RegistryStore>(app->pool_.get(),
                                                StoreOptions{.schema = schema,
                                                             .enterprise_topic = c.enterprise_topic,
                                                             .meter_topic = c.meter_topic,
                                                             .producer = "registry"});
  db::OutboxRelayOptions relay_options;
  relay_options.schema = schema;
  app->relay_ =
      std::make_unique<db::OutboxRelay>(app->pool_.get(), app->producer_.get(), relay_options);
  app->handlers_ = std::make_unique<RegistryHandlers>(app->store_.get(), c.handlers);

  auto server = grpcserver::GrpcServer::Create({.service_name = "registry",
                                                .listen_address = c.common.grpc_listen,
                                                .metrics_address = c.common.metrics_listen,
                                                .api_keys = c.common.api_keys,
                                                .drain_timeout = c.common.drain_timeout});
  if (!server.ok()) {
    return server.status();
  }
  app->server_ = *std::move(server);
  app->server_->AddService(app->handlers_.get(), v1::RegistryService::service_full_name());

  // Stop hooks run in reverse: relay (finishes its batch), producer flush, pool.
  RegistryApp* self = app.get();
  app->server_->AddStopHook("postgres pool", [self] { self->pool_->Close(); });
  app->server_->AddStopHook("kafka producer", [self] {
    if (absl::Status s = self->producer_->Flush(std::chrono::seconds(10)); !s.ok()) {
      log::Warn("kafka flush incomplete", {{"error", std::string(s.message())}});
    }
  });
  app->relay_->Start();
  app->server_->AddStopHook("outbox relay", [self] { self->relay_->Stop(); });
  if (absl::Status s = app->server_->Start(); !s.ok()) {
    app->relay_->Stop();
    return s;
  }
  return app;
}

RegistryApp::~RegistryApp() { Stop(); }

void RegistryApp::Stop() {
  if (server_ != nullptr) {
    server_->Stop();
  }
}

}  // namespace jieshui::registry
