// WriteXlsx: a Workbook through libxlsxwriter 1.1, which writes only to a file path, so the file
// is a private temporary one, read back and removed.
#include <fcntl.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <utility>
#include <variant>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "sheet/sheet.hpp"
#include "strings/view.hpp"
#include "xlsxwriter.h"

namespace jieshui::sheet {
namespace {

using strings::Av;

constexpr int kMaxScale = 6;
// Beyond 2^53 not every integer is a double, and a spreadsheet number is a double.
constexpr int64_t kMaxExact = int64_t{1} << 53;
// Excel's limits (Excel specifications and limits: worksheet size, sheet name length).
constexpr std::size_t kMaxRows = 1048576;
constexpr std::size_t kMaxColumns = 16384;
constexpr std::size_t kMaxSheetName = 31;
constexpr double kMaxWidth = 255;
// Points: the default row is 15 for 11-point text; the first title line is 14-point.
constexpr double kFirstTitleFontSize = 14;
constexpr double kFirstTitleRowHeight = 20;
constexpr lxw_color_t kHeaderShade = 0xD9D9D9;  // light grey, prints well in black and white
constexpr std::array<const char*, kMaxScale + 1> kFixedFormats = {
    "#,##0", "#,##0.0", "#,##0.00", "#,##0.000", "#,##0.0000", "#,##0.00000", "#,##0.000000"};

// The length of `text` in UTF-16 code units (what Excel counts), or std::nullopt if it is not
// UTF-8 (overlong forms, surrogates and code points above U+10FFFF are not).
std::optional<std::size_t> Utf16Length(std::string_view text) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < text.size();) {
    const auto lead = static_cast<unsigned char>(text[i]);
    std::size_t length = 0;
    char32_t code = 0;
    if (lead < 0x80) {
      length = 1;
      code = lead;
    } else if (lead >= 0xC2 && lead <= 0xDF) {
      length = 2;
      code = lead & 0x1FU;
    } else if (lead >= 0xE0 && lead <= 0xEF) {
      length = 3;
      code = lead & 0x0FU;
    } else if (lead >= 0xF0 && lead <= 0xF4) {
      length = 4;
      code = lead & 0x07U;
    } else {
      return std::nullopt;
    }
    if (i + length > text.size()) {
      return std::nullopt;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if ((next & 0xC0U) != 0x80U) {
        return std::nullopt;
      }
      code = (code << 6U) | (next & 0x3FU);
    }
    const bool overlong = (length == 3 && code < 0x800) || (length == 4 && code < 0x10000);
    if (overlong || (code >= 0xD800 && code <= 0xDFFF) || code > 0x10FFFF) {
      return std::nullopt;
    }
    units += code >= 0x10000 ? 2 : 1;
    i += length;
  }
  return units;
}

// "A", "B", ..., "AA": the column's letters in a cell reference.
std::string ColumnLetters(std::size_t column) {
  std::string ref = CellRef(0, static_cast<int64_t>(column));
  ref.pop_back();  // the row, "1"
  return ref;
}

// `text` as an ECMA-376 ST_Xstring: "_xHHHH_" in a cell's text means the character U+HHHH to
// Excel (and to ReadXlsx), so a literal one has its underscore escaped as "_x005F_".
// libxlsxwriter escapes control characters that way but not a literal "_xHHHH_".
std::string EscapeXstring(const std::string& text) {
  auto is_escape = [&](std::size_t at) {
    if (at + 7 > text.size() || text[at + 1] != 'x' || text[at + 6] != '_') {
      return false;
    }
    for (std::size_t k = at + 2; k < at + 6; ++k) {
      if (!absl::ascii_isxdigit(static_cast<unsigned char>(text[k]))) {
        return false;
      }
    }
    return true;
  };
  std::string escaped;
  std::size_t done = 0;
  for (std::size_t at = text.find('_'); at != std::string::npos; at = text.find('_', at + 1)) {
    if (is_escape(at)) {
      escaped.append(text, done, at - done).append("_x005F");
      done = at;
    }
  }
  if (escaped.empty()) {
    return text;
  }
  return escaped.append(text, done, std::string::npos);
}

// worksheet_write_string for text CheckText accepted.
lxw_error WriteText(lxw_worksheet* worksheet, lxw_row_t row, lxw_col_t col, const std::string& text,
                    lxw_format* format) {
  return worksheet_write_string(worksheet, row, col, EscapeXstring(text).c_str(), format);
}

