// jieshui-cli report …: one function per subcommand of the reporting service
// (jieshui.reporting.v1.ReportingService, --reporting). Each checks its options (report_flags.hpp
// names the flag), makes its calls, prints the result to stdout (a table or JSON) or the failure
// to stderr, and returns the exit status (commands.hpp).
#pragma once

#include <string>
#include <vector>

#include "commands.hpp"
#include "report_flags.hpp"

namespace jieshui::cli {

// The scope, period and codes of an indicator read, as typed.
struct IndicatorQuery {
  std::string scope{};  // --scope; "" for the service's default
  ReportPeriodFlags period{};
  std::vector<std::string> codes{};  // --code, repeatable; empty: every indicator
};

// GetIndicators.
int ShowIndicators(const GlobalOptions& options, const IndicatorQuery& query);
// ListContributors of `code` (the query's codes unused): the first page, or every page.
int ListContributors(const GlobalOptions& options, const std::string& code,
                     const IndicatorQuery& query, bool all_pages);
// ListIndicatorHistory of `code`, --from / --to days (both included; "" open).
int ShowIndicatorHistory(const GlobalOptions& options, const std::string& code,
                         const IndicatorQuery& query, const std::string& from,
                         const std::string& to, bool all_pages);
// WatchIndicators: each set printed as it arrives (JSON: one document a line); stops after
// `count` sets when count > 0, else when the service ends the stream or --timeout passes.
int WatchIndicators(const GlobalOptions& options, const IndicatorQuery& query, int count);

// ListTargets; 0 for an open bound.
int ListTargets(const GlobalOptions& options, int from_year, int to_year, bool history);
struct TargetChange {
  std::string code{};
  int year = 0;
  std::string percent{};  // --percent 93.00 (a ratio's target)
  int count = -1;         // --count 5 (a count's minimum); -1 when not given
  std::string reason{};
};
// SetTarget (water_affairs). Exactly one of --percent and --count, the one the indicator is
// counted in (checked against ListTargets when the indicator has a target already).
int SetTarget(const GlobalOptions& options, const TargetChange& change);

// ImportValueAdded from a CSV or XLSX file (value_added_file.hpp). Rows with a bad cell are
// reported and not sent; kExitRejected when any row was refused, here or by the service.
int ImportValueAdded(const GlobalOptions& options, const std::string& path,
                     const std::string& source, bool dry_run);
// ListValueAdded of a year, one enterprise's (`uscc`) or all.
int ListValueAdded(const GlobalOptions& options, int year, const std::string& uscc, bool all_pages);

int ShowBaseline(const GlobalOptions& options);
struct BaselineChange {
  std::string new_water_m3{};
  std::string value_added_wan{};
  std::string reclaimed_m3{};
  std::string reason{};
};
// SetBaseline (water_affairs); a change of an entered baseline needs --reason.
int SetBaseline(const GlobalOptions& options, const BaselineChange& change);

int ListAnnualReports(const GlobalOptions& options, int year);
// FileAnnualReport: the text from `text_file` (UTF-8), the document references as given.
int FileAnnualReport(const GlobalOptions& options, int year, const std::string& text_file,
                     const std::vector<std::string>& document_refs);

struct ExportOptions {
  std::string kind{};      // annual-report | ledger | key-monitored | contributors
  std::string format{};    // xlsx | csv
  std::string out{};       // the file written
  IndicatorQuery query{};  // scope, period, and --code for contributors
};
// Export: the chunks written to <out>.part, renamed to <out> once the last has arrived
// (export_file.hpp); a stream that ends without it fails and leaves no file.
int ExportReport(const GlobalOptions& options, const ExportOptions& export_options);

}  // namespace jieshui::cli
