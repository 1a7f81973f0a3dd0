#include "value_added_file.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/uscc.hpp"
#include "flag_words.hpp"
#include "report_flags.hpp"
#include "sheet/sheet.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;

enum Column : std::size_t { kUscc = 0, kYear = 1, kValueAdded = 2, kAboveScale = 3 };

std::string_view Trimmed(std::string_view text) {
  const absl::string_view t = absl::StripAsciiWhitespace(Abseil(text));
  return {t.data(), t.size()};
}

// "统一社会信用代码/uscc": the names a column is accepted under, for messages.
std::string Names(const ValueAddedColumn& column) {
  std::vector<std::string> names;
  for (const std::string_view name : column.names) {
    if (!name.empty()) {
      names.emplace_back(name);
    }
  }
  return absl::StrJoin(names, "/");
}

// Where each column is in the header; INVALID_ARGUMENT naming the header's line for a column
// missing or given twice.
absl::Status ReadHeader(const csv::Record& header, ValueAddedFile* file,
                        std::array<std::size_t, 4>* index) {
  std::vector<std::string> missing;
  std::vector<std::string> twice;
  for (std::size_t c = 0; c < kValueAddedColumns.size(); ++c) {
    std::optional<std::size_t> found;
    for (std::size_t i = 0; i < header.fields.size(); ++i) {
      const std::string lower = absl::AsciiStrToLower(Abseil(Trimmed(header.fields[i])));
      for (const std::string_view name : kValueAddedColumns[c].names) {
        if (!name.empty() && lower == name) {
          if (found.has_value()) {
            twice.push_back(absl::StrCat(Abseil(Trimmed(header.fields[*found])), " and ",
                                         Abseil(Trimmed(header.fields[i]))));
          }
          found = i;
        }
      }
    }
    if (!found.has_value()) {
      missing.push_back(Names(kValueAddedColumns[c]));
      continue;
    }
    (*index)[c] = *found;
    file->column_numbers[c] = static_cast<int>(*found) + 1;
    file->column_names[c] = std::string(Trimmed(header.fields[*found]));
  }
  if (missing.empty() && twice.empty()) {
    return absl::OkStatus();
  }
  std::vector<std::string> problems;
  if (!missing.empty()) {
    problems.push_back(absl::StrCat("missing columns: ", absl::StrJoin(missing, ", ")));
  }
  if (!twice.empty()) {
    problems.push_back(
        absl::StrCat("the same column twice: ", absl::StrJoin(twice, "; "), " (keep one)"));
  }
  return absl::InvalidArgumentError(
      absl::StrCat("line ", header.line, ": ", absl::StrJoin(problems, "; ")));
}

class RowReader {
 public:
  RowReader(const ValueAddedFile& file, const std::array<std::size_t, 4>& index,
            const csv::Record& record, std::vector<CellError>* errors)
      : file_(file), index_(index), record_(record), errors_(errors) {}

  std::string_view Cell(Column c) const {
    const std::size_t i = index_[c];
    return i < record_.fields.size() ? Trimmed(record_.fields[i]) : std::string_view();
  }

  void Error(Column c, std::string reason) {
    errors_->push_back(CellError{.line = record_.line,
                                 .column_number = file_.column_numbers[c],
                                 .column = file_.column_names[c],
                                 .reason = std::move(reason)});
    ok_ = false;
  }

  bool ok() const { return ok_; }

 private:
  const ValueAddedFile& file_;
  const std::array<std::size_t, 4>& index_;
  const csv::Record& record_;
  std::vector<CellError>* errors_;
  bool ok_ = true;
};

// 是/否, yes/no, true/false, 1/0 (DOMAIN.md: Statistics supplies the above-scale flag).
std::optional<bool> AboveScale(std::string_view text) {
  const std::string lower = absl::AsciiStrToLower(Abseil(text));
  if (lower == "是" || lower == "yes" || lower == "true" || lower == "1") {
    return true;
  }
  if (lower == "否" || lower == "no" || lower == "false" || lower == "0") {
    return false;
  }
  return std::nullopt;
}

// "uscc: check character expected 9, got B" without its "uscc: ".
std::string WithoutField(std::string_view message, std::string_view field) {
  const std::string prefix = absl::StrCat(Abseil(field), ": ");
  if (absl::StartsWith(Abseil(message), prefix)) {
    message.remove_prefix(prefix.size());
  }
  return std::string(message);
}

// Spreadsheets keep 15 significant digits of a number (IEEE 754 doubles hold 15 exactly).
constexpr std::size_t kSignificantDigits = 15;

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

