// jieshui-registry-cli: the outcome of one import as the operator sees it, the registry's summary
// with the rows rejected before sending merged in, printed as text or JSON.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "jieshui/registry/v1/registry_service.pb.h"

namespace jieshui::registry_cli {

struct ImportReport {
  // Counts over every data row of the file: rows_received includes the rows rejected before
  // sending, rejected counts them too, and errors holds the local and the registry's errors in
  // row order.
  jieshui::registry::v1::ImportSummary summary;
  // Rows that had bad cells and were not sent.
  int64_t rejected_before_sending = 0;
  // Nothing was sent (--dry-run): created/updated/unchanged are zero.
  bool dry_run = false;
};

// Merges the local mapping results with what the registry returned for the rows that were sent.
ImportReport MergeImportReport(int64_t rejected_before_sending,
                               const std::vector<jieshui::registry::v1::RowError>& local_errors,
                               const jieshui::registry::v1::ImportSummary& server);

// "received 12, created 3, updated 2, unchanged 4, rejected 3 (2 before sending)" and one line
// per error, "row 7: above_scale: expected yes/no/... (INVALID_ARGUMENT)"; each line ends in '\n'.
std::string FormatImportReportText(const ImportReport& report);
// One JSON object: received, created, updated, unchanged, rejected, rejected_before_sending,
// dry_run and errors [{row, field, reason, code}]. Bytes that are not UTF-8 are replaced.
std::string FormatImportReportJson(const ImportReport& report);

}  // namespace jieshui::registry_cli
