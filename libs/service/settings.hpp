// Settings every Jieshui service reads the same way from its YAML file and JIESHUI_<SERVICE>_<KEY>
// overrides: listen addresses, log level, Kafka, PostgreSQL, Redis, and the API keys of callers.
#pragma once

#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "config/config_loader.hpp"
#include "config/reader.hpp"
#include "grpcserver/auth.hpp"
#include "log/log.hpp"

namespace jieshui::service {

struct PostgresSettings {
  std::string host;
  int port = 5432;
  std::string database;
  std::string user;
  std::string password;  // secret: from the environment only
  std::string schema;    // the service's own schema
  int pool_size = 8;
  // libpq keyword/value connection string with every value quoted.
  std::string ConnectionString() const;
};

struct RedisSettings {
  std::string host;
  int port = 6379;
  int pool_size = 8;
  absl::Duration command_timeout = absl::Milliseconds(500);
  // redis.key_prefix: the first part of every key, one per deployment (service/platform.hpp).
  std::string key_prefix = "jieshui";
};

struct CommonSettings {
  std::string service;
  std::string grpc_listen;     // grpc.listen, e.g. 127.0.0.1:50051
  std::string metrics_listen;  // metrics.listen, e.g. 127.0.0.1:9151 ("" = no endpoint)
  absl::Duration drain_timeout = absl::Seconds(10);
  log::Level log_level = log::Level::kInfo;
  std::string kafka_bootstrap;  // kafka.bootstrap_servers
  int topic_partitions = 6;     // kafka.topic_partitions, of the topics the service creates
  int topic_replication = 1;    // kafka.topic_replication
  // kafka.startup_timeout: how long start-up waits for Kafka (topic leaders, a table topic read
  // to its end, a replay).
  absl::Duration startup_timeout = absl::Seconds(120);
  PostgresSettings postgres;
  RedisSettings redis;
  std::vector<grpcserver::ApiKeyEntry> api_keys;
};

// Reads the keys below; every error names the key and its environment variable.
//   grpc.listen, grpc.drain_timeout, metrics.listen, log.level, kafka.bootstrap_servers,
//   kafka.{topic_partitions,topic_replication,startup_timeout} (optional),
//   postgres.{host,port,database,user,password,schema,pool_size},
//   redis.{host,port,pool_size,command_timeout,key_prefix (optional)}, auth.api_keys
// Sections a service does not use may be left out of its file (postgres, redis); then their
// settings stay empty.
absl::StatusOr<CommonSettings> LoadCommonSettings(const config::ConfigLoader& config);

// A service's whole configuration: the common settings into `Config::common`, then its own keys
// through `own(reader, config)`, which reads with the config::Reader and returns its status (or a
// check of what it read). Errors name the key.
template <typename Config, typename Own>
absl::StatusOr<Config> LoadServiceConfig(const config::ConfigLoader& loader, Own own) {
  Config out;
  absl::StatusOr<CommonSettings> common = LoadCommonSettings(loader);
  if (!common.ok()) {
    return common.status();
  }
  out.common = *std::move(common);
  config::Reader reader(loader);
  if (absl::Status s = own(reader, out); !s.ok()) {
    return s;
  }
  return out;
}

// auth.api_keys entries {sha256, principal, uscc, name} → ApiKeyEntry, validated as the
// authentication interceptor needs them (INVALID_ARGUMENT naming "auth.api_keys[i].<field>").
absl::StatusOr<std::vector<grpcserver::ApiKeyEntry>> ParseApiKeys(
    const std::vector<std::map<std::string, std::string>>& nodes);

}  // namespace jieshui::service
