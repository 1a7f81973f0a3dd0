#include "ingest_test_env.hpp"

#include <regex>

#include "absl/strings/str_cat.h"
#include "ingest/src/app.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "kafka/topics.hpp"
#include "service/start.hpp"
#include "testing/stack.hpp"

namespace jieshui::ingest::testing {

std::string ConfigPath() { return JIESHUI_SOURCE_DIR "/services/ingest/ingest.yaml"; }

absl::StatusOr<std::unique_ptr<IngestApp>> StartApp(const config::EnvMap& env,
                                                    service::Clock clock) {
  return service::LoadAndStart("ingest", ConfigPath(), env, LoadIngestConfig, IngestApp::Start,
                               std::move(clock));
}

TestEnv MakeTestEnv() {
  jieshui::testing::ServiceEnv service("ingest",
                                       {{kGatewayKey, "meter_gateway", "", "gw"},
                                        {kWaterAffairsKey, "water_affairs", "", "bureau"},
                                        {kEnterpriseKey, "enterprise", kEnterpriseUscc, "ent"}});
  service.Set("hj212.listen", "127.0.0.1:0");
  service.Set("ledger.max_wait", "50ms");
  TestEnv t;
  t.schema = service.schema();
  t.reading_topic = service.Unique("ingest.topics.reading", "ingest_reading");
  t.rejected_topic = service.Unique("ingest.topics.rejected", "ingest_rejected");
  t.meter_topic = service.Unique("ingest.topics.registry_meter", "ingest_meters");
  t.dlq_topic = service.Unique("ingest.topics.dlq", "ingest_dlq");
  t.env = service.env();
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
  return jieshui::testing::AuthorizedContext(key);
}

}  // namespace jieshui::ingest::testing
