#include "ingest_test_env.hpp"

#include <regex>

#include "absl/strings/str_cat.h"
#include "app.hpp"
#include "grpcserver/auth.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "kafka/topics.hpp"
#include "service/start.hpp"
#include "testing/stack.hpp"

namespace jieshui::ingest::testing {

std::string ConfigPath() { return JIESHUI_SOURCE_DIR "/services/ingest/ingest.yaml"; }

absl::StatusOr<std::unique_ptr<IngestApp>> StartApp(const config::EnvMap& env) {
  return service::LoadAndStart("ingest", ConfigPath(), env, LoadIngestConfig, IngestApp::Start);
}

TestEnv MakeTestEnv() {
  TestEnv t;
  t.schema = jieshui::testing::UniqueName("ingest");
  t.reading_topic = jieshui::testing::UniqueName("ingest_reading");
  t.rejected_topic = jieshui::testing::UniqueName("ingest_rejected");
  t.meter_topic = jieshui::testing::UniqueName("ingest_meters");
  t.dlq_topic = jieshui::testing::UniqueName("ingest_dlq");
  const std::string uri = jieshui::testing::PostgresUri();
  static const std::regex kUri(R"(^postgres(?:ql)?://([^:@/]+):([^@/]*)@([^:/]+):(\d+)/([^?]+))");
  std::smatch m;
  if (!std::regex_search(uri, m, kUri)) {
    throw std::runtime_error("cannot parse test PostgreSQL URI " + uri);
  }
  using grpcserver::Sha256Hex;
  t.env = {
      {"JIESHUI_INGEST_GRPC_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_INGEST_GRPC_DRAIN_TIMEOUT", "1s"},
      {"JIESHUI_INGEST_METRICS_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_INGEST_HJ212_LISTEN", "127.0.0.1:0"},
      {"JIESHUI_INGEST_LOG_LEVEL", "warn"},
      {"JIESHUI_INGEST_KAFKA_BOOTSTRAP_SERVERS", jieshui::testing::KafkaBootstrap()},
      {"JIESHUI_INGEST_KAFKA_TOPIC_PARTITIONS", "3"},
      {"JIESHUI_INGEST_POSTGRES_USER", m[1].str()},
      {"JIESHUI_INGEST_POSTGRES_PASSWORD", m[2].str()},
      {"JIESHUI_INGEST_POSTGRES_HOST", m[3].str()},
      {"JIESHUI_INGEST_POSTGRES_PORT", m[4].str()},
      {"JIESHUI_INGEST_POSTGRES_DATABASE", m[5].str()},
      {"JIESHUI_INGEST_POSTGRES_SCHEMA", t.schema},
      {"JIESHUI_INGEST_POSTGRES_POOL_SIZE", "4"},
      {"JIESHUI_INGEST_INGEST_TOPICS_READING", t.reading_topic},
      {"JIESHUI_INGEST_INGEST_TOPICS_REJECTED", t.rejected_topic},
      {"JIESHUI_INGEST_INGEST_TOPICS_REGISTRY_METER", t.meter_topic},
      {"JIESHUI_INGEST_INGEST_TOPICS_DLQ", t.dlq_topic},
      {"JIESHUI_INGEST_LEDGER_MAX_WAIT", "50ms"},
      {"JIESHUI_INGEST_AUTH_API_KEYS",
       absl::StrCat("[{sha256: ", Sha256Hex(kGatewayKey), ", principal: meter_gateway, name: gw}, ",
                    "{sha256: ", Sha256Hex(kWaterAffairsKey),
                    ", principal: water_affairs, name: bureau}, ",
                    "{sha256: ", Sha256Hex(kEnterpriseKey),
                    ", principal: enterprise, uscc: ", kEnterpriseUscc, ", name: ent}]")},
  };
  // The meter topic exists before the service starts, as the registry would have made it.
  auto admin = kafka::Admin::Create(jieshui::testing::KafkaBootstrap());
  if (!admin.ok() || !(*admin)
                          ->EnsureTopics({kafka::topics::SpecFor(
                              {t.meter_topic, kafka::topics::Retention::kCompacted}, 3, 1, -1)})
                          .ok()) {
    throw std::runtime_error("cannot create the test meter topic");
  }
  return t;
}

jieshui::registry::v1::Meter SampleMeter(const std::string& meter_id, const std::string& uscc) {
  namespace reg = jieshui::registry::v1;
  reg::Meter m;
  m.set_meter_id(meter_id);
  m.mutable_uscc()->set_value(uscc);
  m.set_level(reg::METER_LEVEL_1);
  m.set_measures(reg::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
  m.set_unit(reg::METER_UNIT_CUBIC_METRE);
  m.set_multiplier("1");
  m.set_register_digits(8);
  m.set_status(reg::METER_STATUS_ACTIVE);
  m.set_version(1);
  return m;
}

void PublishMeters(const std::string& topic,
                   const std::vector<jieshui::registry::v1::Meter>& meters) {
  kafka::ProducerOptions options;
  options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
  auto producer = kafka::Producer::Create(options);
  if (!producer.ok()) {
    throw std::runtime_error(std::string(producer.status().message()));
  }
  std::vector<std::future<kafka::DeliveryResult>> deliveries;
  for (const auto& meter : meters) {
    events::v1::MeterChanged event;
    event.set_change(jieshui::registry::v1::CHANGE_KIND_CREATED);
    *event.mutable_meter() = meter;
    deliveries.push_back(
        (*producer)->Produce(topic, meter.meter_id(),
                             kafka::EncodeEvent(event, {.producer = "registry",
                                                        .subject_key = meter.meter_id(),
                                                        .occurred_at = absl::Now(),
                                                        .correlation_id = ""})));
  }
  for (auto& d : deliveries) {
    if (!d.get().status.ok()) {
      throw std::runtime_error("meter event not delivered");
    }
  }
}

std::unique_ptr<grpc::ClientContext> Context(const std::string& key) {
  auto ctx = std::make_unique<grpc::ClientContext>();
  if (!key.empty()) {
    ctx->AddMetadata("authorization", absl::StrCat("Bearer ", key));
  }
  ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(60));
  return ctx;
}

TopicCollector::TopicCollector(const std::string& topic) {
  kafka::ConsumerOptions options;
  options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
  options.group_id = jieshui::testing::UniqueName("ingest_test_collector");
  options.topics = {topic};
  auto consumer = kafka::Consumer::Create(options);
  if (!consumer.ok()) {
    throw std::runtime_error(std::string(consumer.status().message()));
  }
  consumer_ = *std::move(consumer);
}

size_t TopicCollector::WaitFor(size_t count, std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (messages_.size() < count && std::chrono::steady_clock::now() < deadline) {
    auto message = consumer_->Poll(std::chrono::milliseconds(200));
    if (message.ok() && message->has_value()) {
      messages_.push_back(**message);
    }
  }
  return messages_.size();
}

}  // namespace jieshui::ingest::testing
