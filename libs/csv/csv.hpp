// RFC 4180 CSV for the files people exchange with the platform: registers imported from
// spreadsheets and lists exported for them. Records remember the file line they start on.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/statusor.h"

namespace jieshui::csv {

// One record (row) of a CSV file.
struct Record {
  // 1-based line of the file the record starts on, counting every line break, including those
  // inside quoted fields and blank lines, so "line 7" is what an editor shows as line 7.
  int64_t line = 0;
  std::vector<std::string> fields;
};

// Parses CSV text held whole in memory (RFC 4180, section 2, read leniently where files from
// spreadsheet programs differ):
//   - fields are separated by ',' and records by CRLF, LF or a lone CR;
//   - a field in double quotes may hold ',', line breaks and doubled quotes ("" for ");
//   - a UTF-8 byte order mark at the very start is skipped (Excel writes one);
//   - blank lines (nothing between two line breaks) hold no record and are skipped, which also
//     drops the empty line after a final line break; they still count for line numbers;
//   - records may have different numbers of fields; Header and the caller decide what that means.
// Errors are INVALID_ARGUMENT naming the line: an unterminated quoted field, a quote inside an
// unquoted field, or text after a closing quote.
class Reader {
 public:
  // `text` must outlive the reader.
  explicit Reader(std::string_view text);

  // The next record, std::nullopt at the end of the text. After an error the reader stays at the
  // end: the rest of the text cannot be split reliably.
  absl::StatusOr<std::optional<Record>> Next();

  // Every record of `text`, or the first error.
  static absl::StatusOr<std::vector<Record>> ReadAll(std::string_view text);

 private:
  std::string_view text_;
  std::size_t pos_ = 0;
  int64_t line_ = 1;
};

// The columns a file is expected to have. Names are compared trimmed and case-insensitively.
struct ColumnSpec {
  // Every accepted column name; empty accepts any name.
  std::span<const std::string_view> known;
  // Columns that must be present in the header.
  std::span<const std::string_view> required;
};

// The header record of a file: maps column names (trimmed, lowercase) to their indexes.
class Header {
 public:
  // Checks `header` against `spec`. One INVALID_ARGUMENT lists every problem found, e.g.
  // "line 1: unknown columns: colour, size; duplicate columns: name; missing required columns:
  // uscc"; a column with an empty name is reported by its 1-based position.
  static absl::StatusOr<Header> Parse(const Record& header, const ColumnSpec& spec);
  // Reads the first record of `reader` and parses it as above; a file without any record is
  // INVALID_ARGUMENT "the file is empty: a header row is required".
  static absl::StatusOr<Header> Read(Reader& reader, const ColumnSpec& spec);

  // The 0-based index of column `name` (any case), or std::nullopt if the file lacks it.
  std::optional<std::size_t> Index(std::string_view name) const;
  bool Has(std::string_view name) const { return Index(name).has_value(); }
  // The cell of `record` in column `name`; empty when the file lacks the column or the record is
  // shorter than the header. Not trimmed.
  std::string_view Cell(const Record& record, std::string_view name) const;
  // Number of columns in the header.
  std::size_t size() const { return size_; }
  // The file line the header record starts on.
  int64_t line() const { return line_; }

 private:
  absl::flat_hash_map<std::string, std::size_t> index_;
  std::size_t size_ = 0;
  int64_t line_ = 0;
};

// Builds CSV text: CRLF after every record (RFC 4180, section 2.1), fields quoted only when they
// need it, and optionally a UTF-8 byte order mark first, without which Excel reads UTF-8 as the
// local code page and garbles Chinese headers.
class Writer {
 public:
  struct Options {
    bool utf8_bom = false;
  };

  Writer() : Writer(Options{}) {}
  explicit Writer(Options options);

  void WriteRecord(std::initializer_list<std::string_view> fields);
  void WriteRecord(std::span<const std::string_view> fields);
  void WriteRecord(std::span<const std::string> fields);

  // The text written so far.
  const std::string& text() const { return text_; }
  // Moves the text out; the writer is empty afterwards (no BOM is written again).
  std::string Release();

  // `field` as it appears in a record: in double quotes with inner quotes doubled if it holds a
  // comma, a quote, CR or LF, or starts or ends with a space or tab (which spreadsheet programs
  // would otherwise trim); as is otherwise.
  static std::string FormatField(std::string_view field);

 private:
  void AppendField(std::string_view field, bool first, bool only);
  void EndRecord();

  std::string text_;
};

}  // namespace jieshui::csv
