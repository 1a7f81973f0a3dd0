#include "import_report.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"

namespace jieshui::registry_cli {

namespace v1 = ::jieshui::registry::v1;

ImportReport MergeImportReport(int64_t rejected_before_sending,
                               const std::vector<v1::RowError>& local_errors,
                               const v1::ImportSummary& server) {
  ImportReport report;
  report.rejected_before_sending = rejected_before_sending;
  v1::ImportSummary& summary = report.summary;
  summary = server;
  summary.set_rows_received(server.rows_received() + rejected_before_sending);
  summary.set_rejected(server.rejected() + rejected_before_sending);
  summary.clear_errors();
  std::vector<v1::RowError> errors(local_errors.begin(), local_errors.end());
  errors.insert(errors.end(), server.errors().begin(), server.errors().end());
  // Both lists are in row order already; a stable sort keeps each row's errors in cell order.
  std::stable_sort(errors.begin(), errors.end(),
                   [](const v1::RowError& a, const v1::RowError& b) { return a.row() < b.row(); });
  for (v1::RowError& error : errors) {
    *summary.add_errors() = std::move(error);
  }
  return report;
}

std::string FormatImportReportText(const ImportReport& report) {
  const v1::ImportSummary& summary = report.summary;
  std::string text;
  if (report.dry_run) {
    absl::StrAppend(&text, "dry run, nothing sent: ", summary.rows_received(), " rows read, ",
                    summary.rows_received() - report.rejected_before_sending, " would be sent, ",
                    report.rejected_before_sending, " rejected\n");
  } else {
    absl::StrAppend(&text, "received ", summary.rows_received(), ", created ", summary.created(),
                    ", updated ", summary.updated(), ", unchanged ", summary.unchanged(),
                    ", rejected ", summary.rejected());
    if (report.rejected_before_sending > 0) {
      absl::StrAppend(&text, " (", report.rejected_before_sending, " before sending)");
    }
    text.push_back('\n');
  }
  for (const v1::RowError& error : summary.errors()) {
    absl::StrAppend(&text, "row ", error.row(), ": ");
    if (!error.field().empty()) {
      absl::StrAppend(&text, error.field(), ": ");
    }
    absl::StrAppend(&text, error.reason(), " (", error.code().empty() ? "UNKNOWN" : error.code(),
                    ")\n");
  }
  return text;
}

std::string FormatImportReportJson(const ImportReport& report) {
  const v1::ImportSummary& summary = report.summary;
  nlohmann::json errors = nlohmann::json::array();
  for (const v1::RowError& error : summary.errors()) {
    errors.push_back({{"row", error.row()},
                      {"field", error.field()},
                      {"reason", error.reason()},
                      {"code", error.code()}});
  }
  const nlohmann::json json = {
      {"received", summary.rows_received()},
      {"created", summary.created()},
      {"updated", summary.updated()},
      {"unchanged", summary.unchanged()},
      {"rejected", summary.rejected()},
      {"rejected_before_sending", report.rejected_before_sending},
      {"dry_run", report.dry_run},
      {"errors", errors},
  };
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace jieshui::registry_cli
