#include "table.hpp"

#include <algorithm>
#include <cstddef>
#include <cstdint>

namespace jieshui::cli {
namespace {

// East Asian Wide and Fullwidth ranges (Unicode UAX #11) that occur in enterprise names and
// addresses: Hangul Jamo, CJK radicals to Yi, Hangul syllables, CJK compatibility, fullwidth
// forms, and the supplementary ideographic planes.
bool IsWide(uint32_t c) {
  return (c >= 0x1100 && c <= 0x115F) || (c >= 0x2E80 && c <= 0xA4CF && c != 0x303F) ||
         (c >= 0xAC00 && c <= 0xD7A3) || (c >= 0xF900 && c <= 0xFAFF) ||
         (c >= 0xFE30 && c <= 0xFE4F) || (c >= 0xFF00 && c <= 0xFF60) ||
         (c >= 0xFFE0 && c <= 0xFFE6) || (c >= 0x20000 && c <= 0x3FFFD);
}

void AppendPadded(std::string* out, const std::string& cell, int width, Table::Align align) {
  const auto pad = static_cast<std::size_t>(std::max(0, width - DisplayWidth(cell)));
  if (align == Table::Align::kRight) {
    out->append(pad, ' ');
    out->append(cell);
  } else {
    out->append(cell);
    out->append(pad, ' ');
  }
}

void TrimTrailingSpaces(std::string* line) {
  while (!line->empty() && line->back() == ' ') {
    line->pop_back();
  }
}

}  // namespace

int DisplayWidth(std::string_view text) {
  int width = 0;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    uint32_t code = byte;
    std::size_t length = 1;
    if (byte >= 0xF0) {
      length = 4;
      code = byte & 0x07U;
    } else if (byte >= 0xE0) {
      length = 3;
      code = byte & 0x0FU;
    } else if (byte >= 0xC0) {
      length = 2;
      code = byte & 0x1FU;
    }
    for (std::size_t k = 1; k < length && i + k < text.size(); ++k) {
      code = (code << 6U) | (static_cast<unsigned char>(text[i + k]) & 0x3FU);
    }
    width += IsWide(code) ? 2 : 1;
    i += length;
  }
  return width;
}

void Table::AddRow(std::vector<std::string> cells) {
  cells.resize(columns_.size());
  rows_.push_back(std::move(cells));
}

std::string Table::Render() const {
  std::vector<int> widths;
  widths.reserve(columns_.size());
  for (const Column& column : columns_) {
    widths.push_back(DisplayWidth(column.title));
  }
  for (const auto& row : rows_) {
    for (std::size_t i = 0; i < row.size(); ++i) {
      widths[i] = std::max(widths[i], DisplayWidth(row[i]));
    }
  }
  std::string out;
  auto render_line = [&](auto cell_of) {
    std::string line;
    for (std::size_t i = 0; i < columns_.size(); ++i) {
      if (i > 0) {
        line.append("  ");
      }
      AppendPadded(&line, cell_of(i), widths[i], columns_[i].align);
    }
    TrimTrailingSpaces(&line);
    out.append(line);
    out.push_back('\n');
  };
  render_line([&](std::size_t i) -> const std::string& { return columns_[i].title; });
  for (const auto& row : rows_) {
    render_line([&](std::size_t i) -> const std::string& { return row[i]; });
  }
  return out;
}

std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields) {
  int width = 0;
  for (const auto& [label, value] : fields) {
    width = std::max(width, DisplayWidth(label) + 1);
  }
  std::string out;
  for (const auto& [label, value] : fields) {
    std::string line;
    AppendPadded(&line, label + ":", width, Table::Align::kLeft);
    line.append("  ");
    line.append(value);
    TrimTrailingSpaces(&line);
    out.append(line);
    out.push_back('\n');
  }
  return out;
}

}  // namespace jieshui::cli
