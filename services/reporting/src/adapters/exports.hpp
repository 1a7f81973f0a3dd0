// Reporting's export files (issue #17), as workbooks for libs/sheet to write as XLSX or CSV:
//   - the annual report in the attachment table's own layout: each indicator's target, actual,
//     gap and on-track per year from 2023 (the current year to date);
//   - the statistical ledger (统计台账): per enterprise and month, intake by source, reuse,
//     discharge, new water, plan, over-plan volume and surcharge due;
//   - the key-monitored list (重点监控用水单位名录) with each unit's usage over the period;
//   - the enterprises behind one indicator, with each one's part of the sums.
// Every figure comes from the same store reads as the RPCs; volumes are shown in m³ and money in
// 元, exactly (sheet::Fixed), ratios in percent from basis points.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "domain/period.hpp"
#include "jieshui/reporting/v1/reporting_service.pb.h"
#include "reporting/src/adapters/reporting_store.hpp"
#include "sheet/sheet.hpp"

namespace jieshui::reporting {

// One enterprise's part in an indicator, as ListContributors and the export show it.
v1::Contribution ContributionOf(const std::string& code, const ContributorRow& row);

// A file to send: its suggested name and its bytes.
struct ExportFile {
  std::string file_name;
  std::string bytes;
};

// The export a request asks for, already checked: `scope` and `period` as CheckAsked returns them,
// `code` a known indicator for CONTRIBUTORS, `today` the Shanghai date.
absl::StatusOr<sheet::Workbook> ExportBook(ReportingStore& store, const v1::ExportRequest& req,
                                           const domain::Date& today);

// The workbook as the format asks (CSV: its first sheet), with a name such as
// "统计台账_district_2026.xlsx".
absl::StatusOr<ExportFile> WriteExport(const sheet::Workbook& book, const v1::ExportRequest& req);

}  // namespace jieshui::reporting
