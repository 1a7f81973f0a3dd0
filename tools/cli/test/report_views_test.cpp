#include "report_views.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "nlohmann/json.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;
using ::testing::HasSubstr;

// 2026-12-02T02:00:00Z, 10:00 in Shanghai.
constexpr int64_t kTenOClock = 1'796'176'800'000;

// Row 2 of services/reporting's integration test: A alone is above scale, 2,760,000 m³ reused
// over 2,760,000 + 240,000 m³: R = 92.00% against 93.00%, 1.00% behind.
v1::Indicator Repeat() {
  v1::Indicator i;
  i.set_code("repeat_utilisation_above_scale");
  i.set_title("规模以上工业企业重复利用率");
  i.set_unit(v1::INDICATOR_UNIT_RATIO);
  i.mutable_ratio()->set_numerator("2760000000");
  i.mutable_ratio()->set_denominator("3000000000");
  i.mutable_ratio()->set_defined(true);
  i.mutable_ratio()->set_basis_points(9200);
  i.set_has_target(true);
  i.set_target_basis_points(9300);
  i.set_gap_basis_points(100);
  i.set_on_track(false);
  return i;
}

v1::Indicator BalanceTests() {
  v1::Indicator i;
  i.set_code("balance_tests");
  i.set_title("水平衡测试");
  i.set_unit(v1::INDICATOR_UNIT_COUNT);
  i.set_count(1);
  i.set_has_target(true);
  i.set_target_count(5);
  i.set_gap_basis_points(4);
  return i;
}

v1::Indicator Undefined() {
  v1::Indicator i;
  i.set_code("key_monitored_online");
  i.set_title("重点监控用水单位在线监测率");
  i.set_unit(v1::INDICATOR_UNIT_RATIO);
  i.mutable_ratio()->set_numerator("0");
  i.mutable_ratio()->set_denominator("0");
  return i;
}

