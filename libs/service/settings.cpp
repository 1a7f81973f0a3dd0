#include "service/settings.hpp"

#include "absl/strings/str_cat.h"
#include "domain/uscc.hpp"

namespace jieshui::service {
namespace {

// libpq quoting: values in single quotes, backslash and quote escaped.
std::string Quote(const std::string& value) {
  std::string out = "'";
  for (char c : value) {
    if (c == '\'' || c == '\\') {
      out += '\\';
    }
    out += c;
  }
  return out + "'";
}

}  // namespace

std::string PostgresSettings::ConnectionString() const {
  return absl::StrCat(
      "host=", Quote(host), " port=", port, " dbname=", Quote(database), " user=", Quote(user),
      password.empty() ? "" : " password=", password.empty() ? "" : Quote(password));
}

absl::StatusOr<std::vector<grpcserver::ApiKeyEntry>> ParseApiKeys(
    const std::vector<std::map<std::string, std::string>>& nodes) {
  std::vector<grpcserver::ApiKeyEntry> out;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const auto& node = nodes[i];
    const std::string where = absl::StrCat("auth.api_keys[", i, "]");
    auto field = [&](const char* name) -> std::string {
      auto it = node.find(name);
      return it == node.end() ? std::string() : it->second;
    };
    for (const auto& [key, value] : node) {
      if (key != "sha256" && key != "principal" && key != "uscc" && key != "name") {
        return absl::InvalidArgumentError(absl::StrCat(
            where, ".", key, ": unknown field (expected sha256, principal, uscc, name)"));
      }
    }
    grpcserver::ApiKeyEntry entry;
    entry.sha256_hex = field("sha256");
    entry.name = field("name");
    auto kind = grpcserver::ParsePrincipalKind(field("principal"));
    if (!kind.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat(where, ".principal: ", kind.status().message()));
    }
    entry.kind = *kind;
    if (!field("uscc").empty()) {
      auto uscc = domain::Uscc::Parse(field("uscc"), where + ".uscc");
      if (!uscc.ok()) {
        return uscc.status();
      }
      entry.uscc = uscc->value();
    }
    out.push_back(std::move(entry));
  }
  // The store checks hashes, duplicates and which kinds carry a USCC, naming the entry.
  auto store = grpcserver::ApiKeyStore::Create(out);
  if (!store.ok()) {
    return store.status();
  }
  return out;
}

absl::StatusOr<CommonSettings> LoadCommonSettings(const config::ConfigLoader& config) {
  CommonSettings s;
#define JIESHUI_ASSIGN(lhs, expr) \
  do {                            \
    auto value_ = (expr);         \
    if (!value_.ok()) {           \
      return value_.status();     \
    }                             \
    (lhs) = *std::move(value_);   \
  } while (false)

  JIESHUI_ASSIGN(s.grpc_listen, config.GetString("grpc.listen"));
  JIESHUI_ASSIGN(s.drain_timeout, config.GetDuration("grpc.drain_timeout"));
  JIESHUI_ASSIGN(s.metrics_listen, config.GetString("metrics.listen"));
  std::string level;
  JIESHUI_ASSIGN(level, config.GetString("log.level"));
  auto parsed_level = log::ParseLevel(level);
  if (!parsed_level.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config key log.level (env ",
                                                   config.EnvVarFor("log.level"),
                                                   "): ", parsed_level.status().message()));
  }
  s.log_level = *parsed_level;
  JIESHUI_ASSIGN(s.kafka_bootstrap, config.GetString("kafka.bootstrap_servers"));
  if (config.Has("kafka.topic_partitions")) {
    JIESHUI_ASSIGN(s.topic_partitions, config.GetInt("kafka.topic_partitions", 1, 1000));
  }
  if (config.Has("kafka.topic_replication")) {
    JIESHUI_ASSIGN(s.topic_replication, config.GetInt("kafka.topic_replication", 1, 10));
  }
  if (config.Has("kafka.startup_timeout")) {
    JIESHUI_ASSIGN(s.startup_timeout, config.GetDuration("kafka.startup_timeout"));
  }
  if (config.Has("postgres.host")) {
    JIESHUI_ASSIGN(s.postgres.host, config.GetString("postgres.host"));
    JIESHUI_ASSIGN(s.postgres.port, config.GetInt("postgres.port", 1, 65535));
    JIESHUI_ASSIGN(s.postgres.database, config.GetString("postgres.database"));
    JIESHUI_ASSIGN(s.postgres.user, config.GetString("postgres.user"));
    JIESHUI_ASSIGN(s.postgres.password, config.GetString("postgres.password"));
    JIESHUI_ASSIGN(s.postgres.schema, config.GetString("postgres.schema"));
    JIESHUI_ASSIGN(s.postgres.pool_size, config.GetInt("postgres.pool_size", 1, 200));
  }
  if (config.Has("redis.host")) {
    JIESHUI_ASSIGN(s.redis.host, config.GetString("redis.host"));
    JIESHUI_ASSIGN(s.redis.port, config.GetInt("redis.port", 1, 65535));
    JIESHUI_ASSIGN(s.redis.pool_size, config.GetInt("redis.pool_size", 1, 200));
    JIESHUI_ASSIGN(s.redis.command_timeout, config.GetDuration("redis.command_timeout"));
    if (config.Has("redis.key_prefix")) {
      JIESHUI_ASSIGN(s.redis.key_prefix, config.GetString("redis.key_prefix"));
      if (s.redis.key_prefix.empty() || s.redis.key_prefix.find(':') != std::string::npos) {
        return absl::InvalidArgumentError(absl::StrCat("config key redis.key_prefix (env ",
                                                       config.EnvVarFor("redis.key_prefix"),
                                                       "): must be a non-empty word without ':'"));
      }
    }
  }
  std::vector<std::map<std::string, std::string>> nodes;
  JIESHUI_ASSIGN(nodes, config.GetNodeList("auth.api_keys"));
#undef JIESHUI_ASSIGN
  auto keys = ParseApiKeys(nodes);
  if (!keys.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("config key auth.api_keys (env ",
                                                   config.EnvVarFor("auth.api_keys"),
                                                   "): ", keys.status().message()));
  }
  s.api_keys = *std::move(keys);
  return s;
}

}  // namespace jieshui::service
