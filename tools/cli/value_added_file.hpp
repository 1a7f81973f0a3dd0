// jieshui-cli: Statistics' value-added file (工业增加值 and the above-scale flag per enterprise
// and year) turned into the reporting API's ValueAddedRow messages, each carrying its file line,
// with every bad cell named by its line and column; and the service's row errors told in the
// file's own columns.
#pragma once

#include <array>
#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "csv/csv.hpp"
#include "jieshui/reporting/v1/reporting_service.pb.h"
#include "readings_csv.hpp"

namespace jieshui::cli {

// One column of the file: the name the API's RowError gives it, and the header names accepted for
// it (compared trimmed, ASCII case ignored; the Chinese header with ASCII or full-width brackets).
struct ValueAddedColumn {
  std::string_view api;
  std::array<std::string_view, 3> names;
};
inline constexpr std::array<ValueAddedColumn, 4> kValueAddedColumns = {{
    {"uscc", {"统一社会信用代码", "uscc", ""}},
    {"year", {"年份", "year", ""}},
    {"value_added", {"工业增加值(万元)", "工业增加值（万元）", "value_added_wan"}},
    {"above_scale", {"规模以上", "above_scale", ""}},
}};

struct ValueAddedFile {
  // Rows without a bad cell, in file order, each with its line.
  std::vector<jieshui::reporting::v1::ValueAddedRow> rows;
  // One entry per bad cell, in file order.
  std::vector<CellError> errors;
  // Data rows in the file (the header and rows with every cell empty excluded).
  int64_t records = 0;
  // Data rows left out because of a bad cell.
  int64_t rejected = 0;
  // Where each of kValueAddedColumns is in the file (same order): its 1-based number and its
  // name as the header spells it.
  std::array<int, 4> column_numbers{};
  std::array<std::string, 4> column_names{};
};

// The file's records (the CSV file's, or a sheet's rows with their row numbers as lines). The
// header is the first row naming one of the columns (title lines above it are skipped). Every
// column of kValueAddedColumns is required, under one of its names; other columns (an enterprise
// name, say) are ignored. Cells are trimmed:
//   统一社会信用代码 / uscc          a valid USCC (GB 32100-2015; lowercase letters are uppercased)
//   年份 / year                      YYYY
//   工业增加值(万元) / value_added_wan  万元, a non-negative decimal with at most 4 decimals
//                                    (ParseWanYuan: exactly to fen, no floating point)
//   规模以上 / above_scale           是/否, yes/no, true/false, 1/0 (ASCII case ignored)
// The same enterprise and year twice is an error on the later row. A header missing a column,
// naming one twice, or no header at all is INVALID_ARGUMENT naming its line, and nothing is read.
// With `spreadsheet_numbers`, the year and value cells are first read as a spreadsheet stores a
// number (SpreadsheetNumber).
absl::StatusOr<ValueAddedFile> ParseValueAddedRecords(std::span<const csv::Record> records,
                                                      bool spreadsheet_numbers);
// A UTF-8 CSV file (RFC 4180; a byte-order mark is skipped), as above.
absl::StatusOr<ValueAddedFile> ParseValueAddedCsv(std::string_view text);
// An .xlsx workbook's first sheet (jieshui::sheet::ReadXlsx), as above; a workbook that cannot be
// read is INVALID_ARGUMENT naming the part.
absl::StatusOr<ValueAddedFile> ParseValueAddedXlsx(std::string_view bytes);

// A number cell's text as the spreadsheet shows it: an XLSX file stores the double's digits
// ("30000.499999999996", "1E-4"), of which a spreadsheet shows 15 significant digits; the value a
// person typed has no more. So the text is rounded (in decimal, half away from zero) to 15
// significant digits and written plainly: "30000.5", "0.0001". Text that is no such number is
// returned as it is.
std::string SpreadsheetNumber(std::string_view text);

// The service's RowError in the file's terms: its column ("uscc", "value_added") as the file's
// column number and header name; a column the file does not have is kept as the service names it.
CellError FileCellError(const ValueAddedFile& file, const jieshui::reporting::v1::RowError& error);

}  // namespace jieshui::cli
