#include "registry_test_env.hpp"

#include "absl/strings/str_cat.h"
#include "domain/uscc.hpp"
#include "registry/src/app.hpp"
#include "service/start.hpp"
#include "testing/stack.hpp"

namespace jieshui::registry::testing {

std::string ConfigPath() { return JIESHUI_SOURCE_DIR "/services/registry/registry.yaml"; }

absl::StatusOr<std::unique_ptr<RegistryApp>> StartApp(const config::EnvMap& env,
                                                      service::Clock clock) {
  return service::LoadAndStart("registry", ConfigPath(), env, LoadRegistryConfig,
                               RegistryApp::Start, std::move(clock));
}

TestEnv MakeTestEnv() {
  jieshui::testing::ServiceEnv service("registry",
                                       {{kWaterAffairsKey, "water_affairs", "", "bureau test"},
                                        {kPartnerKey, "partner", "", "city platform"},
                                        {kEnterpriseAKey, "enterprise", kUsccA, "enterprise A"},
                                        {kGatewayKey, "meter_gateway", "", "gateway"}});
  TestEnv t;
  t.schema = service.schema();
  t.enterprise_topic = service.Unique("registry.topics.enterprise", "registry_enterprise");
  t.meter_topic = service.Unique("registry.topics.meter", "registry_meter");
  t.env = service.env();
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
  return jieshui::testing::AuthorizedContext(key, std::chrono::seconds(30));
}

}  // namespace jieshui::registry::testing
