#include "service/settings.hpp"

#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::service {
namespace {

using ::testing::HasSubstr;

const std::string kKey = "k3y-for-the-city-platform";

std::string Yaml() {
  return R"yaml(
grpc:
  listen: 127.0.0.1:50051
  drain_timeout: 10s
metrics:
  listen: 127.0.0.1:9151
log:
  level: info
kafka:
  bootstrap_servers: 127.0.0.1:19092
postgres:
  host: 127.0.0.1
  port: 15432
  database: jieshui
  user: jieshui
  password:
  schema: registry
  pool_size: 8
redis:
  host: 127.0.0.1
  port: 16379
  pool_size: 4
  command_timeout: 500ms
auth:
  api_keys:
    - {sha256: )yaml" +
         grpcserver::Sha256Hex(kKey) + R"yaml(, principal: partner, name: city platform}
    - {sha256: )yaml" +
         grpcserver::Sha256Hex("enterprise-key") +
         R"yaml(, principal: enterprise, uscc: 91350200776049653A, name: ERP}
)yaml";
}

absl::StatusOr<CommonSettings> Load(const config::EnvMap& env) {
  auto config = config::ConfigLoader::FromYamlString("registry", Yaml(), env);
  if (!config.ok()) {
    return config.status();
  }
  return LoadCommonSettings(*config);
}

TEST(SettingsTest, ReadsEveryCommonKeyWithEnvironmentOverrides) {
  auto s = Load({{"JIESHUI_REGISTRY_POSTGRES_PASSWORD", "pw 'quoted'"},
                 {"JIESHUI_REGISTRY_GRPC_LISTEN", "127.0.0.1:0"}});
  ASSERT_TRUE(s.ok()) << s.status();
  EXPECT_EQ(s->grpc_listen, "127.0.0.1:0");
  EXPECT_EQ(s->metrics_listen, "127.0.0.1:9151");
  EXPECT_EQ(s->drain_timeout, absl::Seconds(10));
  EXPECT_EQ(s->log_level, log::Level::kInfo);
  EXPECT_EQ(s->kafka_bootstrap, "127.0.0.1:19092");
  EXPECT_EQ(s->postgres.port, 15432);
  EXPECT_EQ(s->postgres.schema, "registry");
  EXPECT_EQ(
      s->postgres.ConnectionString(),
      "host='127.0.0.1' port=15432 dbname='jieshui' user='jieshui' password='pw \\'quoted\\''");
  EXPECT_EQ(s->redis.port, 16379);
  EXPECT_EQ(s->redis.command_timeout, absl::Milliseconds(500));
  ASSERT_EQ(s->api_keys.size(), 2u);
  EXPECT_EQ(s->api_keys[0].kind, grpcserver::PrincipalKind::kPartner);
  EXPECT_EQ(s->api_keys[1].uscc, "91350200776049653A");

  // The keys resolve: the configured hash matches the presented key.
  auto store = grpcserver::ApiKeyStore::Create(s->api_keys);
  ASSERT_TRUE(store.ok()) << store.status();
  auto principal = store->Lookup(kKey);
  ASSERT_TRUE(principal.has_value());
  EXPECT_EQ(principal->kind, grpcserver::PrincipalKind::kPartner);
  EXPECT_FALSE(store->Lookup("not-a-key").has_value());
}

TEST(SettingsTest, ABadLogLevelNamesTheKeyAndVariable) {
  auto s = Load({{"JIESHUI_REGISTRY_LOG_LEVEL", "loud"}});
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(s.status().message(), HasSubstr("log.level"));
  EXPECT_THAT(s.status().message(), HasSubstr("JIESHUI_REGISTRY_LOG_LEVEL"));
}

TEST(SettingsTest, AMissingSecretStopsStartUpNamingTheVariable) {
  auto s = Load({});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("JIESHUI_REGISTRY_POSTGRES_PASSWORD"));
}

TEST(SettingsTest, ABadPortNamesTheKey) {
  auto s = Load({{"JIESHUI_REGISTRY_POSTGRES_PORT", "70000"}});
  ASSERT_FALSE(s.ok());
  EXPECT_THAT(s.status().message(), HasSubstr("postgres.port"));
}

TEST(SettingsTest, ApiKeyEntriesAreValidatedFieldByField) {
  auto bad_kind = ParseApiKeys({{{"sha256", grpcserver::Sha256Hex("a")}, {"principal", "mayor"}}});
  EXPECT_EQ(bad_kind.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_kind.status().message(), HasSubstr("auth.api_keys[0].principal"));

  auto bad_uscc = ParseApiKeys({{{"sha256", grpcserver::Sha256Hex("a")},
                                 {"principal", "enterprise"},
                                 {"uscc", "91350203M0001QAY9B"}}});
  EXPECT_EQ(bad_uscc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad_uscc.status().message(), HasSubstr("auth.api_keys[0].uscc"));
  EXPECT_THAT(bad_uscc.status().message(), HasSubstr("expected 9"));

  auto typo = ParseApiKeys({{{"sha265", "x"}, {"principal", "partner"}}});
  EXPECT_THAT(typo.status().message(), HasSubstr("auth.api_keys[0].sha265: unknown field"));

  auto not_hex = ParseApiKeys({{{"sha256", "plain-text-key"}, {"principal", "partner"}}});
  EXPECT_EQ(not_hex.status().code(), absl::StatusCode::kInvalidArgument);

  auto no_uscc =
      ParseApiKeys({{{"sha256", grpcserver::Sha256Hex("b")}, {"principal", "enterprise"}}});
  EXPECT_EQ(no_uscc.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(SettingsTest, ApiKeysCanComeFromTheEnvironment) {
  const std::string hash = grpcserver::Sha256Hex("gateway-key");
  auto s = Load({{"JIESHUI_REGISTRY_POSTGRES_PASSWORD", "pw"},
                 {"JIESHUI_REGISTRY_AUTH_API_KEYS",
                  "[{sha256: " + hash + ", principal: meter_gateway, name: gw1}]"}});
  ASSERT_TRUE(s.ok()) << s.status();
  ASSERT_EQ(s->api_keys.size(), 1u);
  EXPECT_EQ(s->api_keys[0].kind, grpcserver::PrincipalKind::kMeterGateway);
  EXPECT_EQ(s->api_keys[0].name, "gw1");
}

}  // namespace
}  // namespace jieshui::service
