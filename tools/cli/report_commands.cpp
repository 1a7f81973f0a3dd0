#include "report_commands.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "call.hpp"
#include "command_support.hpp"
#include "export_file.hpp"
#include "grpcpp/grpcpp.h"
#include "jieshui/reporting/v1/reporting_service.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "report_views.hpp"
#include "value_added_file.hpp"
#include "views.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;

std::unique_ptr<v1::ReportingService::Stub> ReportingStub(const GlobalOptions& options) {
  return v1::ReportingService::NewStub(Channel(options.reporting));
}

// The scope and period of a query, checked (each error names its flag).
struct Asked {
  v1::Scope scope;
  v1::IndicatorPeriod period;
};
absl::StatusOr<Asked> CheckQuery(const IndicatorQuery& query, bool period_required = true) {
  absl::StatusOr<v1::Scope> scope = ParseScopeFlag(query.scope);
  if (!scope.ok()) {
    return scope.status();
  }
  absl::StatusOr<v1::IndicatorPeriod> period =
      ParseReportPeriodFlags(query.period, period_required);
  if (!period.ok()) {
    return period.status();
  }
  return Asked{.scope = *std::move(scope), .period = *std::move(period)};
}

std::string FileName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

bool IsXlsx(const std::string& path) {
  return absl::EndsWith(absl::AsciiStrToLower(path), ".xlsx");
}

// An .xlsx file by its name (its first sheet), anything else as CSV.
absl::StatusOr<ValueAddedFile> ReadValueAddedFile(const std::string& path) {
  absl::StatusOr<std::string> bytes = tools::ReadWholeFile(path);
  if (!bytes.ok()) {
    return bytes.status();
  }
  return IsXlsx(path) ? ParseValueAddedXlsx(*bytes) : ParseValueAddedCsv(*bytes);
}

// Streams the rows to ImportValueAdded, the source first. A write the service no longer takes
// (it answered early) ends the writing; Finish then says why.
grpc::Status SendRows(v1::ReportingService::Stub& stub, grpc::ClientContext* context,
                      const std::string& source, const std::vector<v1::ValueAddedRow>& rows,
                      v1::ImportValueAddedResponse* response) {
  std::unique_ptr<grpc::ClientWriter<v1::ImportValueAddedRequest>> writer =
      stub.ImportValueAdded(context, response);
  v1::ImportValueAddedRequest message;
  message.set_source(source);
  bool open = writer->Write(message);
  for (std::size_t i = 0; open && i < rows.size(); ++i) {
    *message.mutable_row() = rows[i];
    open = writer->Write(message);
  }
  if (open) {
    writer->WritesDone();
  }
  return writer->Finish();
}

}  // namespace

