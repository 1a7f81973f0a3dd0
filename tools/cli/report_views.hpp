// jieshui-cli: how the reporting service's answers read in a terminal: indicators against their
// targets (percentages from basis points with 2 decimals, counts as counts, the exact sums beside
// them), the enterprises behind one, its history, targets, Statistics' value added (yuan with 2
// decimals and 万元), the baseline (m³ with 3 decimals), annual reports, a value-added import's
// outcome and an export written (--json prints the answers themselves, views.hpp ProtoJson).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jieshui/reporting/v1/reporting_service.pb.h"
#include "readings_csv.hpp"

namespace jieshui::cli {

// Fen as 万元 with at least 4 decimals (12,345,678,900 fen -> "12345.6789"; the 5th and 6th only
// when not zero).
std::string WanYuan(int64_t fen);
// An indicator's value: "92.00%" for a ratio, "undefined" for one over nothing, the count for a
// count.
std::string IndicatorValue(const jieshui::reporting::v1::Indicator& indicator);
// Its target ("93.00%", ">= 5" for a count, a minimum), and the gap target − actual ("1.00%",
// "5"); "" without a target (and the gap "" for an undefined ratio).
std::string IndicatorTarget(const jieshui::reporting::v1::Indicator& indicator);
std::string IndicatorGap(const jieshui::reporting::v1::Indicator& indicator);

// The heading (scope, period, as of, served from) and one row per indicator.
std::string IndicatorsText(const jieshui::reporting::v1::IndicatorSet& set);
std::string ContributorsText(const jieshui::reporting::v1::ListContributorsResponse& list,
                             const std::string& scope, const std::string& period);
std::string HistoryText(const jieshui::reporting::v1::ListIndicatorHistoryResponse& list,
                        const std::string& code, const std::string& scope,
                        const std::string& period);

std::string TargetsTable(const jieshui::reporting::v1::ListTargetsResponse& list);
// One line on the version SetTarget stored.
std::string TargetSetText(const jieshui::reporting::v1::Target& target);

std::string ValueAddedTable(const jieshui::reporting::v1::ListValueAddedResponse& list, int year);
std::string BaselineText(const jieshui::reporting::v1::Baseline& baseline);

std::string AnnualReportsTable(const jieshui::reporting::v1::ListAnnualReportsResponse& list,
                               int year);
std::string AnnualReportFiledText(const jieshui::reporting::v1::AnnualReport& report);

// What `report value-added import` did with a file: the rows read, the cells the CLI refused
// (those rows not sent) and the service's answer for the rows sent.
struct ValueAddedImportReport {
  std::string file{};
  int64_t records = 0;
  int64_t sent = 0;
  bool dry_run = false;
  // The CLI's and the service's errors, in the file's columns, in line order.
  std::vector<CellError> errors{};
  int64_t rejected_locally = 0;
  jieshui::reporting::v1::ImportValueAddedResponse response{};
};
// "va.csv: 4 rows, 1 not sent (a bad cell); the service accepted 3, rejected 0 (version 2)" and
// one line per error: "va.csv: line 4, column 3 (工业增加值(万元)): must not be negative".
std::string FormatValueAddedImportText(const ValueAddedImportReport& report);
// {"file", "rows", "sent", "dry_run", "rejected_locally", "accepted", "rejected", "version",
// "errors": [{"line", "column_number", "column", "reason"}]}.
std::string FormatValueAddedImportJson(const ValueAddedImportReport& report);

}  // namespace jieshui::cli
