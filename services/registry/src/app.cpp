#include "registry/src/app.hpp"

#include <utility>

#include "kafka/topics.hpp"

namespace jieshui::registry {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

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
