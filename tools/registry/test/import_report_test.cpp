#include "import_report.hpp"

#include <string>
#include <vector>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace jieshui::registry_cli {
namespace {

namespace v1 = ::jieshui::registry::v1;

v1::RowError Error(int64_t row, const std::string& field, const std::string& reason,
                   const std::string& code) {
  v1::RowError error;
  error.set_row(row);
  error.set_field(field);
  error.set_reason(reason);
  error.set_code(code);
  return error;
}

ImportReport SampleReport() {
  const std::vector<v1::RowError> local = {
      Error(4, "above_scale", "expected yes/no/true/false/1/0/是/否, got \"maybe\"",
            "INVALID_ARGUMENT"),
      Error(9, "latest_annual_intake_m3", "\"x\" is not a number", "INVALID_ARGUMENT"),
  };
  v1::ImportSummary server;
  server.set_rows_received(10);
  server.set_created(3);
  server.set_updated(2);
  server.set_unchanged(4);
  server.set_rejected(1);
  *server.add_errors() = Error(7, "uscc", "check character expected 9, got B", "INVALID_ARGUMENT");
  *server.add_errors() = Error(12, "", "park WZ-X does not exist", "NOT_FOUND");
  return MergeImportReport(2, local, server);
}

TEST(RegistryCliImportReportTest, CountsLocalRejectionsAndMergesErrorsInRowOrder) {
  ImportReport report = SampleReport();
  EXPECT_EQ(report.summary.rows_received(), 12);
  EXPECT_EQ(report.summary.rejected(), 3);
  EXPECT_EQ(report.summary.created(), 3);
  EXPECT_EQ(report.rejected_before_sending, 2);
  std::vector<int64_t> rows;
  for (const v1::RowError& error : report.summary.errors()) {
    rows.push_back(error.row());
  }
  EXPECT_THAT(rows, ::testing::ElementsAre(4, 7, 9, 12));
}

TEST(RegistryCliImportReportTest, TextHasTheSummaryLineAndOneLinePerError) {
  EXPECT_EQ(FormatImportReportText(SampleReport()),
            "received 12, created 3, updated 2, unchanged 4, rejected 3 (2 before sending)\n"
            "row 4: above_scale: expected yes/no/true/false/1/0/是/否, got \"maybe\" "
            "(INVALID_ARGUMENT)\n"
            "row 7: uscc: check character expected 9, got B (INVALID_ARGUMENT)\n"
            "row 9: latest_annual_intake_m3: \"x\" is not a number (INVALID_ARGUMENT)\n"
            "row 12: park WZ-X does not exist (NOT_FOUND)\n");
}

TEST(RegistryCliImportReportTest, DryRunSaysNothingWasSent) {
  v1::ImportSummary none;
  none.set_rows_received(5);
  ImportReport report = MergeImportReport(1, {Error(3, "level", "bad", "INVALID_ARGUMENT")}, none);
  report.dry_run = true;
  EXPECT_EQ(FormatImportReportText(report),
            "dry run, nothing sent: 6 rows read, 5 would be sent, 1 rejected\n"
            "row 3: level: bad (INVALID_ARGUMENT)\n");
}

TEST(RegistryCliImportReportTest, JsonCarriesTheSameFigures) {
  const nlohmann::json json = nlohmann::json::parse(FormatImportReportJson(SampleReport()));
  EXPECT_EQ(json["received"], 12);
  EXPECT_EQ(json["created"], 3);
  EXPECT_EQ(json["updated"], 2);
  EXPECT_EQ(json["unchanged"], 4);
  EXPECT_EQ(json["rejected"], 3);
  EXPECT_EQ(json["rejected_before_sending"], 2);
  EXPECT_EQ(json["dry_run"], false);
  ASSERT_EQ(json["errors"].size(), 4U);
  EXPECT_EQ(json["errors"][0]["row"], 4);
  EXPECT_EQ(json["errors"][0]["field"], "above_scale");
  EXPECT_EQ(json["errors"][3]["code"], "NOT_FOUND");
}

TEST(RegistryCliImportReportTest, JsonSurvivesBytesThatAreNotUtf8) {
  v1::ImportSummary server;
  *server.add_errors() = Error(2, "name", "bad \xFF byte", "INVALID_ARGUMENT");
  const std::string json = FormatImportReportJson(MergeImportReport(0, {}, server));
  ASSERT_TRUE(nlohmann::json::accept(json)) << json;
  EXPECT_EQ(nlohmann::json::parse(json)["errors"][0]["reason"], "bad \xEF\xBF\xBD byte");  // U+FFFD
}

}  // namespace
}  // namespace jieshui::registry_cli
