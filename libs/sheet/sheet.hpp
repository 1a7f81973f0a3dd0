// Spreadsheets for the people who use Jieshui: exports written as XLSX (libxlsxwriter) or as CSV
// with a UTF-8 byte-order mark, and an XLSX reader (libzip + expat) for imports and for tests.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "absl/status/statusor.h"

namespace jieshui::sheet {

// A number kept exact: units / 10^scale (fen → 元: scale 2; litres → m³: scale 3;
// basis points → percent: scale 2). scale 0..6.
struct Fixed {
  int64_t units = 0;
  int scale = 0;
};

// An empty cell, text, a whole number, or an exact decimal.
using Cell = std::variant<std::monostate, std::string, int64_t, Fixed>;

// (The empty {} initializers below let designated initializers leave members out without GCC's
// -Wmissing-field-initializers.)

struct Column {
  std::string header{};  // Chinese header text, e.g. "取水量(m³)"
  std::string group{};  // optional: a group header above it ("2023年"); adjacent equal groups merge
  double width = 12;    // in characters
};

struct Sheet {
  std::string name{};                // the tab's name (≤ 31 characters, no []:*?/\)
  std::vector<std::string> title{};  // optional lines above the header (title, scope, as of)
  std::vector<Column> columns{};
  std::vector<std::vector<Cell>> rows{};
};

struct Workbook {
  std::vector<Sheet> sheets{};
};

// The bytes of an .xlsx file: each sheet with its title lines (bold, the first larger), a group
// header row when any column has a group (merged across equal adjacent groups), the header row
// (bold, shaded, borders), the rows, and every row above the first data row frozen. Number formats:
// int64 "#,##0"; Fixed with scale s "#,##0.<s zeros>". Column widths as given. Errors: an invalid
// sheet name, a row wider than the columns, or a libxlsxwriter failure, as INVALID_ARGUMENT /
// INTERNAL naming the sheet and what is wrong.
//
// In detail:
//   - Layout of a sheet: title line k in row k+1 (column A); then the group row, if any column has
//     a non-empty group (a run of adjacent columns with one group is one merged cell; a column
//     without a group has a blank shaded cell there); then the header row; then the data rows.
//     A sheet without columns has no header row.
//   - Text is written as text (never as a formula); an empty string is an empty cell, as is
//     std::monostate; a literal "_xHHHH_" is escaped so that it reads back as written. Numbers
//     are spreadsheet numbers (doubles): int64 as is, Fixed as units / 10^scale, so 1234567 at
//     scale 3 reads back as "1234.567". A spreadsheet shows 15 significant digits and the file
//     holds 16 (9007199254.740991 reads back "9007199254.740992"); our volumes and sums of money
//     have fewer.
//   - INVALID_ARGUMENT, naming the sheet (and the cell or column): no sheet at all; a sheet name
//     that is empty, longer than 31 characters (UTF-16 units, as Excel counts), holds one of
//     []:*?/\, starts or ends with an apostrophe, is "History" (reserved by Excel) or repeats
//     another's (ignoring ASCII case); a row wider than the columns; a Fixed scale outside 0..6;
//     an int64 or Fixed units beyond ±2^53 (a spreadsheet number would no longer be exact); text
//     that is not UTF-8; a column width outside (0, 255]; more than 1,048,576 rows or 16,384
//     columns, or text over 32,767 characters (Excel's limits); text holding a NUL character.
//   - INTERNAL: the temporary file (mkstemp in $TMPDIR or /tmp, removed in every case) or a
//     libxlsxwriter failure, with libxlsxwriter's message.
absl::StatusOr<std::string> WriteXlsx(const Workbook& workbook);

// One sheet as CSV: a UTF-8 BOM first, then the header line (a column with a group is written
// "group header", e.g. "2023年 目标(%)"), then the rows; RFC 4180 quoting; CRLF line ends; Fixed
// written exactly as decimal text with s decimals (no float), int64 as digits, monostate empty.
// Title lines are not written (CSV is read by machines too).
//
// A sheet without columns has no header line. A row shorter than the columns is padded with empty
// fields, so every line has as many fields as the header; a wider row is written whole (WriteXlsx
// refuses it). Quoting is csv::Writer's: only fields holding a comma, quote, CR or LF, or starting
// or ending with a space or tab. Text is written as given: a cell starting with '=' is a formula
// to a spreadsheet program that opens the file, so exports of text others typed in should be
// XLSX.
std::string WriteCsv(const Sheet& sheet);

// `value` as exact decimal text with `scale` decimals: {-5, 2} "-0.05", {0, 3} "0.000",
// {1234567, 3} "1234.567", {-150, 0} "-150". Any scale is written exactly (a negative one appends
// zeros: {12, -2} "1200"); WriteCsv writes Fixed cells with it.
std::string FixedText(const Fixed& value);

// The A1-style name of a cell from 0-based indexes: (0, 0) "A1", (6, 2) "C7", (0, 26) "AA1".
std::string CellRef(int64_t row, int64_t column);

// Reading an .xlsx file (what Excel, WPS and LibreOffice save, and what WriteXlsx writes).
struct ReadSheet {
  std::string name{};
  // Each row as cells from column A: text as stored (shared or inline strings, UTF-8), numbers as
  // the file stores them (the <v> text, e.g. "1234.567"), booleans "1"/"0", empty cells "". Rows
  // keep their position: row index i is spreadsheet row i+1 (missing rows are empty vectors).
  std::vector<std::vector<std::string>> rows{};

