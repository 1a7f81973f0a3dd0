#include "registry_test_env.hpp"

#include <regex>

#include "absl/strings/str_cat.h"
#include "app.hpp"
#include "domain/uscc.hpp"
#include "grpcserver/auth.hpp"
#include "kafka/envelope.hpp"
#include "service/start.hpp"
#include "testing/stack.hpp"

namespace jieshui::registry::testing {

std::string ConfigPath() { return JIESHUI_SOURCE_DIR "/services/registry/registry.yaml"; }

absl::StatusOr<std::unique_ptr<RegistryApp>> StartApp(const config::EnvMap& env) {
  return service::LoadAndStart("registry", ConfigPath(), env, LoadRegistryConfig,
                               RegistryApp::Start);
}

TestEnv MakeTestEnv() {
  TestEnv t;
  t.schema = jieshui::testing::UniqueName("registry");
  t.enterprise_topic = jieshui::testing::UniqueName("registry_enterprise");
  t.meter_topic = jieshui::testing::UniqueName("registry_meter");
  const std::string uri = jieshui::testing::PostgresUri();
  static const std::regex kUri(R"(^postgres(?:ql)?://([^:@/]+):([^@/]*)@([^:/]+):(\d+)/([^?]+))");
  std::smatch m;
  if (!std::regex_search(uri, m, kUri)) {
    throw std::runtime_error("cannot parse test PostgreSQL URI " + uri);
  }
  auto key = [](const std::string& sha, const char* principal, const char* uscc, const char* name) {
    return absl::StrCat("{sha256: ", sha, ", principal: ", principal,
                        uscc[0] != '\0' ? absl::StrCat(", uscc: ", uscc) : "", ", name: ", name,
                        "}");
  };
  using grpcserver::Sha256Hex;
  t.env = {
      {"JIESHUI_REGISTRY_GRPC_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_REGISTRY_GRPC_DRAIN_TIMEOUT", "1s"},
      {"JIESHUI_REGISTRY_METRICS_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_REGISTRY_LOG_LEVEL", "warn"},
      {"JIESHUI_REGISTRY_KAFKA_BOOTSTRAP_SERVERS", jieshui::testing::KafkaBootstrap()},
      {"JIESHUI_REGISTRY_KAFKA_TOPIC_PARTITIONS", "3"},
      {"JIESHUI_REGISTRY_POSTGRES_USER", m[1].str()},
      {"JIESHUI_REGISTRY_POSTGRES_PASSWORD", m[2].str()},
      {"JIESHUI_REGISTRY_POSTGRES_HOST", m[3].str()},
      {"JIESHUI_REGISTRY_POSTGRES_PORT", m[4].str()},
      {"JIESHUI_REGISTRY_POSTGRES_DATABASE", m[5].str()},
      {"JIESHUI_REGISTRY_POSTGRES_SCHEMA", t.schema},
      {"JIESHUI_REGISTRY_POSTGRES_POOL_SIZE", "4"},
      {"JIESHUI_REGISTRY_REGISTRY_TOPICS_ENTERPRISE", t.enterprise_topic},
      {"JIESHUI_REGISTRY_REGISTRY_TOPICS_METER", t.meter_topic},
      {"JIESHUI_REGISTRY_AUTH_API_KEYS",
       absl::StrCat("[", key(Sha256Hex(kWaterAffairsKey), "water_affairs", "", "bureau test"), ", ",
                    key(Sha256Hex(kPartnerKey), "partner", "", "city platform"), ", ",
                    key(Sha256Hex(kEnterpriseAKey), "enterprise", kUsccA, "enterprise A"), ", ",
                    key(Sha256Hex(kGatewayKey), "meter_gateway", "", "gateway"), "]")},
  };
  return t;
}

std::string UsccFor(int n) {
  // "91320506" (Suzhou Wuzhong) + 9 digits + check character.
  std::string first17 = absl::StrCat("91320506", std::string(9 - std::to_string(n).size(), '0'), n);
  return first17 + *domain::ComputeUsccCheckCharacter(first17);
}

v1::Enterprise SampleEnterprise(const std::string& uscc, const std::string& name) {
  v1::Enterprise e;
  e.mutable_uscc()->set_value(uscc);
  e.set_name(name);
  e.set_address("吴中区木渎镇金山路 1 号");
  e.set_town("木渎镇");
  e.mutable_industry_code()->set_value("C1713");
  e.set_above_scale(true);
  v1::WaterSource* tap = e.add_water_sources();
  tap->set_kind(v1::WATER_SOURCE_KIND_MUNICIPAL_TAP);
  tap->mutable_permitted_annual_volume()->set_litres(150'000'000);
  e.mutable_latest_annual_intake()->set_litres(120'000'000);
  e.set_latest_annual_intake_year(2025);
  e.mutable_contact()->set_name("李明");
  e.mutable_contact()->set_phone("0512-66001234");
  e.mutable_metering_points()->set_level1(1);
  e.mutable_metering_points()->set_level2(2);
  e.mutable_metering_points()->set_level3(1);
  return e;
}

v1::Meter SampleMeter(const std::string& meter_id, const std::string& uscc, int level) {
  v1::Meter m;
  m.set_meter_id(meter_id);
  m.mutable_uscc()->set_value(uscc);
  m.set_description("main intake");
  m.set_level(static_cast<v1::MeterLevel>(level));
  m.set_measures(v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
  m.set_unit(v1::METER_UNIT_CUBIC_METRE);
  m.set_multiplier("1");
  m.set_register_digits(8);
  m.set_accuracy_class("2");
  m.mutable_calibration_due_on()->set_year(2027);
  m.mutable_calibration_due_on()->set_month(6);
  m.mutable_calibration_due_on()->set_day(30);
  return m;
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& key) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!key.empty()) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(30));
  return ctx;
}

TopicReader::TopicReader(const std::string& topic) {
  kafka::ConsumerOptions options;
  options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
  options.group_id = jieshui::testing::UniqueName("registry_test_reader");
  options.topics = {topic};
  auto consumer = kafka::Consumer::Create(options);
  if (!consumer.ok()) {
    throw std::runtime_error(std::string(consumer.status().message()));
  }
  consumer_ = *std::move(consumer);
}

std::vector<events::v1::EventEnvelope> TopicReader::WaitForKey(const std::string& key, size_t count,
                                                               std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (by_key_[key].size() < count && std::chrono::steady_clock::now() < deadline) {
    auto message = consumer_->Poll(std::chrono::milliseconds(200));
    if (!message.ok() || !message->has_value()) {
      continue;
    }
    auto envelope = kafka::DecodeEnvelope((*message)->value);
    if (envelope.ok()) {
      by_key_[(*message)->key].push_back(*std::move(envelope));
    }
  }
  return by_key_[key];
}

}  // namespace jieshui::registry::testing
