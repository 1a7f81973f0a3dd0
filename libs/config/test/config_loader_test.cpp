#include "config/config_loader.hpp"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::config {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::Pair;

constexpr char kYaml[] = R"yaml(
grpc:
  port: 50051
  deadline: 500ms
kafka:
  bootstrap_servers: 127.0.0.1:19092
  topics: [readings, alerts]
  enable_idempotence: true
db:
  uri: postgresql://jieshui@127.0.0.1:15432/jieshui
  password:
auth:
  api_keys:
    - {sha256: aa11, principal: enterprise, uscc: 91350200776049653A, name: ERP}
    - {sha256: bb22, principal: partner, name: city platform}
log_level: info
)yaml";

ConfigLoader MustLoad(const EnvMap& env = {}) {
  absl::StatusOr<ConfigLoader> loaded = ConfigLoader::FromYamlString("registry", kYaml, env);
  EXPECT_TRUE(loaded.ok()) << loaded.status();
  return *std::move(loaded);
}

TEST(ConfigLoaderTest, EnvVarNameFollowsConvention) {
  EXPECT_EQ(EnvVarName("registry", "kafka.bootstrap_servers"),
            "JIESHUI_REGISTRY_KAFKA_BOOTSTRAP_SERVERS");
  EXPECT_EQ(EnvVarName("meter-gateway", "grpc.port"), "JIESHUI_METER_GATEWAY_GRPC_PORT");
}

TEST(ConfigLoaderTest, DefaultsFromYaml) {
  ConfigLoader config = MustLoad();
  EXPECT_EQ(*config.GetString("kafka.bootstrap_servers"), "127.0.0.1:19092");
  EXPECT_EQ(*config.GetInt("grpc.port", 1, 65535), 50051);
  EXPECT_EQ(*config.GetBool("kafka.enable_idempotence"), true);
  EXPECT_EQ(*config.GetDuration("grpc.deadline"), absl::Milliseconds(500));
  EXPECT_THAT(*config.GetStringList("kafka.topics"), ElementsAre("readings", "alerts"));
  EXPECT_EQ(*config.GetString("log_level"), "info");
  EXPECT_TRUE(config.Has("db.password"));
  EXPECT_FALSE(config.Has("db"));
}

TEST(ConfigLoaderTest, EnvironmentOverridesFile) {
  ConfigLoader config = MustLoad({
      {"JIESHUI_REGISTRY_KAFKA_BOOTSTRAP_SERVERS", "kafka-1:9092,kafka-2:9092"},
      {"JIESHUI_REGISTRY_GRPC_PORT", "6000"},
      {"JIESHUI_REGISTRY_KAFKA_TOPICS", "a, b,,c "},
      {"JIESHUI_REGISTRY_KAFKA_ENABLE_IDEMPOTENCE", "off"},
      {"JIESHUI_REGISTRY_DB_PASSWORD", "s3cret"},
      {"JIESHUI_OTHER_GRPC_PORT", "1"},  // another service's variable: ignored
      {"PATH", "/usr/bin"},
  });
  EXPECT_EQ(*config.GetString("kafka.bootstrap_servers"), "kafka-1:9092,kafka-2:9092");
  EXPECT_EQ(*config.GetInt("grpc.port", 1, 65535), 6000);
  EXPECT_THAT(*config.GetStringList("kafka.topics"), ElementsAre("a", "b", "c"));
  EXPECT_EQ(*config.GetBool("kafka.enable_idempotence"), false);
  EXPECT_EQ(*config.GetString("db.password"), "s3cret");
}

