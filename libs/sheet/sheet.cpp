// FixedText, CellRef and WriteCsv: what both file formats share, and the CSV writer.
#include "sheet/sheet.hpp"

#include <algorithm>
#include <cstddef>
#include <string>
#include <type_traits>
#include <variant>
#include <vector>

#include "absl/strings/str_cat.h"
#include "csv/csv.hpp"

namespace jieshui::sheet {

std::string FixedText(const Fixed& value) {
  // The magnitude as unsigned, so INT64_MIN has one too.
  const uint64_t magnitude = value.units < 0 ? uint64_t{0} - static_cast<uint64_t>(value.units)
                                             : static_cast<uint64_t>(value.units);
  std::string digits = absl::StrCat(magnitude);
  if (value.scale <= 0) {
    if (magnitude != 0) {
      digits.append(static_cast<std::size_t>(-static_cast<int64_t>(value.scale)), '0');
    }
  } else {
    const auto scale = static_cast<std::size_t>(value.scale);
    if (digits.size() <= scale) {
      digits.insert(0, scale + 1 - digits.size(), '0');
    }
    digits.insert(digits.size() - scale, 1, '.');
  }
  return value.units < 0 ? absl::StrCat("-", digits) : digits;
}

std::string CellRef(int64_t row, int64_t column) {
  std::string letters;
  // Bijective base 26: A..Z, AA..ZZ, AAA...
  for (int64_t n = column + 1; n > 0; n = (n - 1) / 26) {
    letters.insert(letters.begin(), static_cast<char>('A' + (n - 1) % 26));
  }
  return absl::StrCat(letters, row + 1);
}

std::string WriteCsv(const Sheet& sheet) {
  csv::Writer writer(csv::Writer::Options{.utf8_bom = true});
  std::vector<std::string> fields;
  if (!sheet.columns.empty()) {
    fields.reserve(sheet.columns.size());
    for (const Column& column : sheet.columns) {
      fields.push_back(column.group.empty() ? column.header
                                            : absl::StrCat(column.group, " ", column.header));
    }
    writer.WriteRecord(std::span<const std::string>(fields));
  }
  for (const std::vector<Cell>& row : sheet.rows) {
    fields.assign(std::max(row.size(), sheet.columns.size()), std::string());
    for (std::size_t i = 0; i < row.size(); ++i) {
      fields[i] = std::visit(
          [](const auto& cell) -> std::string {
            using T = std::decay_t<decltype(cell)>;
            if constexpr (std::is_same_v<T, std::monostate>) {
              return {};
            } else if constexpr (std::is_same_v<T, std::string>) {
              return cell;
            } else if constexpr (std::is_same_v<T, int64_t>) {
              return absl::StrCat(cell);
            } else {
              return FixedText(cell);
            }
          },
          row[i]);
    }
    writer.WriteRecord(std::span<const std::string>(fields));
  }
  return writer.Release();
}

}  // namespace jieshui::sheet
