// Unit tests of the registry's rules: validation with the field named, versioning, imports.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <vector>

#include "errors/field_error.hpp"
#include "registry/src/core/enterprise_rules.hpp"
#include "registry/src/core/meter_rules.hpp"
#include "registry/src/core/park_rules.hpp"

namespace jieshui::registry {
namespace {

using ::testing::HasSubstr;

const RegistryRules kRules{.towns = {"木渎镇", "甪直镇"}};
const Actor kAlice{.principal = "water_affairs:alice", .unix_seconds = 1764300000, .nanos = 0};
const Actor kBob{.principal = "water_affairs:bob", .unix_seconds = 1764400000, .nanos = 0};

v1::Enterprise ValidEnterprise() {
  v1::Enterprise e;
  e.mutable_uscc()->set_value("91350200776049653A");
  e.set_name("  苏州吴中印染有限公司 ");
  e.set_town("木渎镇");
  e.mutable_industry_code()->set_value("c1713");
  e.set_above_scale(true);
  v1::WaterSource* tap = e.add_water_sources();
  tap->set_kind(v1::WATER_SOURCE_KIND_MUNICIPAL_TAP);
  v1::WaterSource* ground = e.add_water_sources();
  ground->set_kind(v1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND);
  ground->set_intake_permit_number("取水(苏吴)字[2021]第0012号");
  ground->mutable_permitted_annual_volume()->set_litres(300'000'000);
  e.mutable_latest_annual_intake()->set_litres(250'000'000);
  e.set_latest_annual_intake_year(2025);
  e.mutable_metering_points()->set_level1(2);
  return e;
}

v1::Meter ValidMeter() {
  v1::Meter m;
  m.set_meter_id("M-0001");
  m.mutable_uscc()->set_value("91350200776049653A");
  m.set_level(v1::METER_LEVEL_1);
  m.set_measures(v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
  m.set_unit(v1::METER_UNIT_CUBIC_METRE);
  m.set_register_digits(8);
  m.mutable_calibration_due_on()->set_year(2027);
  m.mutable_calibration_due_on()->set_month(3);
  m.mutable_calibration_due_on()->set_day(31);
  return m;
}

std::string FieldOf(const absl::Status& status) {
  const std::vector<errors::FieldViolation> violations = errors::FieldViolationsOf(status);
  return violations.empty() ? "" : violations.front().field;
}

TEST(NormalizeEnterprise, CanonicalisesAValidRecord) {
  v1::Enterprise e = ValidEnterprise();
  ASSERT_TRUE(NormalizeEnterprise(e, kRules).ok());
  EXPECT_EQ(e.name(), "苏州吴中印染有限公司");
  EXPECT_EQ(e.industry_code().value(), "C1713");
}

TEST(NormalizeEnterprise, UsccErrorsNameTheFieldAndTheExpectedCheckCharacter) {
  v1::Enterprise e = ValidEnterprise();
  e.mutable_uscc()->set_value("91350203M0001QAY9B");
  absl::Status s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "uscc");
  EXPECT_THAT(std::string(s.message()), HasSubstr("9"));

  e.mutable_uscc()->set_value("9135020077604965");
  s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(FieldOf(s), "uscc");
  EXPECT_THAT(std::string(s.message()), HasSubstr("18"));

  e.mutable_uscc()->set_value("91350200776O49653A");  // letter O is not in the alphabet
  s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(FieldOf(s), "uscc");
  EXPECT_THAT(std::string(s.message()), HasSubstr("O"));

  e.mutable_uscc()->clear_value();
  s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(FieldOf(s), "uscc");
  EXPECT_THAT(std::string(s.message()), HasSubstr("required"));
}

TEST(NormalizeEnterprise, IndustryCodeMustBeValidAndIndustrial) {
  v1::Enterprise e = ValidEnterprise();
  e.mutable_industry_code()->set_value("C99");  // manufacturing is C13-C43
  absl::Status s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "industry_code");

  e.mutable_industry_code()->set_value("F5111");  // wholesale: not industry
  s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(FieldOf(s), "industry_code");
  EXPECT_THAT(std::string(s.message()), HasSubstr("section F"));

