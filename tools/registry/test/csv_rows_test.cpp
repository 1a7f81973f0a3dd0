#include "csv_rows.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::registry_cli {
namespace {

namespace v1 = ::jieshui::registry::v1;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

template <std::size_t N>
std::string JoinColumns(const std::array<std::string_view, N>& columns) {
  std::string header;
  for (std::string_view column : columns) {
    header.append(header.empty() ? "" : ",").append(column);
  }
  return header;
}
std::string EnterpriseHeader() { return JoinColumns(kEnterpriseColumns); }
std::string MeterHeader() { return JoinColumns(kMeterColumns); }

// "row N: field: reason" for each error, to compare in one assertion.
std::vector<std::string> Describe(const std::vector<v1::RowError>& errors) {
  std::vector<std::string> out;
  for (const v1::RowError& error : errors) {
    EXPECT_EQ(error.code(), "INVALID_ARGUMENT");
    out.push_back(absl::StrCat("row ", error.row(), ": ", error.field(), ": ", error.reason()));
  }
  return out;
}

constexpr std::string_view kFullEnterpriseRow =
    "91350200776049653A,\"苏州甪直纺织有限公司, 二厂\",甪直镇 晓市路 1 号, 甪直镇 ,WZ-LZ,C1713,"
    "是,yes,0,"
    "125000.5,2024,"
    "张三,0512-66660000,zhang@example.cn,"
    "李四,13800000000,2024-03-01,JS-2024-001,"
    "2,12,40,"
    ",,SP-01,250000,,,,,"
    "municipal_tap; reclaimed";

TEST(RegistryCliEnterpriseRowsTest, MapsEveryColumnToItsField) {
  const std::string text = EnterpriseHeader() + "\r\n" + std::string(kFullEnterpriseRow) + "\r\n";
  auto mapped = MapEnterpriseFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_THAT(mapped->errors, IsEmpty());
  EXPECT_EQ(mapped->records, 1);
  EXPECT_EQ(mapped->rejected, 0);
  ASSERT_EQ(mapped->rows.size(), 1U);
  EXPECT_EQ(mapped->rows[0].row(), 2);
  const v1::Enterprise& e = mapped->rows[0].enterprise();
  EXPECT_EQ(e.uscc().value(), "91350200776049653A");
  EXPECT_EQ(e.name(), "苏州甪直纺织有限公司, 二厂");
  EXPECT_EQ(e.address(), "甪直镇 晓市路 1 号");
  EXPECT_EQ(e.town(), "甪直镇");  // trimmed
  EXPECT_EQ(e.park_id(), "WZ-LZ");
  EXPECT_EQ(e.industry_code().value(), "C1713");
  EXPECT_TRUE(e.above_scale());
  EXPECT_TRUE(e.key_monitored());
  EXPECT_FALSE(e.high_water_use_high_pollution());
  EXPECT_EQ(e.latest_annual_intake().litres(), 125000500);
  EXPECT_EQ(e.latest_annual_intake_year(), 2024);
  EXPECT_EQ(e.contact().name(), "张三");
  EXPECT_EQ(e.contact().phone(), "0512-66660000");
  EXPECT_EQ(e.contact().email(), "zhang@example.cn");
  ASSERT_TRUE(e.has_specialist());
  EXPECT_EQ(e.specialist().name(), "李四");
  EXPECT_EQ(e.specialist().phone(), "13800000000");
  EXPECT_EQ(e.specialist().appointed_on().year(), 2024);
  EXPECT_EQ(e.specialist().appointed_on().month(), 3);
  EXPECT_EQ(e.specialist().appointed_on().day(), 1);
  EXPECT_EQ(e.specialist().training_certificate(), "JS-2024-001");
  EXPECT_EQ(e.metering_points().level1(), 2);
  EXPECT_EQ(e.metering_points().level2(), 12);
  EXPECT_EQ(e.metering_points().level3(), 40);
  // Listed municipal tap and reclaimed, plus surface water because its permit is filled in; in
  // the order of WaterSourceKind.
  ASSERT_EQ(e.water_sources_size(), 3);
  EXPECT_EQ(e.water_sources(0).kind(), v1::WATER_SOURCE_KIND_MUNICIPAL_TAP);
  EXPECT_EQ(e.water_sources(0).intake_permit_number(), "");
  EXPECT_FALSE(e.water_sources(0).has_permitted_annual_volume());
  EXPECT_EQ(e.water_sources(1).kind(), v1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE);
  EXPECT_EQ(e.water_sources(1).intake_permit_number(), "SP-01");
  EXPECT_EQ(e.water_sources(1).permitted_annual_volume().litres(), 250000000);
  EXPECT_EQ(e.water_sources(2).kind(), v1::WATER_SOURCE_KIND_RECLAIMED);
}

TEST(RegistryCliEnterpriseRowsTest, EmptyCellsLeaveFieldsUnsetAndColumnsMayBeAnySubset) {
  // Only the required columns, in another order and case, with a BOM as Excel writes it.
  const std::string text =
      "\xEF\xBB\xBFName, USCC ,Industry_Code,town\n"
      "Acme,91440101MA5CJQ4N59,C2614,木渎镇\n";
  auto mapped = MapEnterpriseFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_THAT(mapped->errors, IsEmpty());
  ASSERT_EQ(mapped->rows.size(), 1U);
  const v1::Enterprise& e = mapped->rows[0].enterprise();
  EXPECT_EQ(e.uscc().value(), "91440101MA5CJQ4N59");
  EXPECT_EQ(e.name(), "Acme");
  EXPECT_EQ(e.town(), "木渎镇");
  EXPECT_FALSE(e.above_scale());
  EXPECT_FALSE(e.has_latest_annual_intake());
  EXPECT_FALSE(e.has_contact());
  EXPECT_FALSE(e.has_specialist());
  EXPECT_FALSE(e.has_metering_points());
  EXPECT_EQ(e.water_sources_size(), 0);
}

TEST(RegistryCliEnterpriseRowsTest, SpecialistIsSetWhenAnyOfItsColumnsIsFilled) {
  const std::string text =
      "uscc,name,town,industry_code,specialist_certificate\n"
      "91440101MA5CJQ4N59,Acme,木渎镇,C2614,JS-9\n";
  auto mapped = MapEnterpriseFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  ASSERT_EQ(mapped->rows.size(), 1U);
  ASSERT_TRUE(mapped->rows[0].enterprise().has_specialist());
  EXPECT_EQ(mapped->rows[0].enterprise().specialist().training_certificate(), "JS-9");
  EXPECT_EQ(mapped->rows[0].enterprise().specialist().name(), "");
}

TEST(RegistryCliEnterpriseRowsTest, BadCellsAreReportedByFieldAndFileLineAndTheRowIsNotSent) {
  const std::string text = absl::StrCat(
      "uscc,name,town,industry_code,above_scale,latest_annual_intake_m3,"
      "specialist_appointed_on,metering_points_level2,water_sources,latest_annual_intake_year\n",
      // line 2: good
      "91440101MA5CJQ4N59,Acme,木渎镇,C2614,否,10,,,,\n",
      // line 3: a name over two lines, then bad cells on the same record
      "913502000728319549,\"Two\nLines\",木渎镇,C2614,maybe,1.2345,2023-02-29,-1,well,24\n",
      // line 5: required cells empty
      ",  ,木渎镇,,no,,,,,\n");
  auto mapped = MapEnterpriseFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_EQ(mapped->records, 3);
  EXPECT_EQ(mapped->rejected, 2);
  ASSERT_EQ(mapped->rows.size(), 1U);
  EXPECT_EQ(mapped->rows[0].row(), 2);
  EXPECT_THAT(Describe(mapped->errors),
              ElementsAre("row 3: above_scale: expected yes/no/true/false/1/0/是/否, got \"maybe\"",
                          HasSubstr("row 3: latest_annual_intake_m3: \"1.2345\" "),
                          "row 3: latest_annual_intake_year: expected 1900 to 9999, got 24",
                          HasSubstr("row 3: specialist_appointed_on: "),
                          "row 3: metering_points_level2: expected 0 to 2147483647, got -1",
                          HasSubstr("row 3: water_sources: unknown source \"well\""),
                          "row 5: uscc: is required", "row 5: name: is required",
                          "row 5: industry_code: is required"));
}

TEST(RegistryCliEnterpriseRowsTest, ExtraCellsBeyondTheHeaderRejectTheRow) {
  auto mapped = MapEnterpriseFile(
      "uscc,name,town,industry_code\n91440101MA5CJQ4N59,Acme,木渎镇,C2614,surprise\n");
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_THAT(mapped->rows, IsEmpty());
  EXPECT_THAT(Describe(mapped->errors),
              ElementsAre("row 2: columns: the row has 5 cells but the header only 4"));
}

TEST(RegistryCliEnterpriseRowsTest, FileLevelProblemsFailTheWholeFile) {
  auto unknown = MapEnterpriseFile("uscc,name,town,industry_code,colour,Size\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_EQ(unknown.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(unknown.status().message(), HasSubstr("unknown columns: colour, Size"));

  auto missing = MapEnterpriseFile("uscc,name\n");
  ASSERT_FALSE(missing.ok());
  EXPECT_THAT(missing.status().message(),
              HasSubstr("missing required columns: town, industry_code"));

  auto empty = MapEnterpriseFile("");
  ASSERT_FALSE(empty.ok());
  EXPECT_THAT(empty.status().message(), HasSubstr("header row is required"));

  auto malformed = MapEnterpriseFile("uscc,name,town,industry_code\n\"x,y,z,w\n");
  ASSERT_FALSE(malformed.ok());
  EXPECT_THAT(malformed.status().message(), HasSubstr("line 2: "));

  // 甪直镇 in GBK, as Excel saves "CSV (comma delimited)" on a Chinese Windows.
  auto gbk =
      MapEnterpriseFile("uscc,name,town,industry_code\nx,y,\xE7\x94\xAA\xD6\xB1\xD5\xF2,z\n");
  ASSERT_FALSE(gbk.ok());
  EXPECT_THAT(gbk.status().message(), HasSubstr("line 2: the file is not UTF-8"));
}

TEST(RegistryCliMeterRowsTest, MapsEveryColumnToItsField) {
  const std::string text = absl::StrCat(
      MeterHeader(), "\n",
      "WZ-0001.M1,91350200776049653A,\"main intake, gate 2\",1,Intake_Municipal_Tap,M3,0.1,8,2,"
      "2026-06-30,2021-05-10,SN123,88888880000001,w00000,suspended\n",
      "WZ-0001.M2,91350200776049653A,,3,discharge,litre,,,,,,,,,\n");
  auto mapped = MapMeterFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_THAT(mapped->errors, IsEmpty());
  ASSERT_EQ(mapped->rows.size(), 2U);
  const v1::Meter& m = mapped->rows[0].meter();
  EXPECT_EQ(mapped->rows[0].row(), 2);
  EXPECT_EQ(m.meter_id(), "WZ-0001.M1");
  EXPECT_EQ(m.uscc().value(), "91350200776049653A");
  EXPECT_EQ(m.description(), "main intake, gate 2");
  EXPECT_EQ(m.level(), v1::METER_LEVEL_1);
  EXPECT_EQ(m.measures(), v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
  EXPECT_EQ(m.unit(), v1::METER_UNIT_CUBIC_METRE);
  EXPECT_EQ(m.multiplier(), "0.1");
  EXPECT_EQ(m.register_digits(), 8);
  EXPECT_EQ(m.accuracy_class(), "2");
  EXPECT_EQ(m.calibration_due_on().year(), 2026);
  EXPECT_EQ(m.calibration_due_on().month(), 6);
  EXPECT_EQ(m.calibration_due_on().day(), 30);
  EXPECT_EQ(m.installed_on().year(), 2021);
  EXPECT_EQ(m.serial_number(), "SN123");
  EXPECT_EQ(m.hj212().mn(), "88888880000001");
  EXPECT_EQ(m.hj212().data_code(), "w00000");
  EXPECT_EQ(m.status(), v1::METER_STATUS_SUSPENDED);

  const v1::Meter& bare = mapped->rows[1].meter();
  EXPECT_EQ(mapped->rows[1].row(), 3);
  EXPECT_EQ(bare.level(), v1::METER_LEVEL_3);
  EXPECT_EQ(bare.measures(), v1::MEASURED_FLOW_DISCHARGE);
  EXPECT_EQ(bare.unit(), v1::METER_UNIT_LITRE);
  EXPECT_EQ(bare.status(), v1::METER_STATUS_ACTIVE);  // empty status means active
  EXPECT_FALSE(bare.has_hj212());
  EXPECT_FALSE(bare.has_calibration_due_on());
  EXPECT_EQ(bare.register_digits(), 0);
}

TEST(RegistryCliMeterRowsTest, EveryFlowAndUnitNameMaps) {
  const std::vector<std::pair<std::string, v1::MeasuredFlow>> flows = {
      {"intake_municipal_tap", v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP},
      {"intake_self_supplied_surface", v1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE},
      {"intake_self_supplied_ground", v1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND},
      {"intake_reclaimed", v1::MEASURED_FLOW_INTAKE_RECLAIMED},
      {"recirculated_cooling", v1::MEASURED_FLOW_RECIRCULATED_COOLING},
      {"reused_process", v1::MEASURED_FLOW_REUSED_PROCESS},
      {"discharge", v1::MEASURED_FLOW_DISCHARGE},
  };
  const std::vector<std::string> units = {"m3", "cubic_metre", "l", "litre"};
  std::string text = "meter_id,uscc,level,measures,unit\n";
  for (std::size_t i = 0; i < flows.size(); ++i) {
    absl::StrAppend(&text, "M", i, ",91350200776049653A,2,", flows[i].first, ",",
                    units[i % units.size()], "\n");
  }
  auto mapped = MapMeterFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  ASSERT_EQ(mapped->rows.size(), flows.size());
  for (std::size_t i = 0; i < flows.size(); ++i) {
    EXPECT_EQ(mapped->rows[i].meter().measures(), flows[i].second) << flows[i].first;
    EXPECT_EQ(mapped->rows[i].meter().unit(),
              i % units.size() < 2 ? v1::METER_UNIT_CUBIC_METRE : v1::METER_UNIT_LITRE);
  }
}

TEST(RegistryCliMeterRowsTest, BadCellsAreReportedByFieldAndFileLine) {
  const std::string text =
      "meter_id,uscc,level,measures,unit,register_digits,installed_on,status\n"
      "M1,91350200776049653A,4,rain,gallon,eight,2021/05/10,retired\n"
      "M2,,2,discharge,m3,,,\n";
  auto mapped = MapMeterFile(text);
  ASSERT_TRUE(mapped.ok()) << mapped.status();
  EXPECT_THAT(mapped->rows, IsEmpty());
  EXPECT_EQ(mapped->rejected, 2);
  EXPECT_THAT(Describe(mapped->errors),
              ElementsAre("row 2: level: expected 1, 2 or 3, got \"4\"",
                          HasSubstr("row 2: measures: expected intake_municipal_tap, "),
                          "row 2: unit: expected m3, cubic_metre, l or litre, got \"gallon\"",
                          "row 2: register_digits: expected a whole number, got \"eight\"",
                          HasSubstr("row 2: installed_on: "),
                          "row 2: status: expected active or suspended, got \"retired\"",
                          "row 3: uscc: is required"));
}

}  // namespace
}  // namespace jieshui::registry_cli
