// jieshui-cli: meter readings from a CSV file (one reading per row) turned into the ingest API's
// Reading messages, with every bad cell named by its file line and column.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jieshui/ingest/v1/readings.pb.h"

namespace jieshui::cli {

// Columns of a readings file (tools/cli/README.md "Readings file").
inline constexpr std::array<std::string_view, 6> kReadingColumns = {
    "meter_id", "timestamp", "register_value", "volume_litres", "interval_minutes", "data_flag"};
inline constexpr std::array<std::string_view, 2> kReadingRequiredColumns = {"meter_id",
                                                                            "timestamp"};

// A reading and the file line its record starts on.
struct FileReading {
  int64_t line = 0;
  jieshui::ingest::v1::Reading reading{};
};

// One bad cell: "line 7, column 2 (timestamp): expected ISO 8601 ...".
struct CellError {
  int64_t line = 0;
  // 1-based column number in the file and the column's name; 0 and "" for the row as a whole.
  int column_number = 0;
  std::string column{};
  std::string reason{};

  std::string ToString() const;
};

struct ReadingsFile {
  // Rows without any bad cell, in file order.
  std::vector<FileReading> readings;
  // One entry per bad cell, in file order.
  std::vector<CellError> errors;
  // Data records in the file (header excluded).
  int64_t records = 0;
};

// Parses a readings file: header first, then one reading per record. Cells are trimmed.
//   meter_id          required
//   timestamp         ISO 8601: 2026-11-28T10:00:00+08:00, ...Z, fractions of a second allowed;
//                     without an offset the time is Asia/Shanghai (UTC+8). A space may stand for T.
//   register_value    decimal, at most 3 fraction digits: the cumulative register, or
//   volume_litres     whole litres since the previous reading, with interval_minutes (> 0)
//   data_flag         HJ 212 flag N F M S D C T B; empty means N
// Exactly one of register_value and volume_litres per row. The file as a whole being malformed
// (not CSV, no header, unknown, duplicate or missing columns) is INVALID_ARGUMENT naming the line.
absl::StatusOr<ReadingsFile> ParseReadingsFile(std::string_view text);

// An ISO 8601 timestamp as described above; INVALID_ARGUMENT with the reason otherwise.
absl::StatusOr<absl::Time> ParseReadingTimestamp(std::string_view text);

}  // namespace jieshui::cli
