// Settings every Jieshui service reads the same way from its YAML file and JIESHUI_<SERVICE>_<KEY>
// overrides: listen addresses, log level, Kafka, PostgreSQL, Redis, and the API keys of callers.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "config/config_loader.hpp"
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
};

struct CommonSettings {
  std::string service;
  std::string grpc_listen;     // grpc.listen, e.g. 127.0.0.1:50051
  std::string metrics_listen;  // metrics.listen, e.g. 127.0.0.1:9151 ("" = no endpoint)
  absl::Duration drain_timeout = absl::Seconds(10);
  log::Level log_level = log::Level::kInfo;
  std::string kafka_bootstrap;  // kafka.bootstrap_servers
  PostgresSettings postgres;
  RedisSettings redis;
  std::vector<grpcserver::ApiKeyEntry> api_keys;
};

// Reads the keys below; every error names the key and its environment variable.
//   grpc.listen, grpc.drain_timeout, metrics.listen, log.level, kafka.bootstrap_servers,
//   postgres.{host,port,database,user,password,schema,pool_size},
//   redis.{host,port,pool_size,command_timeout}, auth.api_keys
// Sections a service does not use may be left out of its file (postgres, redis); then their
// settings stay empty.
absl::StatusOr<CommonSettings> LoadCommonSettings(const config::ConfigLoader& config);

// auth.api_keys entries {sha256, principal, uscc, name} → ApiKeyEntry, validated as the
// authentication interceptor needs them (INVALID_ARGUMENT naming "auth.api_keys[i].<field>").
absl::StatusOr<std::vector<grpcserver::ApiKeyEntry>> ParseApiKeys(
    const std::vector<std::map<std::string, std::string>>& nodes);

}  // namespace jieshui::service
