#include "service/platform.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "db/idempotent.hpp"
#include "db/migrations.hpp"
#include "kafka/admin.hpp"
#include "kafka/topics.hpp"
#include "log/log.hpp"

namespace jieshui::service {

Platform::Platform(PlatformSpec spec, CommonSettings common)
    : spec_(std::move(spec)),
      common_(std::move(common)),
      client_id_(absl::StrCat("jieshui-", spec_.name)),
      redis_prefix_(absl::StrCat(common_.redis.key_prefix, ":", spec_.name, ":")) {}

Platform::~Platform() { Stop(); }

std::chrono::milliseconds Platform::startup_timeout() const {
  return absl::ToChronoMilliseconds(common_.startup_timeout);
}

absl::StatusOr<std::unique_ptr<Platform>> Platform::Start(PlatformSpec spec,
                                                          CommonSettings common) {
  std::unique_ptr<Platform> platform(new Platform(std::move(spec), std::move(common)));
  if (absl::Status s = platform->StartShared(); !s.ok()) {
    return s;
  }
  return platform;
}

absl::Status Platform::StartShared() {
  const std::string& schema = common_.postgres.schema;
  if (spec_.migrations) {
    if (common_.postgres.host.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("config: the ", spec_.name, " service needs a postgres section"));
    }
    absl::Status s = Step(
        "postgres pool",
        [this, &schema]() -> absl::Status {
          auto pool = db::ConnectionPool::Create({.uri = common_.postgres.ConnectionString(),
                                                  .size = common_.postgres.pool_size,
                                                  .search_path = schema,
                                                  .application_name = client_id_});
          if (!pool.ok()) {
            return pool.status();
          }
          pool_ = *std::move(pool);
          return absl::OkStatus();
        },
        [this] { pool_->Close(); });
    if (!s.ok()) {
      return s;
    }
    s = Step("migrations", [this, &schema]() -> absl::Status {
      auto migrations = db::ParseMigrations(spec_.migrations());
      if (!migrations.ok()) {
        return migrations.status();
      }
      auto report = db::ApplyMigrations(*pool_, schema, *migrations);
      if (!report.ok()) {
        return report.status();
      }
      if (spec_.outbox) {
        if (absl::Status t = db::EnsureOutboxTable(*pool_, schema); !t.ok()) {
          return t;
        }
      }
      if (spec_.consumer_offsets) {
        if (absl::Status t = db::EnsureConsumerTables(*pool_, schema); !t.ok()) {
          return t;
        }
      }
      log::Info("schema ready", {{"schema", schema},
                                 {"version", report->current_version},
                                 {"applied", static_cast<int64_t>(report->applied.size())}});
      return absl::OkStatus();
    });
    if (!s.ok()) {
      return s;
    }
  }

  absl::Status s = Step("kafka topics", [this]() -> absl::Status {
    auto admin = kafka::Admin::Create(common_.kafka_bootstrap);
    if (!admin.ok()) {
      return admin.status();
    }
    std::vector<kafka::TopicSpec> specs;
    for (const TopicUse& use : spec_.topics) {
      auto entry = kafka::topics::Find(use.catalogue);
      if (!entry.ok()) {
        return entry.status();
      }
      specs.push_back(kafka::topics::SpecFor({use.name, entry->retention, entry->retention_days},
                                             common_.topic_partitions, common_.topic_replication));
    }
    return (*admin)->EnsureTopics(specs);
  });
  if (!s.ok()) {
    return s;
  }
  s = Step(
      "kafka producer",
      [this]() -> absl::Status {
        kafka::ProducerOptions options;
        options.bootstrap_servers = common_.kafka_bootstrap;
        options.client_id = client_id_;
        options.extra = spec_.producer_tuning;
        auto producer = kafka::Producer::Create(options);
        if (!producer.ok()) {
          return producer.status();
        }
        producer_ = *std::move(producer);
        // Topics just created may still be electing leaders: ready once events can be written.
        std::vector<std::string> produced;
        for (const TopicUse& use : spec_.topics) {
          if (use.produced) {
            produced.push_back(use.name);
          }
        }
        return produced.empty() ? absl::OkStatus()
                                : producer_->WaitForLeaders(produced, startup_timeout());
      },
      [this] {
        // Every message handed over by the components stopped before is delivered or reported.
        if (absl::Status f = producer_->Flush(std::chrono::seconds(10)); !f.ok()) {
          log::Warn("kafka flush incomplete", {{"error", std::string(f.message())}});
        }
      });
  if (!s.ok()) {
    return s;
  }
  if (spec_.outbox) {
    db::OutboxRelayOptions relay_options;
    relay_options.schema = common_.postgres.schema;
    relay_ = std::make_unique<db::OutboxRelay>(pool_.get(), producer_.get(), relay_options);
    lifecycle_.Run(
        "outbox relay", [this] { relay_->Start(); }, [this] { relay_->Stop(); });
  }
  if (spec_.redis && !common_.redis.host.empty()) {
    s = Step("redis", [this]() -> absl::Status {
      redis::Options options;
      options.host = common_.redis.host;
      options.port = common_.redis.port;
      options.pool_size = common_.redis.pool_size;
      options.command_timeout = common_.redis.command_timeout;
      auto client = redis::Client::Create(options);
      if (!client.ok()) {
        return client.status();
      }
      redis_ = std::make_unique<redis::Client>(*std::move(client));
      return absl::OkStatus();
    });
    if (!s.ok()) {
      return s;
    }
  }
  // The metrics endpoint opens here, so the service's own components can register their metrics;
  // the server serves calls only at Serve().
  return Step("metrics endpoint", [this]() -> absl::Status {
    auto server = grpcserver::GrpcServer::Create({.service_name = spec_.name,
                                                  .listen_address = common_.grpc_listen,
                                                  .metrics_address = common_.metrics_listen,
                                                  .api_keys = common_.api_keys,
                                                  .drain_timeout = common_.drain_timeout});
    if (!server.ok()) {
      return server.status();
    }
    server_ = *std::move(server);
    return absl::OkStatus();
  });
}

absl::StatusOr<enterprises::Directory*> Platform::FollowEnterprises(const std::string& topic) {
  directory_ = std::make_unique<enterprises::Directory>(
      pool_.get(),
      enterprises::DirectoryOptions{
          .bootstrap_servers = common_.kafka_bootstrap, .topic = topic, .schema = schema()});
  enterprises::Directory* d = directory_.get();
  if (absl::Status s = Step(
          "enterprise directory", [this, d] { return d->Start(startup_timeout()); },
          [d] { d->Stop(); });
      !s.ok()) {
    return s;
  }
  return d;
}

absl::Status Platform::Step(std::string name, const std::function<absl::Status()>& start,
                            std::function<void()> stop) {
  return lifecycle_.Start(std::move(name), start, std::move(stop));
}

absl::Status Platform::Serve(const std::vector<std::pair<grpc::Service*, std::string>>& services) {
  for (const auto& [service, full_name] : services) {
    server_->AddService(service, full_name);
  }
  return Step(
      "grpc server", [this] { return server_->Start(); }, [this] { server_->Stop(); });
}

}  // namespace jieshui::service