std::string SheetLabel(const Sheet& sheet) { return absl::StrCat("sheet \"", sheet.name, "\""); }

absl::Status Invalid(const Sheet& sheet, std::string_view what) {
  return absl::InvalidArgumentError(absl::StrCat(SheetLabel(sheet), ": ", Av(what)));
}

// A libxlsxwriter error while doing `what`: INVALID_ARGUMENT where the input broke one of
// Excel's limits, INTERNAL otherwise.
absl::Status LxwStatus(lxw_error error, std::string_view where, std::string_view what) {
  const std::string message =
      absl::StrCat(Av(where), ": ", Av(what), ": libxlsxwriter: ", lxw_strerror(error));
  switch (error) {
    case LXW_ERROR_SHEETNAME_LENGTH_EXCEEDED:
    case LXW_ERROR_INVALID_SHEETNAME_CHARACTER:
    case LXW_ERROR_SHEETNAME_START_END_APOSTROPHE:
    case LXW_ERROR_SHEETNAME_ALREADY_USED:
    case LXW_ERROR_MAX_STRING_LENGTH_EXCEEDED:
    case LXW_ERROR_WORKSHEET_INDEX_OUT_OF_RANGE:
      return absl::InvalidArgumentError(message);
    default:
      return absl::InternalError(message);
  }
}

// Text checks libxlsxwriter does not make: it takes a C string and copies bytes into the XML.
absl::Status CheckText(const Sheet& sheet, std::string_view where, std::string_view text) {
  if (text.find('\0') != std::string_view::npos) {
    return Invalid(sheet, absl::StrCat(Av(where), ": the text holds a NUL character"));
  }
  if (!Utf16Length(text).has_value()) {
    return Invalid(sheet, absl::StrCat(Av(where), ": the text is not UTF-8"));
  }
  return absl::OkStatus();
}

absl::Status CheckSheetName(const Sheet& sheet, std::set<std::string>& names_seen) {
  const std::string_view name = sheet.name;
  if (name.empty()) {
    return absl::InvalidArgumentError("a sheet has an empty name");
  }
  if (absl::Status s = CheckText(sheet, "the name", name); !s.ok()) {
    return s;
  }
  if (std::size_t length = *Utf16Length(name); length > kMaxSheetName) {
    return Invalid(sheet, absl::StrCat("the name is ", length, " characters long; Excel allows ",
                                       kMaxSheetName));
  }
  if (std::size_t bad = name.find_first_of("[]:*?/\\"); bad != std::string_view::npos) {
    return Invalid(sheet, absl::StrCat("the name holds '", Av(name.substr(bad, 1)),
                                       "', which Excel does not allow ([]:*?/\\)"));
  }
  if (name.front() == '\'' || name.back() == '\'') {
    return Invalid(sheet, "the name starts or ends with an apostrophe, which Excel does not allow");
  }
  std::string folded = absl::AsciiStrToLower(std::string(name));
  if (folded == "history") {
    return Invalid(sheet, "\"History\" is a name Excel reserves");
  }
  if (!names_seen.insert(std::move(folded)).second) {
    return Invalid(sheet, "another sheet has this name (names are compared ignoring case)");
  }
  return absl::OkStatus();
}

bool HasGroups(const Sheet& sheet) {
  for (const Column& column : sheet.columns) {
    if (!column.group.empty()) {
      return true;
    }
  }
  return false;
}

