#include "registry/src/app.hpp"

#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "config/reader.hpp"
#include "kafka/topics.hpp"

namespace jieshui::registry {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

absl::StatusOr<RegistryConfig> LoadRegistryConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<RegistryConfig>(
      config, [&config](config::Reader& r, RegistryConfig& out) -> absl::Status {
        std::array<std::string, 3> rates;
        HandlerOptions& h = out.handlers;
        r.List("registry.towns", &h.rules.towns)
            .String("registry.coverage.level1_rate_percent", &rates[0])
            .String("registry.coverage.level2_rate_percent", &rates[1])
            .String("registry.coverage.level3_rate_percent", &rates[2])
            .Int("registry.page_size_default", 1, 10000, &h.page_size_default)
            .Int("registry.page_size_max", 1, 10000, &h.page_size_max)
            .Require(h.page_size_default <= h.page_size_max, "registry.page_size_default",
                     "larger than registry.page_size_max")
            .String("registry.topics.enterprise", &out.enterprise_topic)
            .String("registry.topics.meter", &out.meter_topic);
        if (!r.ok()) {
          return r.status();
        }
        for (size_t i = 0; i < rates.size(); ++i) {
          const std::string key = absl::StrCat("registry.coverage.level", i + 1, "_rate_percent");
          auto bp = ParsePercentBasisPoints(
              rates[i], absl::StrCat("config key ", key, " (env ", config.EnvVarFor(key), ")"));
          if (!bp.ok()) {
            return bp.status();
          }
          h.coverage.required_rate_bp[i] = *bp;
        }
        return absl::OkStatus();
      });
}

absl::StatusOr<std::unique_ptr<RegistryApp>> RegistryApp::Start(RegistryConfig config,
                                                                service::Clock clock) {
  std::unique_ptr<RegistryApp> app(new RegistryApp());
  app->config_ = std::move(config);
  app->config_.handlers.now = std::move(clock);
  const RegistryConfig& c = app->config_;
  namespace topics = kafka::topics;
  auto platform =
      service::Platform::Start({.name = "registry",
                                .migrations = EmbeddedMigrationFiles,
                                .outbox = true,
                                .consumer_offsets = false,
                                .topics = {{topics::kRegistryEnterprise, c.enterprise_topic, true},
                                           {topics::kRegistryMeter, c.meter_topic, true}},
                                .producer_tuning = {},
                                .redis = false},
                               c.common);
  if (!platform.ok()) {
    return platform.status();
  }
  app->platform_ = *std::move(platform);
  app->store_ = std::make_unique<RegistryStore>(&app->platform_->pool(),
                                                StoreOptions{.schema = app->platform_->schema(),
                                                             .enterprise_topic = c.enterprise_topic,
                                                             .meter_topic = c.meter_topic,
                                                             .producer = "registry"});
  app->handlers_ = std::make_unique<RegistryHandlers>(app->store_.get(), c.handlers);
  if (absl::Status s =
          app->platform_->Serve({{app->handlers_.get(), v1::RegistryService::service_full_name()}});
      !s.ok()) {
    return s;
  }
  return app;
}

}  // namespace jieshui::registry
