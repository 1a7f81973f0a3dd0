#include "quota/src/app.hpp"

#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "config/reader.hpp"
#include "kafka/topics.hpp"
#include "quota/src/core/plan.hpp"

namespace jieshui::quota {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

namespace {

// quota.surcharge.bands: the default surcharge schedule.
absl::Status ReadBands(const config::ConfigLoader& config, std::vector<SurchargeBand>* out) {
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
  *out = *std::move(bands);
  return absl::OkStatus();
}

// quota.surcharge.price_*: base prices in yuan per m³ by source.
absl::Status ReadPrices(const config::ConfigLoader& config, StoreOptions* store) {
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
    store->default_prices[source] = *money;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QuotaConfig> LoadQuotaConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<QuotaConfig>(
      config, [&config](config::Reader& r, QuotaConfig& out) -> absl::Status {
        out.store.schema = out.common.postgres.schema;
        std::vector<std::string> thresholds;
        r.String("quota.topics.reading", &out.reading_topic)
            .String("quota.topics.registry_enterprise", &out.enterprise_topic)
            .String("quota.topics.usage", &out.store.usage_topic)
            .String("quota.topics.alert", &out.store.alert_topic)
            .String("quota.topics.dlq", &out.dlq_topic)
            .String("quota.consumer_group", &out.consumer_group)
            .Int("quota.max_batch_messages", 1, 100000, &out.max_batch_messages)
            .Duration("quota.cache_ttl", &out.cache_ttl, absl::Seconds(1))
            .List("quota.alert_thresholds_percent", &thresholds);
        if (!r.ok()) {
          return r.status();
        }
        out.store.thresholds_percent.clear();
        for (const std::string& t : thresholds) {
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
        if (absl::Status s = ReadBands(config, &out.store.default_bands); !s.ok()) {
          return s;
        }
        return ReadPrices(config, &out.store);
      });
}

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
            // Normally ingest's and the registry's; created here too so quota can start first.
            {topics::kIngestReading, c.reading_topic},
            {topics::kRegistryEnterprise, c.enterprise_topic}},
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
  app->usage_ = std::make_unique<UsageStore>(&p.pool(), c.store, app->alerts_.get());
  app->surcharges_ = std::make_unique<SurchargeStore>(&p.pool(), c.store);
  app->orders_ = std::make_unique<OrderStore>(&p.pool(), c.store);
  UsageStore* usage = app->usage_.get();
  app->cache_ =
      std::make_unique<UsageCache>(p.redis(), absl::StrCat(p.redis_prefix(), "usage:"), c.cache_ttl,
                                   [usage](const std::string& uscc, const PeriodKey& period) {
                                     return usage->LoadUsage(uscc, period);
                                   });
  app->directory_ = std::make_unique<enterprises::Directory>(
      &p.pool(), enterprises::DirectoryOptions{.bootstrap_servers = c.common.kafka_bootstrap,
                                               .topic = c.enterprise_topic,
                                               .schema = p.schema()});
  if (absl::Status s = p.Step(
          "enterprise directory", [&] { return app->directory_->Start(p.startup_timeout()); },
          [d = app->directory_.get()] { d->Stop(); });
      !s.ok()) {
    return s;
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