// Everything WriteXlsx refuses about `sheet` before libxlsxwriter sees it, so that nothing is
// half-written when the input is wrong.
absl::Status CheckSheet(const Sheet& sheet, std::size_t first_data_row) {
  if (sheet.columns.size() > kMaxColumns) {
    return Invalid(sheet,
                   absl::StrCat(sheet.columns.size(), " columns; Excel allows ", kMaxColumns));
  }
  if (sheet.rows.size() > kMaxRows - first_data_row) {
    return Invalid(sheet,
                   absl::StrCat(first_data_row + sheet.rows.size(),
                                " rows with the title and headers; Excel allows ", kMaxRows));
  }
  for (std::size_t i = 0; i < sheet.title.size(); ++i) {
    if (absl::Status s = CheckText(sheet, absl::StrCat("title line ", i + 1), sheet.title[i]);
        !s.ok()) {
      return s;
    }
  }
  for (std::size_t c = 0; c < sheet.columns.size(); ++c) {
    const Column& column = sheet.columns[c];
    const std::string where = absl::StrCat("column ", ColumnLetters(c));
    if (absl::Status s = CheckText(sheet, absl::StrCat(where, " header"), column.header); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckText(sheet, absl::StrCat(where, " group"), column.group); !s.ok()) {
      return s;
    }
    if (!(column.width > 0 && column.width <= kMaxWidth)) {
      return Invalid(sheet, absl::StrCat(where, " (\"", column.header, "\"): width ", column.width,
                                         " is not in (0, ", kMaxWidth, "]"));
    }
  }
  for (std::size_t r = 0; r < sheet.rows.size(); ++r) {
    const std::vector<Cell>& row = sheet.rows[r];
    const auto sheet_row = static_cast<int64_t>(first_data_row + r);
    if (row.size() > sheet.columns.size()) {
      return Invalid(sheet, absl::StrCat("data row ", r + 1, " (spreadsheet row ", sheet_row + 1,
                                         ") has ", row.size(), " cells but the sheet has ",
                                         sheet.columns.size(), " columns"));
    }
    for (std::size_t c = 0; c < row.size(); ++c) {
      const std::string where = absl::StrCat("cell ", CellRef(sheet_row, static_cast<int64_t>(c)));
      if (const auto* text = std::get_if<std::string>(&row[c])) {
        if (absl::Status s = CheckText(sheet, where, *text); !s.ok()) {
          return s;
        }
      } else if (const auto* whole = std::get_if<int64_t>(&row[c])) {
        if (*whole > kMaxExact || *whole < -kMaxExact) {
          return Invalid(sheet, absl::StrCat(where, ": ", *whole,
                                             " is beyond ±2^53, where a spreadsheet number is "
                                             "no longer exact"));
        }
      } else if (const auto* fixed = std::get_if<Fixed>(&row[c])) {
        if (fixed->scale < 0 || fixed->scale > kMaxScale) {
          return Invalid(
              sheet, absl::StrCat(where, ": scale ", fixed->scale, " is not in 0..", kMaxScale));
        }
        if (fixed->units > kMaxExact || fixed->units < -kMaxExact) {
          return Invalid(sheet, absl::StrCat(where, ": ", FixedText(*fixed),
                                             " has more than 2^53 units, where a spreadsheet "
                                             "number is no longer exact"));
        }
      }
    }
  }
  return absl::OkStatus();
}

// The workbook's formats; libxlsxwriter owns them and frees them with the workbook.
struct Formats {
  lxw_format* first_title = nullptr;
  lxw_format* title = nullptr;
  lxw_format* header = nullptr;
  lxw_format* whole = nullptr;
  std::array<lxw_format*, kMaxScale + 1> fixed{};
};

absl::StatusOr<Formats> AddFormats(lxw_workbook* workbook) {
  Formats formats;
  auto add = [&](lxw_format** format) {
    *format = workbook_add_format(workbook);
    return *format != nullptr;
  };
  if (!add(&formats.first_title) || !add(&formats.title) || !add(&formats.header) ||
      !add(&formats.whole)) {
    return absl::InternalError("libxlsxwriter: cannot add a format");
  }
  format_set_bold(formats.first_title);
  format_set_font_size(formats.first_title, kFirstTitleFontSize);
  format_set_bold(formats.title);
  format_set_bold(formats.header);
  format_set_pattern(formats.header, LXW_PATTERN_SOLID);
  format_set_bg_color(formats.header, kHeaderShade);
  format_set_border(formats.header, LXW_BORDER_THIN);
  format_set_align(formats.header, LXW_ALIGN_CENTER);
  format_set_align(formats.header, LXW_ALIGN_VERTICAL_CENTER);
  format_set_text_wrap(formats.header);
  format_set_num_format(formats.whole, kFixedFormats[0]);
  for (std::size_t s = 0; s < formats.fixed.size(); ++s) {
    if (!add(&formats.fixed[s])) {
      return absl::InternalError("libxlsxwriter: cannot add a format");
    }
    format_set_num_format(formats.fixed[s], kFixedFormats[s]);
  }
  return formats;
}