  e.mutable_industry_code()->set_value("D4610");  // water supply is industry (section D)
  EXPECT_TRUE(NormalizeEnterprise(e, kRules).ok());
}

// Only codes the standard lists, and an enterprise at class level (GB/T 4754-2017 table).
TEST(NormalizeEnterprise, IndustryCodeMustBeAListedClass) {
  v1::Enterprise e = ValidEnterprise();
  e.mutable_industry_code()->set_value("C2699");  // of form, but there is no group 269
  absl::Status s = NormalizeEnterprise(e, kRules);
  EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(s), "industry_code");
  EXPECT_THAT(std::string(s.message()), HasSubstr("no group C269"));

  for (const char* coarse : {"C", "C26", "C261"}) {
    e.mutable_industry_code()->set_value(coarse);
    s = NormalizeEnterprise(e, kRules);
    EXPECT_EQ(FieldOf(s), "industry_code") << coarse;
    EXPECT_THAT(std::string(s.message()), HasSubstr("registered by its class")) << coarse;
  }
  e.mutable_industry_code()->set_value("C26");
  EXPECT_THAT(std::string(NormalizeEnterprise(e, kRules).message()),
              HasSubstr("C26 is a division (化学原料和化学制品制造业)"));
  e.mutable_industry_code()->set_value("c2614");
  EXPECT_TRUE(NormalizeEnterprise(e, kRules).ok());
}

TEST(NormalizeEnterprise, FieldRules) {
  struct Case {
    const char* name;
    void (*mutate)(v1::Enterprise&);
    const char* field;
  };
  const Case cases[] = {
      {"empty name", [](v1::Enterprise& e) { e.set_name("  "); }, "name"},
      {"unknown town", [](v1::Enterprise& e) { e.set_town("Shanghai"); }, "town"},
      {"bad park id", [](v1::Enterprise& e) { e.set_park_id("park 1"); }, "park_id"},
      {"ground water without permit",
       [](v1::Enterprise& e) { e.mutable_water_sources(1)->clear_intake_permit_number(); },
       "water_sources[1].intake_permit_number"},
      {"source listed twice",
       [](v1::Enterprise& e) {
         e.add_water_sources()->set_kind(v1::WATER_SOURCE_KIND_MUNICIPAL_TAP);
       },
       "water_sources[2].kind"},
      {"source without kind", [](v1::Enterprise& e) { e.add_water_sources(); },
       "water_sources[2].kind"},
      {"negative permitted volume",
       [](v1::Enterprise& e) {
         e.mutable_water_sources(0)->mutable_permitted_annual_volume()->set_litres(-1);
       },
       "water_sources[0].permitted_annual_volume"},
      {"negative intake",
       [](v1::Enterprise& e) { e.mutable_latest_annual_intake()->set_litres(-5); },
       "latest_annual_intake"},
      {"intake without year", [](v1::Enterprise& e) { e.set_latest_annual_intake_year(0); },
       "latest_annual_intake_year"},
      {"bad contact phone", [](v1::Enterprise& e) { e.mutable_contact()->set_phone("call me"); },
       "contact.phone"},
      {"bad email", [](v1::Enterprise& e) { e.mutable_contact()->set_email("nobody"); },
       "contact.email"},
      {"specialist without phone",
       [](v1::Enterprise& e) {
         e.mutable_specialist()->set_name("王芳");
         e.mutable_specialist()->mutable_appointed_on()->set_year(2025);
         e.mutable_specialist()->mutable_appointed_on()->set_month(1);
         e.mutable_specialist()->mutable_appointed_on()->set_day(1);
       },
       "specialist.phone"},
      {"specialist appointed on 30 February",
       [](v1::Enterprise& e) {
         e.mutable_specialist()->set_name("王芳");
         e.mutable_specialist()->set_phone("0512-66881234");
         e.mutable_specialist()->mutable_appointed_on()->set_year(2025);
         e.mutable_specialist()->mutable_appointed_on()->set_month(2);
         e.mutable_specialist()->mutable_appointed_on()->set_day(30);
       },
       "specialist.appointed_on"},
      {"negative metering points",
       [](v1::Enterprise& e) { e.mutable_metering_points()->set_level2(-1); },
       "metering_points.level2"},
  };
  for (const Case& c : cases) {
    v1::Enterprise e = ValidEnterprise();
    c.mutate(e);
    absl::Status s = NormalizeEnterprise(e, kRules);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(FieldOf(s), c.field) << c.name << ": " << s;
  }
}

