#include "app.hpp"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/plan.hpp"
#include "db/migrations.hpp"
#include "kafka/admin.hpp"
#include "kafka/topics.hpp"
#include "log/log.hpp"

namespace jieshui::quota {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

namespace {

template <typename T>
absl::Status Take(absl::StatusOr<T> value, T* out) {
  if (!value.ok()) {
    return value.status();
  }
  *out = *std::move(value);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QuotaConfig> LoadQuotaConfig(const config::ConfigLoader& config) {
  QuotaConfig out;
  if (absl::Status s = Take(service::LoadCommonSettings(config), &out.common); !s.ok()) {
    return s;
  }
  if (out.common.postgres.host.empty()) {
    return absl::InvalidArgumentError("config: the quota service needs a postgres section");
  }
  out.store.schema = out.common.postgres.schema;
  int64_t n = 0;
  std::vector<absl::Status> errors;
  errors.push_back(Take(config.GetString("quota.topics.reading"), &out.reading_topic));
  errors.push_back(
      Take(config.GetString("quota.topics.registry_enterprise"), &out.enterprise_topic));
  errors.push_back(Take(config.GetString("quota.topics.usage"), &out.store.usage_topic));
  errors.push_back(Take(config.GetString("quota.topics.alert"), &out.store.alert_topic));
  errors.push_back(Take(config.GetString("quota.topics.dlq"), &out.dlq_topic));
  errors.push_back(Take(config.GetString("quota.consumer_group"), &out.consumer_group));
  errors.push_back(Take(config.GetInt("quota.max_batch_messages", 1, 100000), &n));
  out.max_batch_messages = static_cast<int>(n);
  errors.push_back(Take(config.GetDuration("quota.startup_timeout"), &out.startup_timeout));
  errors.push_back(Take(config.GetDuration("quota.cache_ttl"), &out.cache_ttl));
  errors.push_back(Take(config.GetInt("kafka.topic_partitions", 1, 1000), &n));
  out.topic_partitions = static_cast<int>(n);
  errors.push_back(Take(config.GetInt("kafka.topic_replication", 1, 10), &n));
  out.topic_replication = static_cast<int>(n);
  for (const absl::Status& s : errors) {
    if (!s.ok()) {
      return s;
    }
  }
  if (out.cache_ttl < absl::Seconds(1)) {
    return absl::InvalidArgumentError("config key quota.cache_ttl: must be at least 1s");
  }
  auto thresholds = config.GetStringList("quota.alert_thresholds_percent");
  if (!thresholds.ok()) {
    return thresholds.status();
  }
  out.store.thresholds_percent.clear();
  for (const std::string& t : *thresholds) {
    int value = 0;
    if (!absl::SimpleAtoi(t, &value)) {
      return absl::InvalidArgumentError(absl::StrCat(
          "config key quota.alert_thresholds_percent: not a whole percent: \"", t, "\""));
    }
    out.store.thresholds_percent.push_back(value);
  }
  if (absl::Status s = ValidateThresholds(out.store.thresholds_percent); !s.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config key quota.", s.message()));
  }
  auto band_nodes = config.GetNodeList("quota.surcharge.bands");
  if (!band_nodes.ok()) {
    return band_nodes.status();
  }
  std::vector<SurchargeBandText> texts;
  for (const auto& node : *band_nodes) {
    const auto get = [&node](const char* k) {
      auto it = node.find(k);
      return it == node.end() ? std::string() : it->second;
    };
    texts.push_back({get("from_percent"), get("to_percent"), get("multiplier")});
  }
  auto bands = ParseBands(texts, "config key quota.surcharge.bands");
  if (!bands.ok()) {
    return bands.status();
  }
  out.store.default_bands = *std::move(bands);
  const std::pair<const char*, int> prices[] = {
      {"quota.surcharge.price_municipal_tap", v1::WATER_SOURCE_MUNICIPAL_TAP},
      {"quota.surcharge.price_self_supplied_surface", v1::WATER_SOURCE_SELF_SUPPLIED_SURFACE},
      {"quota.surcharge.price_self_supplied_ground", v1::WATER_SOURCE_SELF_SUPPLIED_GROUND},
      {"quota.surcharge.price_reclaimed", v1::WATER_SOURCE_RECLAIMED}};
  for (const auto& [key, source] : prices) {
    auto text = config.GetString(key);
    if (!text.ok()) {
      return text.status();
    }
    auto money = domain::Money::ParseYuan(*text, absl::StrCat("config key ", key));
    if (!money.ok()) {
      return money.status();
    }
    if (money->fen() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("config key ", key, ": negative price"));
    }
    out.store.default_prices[source] = *money;
  }
  return out;
}

absl::StatusOr<std::unique_ptr<QuotaApp>> QuotaApp::Start(QuotaConfig config) {
  std::unique_ptr<QuotaApp> app(new QuotaApp());
  app->config_ = std::move(config);
  const QuotaConfig& c = app->config_;
  const std::string& schema = c.common.postgres.schema;

  auto pool = db::ConnectionPool::Create({.uri = c.common.postgres.ConnectionString(),
                                          .size = c.common.postgres.pool_size,
                                          .search_path = schema,
                                          .application_name = "jieshui-quota"});
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
  app->store_ = std::make_unique<QuotaStore>(app->pool_.get(), c.store);
  if (absl::Status s = app->store_->EnsureConsumerTables(); !s.ok()) {
    return s;
  }
  log::Info("schema ready", {{"schema", schema},
                             {"version", report->current_version},
                             {"applied", static_cast<int64_t>(report->applied.size())}});

  auto admin = kafka::Admin::Create(c.common.kafka_bootstrap);
  if (!admin.ok()) {
    return admin.status();
  }
  using kafka::topics::Retention;
  const std::vector<kafka::TopicSpec> topics = {
      kafka::topics::SpecFor({c.store.usage_topic, Retention::kRetained}, c.topic_partitions,
                             c.topic_replication, 400),
      kafka::topics::SpecFor({c.store.alert_topic, Retention::kRetained}, c.topic_partitions,
                             c.topic_replication, 400),
      kafka::topics::SpecFor({c.dlq_topic, Retention::kRetained}, c.topic_partitions,
                             c.topic_replication, 400),
      // Normally ingest's and the registry's; created here too so quota can start first.
      kafka::topics::SpecFor({c.reading_topic, Retention::kRetained}, c.topic_partitions,
                             c.topic_replication, 400),
      kafka::topics::SpecFor({c.enterprise_topic, Retention::kCompacted}, c.topic_partitions,
                             c.topic_replication, -1),
  };
  if (absl::Status s = (*admin)->EnsureTopics(topics); !s.ok()) {
    return s;
  }
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = c.common.kafka_bootstrap;
  producer_options.client_id = "jieshui-quota";
  auto producer = kafka::Producer::Create(producer_options);
  if (!producer.ok()) {
    return producer.status();
  }
  app->producer_ = *std::move(producer);

  if (!c.common.redis.host.empty()) {
    redis::Options ro;
    ro.host = c.common.redis.host;
    ro.port = c.common.redis.port;
    ro.pool_size = c.common.redis.pool_size;
    ro.command_timeout = c.common.redis.command_timeout;
    auto client = redis::Client::Create(ro);
    if (!client.ok()) {
      return client.status();
    }
    app->redis_ = std::make_unique<redis::Client>(*std::move(client));
  }
  QuotaStore* store = app->store_.get();
  app->cache_ = std::make_unique<UsageCache>(
      app->redis_.get(), absl::StrCat("jieshui:quota:usage:"), c.cache_ttl,
      [store](const std::string& uscc, const PeriodKey& period) {
        return store->LoadUsage(uscc, period);
      });

  db::OutboxRelayOptions relay_options;
  relay_options.schema = schema;
  app->relay_ =
      std::make_unique<db::OutboxRelay>(app->pool_.get(), app->producer_.get(), relay_options);
  app->directory_ = std::make_unique<EnterpriseDirectory>(
      app->pool_.get(), c.common.kafka_bootstrap, c.enterprise_topic);
  if (absl::Status s = app->directory_->Start(
          std::chrono::milliseconds(absl::ToInt64Milliseconds(c.startup_timeout)));
      !s.ok()) {
    return s;
  }
  app->dlq_ =
      std::make_unique<kafka::DeadLetterQueue>(app->producer_.get(), c.consumer_group, c.dlq_topic);
  app->handlers_ =
      std::make_unique<QuotaHandlers>(app->store_.get(), app->cache_.get(), c.handlers);

  auto server = grpcserver::GrpcServer::Create({.service_name = "quota",
                                                .listen_address = c.common.grpc_listen,
                                                .metrics_address = c.common.metrics_listen,
                                                .api_keys = c.common.api_keys,
                                                .drain_timeout = c.common.drain_timeout});
  if (!server.ok()) {
    app->directory_->Stop();
    return server.status();
  }
  app->server_ = *std::move(server);
  auto messages_counter = app->server_->metrics().AddCounterFamily(
      "jieshui_quota_usage_messages_total",
      "Reading-topic messages taken by the usage consumer, by outcome (applied, replayed: "
      "applied before, dead_lettered).");
  auto records_counter = app->server_->metrics().AddCounterFamily(
      "jieshui_quota_usage_records_total", "Reading records counted into usage.");
  if (!messages_counter.ok() || !records_counter.ok()) {
    app->directory_->Stop();
    return !messages_counter.ok() ? messages_counter.status() : records_counter.status();
  }
  app->consumer_ = std::make_unique<UsageConsumer>(
      app->store_.get(), app->cache_.get(), app->dlq_.get(),
      UsageConsumerOptions{.bootstrap_servers = c.common.kafka_bootstrap,
                           .reading_topic = c.reading_topic,
                           .group_id = c.consumer_group,
                           .max_batch = c.max_batch_messages,
                           .messages_counter = *messages_counter,
                           .records_counter = *records_counter});
  app->server_->AddService(app->handlers_.get(), v1::QuotaService::service_full_name());

  // Stop hooks run in reverse of how they are added.
  QuotaApp* self = app.get();
  app->server_->AddStopHook("postgres pool", [self] { self->pool_->Close(); });
  app->server_->AddStopHook("kafka producer", [self] {
    if (absl::Status s = self->producer_->Flush(std::chrono::seconds(10)); !s.ok()) {
      log::Warn("kafka flush incomplete", {{"error", std::string(s.message())}});
    }
  });
  app->relay_->Start();
  app->server_->AddStopHook("outbox relay", [self] { self->relay_->Stop(); });
  app->server_->AddStopHook("enterprise directory", [self] { self->directory_->Stop(); });
  app->cache_->Start();
  app->server_->AddStopHook("usage cache", [self] { self->cache_->Stop(); });
  if (absl::Status s = app->consumer_->Start(); !s.ok()) {
    return s;
  }
  app->server_->AddStopHook("usage consumer", [self] { self->consumer_->Stop(); });
  if (absl::Status s = app->server_->Start(); !s.ok()) {
    app->consumer_->Stop();
    app->cache_->Stop();
    app->directory_->Stop();
    app->relay_->Stop();
    return s;
  }
  return app;
}

QuotaApp::~QuotaApp() { Stop(); }

void QuotaApp::Stop() {
  if (server_ != nullptr) {
    server_->Stop();
  }
}

}  // namespace jieshui::quota
