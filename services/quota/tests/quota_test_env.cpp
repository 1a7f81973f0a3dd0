#include "quota_test_env.hpp"

#include "absl/strings/str_cat.h"
#include "quota/src/app.hpp"
#include "service/start.hpp"
#include "testing/stack.hpp"

namespace jieshui::quota::testing {

QuotaTopics MakeTopics(const std::string& reading, const std::string& registry_enterprise) {
  return QuotaTopics{
      .reading = reading,
      .registry_enterprise = registry_enterprise,
      .activity = jieshui::testing::UniqueName("quota_cert_activity"),
      .usage = jieshui::testing::UniqueName("quota_usage"),
      .alert = jieshui::testing::UniqueName("quota_alert"),
      .dlq = jieshui::testing::UniqueName("quota_dlq"),
      .consumer_group = jieshui::testing::UniqueName("quota_group"),
      .balance_test_consumer_group = jieshui::testing::UniqueName("quota_balance_test_group")};
}

config::EnvMap QuotaEnv(const config::EnvMap& ingest_env, const std::string& schema, int redis_port,
                        const QuotaTopics& topics) {
  config::EnvMap env;
  const std::string prefix = "JIESHUI_INGEST_";
  for (const auto& [key, value] : ingest_env) {
    // Everything but ingest's own sections (its topics, HJ 212 listener and ledger).
    if (key.rfind(prefix, 0) == 0 && key.find("INGEST_TOPICS") == std::string::npos &&
        key.find("HJ212") == std::string::npos && key.find("LEDGER") == std::string::npos) {
      env[absl::StrCat("JIESHUI_QUOTA_", key.substr(prefix.size()))] = value;
    }
  }
  env["JIESHUI_QUOTA_POSTGRES_SCHEMA"] = schema;
  env["JIESHUI_QUOTA_REDIS_HOST"] = "127.0.0.1";
  env["JIESHUI_QUOTA_REDIS_PORT"] = absl::StrCat(redis_port);
  // Its own key prefix: test runs sharing one Redis never read each other's cache.
  env["JIESHUI_QUOTA_REDIS_KEY_PREFIX"] = jieshui::testing::UniqueName("jieshui");
  env["JIESHUI_QUOTA_QUOTA_TOPICS_READING"] = topics.reading;
  env["JIESHUI_QUOTA_QUOTA_TOPICS_REGISTRY_ENTERPRISE"] = topics.registry_enterprise;
  env["JIESHUI_QUOTA_QUOTA_TOPICS_USAGE"] = topics.usage;
  env["JIESHUI_QUOTA_QUOTA_TOPICS_ALERT"] = topics.alert;
  env["JIESHUI_QUOTA_QUOTA_TOPICS_DLQ"] = topics.dlq;
  env["JIESHUI_QUOTA_QUOTA_TOPICS_CERTIFICATION_ACTIVITY"] = topics.activity;
  env["JIESHUI_QUOTA_QUOTA_CONSUMER_GROUP"] = topics.consumer_group;
  env["JIESHUI_QUOTA_QUOTA_BALANCE_TEST_CONSUMER_GROUP"] = topics.balance_test_consumer_group;
  return env;
}

std::string ConfigPath() { return JIESHUI_SOURCE_DIR "/services/quota/quota.yaml"; }

absl::StatusOr<std::unique_ptr<QuotaApp>> StartApp(const config::EnvMap& env,
                                                   service::Clock clock) {
  return service::LoadAndStart("quota", ConfigPath(), env, LoadQuotaConfig, QuotaApp::Start,
                               std::move(clock));
}

}  // namespace jieshui::quota::testing