TEST(NormalizeEnterprise, AnEmptyTownListAcceptsAnyTown) {
  v1::Enterprise e = ValidEnterprise();
  e.set_town("Anywhere");
  EXPECT_TRUE(NormalizeEnterprise(e, RegistryRules{}).ok());
}

TEST(NormalizeMeter, DefaultsAndRules) {
  v1::Meter valid = ValidMeter();
  ASSERT_TRUE(NormalizeMeter(valid).ok());
  EXPECT_EQ(valid.multiplier(), "1");
  EXPECT_EQ(valid.status(), v1::METER_STATUS_ACTIVE);

  struct Case {
    const char* name;
    void (*mutate)(v1::Meter&);
    const char* field;
  };
  const Case cases[] = {
      {"no id", [](v1::Meter& m) { m.clear_meter_id(); }, "meter_id"},
      {"id with space", [](v1::Meter& m) { m.set_meter_id("M 1"); }, "meter_id"},
      {"bad uscc", [](v1::Meter& m) { m.mutable_uscc()->set_value("91350203M0001QAY9B"); }, "uscc"},
      {"no level", [](v1::Meter& m) { m.clear_level(); }, "level"},
      {"no measures", [](v1::Meter& m) { m.clear_measures(); }, "measures"},
      {"no unit", [](v1::Meter& m) { m.clear_unit(); }, "unit"},
      {"zero multiplier", [](v1::Meter& m) { m.set_multiplier("0"); }, "multiplier"},
      {"text multiplier", [](v1::Meter& m) { m.set_multiplier("ten"); }, "multiplier"},
      {"too precise multiplier", [](v1::Meter& m) { m.set_multiplier("0.0000001"); }, "multiplier"},
      {"no register digits", [](v1::Meter& m) { m.set_register_digits(0); }, "register_digits"},
      {"13 register digits", [](v1::Meter& m) { m.set_register_digits(13); }, "register_digits"},
      {"odd accuracy class", [](v1::Meter& m) { m.set_accuracy_class("3"); }, "accuracy_class"},
      {"no calibration date", [](v1::Meter& m) { m.clear_calibration_due_on(); },
       "calibration_due_on"},
      {"MN without data code", [](v1::Meter& m) { m.mutable_hj212()->set_mn("88888880000001"); },
       "hj212.data_code"},
      {"retired by update", [](v1::Meter& m) { m.set_status(v1::METER_STATUS_RETIRED); }, "status"},
  };
  for (const Case& c : cases) {
    v1::Meter meter = ValidMeter();
    c.mutate(meter);
    absl::Status s = NormalizeMeter(meter);
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument) << c.name;
    EXPECT_EQ(FieldOf(s), c.field) << c.name << ": " << s;
  }
}

TEST(DecideCreateEnterprise, StampsVersionOneAndRefusesADuplicate) {
  auto created = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice);
  ASSERT_TRUE(created.ok()) << created.status();
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->change, v1::CHANGE_KIND_CREATED);
  EXPECT_EQ(created->record.version(), 1);
  EXPECT_EQ(created->record.status(), v1::ENTERPRISE_STATUS_ACTIVE);
  EXPECT_EQ(created->record.created().principal(), "water_affairs:alice");
  EXPECT_EQ(created->record.updated().at().seconds(), kAlice.unix_seconds);

  auto again = DecideCreateEnterprise(&created->record, ValidEnterprise(), kRules, kBob);
  EXPECT_EQ(again.status().code(), absl::StatusCode::kAlreadyExists);
}