bool NamesAColumn(const csv::Record& record) {
  for (const std::string& field : record.fields) {
    const std::string lower = absl::AsciiStrToLower(Abseil(Trimmed(field)));
    for (const ValueAddedColumn& column : kValueAddedColumns) {
      for (const std::string_view name : column.names) {
        if (!name.empty() && lower == name) {
          return true;
        }
      }
    }
  }
  return false;
}

bool AllEmpty(const csv::Record& record) {
  for (const std::string& field : record.fields) {
    if (!Trimmed(field).empty()) {
      return false;
    }
  }
  return true;
}

}  // namespace

absl::StatusOr<ValueAddedFile> ParseValueAddedRecords(std::span<const csv::Record> records,
                                                      bool spreadsheet_numbers) {
  if (records.empty()) {
    return absl::InvalidArgumentError("the file is empty: a header row is required");
  }
  // The header is the first row naming a column: title lines above it (a sheet's caption) are
  // skipped.
  std::size_t header = 0;
  while (header < records.size() && !NamesAColumn(records[header])) {
    ++header;
  }
  if (header == records.size()) {
    std::vector<std::string> names;
    names.reserve(kValueAddedColumns.size());
    for (const ValueAddedColumn& column : kValueAddedColumns) {
      names.push_back(Names(column));
    }
    return absl::InvalidArgumentError(
        absl::StrCat("no header row: expected the columns ", absl::StrJoin(names, ", ")));
  }
  ValueAddedFile file;
  std::array<std::size_t, 4> index{};
  if (absl::Status s = ReadHeader(records[header], &file, &index); !s.ok()) {
    return s;
  }
  // The line each enterprise's year was first seen on.
  std::map<std::pair<std::string, int>, int64_t> seen;
  for (const csv::Record& record : records.subspan(header + 1)) {
    if (AllEmpty(record)) {
      continue;  // spreadsheets leave rows of empty cells after the data
    }
    ++file.records;
    RowReader row(file, index, record, &file.errors);
    v1::ValueAddedRow out;
    out.set_line(record.line);

    if (const std::string_view uscc = row.Cell(kUscc); uscc.empty()) {
      row.Error(kUscc, "required");
    } else if (absl::StatusOr<domain::Uscc> parsed = domain::Uscc::Parse(uscc, "uscc");
               !parsed.ok()) {
      // An 18-digit code typed into a number cell is kept as a double, its last digits lost.
      row.Error(kUscc, spreadsheet_numbers && absl::StrContains(Abseil(uscc), "E+")
                           ? absl::StrCat("the cell holds a number (", Abseil(uscc),
                                          "), not the code: format the column as text")
                           : WithoutField(std::string(parsed.status().message()), "uscc"));
    } else {
      out.mutable_uscc()->set_value(parsed->value());
    }

    const std::string year_text =
        spreadsheet_numbers ? SpreadsheetNumber(row.Cell(kYear)) : std::string(row.Cell(kYear));
    const std::string_view year = year_text;
    int year_value = 0;
    bool year_digits = year.size() == 4;
    for (const char c : year) {
      year_digits = year_digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    }
    if (year.empty()) {
      row.Error(kYear, "required");
    } else if (!year_digits || !absl::SimpleAtoi(Abseil(year), &year_value)) {
      row.Error(kYear, absl::StrCat("expected a year YYYY, e.g. 2025; got \"", Abseil(year), "\""));
    } else {
      out.set_year(year_value);
    }

    const std::string wan_text = spreadsheet_numbers ? SpreadsheetNumber(row.Cell(kValueAdded))
                                                     : std::string(row.Cell(kValueAdded));
    if (const std::string_view wan = wan_text; wan.empty()) {
      row.Error(kValueAdded, "required");
    } else if (absl::StatusOr<int64_t> fen = ParseWanYuan(wan); !fen.ok()) {
      row.Error(kValueAdded, std::string(fen.status().message()));
    } else {
      out.mutable_value_added()->set_fen(*fen);
    }

    const std::string_view above = row.Cell(kAboveScale);
    if (const std::optional<bool> flag = AboveScale(above); !flag.has_value()) {
      row.Error(kAboveScale, above.empty()
                                 ? std::string("required: 是 or 否 (yes/no, true/false, 1/0)")
                                 : absl::StrCat("expected 是 or 否 (yes/no, true/false, "
                                                "1/0); got \"",
                                                Abseil(above), "\""));
    } else {
      out.set_above_scale(*flag);
    }

    if (row.ok()) {
      const auto [at, inserted] =
          seen.emplace(std::make_pair(out.uscc().value(), out.year()), record.line);
      if (!inserted) {
        row.Error(kUscc, absl::StrCat(out.uscc().value(), " for ", out.year(),
                                      " is already on line ", at->second));
      }
    }
    if (row.ok()) {
      file.rows.push_back(std::move(out));
    } else {
      ++file.rejected;
    }
  }
  return file;
}

