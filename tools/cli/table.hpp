// jieshui-cli: plain-text tables and label/value blocks for terminals, aligned by display width
// (a Chinese character takes two columns).
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace jieshui::cli {

// Columns a terminal needs for `text` (UTF-8): 2 for East Asian wide characters, 1 otherwise.
int DisplayWidth(std::string_view text);

class Table {
 public:
  enum class Align { kLeft, kRight };
  struct Column {
    std::string title;
    Align align = Align::kLeft;
  };

  explicit Table(std::vector<Column> columns) : columns_(std::move(columns)) {}

  // Missing cells are empty; extra cells are dropped.
  void AddRow(std::vector<std::string> cells);
  bool empty() const { return rows_.empty(); }

  // The title row and one line per row, columns two spaces apart, numbers right-aligned, no
  // trailing spaces; each line ends in '\n'.
  std::string Render() const;

 private:
  std::vector<Column> columns_;
  std::vector<std::vector<std::string>> rows_;
};

// "label:  value" lines with the values aligned; each line ends in '\n'.
std::string RenderFields(const std::vector<std::pair<std::string, std::string>>& fields);

}  // namespace jieshui::cli
