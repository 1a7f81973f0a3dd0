#include "readings_report.hpp"

#include <algorithm>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "nlohmann/json.hpp"
#include "table.hpp"
#include "views.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::ingest::v1;

std::string OutcomeLabel(v1::Outcome outcome) {
  return EnumLabel(v1::Outcome_Name(outcome), "OUTCOME_");
}

std::string Iso8601(int64_t unix_ms) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E*S%Ez", absl::FromUnixMillis(unix_ms),
                          absl::FixedTimeZone(8 * 60 * 60));
}

std::string Dump(const nlohmann::json& json) {
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

std::vector<v1::SubmitReadingsRequest> MakeBatches(std::span<const FileReading> readings,
                                                   int batch_size, const std::string& file_name) {
  const std::size_t size = static_cast<std::size_t>(std::max(1, batch_size));
  std::vector<v1::SubmitReadingsRequest> batches;
  batches.reserve((readings.size() + size - 1) / size);
  for (std::size_t start = 0; start < readings.size(); start += size) {
    v1::SubmitReadingsRequest& request = batches.emplace_back();
    request.set_batch_id(absl::StrCat(file_name, "#", batches.size()));
    const std::size_t end = std::min(readings.size(), start + size);
    request.mutable_readings()->Reserve(static_cast<int>(end - start));
    for (std::size_t i = start; i < end; ++i) {
      *request.add_readings() = readings[i].reading;
    }
  }
  return batches;
}

void AddBatchResult(std::span<const FileReading> batch, const v1::SubmitReadingsResponse& response,
                    SubmitReport* report) {
  ++report->batches;
  report->readings += response.results_size();
  report->accepted += response.accepted();
  report->duplicates += response.duplicates();
  report->rejected += response.rejected();
  std::vector<NotableReading> notable;
  for (const v1::ReadingResult& result : response.results()) {
    if (result.outcome() != v1::OUTCOME_REJECTED && result.flags().empty()) {
      continue;
    }
    NotableReading reading;
    if (result.index() >= 0 && static_cast<std::size_t>(result.index()) < batch.size()) {
      const FileReading& sent = batch[static_cast<std::size_t>(result.index())];
      reading.line = sent.line;
      reading.meter_id = sent.reading.meter_id();
      reading.timestamp_unix_ms = sent.reading.timestamp_unix_ms();
    }
    reading.outcome = result.outcome();
    if (result.outcome() == v1::OUTCOME_REJECTED) {
      reading.reason = EnumLabel(v1::RejectReason_Name(result.reason()), "REJECT_REASON_");
      reading.reason = absl::AsciiStrToUpper(reading.reason);
      reading.detail = result.detail();
    }
    for (const int flag : result.flags()) {
      reading.flags.push_back(
          absl::AsciiStrToUpper(EnumLabel(v1::VeeFlag_Name(flag), "VEE_FLAG_")));
    }
    notable.push_back(std::move(reading));
  }
  std::sort(notable.begin(), notable.end(),
            [](const NotableReading& a, const NotableReading& b) { return a.line < b.line; });
  report->notable.insert(report->notable.end(), notable.begin(), notable.end());
}

std::string FormatSubmitReportText(const SubmitReport& report) {
  std::string out =
      absl::StrCat(report.file, ": ", report.readings, " readings in ", report.batches,
                   report.batches == 1 ? " batch" : " batches", ": accepted ", report.accepted,
                   ", duplicate ", report.duplicates, ", rejected ", report.rejected, "\n");
  if (report.notable.empty()) {
    return out;
  }
  Table table({{"LINE", Table::Align::kRight},
               {"METER"},
               {"TIMESTAMP"},
               {"OUTCOME"},
               {"REASON"},
               {"FLAGS"},
               {"DETAIL"}});
  for (const NotableReading& r : report.notable) {
    table.AddRow({absl::StrCat(r.line), r.meter_id, Iso8601(r.timestamp_unix_ms),
                  OutcomeLabel(r.outcome), r.reason, absl::StrJoin(r.flags, ","), r.detail});
  }
  absl::StrAppend(&out, table.Render());
  return out;
}

std::string FormatSubmitReportJson(const SubmitReport& report) {
  nlohmann::json readings = nlohmann::json::array();
  for (const NotableReading& r : report.notable) {
    readings.push_back({{"line", r.line},
                        {"meter_id", r.meter_id},
                        {"timestamp", Iso8601(r.timestamp_unix_ms)},
                        {"outcome", absl::AsciiStrToUpper(OutcomeLabel(r.outcome))},
                        {"reason", r.reason},
                        {"detail", r.detail},
                        {"flags", r.flags}});
  }
  return Dump({{"file", report.file},
               {"batches", report.batches},
               {"readings", report.readings},
               {"accepted", report.accepted},
               {"duplicates", report.duplicates},
               {"rejected", report.rejected},
               {"readings_reported", std::move(readings)}});
}

std::string FormatCellErrorsText(const std::string& file, const std::vector<CellError>& errors) {
  std::string out =
      absl::StrCat(file, ": ", errors.size(), errors.size() == 1 ? " bad cell" : " bad cells",
                   "; nothing was sent\n");
  for (const CellError& error : errors) {
    absl::StrAppend(&out, file, ": ", error.ToString(), "\n");
  }
  return out;
}

std::string FormatCellErrorsJson(const std::string& file, const std::vector<CellError>& errors) {
  nlohmann::json list = nlohmann::json::array();
  for (const CellError& error : errors) {
    list.push_back({{"line", error.line},
                    {"column_number", error.column_number},
                    {"column", error.column},
                    {"reason", error.reason}});
  }
  return Dump({{"file", file}, {"sent", false}, {"errors", std::move(list)}});
}

}  // namespace jieshui::cli
