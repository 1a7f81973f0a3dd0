// jieshui-cli: a readings file cut into SubmitReadings batches, and what ingest answered, per file
// line, as text or JSON.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <vector>

#include "jieshui/ingest/v1/ingest_service.pb.h"
#include "readings_csv.hpp"

namespace jieshui::cli {

inline constexpr int kDefaultBatchSize = 1000;
inline constexpr int kMaxBatchSize = 10000;

// Batch n (from 1) holds readings [(n-1)*batch_size, n*batch_size) with batch_id
// "<file_name>#<n>", so a batch sent again is recognised by ingest as the same one.
std::vector<jieshui::ingest::v1::SubmitReadingsRequest> MakeBatches(
    std::span<const FileReading> readings, int batch_size, const std::string& file_name);

// A reading that was rejected, or accepted with VEE flags.
struct NotableReading {
  int64_t line = 0;
  std::string meter_id;
  int64_t timestamp_unix_ms = 0;
  jieshui::ingest::v1::Outcome outcome = jieshui::ingest::v1::OUTCOME_UNSPECIFIED;
  std::string reason;  // RejectReason without its prefix, e.g. "UNKNOWN_METER"
  std::string detail;
  std::vector<std::string> flags;  // VeeFlag names without their prefix, e.g. "GAP"
};

struct SubmitReport {
  std::string file{};
  int batches = 0;
  int64_t readings = 0;  // answered so far
  int64_t accepted = 0;
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::vector<NotableReading> notable{};  // in file order
};

// Adds ingest's answer to the batch that carried `batch` (the same readings, in order).
void AddBatchResult(std::span<const FileReading> batch,
                    const jieshui::ingest::v1::SubmitReadingsResponse& response,
                    SubmitReport* report);

// "readings.csv: 12 readings in 1 batch: accepted 10, duplicate 1, rejected 1" and a table of
// the notable readings (line, meter, time, outcome, reason, flags, detail).
std::string FormatSubmitReportText(const SubmitReport& report);
// {"file", "batches", "readings", "accepted", "duplicates", "rejected", "readings_reported":
// [{"line", "meter_id", "timestamp", "outcome", "reason", "detail", "flags"}]}.
std::string FormatSubmitReportJson(const SubmitReport& report);

// The bad cells of a file: one line each as text; {"file", "errors": [{"line", "column_number",
// "column", "reason"}]} as JSON.
std::string FormatCellErrorsText(const std::string& file, const std::vector<CellError>& errors);
std::string FormatCellErrorsJson(const std::string& file, const std::vector<CellError>& errors);

}  // namespace jieshui::cli