constexpr std::array<double, kMaxScale + 1> kPowersOfTen = {1, 10, 100, 1e3, 1e4, 1e5, 1e6};

// Writes a sheet CheckSheet accepted.
absl::Status WriteSheet(lxw_workbook* workbook, const Formats& formats, const Sheet& sheet) {
  const std::string label = SheetLabel(sheet);
  lxw_worksheet* worksheet = workbook_add_worksheet(workbook, sheet.name.c_str());
  if (worksheet == nullptr) {
    return absl::InternalError(absl::StrCat(label, ": libxlsxwriter cannot add the worksheet"));
  }
  auto check = [&](lxw_error error, lxw_row_t at_row, lxw_col_t at_col) -> absl::Status {
    if (error == LXW_NO_ERROR) {
      return absl::OkStatus();
    }
    return LxwStatus(error, label, absl::StrCat("writing cell ", CellRef(at_row, at_col)));
  };

  lxw_row_t row = 0;
  for (std::size_t i = 0; i < sheet.title.size(); ++i, ++row) {
    if (i == 0) {
      if (lxw_error e = worksheet_set_row(worksheet, row, kFirstTitleRowHeight, nullptr);
          e != LXW_NO_ERROR) {
        return LxwStatus(e, label, "setting the first title line's height");
      }
    }
    if (sheet.title[i].empty()) {
      continue;
    }
    if (absl::Status s = check(WriteText(worksheet, row, 0, sheet.title[i],
                                         i == 0 ? formats.first_title : formats.title),
                               row, 0);
        !s.ok()) {
      return s;
    }
  }

  const std::size_t columns = sheet.columns.size();
  if (HasGroups(sheet)) {
    for (std::size_t first = 0; first < columns;) {
      const std::string& group = sheet.columns[first].group;
      std::size_t end = first + 1;
      while (end < columns && sheet.columns[end].group == group) {
        ++end;
      }
      const auto col = static_cast<lxw_col_t>(first);
      const auto last = static_cast<lxw_col_t>(end - 1);
      lxw_error error = LXW_NO_ERROR;
      if (group.empty()) {
        for (lxw_col_t c = col; c <= last && error == LXW_NO_ERROR; ++c) {
          error = worksheet_write_blank(worksheet, row, c, formats.header);
        }
      } else if (last > col) {
        error = worksheet_merge_range(worksheet, row, col, row, last, EscapeXstring(group).c_str(),
                                      formats.header);
      } else {
        error = WriteText(worksheet, row, col, group, formats.header);
      }
      if (absl::Status s = check(error, row, col); !s.ok()) {
        return s;
      }
      first = end;
    }
    ++row;
  }

  if (columns > 0) {
    for (std::size_t c = 0; c < columns; ++c) {
      const Column& column = sheet.columns[c];
      const auto col = static_cast<lxw_col_t>(c);
      if (lxw_error e = worksheet_set_column(worksheet, col, col, column.width, nullptr);
          e != LXW_NO_ERROR) {
        return LxwStatus(e, label, absl::StrCat("setting the width of column ", c + 1));
      }
      if (absl::Status s =
              check(WriteText(worksheet, row, col, column.header, formats.header), row, col);
          !s.ok()) {
        return s;
      }
    }
    ++row;
  }

  if (row > 0) {
    worksheet_freeze_panes(worksheet, row, 0);
  }

  for (const std::vector<Cell>& cells : sheet.rows) {
    for (std::size_t c = 0; c < cells.size(); ++c) {
      const auto col = static_cast<lxw_col_t>(c);
      lxw_error error = LXW_NO_ERROR;
      if (const auto* text = std::get_if<std::string>(&cells[c])) {
        if (!text->empty()) {
          error = WriteText(worksheet, row, col, *text, nullptr);
        }
      } else if (const auto* whole = std::get_if<int64_t>(&cells[c])) {
        error =
            worksheet_write_number(worksheet, row, col, static_cast<double>(*whole), formats.whole);
      } else if (const auto* fixed = std::get_if<Fixed>(&cells[c])) {
        // units ≤ 2^53 is an exact double; one division rounds once, to the double nearest the
        // decimal, which libxlsxwriter prints back as that decimal.
        const double value = static_cast<double>(fixed->units) /
                             kPowersOfTen[static_cast<std::size_t>(fixed->scale)];
        error = worksheet_write_number(worksheet, row, col, value,
                                       formats.fixed[static_cast<std::size_t>(fixed->scale)]);
      }
      if (absl::Status s = check(error, row, col); !s.ok()) {
        return s;
      }
    }
    ++row;
  }
  return absl::OkStatus();
}