TEST(DecideCreateEnterprise, IgnoresServerFieldsInTheRequest) {
  v1::Enterprise request = ValidEnterprise();
  request.set_version(42);
  request.set_status(v1::ENTERPRISE_STATUS_DEREGISTERED);
  auto created = DecideCreateEnterprise(nullptr, request, kRules, kAlice);
  ASSERT_TRUE(created.ok());
  EXPECT_EQ(created->record.version(), 1);
  EXPECT_EQ(created->record.status(), v1::ENTERPRISE_STATUS_ACTIVE);
}

TEST(DecideUpdateEnterprise, AStaleVersionIsAborted) {
  auto v1 = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice)->record;
  v1::Enterprise change = v1;
  change.set_name("新名称");
  auto v2 = DecideUpdateEnterprise(&v1, change, {}, kRules, kBob);
  ASSERT_TRUE(v2.ok()) << v2.status();
  EXPECT_EQ(v2->record.version(), 2);
  EXPECT_EQ(v2->record.name(), "新名称");
  EXPECT_EQ(v2->record.created().principal(), "water_affairs:alice");
  EXPECT_EQ(v2->record.updated().principal(), "water_affairs:bob");

  // A second writer still holding version 1.
  change.set_name("另一个名称");
  auto stale = DecideUpdateEnterprise(&v2->record, change, {}, kRules, kAlice);
  EXPECT_EQ(stale.status().code(), absl::StatusCode::kAborted);
  EXPECT_THAT(std::string(stale.status().message()), HasSubstr("stale version 1"));

  change.set_version(0);
  auto missing = DecideUpdateEnterprise(&v2->record, change, {}, kRules, kAlice);
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(missing.status()), "version");
}

TEST(DecideUpdateEnterprise, AMaskReplacesOnlyTheNamedFields) {
  auto current = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice)->record;
  v1::Enterprise request;
  request.mutable_uscc()->set_value(current.uscc().value());
  request.set_version(1);
  request.set_key_monitored(true);
  request.set_name("ignored, not in the mask");
  google::protobuf::FieldMask mask;
  mask.add_paths("key_monitored");
  auto next = DecideUpdateEnterprise(&current, request, mask, kRules, kBob);
  ASSERT_TRUE(next.ok()) << next.status();
  EXPECT_TRUE(next->record.key_monitored());
  EXPECT_EQ(next->record.name(), current.name());
  EXPECT_EQ(next->record.water_sources_size(), 2);

  mask.add_paths("version");
  auto bad = DecideUpdateEnterprise(&current, request, mask, kRules, kBob);
  EXPECT_EQ(bad.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(FieldOf(bad.status()), "update_mask.paths[1]");
}

TEST(DecideUpdateEnterprise, NoChangeMeansNoNewVersion) {
  auto current = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice)->record;
  auto same = DecideUpdateEnterprise(&current, current, {}, kRules, kBob);
  ASSERT_TRUE(same.ok());
  EXPECT_EQ(same->outcome, Decision<v1::Enterprise>::Outcome::kUnchanged);
  EXPECT_EQ(same->record.version(), 1);
}