TEST(ConfigLoaderTest, BadIntNamesKeyAndEnvVariable) {
  ConfigLoader config = MustLoad({{"JIESHUI_REGISTRY_GRPC_PORT", "abc"}});
  absl::StatusOr<int64_t> port = config.GetInt("grpc.port", 1, 65535);
  ASSERT_FALSE(port.ok());
  EXPECT_EQ(port.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(port.status().message(),
            "config key grpc.port (env JIESHUI_REGISTRY_GRPC_PORT): \"abc\" is not an integer");
}

TEST(ConfigLoaderTest, IntOutOfRange) {
  ConfigLoader config = MustLoad({{"JIESHUI_REGISTRY_GRPC_PORT", "70000"}});
  absl::StatusOr<int64_t> port = config.GetInt("grpc.port", 1, 65535);
  ASSERT_FALSE(port.ok());
  EXPECT_THAT(port.status().message(), HasSubstr("70000 is outside [1, 65535]"));
}

TEST(ConfigLoaderTest, UnknownEnvVariableWithServicePrefixFailsLoad) {
  absl::StatusOr<ConfigLoader> loaded =
      ConfigLoader::FromYamlString("registry", kYaml, {{"JIESHUI_REGISTRY_GRCP_PORT", "6000"}});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(loaded.status().message(), HasSubstr("JIESHUI_REGISTRY_GRCP_PORT matches no key"));
}

TEST(ConfigLoaderTest, MissingKeyAndUnsetSecret) {
  ConfigLoader config = MustLoad();
  absl::StatusOr<std::string> missing = config.GetString("grpc.host");
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(missing.status().message(),
              HasSubstr("config key grpc.host (env JIESHUI_REGISTRY_GRPC_HOST): not declared"));
  absl::StatusOr<std::string> password = config.GetString("db.password");
  EXPECT_EQ(password.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_THAT(password.status().message(), HasSubstr("JIESHUI_REGISTRY_DB_PASSWORD"));
}

TEST(ConfigLoaderTest, DurationParsing) {
  auto duration = [](const std::string& text) {
    return MustLoad({{"JIESHUI_REGISTRY_GRPC_DEADLINE", text}}).GetDuration("grpc.deadline");
  };
  EXPECT_EQ(*duration("500ms"), absl::Milliseconds(500));
  EXPECT_EQ(*duration("5s"), absl::Seconds(5));
  EXPECT_EQ(*duration("2m"), absl::Minutes(2));
  EXPECT_EQ(*duration("1h"), absl::Hours(1));
  EXPECT_EQ(*duration("1m30s"), absl::Seconds(90));
  EXPECT_EQ(*duration("1.5s"), absl::Milliseconds(1500));
  for (const char* bad : {"5", "0", "abc", "-5s", "inf", "", "5 s", "5sec"}) {
    absl::StatusOr<absl::Duration> d = duration(bad);
    ASSERT_FALSE(d.ok()) << bad;
    EXPECT_EQ(d.status().code(), absl::StatusCode::kInvalidArgument) << bad;
    EXPECT_THAT(d.status().message(),
                HasSubstr("config key grpc.deadline (env JIESHUI_REGISTRY_GRPC_DEADLINE): "))
        << bad;
  }
}

TEST(ConfigLoaderTest, BoolParsing) {
  auto flag = [](const std::string& text) {
    return MustLoad({{"JIESHUI_REGISTRY_KAFKA_ENABLE_IDEMPOTENCE", text}})
        .GetBool("kafka.enable_idempotence");
  };
  EXPECT_TRUE(*flag("TRUE"));
  EXPECT_TRUE(*flag("yes"));
  EXPECT_TRUE(*flag("1"));
  EXPECT_FALSE(*flag("False"));
  EXPECT_FALSE(*flag("no"));
  EXPECT_THAT(flag("maybe").status().message(), HasSubstr("\"maybe\" is not a boolean"));
}

TEST(ConfigLoaderTest, WrongShapes) {
  ConfigLoader config = MustLoad();
  EXPECT_EQ(config.GetString("kafka.topics").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.GetStringList("auth.api_keys").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(config.GetNodeList("kafka.topics").status().code(), absl::StatusCode::kInvalidArgument);
  // A scalar in the file reads as a comma-separated list.
  EXPECT_THAT(*config.GetStringList("log_level"), ElementsAre("info"));
}

TEST(ConfigLoaderTest, RedactsSecrets) {
  EXPECT_EQ(Redacted("db.password", "s3cret"), "***");
  EXPECT_EQ(Redacted("auth.jwt_secret", "x"), "***");
  EXPECT_EQ(Redacted("partner.TOKEN", "x"), "***");
  EXPECT_EQ(Redacted("auth.api_keys", "x"), "***");
  EXPECT_EQ(Redacted("db.password", ""), "");
  EXPECT_EQ(Redacted("grpc.port", "50051"), "50051");

  ConfigLoader config = MustLoad({{"JIESHUI_REGISTRY_DB_PASSWORD", "s3cret"}});
  std::map<std::string, std::string> dump = config.Dump();
  EXPECT_EQ(dump.at("db.password"), "***");
  EXPECT_EQ(dump.at("auth.api_keys"), "***");
  EXPECT_EQ(dump.at("grpc.port"), "50051");
  EXPECT_EQ(dump.at("kafka.topics"), "[readings, alerts]");
  EXPECT_EQ(dump.size(), config.Keys().size());
  for (const auto& [key, value] : dump) {
    EXPECT_THAT(value, ::testing::Not(HasSubstr("s3cret"))) << key;
  }
}

TEST(ConfigLoaderTest, ApiKeyNodeListFromFile) {
  ConfigLoader config = MustLoad();
  auto keys = config.GetNodeList("auth.api_keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 2u);
  EXPECT_THAT((*keys)[0], ElementsAre(Pair("name", "ERP"), Pair("principal", "enterprise"),
                                      Pair("sha256", "aa11"), Pair("uscc", "91350200776049653A")));
  EXPECT_EQ((*keys)[1].at("name"), "city platform");
  EXPECT_FALSE((*keys)[1].contains("uscc"));
}

TEST(ConfigLoaderTest, ApiKeyNodeListFromEnvironment) {
  ConfigLoader config = MustLoad(
      {{"JIESHUI_REGISTRY_AUTH_API_KEYS", "[{sha256: cc33, principal: authority, name: bureau}]"}});
  auto keys = config.GetNodeList("auth.api_keys");
  ASSERT_TRUE(keys.ok()) << keys.status();
  ASSERT_EQ(keys->size(), 1u);
  EXPECT_EQ((*keys)[0].at("principal"), "authority");

  ConfigLoader broken = MustLoad({{"JIESHUI_REGISTRY_AUTH_API_KEYS", "[{sha256: cc33"}});
  absl::StatusOr<std::vector<std::map<std::string, std::string>>> bad =
      broken.GetNodeList("auth.api_keys");
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), ::testing::Not(HasSubstr("cc33")));
}

TEST(ConfigLoaderTest, MissingFileIsNotFound) {
  absl::StatusOr<ConfigLoader> loaded =
      ConfigLoader::Load("registry", "/nonexistent/jieshui/registry.yaml", {});
  ASSERT_FALSE(loaded.ok());
  EXPECT_EQ(loaded.status().code(), absl::StatusCode::kNotFound);
  EXPECT_THAT(loaded.status().message(),
              HasSubstr("config file /nonexistent/jieshui/registry.yaml: cannot open"));
}

TEST(ConfigLoaderTest, LoadsFromFile) {
  std::string path = ::testing::TempDir() + "/config_loader_test.yaml";
  {
    std::ofstream out(path);
    out << kYaml;
  }
  absl::StatusOr<ConfigLoader> loaded =
      ConfigLoader::Load("registry", path, {{"JIESHUI_REGISTRY_LOG_LEVEL", "debug"}});
  std::remove(path.c_str());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  EXPECT_EQ(*loaded->GetString("log_level"), "debug");
}

TEST(ConfigLoaderTest, RejectsMalformedYaml) {
  absl::StatusOr<ConfigLoader> bad = ConfigLoader::FromYamlString("registry", "a: [1, 2", {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("config file <string>: line"));
  EXPECT_EQ(ConfigLoader::FromYamlString("registry", "- a\n- b\n", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ConfigLoader::FromYamlString("registry", "a: [x, {b: 1}]\n", {}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(ConfigLoaderTest, RejectsKeysThatCollideOnOneVariable) {
  absl::StatusOr<ConfigLoader> bad =
      ConfigLoader::FromYamlString("registry", "a:\n  b_c: 1\na_b:\n  c: 2\n", {});
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bad.status().message(), HasSubstr("both map to env JIESHUI_REGISTRY_A_B_C"));
}

TEST(ConfigLoaderTest, EmptyFileHasNoKeys) {
  absl::StatusOr<ConfigLoader> empty = ConfigLoader::FromYamlString("registry", "", {});
  ASSERT_TRUE(empty.ok()) << empty.status();
  EXPECT_TRUE(empty->Keys().empty());
}

TEST(ConfigLoaderTest, ProcessEnvironmentReadsEnviron) {
  EnvMap env = ProcessEnvironment();
  EXPECT_FALSE(env.empty());
}

TEST(ConfigLoaderTest, ARelativePathIsTakenFromTheConfigurationFilesFolder) {
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / absl::StrCat("jieshui_config_", getpid());
  std::filesystem::create_directories(dir);
  const std::string file = (dir / "svc.yaml").string();
  {
    std::ofstream out(file);
    out << "schemes_file: schemes.yaml\nother: /etc/jieshui/other.yaml\n";
  }
  auto config = ConfigLoader::Load("svc", file, {});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(*config->GetPath("schemes_file"), (dir / "schemes.yaml").string());
  EXPECT_EQ(*config->GetPath("other"), "/etc/jieshui/other.yaml");
  // An override is a path like the file's value: relative ones from the same folder.
  auto overridden = ConfigLoader::Load("svc", file, {{"JIESHUI_SVC_SCHEMES_FILE", "x/s.yaml"}});
  ASSERT_TRUE(overridden.ok()) << overridden.status();
  EXPECT_EQ(*overridden->GetPath("schemes_file"), (dir / "x/s.yaml").string());
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace jieshui::config