TEST(ReportViewsTest, WanYuanKeepEveryFen) {
  EXPECT_EQ(WanYuan(30'000'000'000), "30000.0000");
  EXPECT_EQ(WanYuan(12'345'678'900), "12345.6789");
  EXPECT_EQ(WanYuan(100), "0.0001");
  EXPECT_EQ(WanYuan(1), "0.000001");
  EXPECT_EQ(WanYuan(-1'500'000), "-1.5000");
  EXPECT_EQ(WanYuan(0), "0.0000");
}

TEST(ReportViewsTest, IndicatorsReadAsPercentsCountsOrUndefinedAgainstTheirTargets) {
  EXPECT_EQ(IndicatorValue(Repeat()), "92.00%");
  EXPECT_EQ(IndicatorTarget(Repeat()), "93.00%");
  EXPECT_EQ(IndicatorGap(Repeat()), "1.00%");
  EXPECT_EQ(IndicatorValue(BalanceTests()), "1");
  EXPECT_EQ(IndicatorTarget(BalanceTests()), ">= 5");
  EXPECT_EQ(IndicatorGap(BalanceTests()), "4");
  // A ratio over nothing is no rate of 0%, and has no target here.
  EXPECT_EQ(IndicatorValue(Undefined()), "undefined");
  EXPECT_EQ(IndicatorTarget(Undefined()), "");

  v1::IndicatorSet set;
  set.mutable_scope()->set_kind(v1::SCOPE_KIND_TOWN);
  set.mutable_scope()->set_value("甪直镇");
  set.mutable_period()->set_kind(v1::PERIOD_KIND_YEAR);
  set.mutable_period()->set_year(2025);
  set.set_as_of_unix_ms(kTenOClock);
  set.set_served_from(v1::SERVED_FROM_CACHE);
  *set.add_indicators() = Repeat();
  *set.add_indicators() = BalanceTests();
  *set.add_indicators() = Undefined();
  EXPECT_EQ(IndicatorsText(set),
            "Indicators of town:甪直镇 for 2025 (as of 2026-12-02 10:00:00, served from cache)\n"
            "CODE                            TITLE                           VALUE   NUMERATOR  "
            "DENOMINATOR  TARGET    GAP  ON TRACK\n"
            "repeat_utilisation_above_scale  规模以上工业企业重复利用率     92.00%  2760000000   "
            "3000000000  93.00%  1.00%  no\n"
            "balance_tests                   水平衡测试                          1              "
            "               >= 5      4  no\n"
            "key_monitored_online            重点监控用水单位在线监测率  undefined           0   "
            "         0\n"
            "3 indicators (gap = target - actual: positive is behind)\n");
}

TEST(ReportViewsTest, TargetsShowTheirVersionsAndReasons) {
  v1::ListTargetsResponse list;
  v1::Target* shipped = list.add_targets();
  shipped->set_code("carrier_coverage");
  shipped->set_year(2025);
  shipped->set_unit(v1::INDICATOR_UNIT_RATIO);
  shipped->set_basis_points(8000);
  shipped->set_reason("行动方案附表 / 正文目标 (默认)");
  shipped->set_set_by("default");
  v1::Target* edited = list.add_targets();
  *edited = *shipped;
  edited->set_basis_points(9000);
  edited->set_version(1);
  edited->set_reason("正文目标 90%");
  edited->set_set_by("water_affairs:区水务局");
  edited->set_set_at_unix_ms(kTenOClock);
  const std::string text = TargetsTable(list);
  EXPECT_THAT(text, HasSubstr("carrier_coverage  2025  80.00%        0  行动方案附表"));
  EXPECT_THAT(text, HasSubstr("90.00%        1  正文目标 90%"));
  EXPECT_THAT(text, HasSubstr("water_affairs:区水务局  2026-12-02 10:00:00"));
  EXPECT_THAT(text, HasSubstr("2 targets (version 0 is the action plan's default)"));
  EXPECT_EQ(TargetSetText(*edited),
            "target of carrier_coverage for 2025 is now 90.00% (version 1, set by "
            "water_affairs:区水务局 at 2026-12-02 10:00:00): 正文目标 90%\n");
}

TEST(ReportViewsTest, AnImportSaysWhatWasSentAndEveryErrorByLineAndColumn) {
  ValueAddedImportReport report{.file = "va.csv",
                                .records = 4,
                                .sent = 3,
                                .dry_run = false,
                                .errors = {{.line = 3,
                                            .column_number = 3,
                                            .column = "工业增加值(万元)",
                                            .reason = "must not be negative; got \"-5\""}},
                                .rejected_locally = 1,
                                .response = {}};
  report.response.set_accepted(3);
  report.response.set_version(2);
  EXPECT_EQ(FormatValueAddedImportText(report),
            "va.csv: 4 rows, 1 not sent (a bad cell); 3 sent: accepted 3, rejected 0 (version "
            "2)\n"
            "va.csv: line 3, column 3 (工业增加值(万元)): must not be negative; got \"-5\"\n");
  const nlohmann::json json = nlohmann::json::parse(FormatValueAddedImportJson(report));
  EXPECT_EQ(json["accepted"], 3);
  EXPECT_EQ(json["rejected_locally"], 1);
  EXPECT_EQ(json["errors"][0]["column_number"], 3);

  // The service refuses a file with a row it cannot take whole.
  report.response.set_accepted(0);
  report.response.set_rejected(1);
  EXPECT_THAT(FormatValueAddedImportText(report),
              HasSubstr("3 sent: accepted 0, rejected 1 (the service refused the import: nothing "
                        "was stored)\n"));
  report.dry_run = true;
  EXPECT_THAT(FormatValueAddedImportText(report),
              HasSubstr("va.csv: 4 rows, 1 not sent (a bad cell); dry run, nothing sent\n"));
}

TEST(ReportViewsTest, TheBaselineInCubicMetresYuanAndWanYuan) {
  v1::Baseline b;
  b.set_year(2020);
  b.mutable_new_water()->set_litres(41'200'000'000);
  b.mutable_value_added()->set_fen(2'650'000'000'000);
  b.mutable_reclaimed_water()->set_litres(3'100'000'500);
  b.set_version(1);
  const std::string text = BaselineText(b);
  EXPECT_THAT(text, HasSubstr("new water m³:        41200000.000\n"));
  EXPECT_THAT(text, HasSubstr("value added yuan:    26500000000.00\n"));
  EXPECT_THAT(text, HasSubstr("value added 万元:    2650000.0000\n"));
  EXPECT_THAT(text, HasSubstr("reclaimed water m³:  3100000.500\n"));
}

}  // namespace
}  // namespace jieshui::cli