TEST(DecideDeregisterEnterprise, KeepsTheRecordAndFreezesIt) {
  auto current = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice)->record;
  common::v1::Date on;
  on.set_year(2026);
  on.set_month(6);
  on.set_day(30);
  auto gone = DecideDeregisterEnterprise(&current, 1, "relocated out of the district", on, kBob);
  ASSERT_TRUE(gone.ok()) << gone.status();
  EXPECT_EQ(gone->record.status(), v1::ENTERPRISE_STATUS_DEREGISTERED);
  EXPECT_EQ(gone->record.deregistration().reason(), "relocated out of the district");
  EXPECT_EQ(gone->record.version(), 2);
  EXPECT_EQ(gone->record.name(), current.name());

  v1::Enterprise change = gone->record;
  change.set_name("x");
  EXPECT_EQ(DecideUpdateEnterprise(&gone->record, change, {}, kRules, kAlice).status().code(),
            absl::StatusCode::kFailedPrecondition);
  EXPECT_EQ(DecideDeregisterEnterprise(&current, 1, "", on, kBob).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(DecideImportEnterprise, CreatesUpdatesAndLeavesEqualRowsAlone) {
  auto created = DecideImportEnterprise(nullptr, ValidEnterprise(), kRules, kAlice);
  ASSERT_TRUE(created.ok());
  EXPECT_TRUE(created->created);
  EXPECT_EQ(created->change, v1::CHANGE_KIND_IMPORTED);

  // The same row again, as a file re-run would send it (untrimmed, lower-case code).
  auto rerun = DecideImportEnterprise(&created->record, ValidEnterprise(), kRules, kBob);
  ASSERT_TRUE(rerun.ok());
  EXPECT_EQ(rerun->outcome, Decision<v1::Enterprise>::Outcome::kUnchanged);

  v1::Enterprise changed = ValidEnterprise();
  changed.set_key_monitored(true);
  auto updated = DecideImportEnterprise(&created->record, changed, kRules, kBob);
  ASSERT_TRUE(updated.ok());
  EXPECT_EQ(updated->outcome, Decision<v1::Enterprise>::Outcome::kWrite);
  EXPECT_EQ(updated->record.version(), 2);
  EXPECT_FALSE(updated->created);
}

TEST(DecideMeter, OwnerMustExistAndBeActive) {
  auto owner = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice)->record;
  EXPECT_EQ(DecideRegisterMeter(nullptr, nullptr, ValidMeter(), kAlice).status().code(),
            absl::StatusCode::kNotFound);
  auto meter = DecideRegisterMeter(nullptr, &owner, ValidMeter(), kAlice);
  ASSERT_TRUE(meter.ok()) << meter.status();
  EXPECT_EQ(meter->record.version(), 1);
  EXPECT_EQ(DecideRegisterMeter(&meter->record, &owner, ValidMeter(), kAlice).status().code(),
            absl::StatusCode::kAlreadyExists);

  owner.set_status(v1::ENTERPRISE_STATUS_DEREGISTERED);
  v1::Meter other = ValidMeter();
  other.set_meter_id("M-0002");
  EXPECT_EQ(DecideRegisterMeter(nullptr, &owner, other, kAlice).status().code(),
            absl::StatusCode::kFailedPrecondition);
}

TEST(DecideMeter, RetiredMetersAreFrozenAndCannotMoveEnterprise) {
  auto owner = DecideCreateEnterprise(nullptr, ValidEnterprise(), kRules, kAlice)->record;
  auto meter = DecideRegisterMeter(nullptr, &owner, ValidMeter(), kAlice)->record;

  v1::Meter moved = meter;
  moved.mutable_uscc()->set_value("91440101MA5CJQ4N59");
  EXPECT_EQ(DecideUpdateMeter(&meter, &owner, moved, {}, kBob).status().code(),
            absl::StatusCode::kInvalidArgument);

  common::v1::Date on;
  on.set_year(2026);
  on.set_month(11);
  on.set_day(1);
  EXPECT_EQ(DecideRetireMeter(&meter, 7, "replaced", on, kBob).status().code(),
            absl::StatusCode::kAborted);
  auto retired = DecideRetireMeter(&meter, 1, "replaced", on, kBob);
  ASSERT_TRUE(retired.ok()) << retired.status();
  EXPECT_EQ(retired->record.status(), v1::METER_STATUS_RETIRED);
  EXPECT_EQ(retired->record.version(), 2);

  v1::Meter change = retired->record;
  change.set_description("x");
  EXPECT_EQ(DecideUpdateMeter(&retired->record, &owner, change, {}, kBob).status().code(),
            absl::StatusCode::kFailedPrecondition);
  // Re-importing the retired meter's own row changes nothing and is not an error.
  v1::Meter row = ValidMeter();
  auto rerun = DecideImportMeter(&retired->record, &owner, row, kBob);
  EXPECT_EQ(rerun.status().code(), absl::StatusCode::kFailedPrecondition)
      << "status differs (active in the row, retired in the register)";
}

}  // namespace
}  // namespace jieshui::registry