  // The cell at 0-based (row, column): "" past the last row or a row's last cell, so a reader of
  // imports need not check either (rows end at their last non-empty cell; see ReadXlsx).
  std::string_view At(std::size_t row, std::size_t column) const {
    return row < rows.size() && column < rows[row].size() ? std::string_view(rows[row][column])
                                                          : std::string_view();
  }
};

// Every sheet in workbook order. Errors (INVALID_ARGUMENT): not a zip, no workbook, a sheet part
// missing, malformed XML, each naming the part.
//
// In detail:
//   - A row ends at its last non-empty cell and `rows` at the last row with one: cells that are
//     only formatted (blank cells, the rest of a merged range) read as "" and make nothing longer.
//   - A formula cell reads as its cached result; an error cell as its text ("#DIV/0!"), a t="d"
//     cell as its ISO 8601 text. Dates stored as numbers (the usual case) read as the serial
//     number ("45292"): the reader does not look at number formats. Text escapes _xHHHH_
//     (ECMA-376 ST_Xstring) are decoded; phonetic runs (<rPh>) are not part of the text.
//   - The workbook part is the package's officeDocument (_rels/.rels), xl/workbook.xml when the
//     package has no _rels/.rels. A chartsheet or other non-worksheet tab reads as a sheet with no
//     rows.
//   - Also INVALID_ARGUMENT: a workbook listing no sheet; a sheet whose relationship is missing; a
//     cell reference that is malformed, beyond XFD1048576, in another row than its <row>, or not
//     after the cell before it (rows and cells must come in order, as Excel writes them); a
//     shared-string index out of range; an unknown cell type; a DOCTYPE (OOXML has none); an
//     encrypted entry; a file beyond the ReadLimits.
absl::StatusOr<std::vector<ReadSheet>> ReadXlsx(std::string_view bytes);

// Bounds on what ReadXlsx allocates for a file, which may come from anyone: a zip of a few
// kilobytes can hold gigabytes of XML, and one cell in column XFD makes its row 16,384 cells long.
struct ReadLimits {
  // Each part (a sheet, the shared strings), uncompressed; at most 2 GiB - 1 (what expat takes).
  uint64_t max_part_bytes = uint64_t{256} << 20;
  // What the rows and shared strings may take in all: 32 bytes a cell (counting the empty cells
  // before a row's last), 24 a row, plus the text.
  uint64_t max_result_bytes = uint64_t{512} << 20;
};
absl::StatusOr<std::vector<ReadSheet>> ReadXlsx(std::string_view bytes, const ReadLimits& limits);

// One part of an .xlsx (any zip) file, uncompressed, e.g. ReadXlsxPart(bytes,
// "xl/worksheets/sheet1.xml") to check what WriteXlsx wrote (a frozen pane, merged cells). Part
// names compare without regard to ASCII case, as OPC names do. Errors: INVALID_ARGUMENT when
// `bytes` is not a zip (or the part is encrypted or over ReadLimits' max_part_bytes), NOT_FOUND
// when it lacks the part.
absl::StatusOr<std::string> ReadXlsxPart(std::string_view bytes, std::string_view part);

}  // namespace jieshui::sheet
