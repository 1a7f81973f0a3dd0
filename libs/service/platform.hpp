// What every Jieshui service stands on, started from a short spec in one order: the PostgreSQL
// pool and migrations, the catalogue topics, the Kafka producer and the outbox relay, Redis, then
// metrics and the gRPC server (health, reflection, API keys). A service's app adds only its own
// components (Step) and serves last (Serve); everything stops in reverse (service/lifecycle.hpp).
#pragma once

#include <chrono>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/outbox.hpp"
#include "db/pool.hpp"
#include "enterprises/directory.hpp"
#include "grpcserver/server.hpp"
#include "kafka/producer.hpp"
#include "redis/client.hpp"
#include "service/lifecycle.hpp"
#include "service/settings.hpp"

namespace grpc {
class Service;
}  // namespace grpc

namespace jieshui::service {

// A topic the service creates when missing: its catalogue entry (kafka/topics.hpp, which fixes
// compaction and retention) under the name its configuration gives (tests use unique names).
struct TopicUse {
  const char* catalogue;  // kafka::topics::kQuotaUsage, ...
  std::string name;
  bool produced = false;  // start-up waits until its partitions have leaders
};

struct PlatformSpec {
  std::string name;  // "quota": logs, Kafka client id and PostgreSQL application name jieshui-quota
  // The service's embedded migrations (cmake/JieshuiMigrations.cmake); empty: no schema.
  std::function<std::vector<std::pair<std::string, std::string>>()> migrations;
  bool outbox = false;            // the outbox table and its relay (db/outbox.hpp)
  bool consumer_offsets = false;  // the tables of idempotent consumption (db/idempotent.hpp)
  std::vector<TopicUse> topics;
  // librdkafka properties of this service's producer (a flood of readings wants larger batches).
  std::map<std::string, std::string> producer_tuning;
  bool redis = false;  // a Redis client, when the configuration has a redis section
};

class Platform {
 public:
  // Starts the shared components as steps of the platform's lifecycle, using `common`'s
  // addresses. On failure everything started is stopped again and the error names the step.
  static absl::StatusOr<std::unique_ptr<Platform>> Start(PlatformSpec spec, CommonSettings common);
  ~Platform();  // Stop()
  Platform(const Platform&) = delete;
  Platform& operator=(const Platform&) = delete;

  const CommonSettings& common() const { return common_; }
  const std::string& schema() const { return common_.postgres.schema; }
  // Kafka client id and the like: "jieshui-<name>".
  const std::string& client_id() const { return client_id_; }
  std::chrono::milliseconds startup_timeout() const;

  db::ConnectionPool& pool() { return *pool_; }
  kafka::Producer& producer() { return *producer_; }
  // nullptr without Redis (spec or configuration); reads then go to PostgreSQL.
  redis::Client* redis() { return redis_.get(); }
  // "<redis.key_prefix>:<name>:" — every Redis key of this service starts with it, so two
  // deployments (or test runs) sharing one Redis never read each other's entries.
  const std::string& redis_prefix() const { return redis_prefix_; }
  metrics::MetricsRegistry& metrics() { return server_->metrics(); }
  int port() const { return server_->port(); }

  // One of the service's own components, started after the ones before it and stopped before
  // them (Lifecycle::Start).
  absl::Status Step(std::string name, const std::function<absl::Status()>& start,
                    std::function<void()> stop = {});
  // The registry's enterprises in this service's schema (enterprises::Directory), read from
  // `topic` to its end before the steps after it start, then followed; stopped with the platform.
  absl::StatusOr<enterprises::Directory*> FollowEnterprises(const std::string& topic);

  // A component whose start cannot fail (a thread, a cache).
  void Run(std::string name, const std::function<void()>& start, std::function<void()> stop) {
    lifecycle_.Run(std::move(name), start, std::move(stop));
  }
  // The last step: serves `services` (health SERVING). Its stop, the first to run, turns health
  // NOT_SERVING and drains the calls in flight before anything behind them stops.
  absl::Status Serve(const std::vector<std::pair<grpc::Service*, std::string>>& services);

  // Stops every component, latest first. Idempotent.
  void Stop() { lifecycle_.Stop(); }

 private:
  Platform(PlatformSpec spec, CommonSettings common);
  absl::Status StartShared();

  PlatformSpec spec_;
  CommonSettings common_;
  std::string client_id_;
  std::string redis_prefix_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<db::OutboxRelay> relay_;
  std::unique_ptr<redis::Client> redis_;
  std::unique_ptr<grpcserver::GrpcServer> server_;
  std::unique_ptr<enterprises::Directory> directory_;
  Lifecycle lifecycle_;  // last: destroyed (and so stopped) before what its stops reach
};

}  // namespace jieshui::service