absl::StatusOr<ValueAddedFile> ParseValueAddedCsv(std::string_view text) {
  absl::StatusOr<std::vector<csv::Record>> records = csv::Reader::ReadAll(text);
  if (!records.ok()) {
    return records.status();
  }
  return ParseValueAddedRecords(*records, /*spreadsheet_numbers=*/false);
}

absl::StatusOr<ValueAddedFile> ParseValueAddedXlsx(std::string_view bytes) {
  absl::StatusOr<std::vector<sheet::ReadSheet>> sheets = sheet::ReadXlsx(bytes);
  if (!sheets.ok()) {
    return sheets.status();
  }
  if (sheets->empty()) {
    return absl::InvalidArgumentError("the workbook has no sheet");
  }
  // The first sheet; row index i is the sheet's row i + 1.
  std::vector<csv::Record> records;
  records.reserve(sheets->front().rows.size());
  for (std::size_t i = 0; i < sheets->front().rows.size(); ++i) {
    records.push_back(csv::Record{.line = static_cast<int64_t>(i) + 1,
                                  .fields = std::move(sheets->front().rows[i])});
  }
  return ParseValueAddedRecords(records, /*spreadsheet_numbers=*/true);
}

std::string SpreadsheetNumber(std::string_view text) {
  // [-]digits[.digits][E[+|-]digits]
  std::string_view rest = text;
  const bool negative = !rest.empty() && rest.front() == '-';
  if (negative) {
    rest.remove_prefix(1);
  }
  const std::size_t e = rest.find_first_of("eE");
  const std::string_view mantissa = rest.substr(0, e);
  int exponent = 0;
  if (e != std::string_view::npos) {
    std::string_view exp_text = rest.substr(e + 1);
    const bool exp_negative = !exp_text.empty() && exp_text.front() == '-';
    if (!exp_text.empty() && (exp_text.front() == '+' || exp_text.front() == '-')) {
      exp_text.remove_prefix(1);
    }
    if (exp_text.empty() || exp_text.size() > 2 || !AllDigits(exp_text) ||
        !absl::SimpleAtoi(Abseil(exp_text), &exponent)) {
      return std::string(text);
    }
    exponent = exp_negative ? -exponent : exponent;
  }
  const std::size_t dot = mantissa.find('.');
  const std::string_view whole = mantissa.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
  if (whole.empty() || !AllDigits(whole) || !AllDigits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return std::string(text);
  }
  // value = digits × 10^exponent, digits without leading zeros.
  std::string digits = absl::StrCat(Abseil(whole), Abseil(fraction));
  exponent -= static_cast<int>(fraction.size());
  digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
  if (digits.size() > kSignificantDigits) {
    // Rounded half away from zero at the 15th significant digit, as a spreadsheet shows it.
    const bool up = digits[kSignificantDigits] >= '5';
    exponent += static_cast<int>(digits.size() - kSignificantDigits);
    digits.resize(kSignificantDigits);
    for (std::size_t i = digits.size(); up && i-- > 0;) {
      if (digits[i] == '9') {
        digits[i] = '0';
        if (i == 0) {
          digits.insert(digits.begin(), '1');
        }
      } else {
        ++digits[i];
        break;
      }
    }
  }
  std::string plain;
  if (exponent >= 0) {
    plain = digits + std::string(static_cast<std::size_t>(exponent), '0');
  } else {
    const std::size_t decimals = static_cast<std::size_t>(-exponent);
    if (digits.size() <= decimals) {
      digits.insert(0, decimals - digits.size() + 1, '0');
    }
    plain = absl::StrCat(Abseil(std::string_view(digits).substr(0, digits.size() - decimals)), ".",
                         Abseil(std::string_view(digits).substr(digits.size() - decimals)));
    while (plain.back() == '0') {
      plain.pop_back();
    }
    if (plain.back() == '.') {
      plain.pop_back();
    }
  }
  return negative && plain != "0" ? absl::StrCat("-", plain) : plain;
}

CellError FileCellError(const ValueAddedFile& file, const v1::RowError& error) {
  for (std::size_t c = 0; c < kValueAddedColumns.size(); ++c) {
    if (kValueAddedColumns[c].api == error.column() && file.column_numbers[c] != 0) {
      return CellError{.line = error.line(),
                       .column_number = file.column_numbers[c],
                       .column = file.column_names[c],
                       .reason = error.reason()};
    }
  }
  return CellError{.line = error.line(),
                   .column_number = 0,
                   .column = "",
                   .reason = error.column().empty()
                                 ? error.reason()
                                 : absl::StrCat(error.column(), ": ", error.reason())};
}

}  // namespace jieshui::cli