int ShowIndicators(const GlobalOptions& options, const IndicatorQuery& query) {
  const std::string command = "report indicators";
  absl::StatusOr<Asked> asked = CheckQuery(query);
  if (auto bad = BadOption(command, asked.status())) {
    return *bad;
  }
  v1::GetIndicatorsRequest request;
  *request.mutable_scope() = asked->scope;
  *request.mutable_period() = asked->period;
  for (const std::string& code : query.codes) {
    request.add_codes(code);
  }
  auto stub = ReportingStub(options);
  v1::IndicatorSet set;
  if (auto failed = Invoke(options, command, options.reporting, [&](grpc::ClientContext* c) {
        return stub->GetIndicators(c, request, &set);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(set) + "\n" : IndicatorsText(set));
  return kExitOk;
}

int ListContributors(const GlobalOptions& options, const std::string& code,
                     const IndicatorQuery& query, bool all_pages) {
  const std::string command = "report contributors";
  absl::StatusOr<Asked> asked = CheckQuery(query);
  if (auto bad = BadOption(command, asked.status())) {
    return *bad;
  }
  v1::ListContributorsRequest request;
  *request.mutable_scope() = asked->scope;
  *request.mutable_period() = asked->period;
  request.set_code(code);
  auto stub = ReportingStub(options);
  v1::ListContributorsResponse all;
  if (auto failed = FetchPages(
          options, command, options.reporting, request, all_pages, &all,
          [](v1::ListContributorsResponse& r) { return r.mutable_contributions(); },
          [&](grpc::ClientContext* c, const v1::ListContributorsRequest& req,
              v1::ListContributorsResponse* page) {
            return stub->ListContributors(c, req, page);
          })) {
    return *failed;
  }
  Print(options.json
            ? ProtoJson(all) + "\n"
            : ContributorsText(all, ScopeLabel(asked->scope), ReportPeriodLabel(asked->period)));
  return kExitOk;
}

int ShowIndicatorHistory(const GlobalOptions& options, const std::string& code,
                         const IndicatorQuery& query, const std::string& from,
                         const std::string& to, bool all_pages) {
  const std::string command = "report history";
  absl::StatusOr<Asked> asked = CheckQuery(query);
  if (auto bad = BadOption(command, asked.status())) {
    return *bad;
  }
  v1::ListIndicatorHistoryRequest request;
  *request.mutable_scope() = asked->scope;
  *request.mutable_period() = asked->period;
  request.set_code(code);
  if (auto bad = Parsed(command, ParseDayRangeFlags(from, to), request.mutable_range())) {
    return *bad;
  }
  auto stub = ReportingStub(options);
  v1::ListIndicatorHistoryResponse all;
  if (auto failed = FetchPages(
          options, command, options.reporting, request, all_pages, &all,
          [](v1::ListIndicatorHistoryResponse& r) { return r.mutable_snapshots(); },
          [&](grpc::ClientContext* c, const v1::ListIndicatorHistoryRequest& req,
              v1::ListIndicatorHistoryResponse* page) {
            return stub->ListIndicatorHistory(c, req, page);
          })) {
    return *failed;
  }
  Print(options.json
            ? ProtoJson(all) + "\n"
            : HistoryText(all, code, ScopeLabel(asked->scope), ReportPeriodLabel(asked->period)));
  return kExitOk;
}

int WatchIndicators(const GlobalOptions& options, const IndicatorQuery& query, int count) {
  const std::string command = "report watch";
  absl::StatusOr<Asked> asked = CheckQuery(query);
  if (auto bad = BadOption(command, asked.status())) {
    return *bad;
  }
  v1::WatchIndicatorsRequest request;
  *request.mutable_scope() = asked->scope;
  *request.mutable_period() = asked->period;
  for (const std::string& code : query.codes) {
    request.add_codes(code);
  }
  auto context =
      tools::MakeCallContext(options.api_key, std::chrono::seconds(options.timeout_seconds));
  if (!context.ok()) {
    return Fail(command, std::string(context.status().message()));
  }
  auto stub = ReportingStub(options);
  std::unique_ptr<grpc::ClientReader<v1::IndicatorSet>> reader =
      stub->WatchIndicators(context->get(), request);
  int received = 0;
  v1::IndicatorSet set;
  while (reader->Read(&set)) {
    // A script reading the pipe sees each set as it arrives, not when the buffer fills.
    Print(options.json ? ProtoJson(set) + "\n"
                       : absl::StrCat(received == 0 ? "" : "\n", IndicatorsText(set)));
    std::fflush(stdout);
    ++received;
    if (count > 0 && received >= count) {
      (*context)->TryCancel();
      break;
    }
  }
  const grpc::Status status = reader->Finish();
  if (count > 0 && received >= count) {
    return kExitOk;
  }
  if (count > 0) {
    return Fail(command, status.ok() ? absl::StrCat("the watch ended after ", received, " of ",
                                                    count, " sets")
                                     : tools::DescribeCallFailure(status, options.reporting));
  }
  // Following without --count: the service ending the watch, or --timeout passing, ends it well.
  if (status.ok() || status.error_code() == grpc::StatusCode::DEADLINE_EXCEEDED) {
    return kExitOk;
  }
  return Fail(command, tools::DescribeCallFailure(status, options.reporting));
}

int ListTargets(const GlobalOptions& options, int from_year, int to_year, bool history) {
  v1::ListTargetsRequest request;
  request.set_from_year(from_year);
  request.set_to_year(to_year);
  request.set_with_history(history);
  auto stub = ReportingStub(options);
  v1::ListTargetsResponse targets;
  if (auto failed =
          Invoke(options, "report targets", options.reporting,
                 [&](grpc::ClientContext* c) { return stub->ListTargets(c, request, &targets); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(targets) + "\n" : TargetsTable(targets));
  return kExitOk;
}

int SetTarget(const GlobalOptions& options, const TargetChange& change) {
  const std::string command = "report set-target";
  const bool percent = !change.percent.empty();
  const bool count = change.count >= 0;
  if (percent == count) {
    return Fail(command, percent ? "give --percent or --count, not both"
                                 : "one of --percent (a ratio's target) or --count (a count's "
                                   "minimum) is required");
  }
  v1::SetTargetRequest request;
  request.set_code(change.code);
  request.set_year(change.year);
  request.set_reason(change.reason);
  if (percent) {
    int64_t basis_points = 0;
    if (auto bad = Parsed(command, ParsePercentFlag(change.percent, "--percent"), &basis_points)) {
      return *bad;
    }
    request.set_basis_points(basis_points);
  } else {
    request.set_count(change.count);
  }
  auto stub = ReportingStub(options);
  // The service keeps only the figure of the indicator's unit: a percent sent for a count would
  // be stored as a minimum of 0. The unit of an indicator with targets is in their list.
  v1::ListTargetsResponse targets;
  if (auto failed = Invoke(options, command, options.reporting, [&](grpc::ClientContext* c) {
        return stub->ListTargets(c, v1::ListTargetsRequest(), &targets);
      })) {
    return *failed;
  }
  for (const v1::Target& t : targets.targets()) {
    if (t.code() != change.code) {
      continue;
    }
    if (t.unit() == v1::INDICATOR_UNIT_COUNT && percent) {
      return Fail(command, absl::StrCat("--percent: ", change.code,
                                        " is a count: give its minimum with --count"));
    }
    if (t.unit() == v1::INDICATOR_UNIT_RATIO && count) {
      return Fail(command, absl::StrCat("--count: ", change.code,
                                        " is a ratio: give its target with --percent"));
    }
    break;
  }
  v1::Target target;
  if (auto failed = Invoke(options, command, options.reporting, [&](grpc::ClientContext* c) {
        return stub->SetTarget(c, request, &target);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(target) + "\n" : TargetSetText(target));
  return kExitOk;
}

int ImportValueAdded(const GlobalOptions& options, const std::string& path,
                     const std::string& source, bool dry_run) {
  const std::string command = "report value-added import";
  absl::StatusOr<ValueAddedFile> file = ReadValueAddedFile(path);
  if (!file.ok()) {
    return Fail(command, absl::StrCat(path, ": ", file.status().message()));
  }
  if (file->records == 0) {
    return Fail(command, absl::StrCat(path, ": no rows under the header"));
  }
  ValueAddedImportReport report{.file = path,
                                .records = file->records,
                                .sent = 0,
                                .dry_run = dry_run,
                                .errors = file->errors,
                                .rejected_locally = file->rejected,
                                .response = {}};
  if (!dry_run && !file->rows.empty()) {
    auto stub = ReportingStub(options);
    if (auto failed = Invoke(options, command, options.reporting, [&](grpc::ClientContext* c) {
          return SendRows(*stub, c, source.empty() ? FileName(path) : source, file->rows,
                          &report.response);
        })) {
      return *failed;
    }
    report.sent = static_cast<int64_t>(file->rows.size());
    for (const v1::RowError& error : report.response.errors()) {
      report.errors.push_back(FileCellError(*file, error));
    }
    // Both lists are in line order; a stable sort keeps each line's errors in column order.
    std::stable_sort(report.errors.begin(), report.errors.end(),
                     [](const CellError& a, const CellError& b) { return a.line < b.line; });
  }
  Print(options.json ? FormatValueAddedImportJson(report) + "\n"
                     : FormatValueAddedImportText(report));
  return report.rejected_locally > 0 || report.response.rejected() > 0 ? kExitRejected : kExitOk;
}

int ListValueAdded(const GlobalOptions& options, int year, const std::string& uscc,
                   bool all_pages) {
  v1::ListValueAddedRequest request;
  request.set_year(year);
  if (!uscc.empty()) {
    request.mutable_uscc()->set_value(uscc);
  }
  auto stub = ReportingStub(options);
  v1::ListValueAddedResponse all;
  if (auto failed = FetchPages(
          options, "report value-added list", options.reporting, request, all_pages, &all,
          [](v1::ListValueAddedResponse& r) { return r.mutable_rows(); },
          [&](grpc::ClientContext* c, const v1::ListValueAddedRequest& req,
              v1::ListValueAddedResponse* page) { return stub->ListValueAdded(c, req, page); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(all) + "\n" : ValueAddedTable(all, year));
  return kExitOk;
}

int ShowBaseline(const GlobalOptions& options) {
  auto stub = ReportingStub(options);
  v1::Baseline baseline;
  if (auto failed =
          Invoke(options, "report baseline", options.reporting, [&](grpc::ClientContext* c) {
            return stub->GetBaseline(c, v1::GetBaselineRequest(), &baseline);
          })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(baseline) + "\n" : BaselineText(baseline));
  return kExitOk;
}

int SetBaseline(const GlobalOptions& options, const BaselineChange& change) {
  const std::string command = "report set-baseline";
  v1::SetBaselineRequest request;
  int64_t litres = 0;
  if (auto bad =
          Parsed(command, ParseCubicMetresFlag(change.new_water_m3, "--new-water-m3"), &litres)) {
    return *bad;
  }
  request.mutable_new_water()->set_litres(litres);
  if (auto bad =
          Parsed(command, ParseCubicMetresFlag(change.reclaimed_m3, "--reclaimed-m3"), &litres)) {
    return *bad;
  }
  request.mutable_reclaimed_water()->set_litres(litres);
  absl::StatusOr<int64_t> fen = ParseWanYuan(change.value_added_wan);
  if (!fen.ok()) {
    return Fail(command, absl::StrCat("--value-added-wan: ", fen.status().message()));
  }
  request.mutable_value_added()->set_fen(*fen);
  request.set_reason(change.reason);
  auto stub = ReportingStub(options);
  v1::Baseline baseline;
  if (auto failed = Invoke(options, command, options.reporting, [&](grpc::ClientContext* c) {
        return stub->SetBaseline(c, request, &baseline);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(baseline) + "\n" : BaselineText(baseline));
  return kExitOk;
}

int ListAnnualReports(const GlobalOptions& options, int year) {
  v1::ListAnnualReportsRequest request;
  request.set_year(year);
  auto stub = ReportingStub(options);
  v1::ListAnnualReportsResponse reports;
  if (auto failed = Invoke(
          options, "report annual-reports", options.reporting,
          [&](grpc::ClientContext* c) { return stub->ListAnnualReports(c, request, &reports); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(reports) + "\n" : AnnualReportsTable(reports, year));
  return kExitOk;
}

int FileAnnualReport(const GlobalOptions& options, int year, const std::string& text_file,
                     const std::vector<std::string>& document_refs) {
  const std::string command = "report file-annual-report";
  absl::StatusOr<std::string> text = tools::ReadWholeFile(text_file);
  if (!text.ok()) {
    return Fail(command, std::string(text.status().message()));
  }
  v1::FileAnnualReportRequest request;
  request.set_year(year);
  request.set_text(*std::move(text));
  for (const std::string& ref : document_refs) {
    request.add_document_refs(ref);
  }
  auto stub = ReportingStub(options);
  v1::AnnualReport report;
  if (auto failed = Invoke(options, command, options.reporting, [&](grpc::ClientContext* c) {
        return stub->FileAnnualReport(c, request, &report);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(report) + "\n" : AnnualReportFiledText(report));
  return kExitOk;
}

int ExportReport(const GlobalOptions& options, const ExportOptions& export_options) {
  const std::string command = "report export";
  v1::ExportRequest request;
  v1::ExportKind kind = v1::EXPORT_KIND_UNSPECIFIED;
  if (auto bad = Parsed(command, ParseExportKindFlag(export_options.kind), &kind)) {
    return *bad;
  }
  request.set_kind(kind);
  v1::ExportFormat format = v1::EXPORT_FORMAT_UNSPECIFIED;
  if (auto bad = Parsed(command, ParseExportFormatFlag(export_options.format), &format)) {
    return *bad;
  }
  request.set_format(format);
  absl::StatusOr<Asked> asked = CheckQuery(export_options.query, /*period_required=*/false);
  if (auto bad = BadOption(command, asked.status())) {
    return *bad;
  }
  *request.mutable_scope() = asked->scope;
  if (asked->period.kind() != v1::PERIOD_KIND_UNSPECIFIED) {
    *request.mutable_period() = asked->period;
  }
  const std::vector<std::string>& codes = export_options.query.codes;
  if (codes.size() > 1) {
    return Fail(command, "--code: one indicator only");
  }
  if (kind == v1::EXPORT_KIND_CONTRIBUTORS && codes.empty()) {
    return Fail(command,
                "--code: the contributors export lists the enterprises behind one "
                "indicator: name it");
  }
  if (!codes.empty()) {
    request.set_code(codes.front());
  }
  absl::StatusOr<ExportFile> file = ExportFile::Create(export_options.out);
  if (!file.ok()) {
    return Fail(command, std::string(file.status().message()));
  }
  auto context =
      tools::MakeCallContext(options.api_key, std::chrono::seconds(options.timeout_seconds));
  if (!context.ok()) {
    return Fail(command, std::string(context.status().message()));
  }
  auto stub = ReportingStub(options);
  std::unique_ptr<grpc::ClientReader<v1::ExportChunk>> reader =
      stub->Export(context->get(), request);
  v1::ExportChunk chunk;
  absl::Status written = absl::OkStatus();
  while (written.ok() && reader->Read(&chunk)) {
    written = file->Append(chunk);
  }
  if (!written.ok()) {
    (*context)->TryCancel();
  }
  const grpc::Status status = reader->Finish();
  if (!written.ok()) {
    file->Abandon();
    return Fail(command, std::string(written.message()));
  }
  if (!status.ok()) {
    file->Abandon();
    return Fail(command, tools::DescribeCallFailure(status, options.reporting));
  }
  if (absl::Status committed = file->Commit(); !committed.ok()) {
    return Fail(command, std::string(committed.message()));
  }
  if (options.json) {
    const nlohmann::json json = {{"file", file->path()},
                                 {"bytes", file->bytes()},
                                 {"chunks", file->chunks()},
                                 {"suggested_name", file->suggested_name()}};
    PrintJson(json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace));
  } else {
    Print(absl::StrCat("wrote ", file->path(), ": ", file->bytes(), " bytes in ", file->chunks(),
                       file->chunks() == 1 ? " chunk" : " chunks",
                       file->suggested_name().empty()
                           ? ""
                           : absl::StrCat(" (the service names it ", file->suggested_name(), ")"),
                       "\n"));
  }
  return kExitOk;
}

}  // namespace jieshui::cli
