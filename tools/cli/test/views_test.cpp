#include "views.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nlohmann/json.hpp"
#include "readings_report.hpp"

namespace jieshui::cli {
namespace {

using ::testing::HasSubstr;

TEST(ViewsTest, QuantitiesAndLabels) {
  EXPECT_EQ(CubicMetres(1'234'567), "1234.567");
  EXPECT_EQ(CubicMetres(0), "0.000");
  EXPECT_EQ(Yuan(8200), "82.00");
  EXPECT_EQ(Percent(13000), "130.00%");
  EXPECT_EQ(EnumLabel("MEASURED_FLOW_INTAKE_MUNICIPAL_TAP", "MEASURED_FLOW_"),
            "intake_municipal_tap");
  EXPECT_EQ(ShanghaiTime(0), "");
  // 2026-11-28T02:00:00Z is 10:00 in Shanghai.
  EXPECT_EQ(ShanghaiTime(1'795'831'200'000), "2026-11-28 10:00:00");
}

TEST(ViewsTest, EnterprisesTableShowsTheColumnsAndCount) {
  registry::v1::ListEnterprisesResponse list;
  registry::v1::Enterprise* e = list.add_enterprises();
  e->mutable_uscc()->set_value("91350200776049653A");
  e->set_name("苏州吴中特钢压延有限公司");
  e->set_town("胥口镇");
  e->mutable_industry_code()->set_value("C3130");
  e->set_key_monitored(true);
  e->mutable_latest_annual_intake()->set_litres(152'300'000);
  e->set_latest_annual_intake_year(2024);
  list.mutable_page()->set_total_count(4);
  list.mutable_page()->set_next_page_token("next");
  const std::string text = EnterprisesTable(list);
  EXPECT_THAT(text, HasSubstr("USCC"));
  EXPECT_THAT(text, HasSubstr("LATEST INTAKE m³"));
  EXPECT_THAT(text, HasSubstr("91350200776049653A  苏州吴中特钢压延有限公司  胥口镇"));
  EXPECT_THAT(text, HasSubstr("C3130 钢压延加工  yes                  152300.000  2024"));
  EXPECT_THAT(text, HasSubstr("1 of 4 enterprises (more with --all)"));
}

TEST(ViewsTest, SurchargeShowsEveryBandAndTheTotal) {
  quota::v1::SurchargeStatement s;
  s.mutable_uscc()->set_value("91350200776049653A");
  s.mutable_period()->mutable_month()->set_year(2026);
  s.mutable_period()->mutable_month()->set_month(11);
  s.set_schedule_is_default(true);
  quota::v1::SurchargeWorking* w = s.mutable_over_plan();
  w->mutable_allowed()->set_litres(100'000);
  w->mutable_used()->set_litres(130'000);
  w->mutable_over()->set_litres(30'000);
  for (auto [from, to, litres, mult, fen] :
       {std::tuple{"0", "20", 20'000, "0.5", 4100}, std::tuple{"20", "", 10'000, "1", 4100}}) {
    quota::v1::SurchargeLine* line = w->add_lines();
    line->set_from_percent(from);
    line->set_to_percent(to);
    line->mutable_volume()->set_litres(litres);
    line->set_multiplier(mult);
    line->set_base_price_yuan_per_cubic_metre("4.10");
    line->mutable_amount()->set_fen(fen);
  }
  w->mutable_amount()->set_fen(8200);
  s.mutable_total()->set_fen(8200);
  const std::string text = SurchargeText(s);
  EXPECT_THAT(text, HasSubstr("Surcharge of 91350200776049653A for 2026-11 (default schedule)"));
  EXPECT_THAT(text, HasSubstr("over m³:     30.000"));
  EXPECT_THAT(text, HasSubstr("  0-20%     20.000         0.5                4.10        41.00"));
  EXPECT_THAT(text, HasSubstr("  20%+      10.000           1                4.10        41.00"));
  EXPECT_THAT(text, HasSubstr("Total yuan:  82.00"));
}

TEST(ViewsTest, ProtoJsonKeepsFieldNamesAndDefaults) {
  quota::v1::Usage usage;
  usage.mutable_uscc()->set_value("91350200776049653A");
  usage.mutable_new_water()->set_litres(80'000);
  const nlohmann::json json = nlohmann::json::parse(ProtoJson(usage));
  EXPECT_EQ(json["uscc"]["value"], "91350200776049653A");
  EXPECT_EQ(json["new_water"]["litres"], "80000");
  EXPECT_EQ(json["plan_known"], false);
}

TEST(ReadingsReportTest, BatchesAndResultsMapBackToFileLines) {
  std::vector<FileReading> readings(3);
  for (int i = 0; i < 3; ++i) {
    readings[i].line = 2 + i;
    readings[i].reading.set_meter_id("M-" + std::to_string(i));
    readings[i].reading.set_timestamp_unix_ms(1'795'831'200'000);
  }
  const auto batches = MakeBatches(readings, 2, "r.csv");
  ASSERT_EQ(batches.size(), 2U);
  EXPECT_EQ(batches[0].batch_id(), "r.csv#1");
  EXPECT_EQ(batches[0].readings_size(), 2);
  EXPECT_EQ(batches[1].batch_id(), "r.csv#2");
  EXPECT_EQ(batches[1].readings(0).meter_id(), "M-2");

  SubmitReport report{.file = "r.csv"};
  ingest::v1::SubmitReadingsResponse first;
  first.set_accepted(1);
  first.set_rejected(1);
  auto* ok = first.add_results();
  ok->set_index(0);
  ok->set_outcome(ingest::v1::OUTCOME_ACCEPTED);
  ok->add_flags(ingest::v1::VEE_FLAG_FIRST);
  auto* bad = first.add_results();
  bad->set_index(1);
  bad->set_outcome(ingest::v1::OUTCOME_REJECTED);
  bad->set_reason(ingest::v1::REJECT_REASON_UNKNOWN_METER);
  bad->set_detail("meter M-1 is not registered");
  AddBatchResult(std::span(readings).subspan(0, 2), first, &report);
  ingest::v1::SubmitReadingsResponse second;
  second.set_duplicates(1);
  second.add_results()->set_outcome(ingest::v1::OUTCOME_DUPLICATE);
  AddBatchResult(std::span(readings).subspan(2, 1), second, &report);

  const std::string text = FormatSubmitReportText(report);
  EXPECT_THAT(text, HasSubstr("r.csv: 3 readings in 2 batches: accepted 1, duplicate 1, "
                              "rejected 1"));
  EXPECT_THAT(text,
              HasSubstr("   2  M-0    2026-11-28T10:00:00+08:00  accepted                 FIRST"));
  EXPECT_THAT(text, HasSubstr("FIRST"));
  EXPECT_THAT(text, HasSubstr("   3  M-1    2026-11-28T10:00:00+08:00  rejected  UNKNOWN_METER"));
  EXPECT_THAT(text, HasSubstr("meter M-1 is not registered"));

  const nlohmann::json json = nlohmann::json::parse(FormatSubmitReportJson(report));
  EXPECT_EQ(json["rejected"], 1);
  EXPECT_EQ(json["readings"], 3);
  ASSERT_EQ(json["readings_reported"].size(), 2U);
  EXPECT_EQ(json["readings_reported"][1]["line"], 3);
  EXPECT_EQ(json["readings_reported"][1]["reason"], "UNKNOWN_METER");
  EXPECT_EQ(json["readings_reported"][0]["flags"][0], "FIRST");
}

}  // namespace
}  // namespace jieshui::cli