// A file made with mkstemp, removed when this goes out of scope.
class TemporaryFile {
 public:
  TemporaryFile() = default;
  TemporaryFile(const TemporaryFile&) = delete;
  TemporaryFile& operator=(const TemporaryFile&) = delete;
  ~TemporaryFile() {
    if (!path_.empty()) {
      ::unlink(path_.c_str());
    }
  }

  absl::Status Create() {
    const char* env = std::getenv("TMPDIR");
    dir_ = env != nullptr && *env != '\0' ? env : "/tmp";
    std::string path = absl::StrCat(dir_, "/jieshui-sheet-XXXXXX");
    const int fd = ::mkstemp(path.data());
    if (fd < 0) {
      return absl::InternalError(
          absl::StrCat("cannot create a temporary file in ", dir_, ": ", std::strerror(errno)));
    }
    path_ = std::move(path);
    if (::close(fd) != 0) {
      return absl::InternalError(
          absl::StrCat("cannot close the temporary file ", path_, ": ", std::strerror(errno)));
    }
    return absl::OkStatus();
  }

  absl::StatusOr<std::string> Read() const {
    const int fd = ::open(path_.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
      return absl::InternalError(
          absl::StrCat("cannot open the temporary file ", path_, ": ", std::strerror(errno)));
    }
    std::string bytes;
    std::array<char, 1 << 16> buffer{};
    while (true) {
      const ssize_t n = ::read(fd, buffer.data(), buffer.size());
      if (n < 0 && errno == EINTR) {
        continue;
      }
      if (n < 0) {
        const int error = errno;
        ::close(fd);
        return absl::InternalError(
            absl::StrCat("cannot read the temporary file ", path_, ": ", std::strerror(error)));
      }
      if (n == 0) {
        break;
      }
      bytes.append(buffer.data(), static_cast<std::size_t>(n));
    }
    ::close(fd);
    return bytes;
  }

  const std::string& path() const { return path_; }
  // The directory it is in, as libxlsxwriter's options take it (for its own temporary files).
  std::string& dir() { return dir_; }

 private:
  std::string path_;
  std::string dir_;
};

}  // namespace

absl::StatusOr<std::string> WriteXlsx(const Workbook& workbook) {
  if (workbook.sheets.empty()) {
    return absl::InvalidArgumentError("a workbook needs at least one sheet");
  }
  std::set<std::string> names_seen;
  for (const Sheet& sheet : workbook.sheets) {
    if (absl::Status s = CheckSheetName(sheet, names_seen); !s.ok()) {
      return s;
    }
    const std::size_t first_data_row =
        sheet.title.size() + (HasGroups(sheet) ? 1 : 0) + (sheet.columns.empty() ? 0 : 1);
    if (absl::Status s = CheckSheet(sheet, first_data_row); !s.ok()) {
      return s;
    }
  }

  TemporaryFile file;
  if (absl::Status s = file.Create(); !s.ok()) {
    return s;
  }
  // Not constant_memory: merged ranges and frozen panes need the whole sheet in memory.
  lxw_workbook_options options = {
      .constant_memory = LXW_FALSE, .tmpdir = file.dir().data(), .use_zip64 = LXW_FALSE};
  std::unique_ptr<lxw_workbook, decltype(&lxw_workbook_free)> book(
      workbook_new_opt(file.path().c_str(), &options), &lxw_workbook_free);
  if (book == nullptr) {
    return absl::InternalError("libxlsxwriter cannot create a workbook");
  }
  absl::StatusOr<Formats> formats = AddFormats(book.get());
  if (!formats.ok()) {
    return formats.status();
  }
  for (const Sheet& sheet : workbook.sheets) {
    if (absl::Status s = WriteSheet(book.get(), *formats, sheet); !s.ok()) {
      return s;
    }
  }
  // workbook_close frees the workbook whatever it returns.
  if (lxw_error e = workbook_close(book.release()); e != LXW_NO_ERROR) {
    return LxwStatus(e, "workbook", "writing the file");
  }
  return file.Read();
}

}  // namespace jieshui::sheet
