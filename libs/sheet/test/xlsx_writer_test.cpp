#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sheet/sheet.hpp"

namespace jieshui::sheet {
namespace {

using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

using Rows = std::vector<std::vector<std::string>>;

Sheet OneColumn(std::string name) {
  return Sheet{.name = std::move(name), .columns = {{.header = "名称"}}};
}

// Two sheets as an export has them: title lines, year groups over some columns, Chinese text,
// whole numbers and exact decimals of scales 0, 2 and 3, empty cells, negative values.
Workbook WaterBook() {
  Sheet intake{
      .name = "取水",
      .title = {"吴中区重点用水企业取水量", "截至 2023-12-31"},
      .columns = {{.header = "企业名称", .width = 30},
                  {.header = "取水量(m³)", .group = "2023年"},
                  {.header = "目标(%)", .group = "2023年"},
                  {.header = "取水量(m³)", .group = "2024年", .width = 14},
                  {.header = "户数", .width = 6}},
      .rows = {
          {std::string("苏州某某纺织有限公司"), Fixed{.units = 1234567, .scale = 3},
           Fixed{.units = -5, .scale = 2}, Fixed{.units = 0, .scale = 3}, int64_t{12}},
          {std::string("Acme, Ltd \"甲\"\r\n第二行"), Fixed{.units = -123450, .scale = 2},
           std::monostate{}, Fixed{.units = 150, .scale = 0}, int64_t{-3}},
          {std::monostate{}, std::string(), std::monostate{}, std::monostate{}, int64_t{0}},
          {},
          {std::string("_x0041_ 与 \x01")},
          {std::monostate{}},
      }};
  Sheet totals{.name = "汇总",
               .columns = {{.header = "项目"}, {.header = "金额(元)", .width = 20}},
               .rows = {{std::string("合计"), Fixed{.units = 123456789, .scale = 2}},
                        {std::string("最大"), int64_t{1} << 53},
                        {std::string("最小"), -(int64_t{1} << 53)}}};
  return Workbook{.sheets = {intake, totals}};
}

TEST(WriteXlsxTest, ReadsBackCellByCell) {
  absl::StatusOr<std::string> bytes = WriteXlsx(WaterBook());
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<std::vector<ReadSheet>> book = ReadXlsx(*bytes);
  ASSERT_TRUE(book.ok()) << book.status();
  ASSERT_EQ(book->size(), 2U);

  EXPECT_EQ((*book)[0].name, "取水");
  EXPECT_EQ((*book)[0].rows,
            (Rows{{"吴中区重点用水企业取水量"},
                  {"截至 2023-12-31"},
                  // The group row: A3 blank, 2023年 merged over B3:C3, 2024年 in D3 alone (E3 is a
                  // blank shaded cell, so the row ends at D).
                  {"", "2023年", "", "2024年"},
                  {"企业名称", "取水量(m³)", "目标(%)", "取水量(m³)", "户数"},
                  // 1234567 L is 1234.567 m³, -5 at scale 2 is -0.05, 0 at scale 3 is the number 0.
                  {"苏州某某纺织有限公司", "1234.567", "-0.05", "0", "12"},
                  {"Acme, Ltd \"甲\"\r\n第二行", "-1234.5", "", "150", "-3"},
                  // Empty text is an empty cell, as monostate is.
                  {"", "", "", "", "0"},
                  {},
                  // A literal "_x0041_" stays literal; a control character survives.
                  {"_x0041_ 与 \x01"}}));
  // The last row, all empty, is not in the file at all.

  EXPECT_EQ((*book)[1].name, "汇总");
  EXPECT_EQ((*book)[1].rows, (Rows{{"项目", "金额(元)"},
                                   {"合计", "1234567.89"},
                                   {"最大", "9007199254740992"},
                                   {"最小", "-9007199254740992"}}));
  EXPECT_EQ((*book)[1].At(1, 1), "1234567.89");
  EXPECT_EQ((*book)[1].At(1, 5), "");
  EXPECT_EQ((*book)[1].At(9, 0), "");
}

TEST(WriteXlsxTest, FreezesEveryRowAboveTheDataAndMergesGroups) {
  absl::StatusOr<std::string> bytes = WriteXlsx(WaterBook());
  ASSERT_TRUE(bytes.ok()) << bytes.status();

  absl::StatusOr<std::string> intake = ReadXlsxPart(*bytes, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(intake.ok()) << intake.status();
  // Two title lines, the group row and the header: the data start in row 5.
  EXPECT_THAT(*intake, HasSubstr("<pane ySplit=\"4\" topLeftCell=\"A5\" activePane=\"bottomLeft\" "
                                 "state=\"frozen\"/>"));
  EXPECT_THAT(*intake,
              HasSubstr("<mergeCells count=\"1\"><mergeCell ref=\"B3:C3\"/></mergeCells>"));
  // Widths in characters (Excel stores them with its padding of 5 pixels, 0.71 of a character).
  EXPECT_THAT(*intake,
              HasSubstr("<col min=\"1\" max=\"1\" width=\"30.7109375\" customWidth=\"1\"/>"));
  EXPECT_THAT(*intake,
              HasSubstr("<col min=\"2\" max=\"2\" width=\"12.7109375\" customWidth=\"1\"/>"));
  // The first title line's row is taller for its larger font.
  EXPECT_THAT(*intake, HasSubstr("<row r=\"1\" spans=\"1:5\" ht=\"20\" customHeight=\"1\">"));

  absl::StatusOr<std::string> totals = ReadXlsxPart(*bytes, "xl/worksheets/sheet2.xml");
  ASSERT_TRUE(totals.ok()) << totals.status();
  EXPECT_THAT(*totals, HasSubstr("<pane ySplit=\"1\" topLeftCell=\"A2\""));
  EXPECT_THAT(*totals, Not(HasSubstr("<mergeCell")));

  // Number formats: whole numbers, and one per scale used (here 3 and 2).
  absl::StatusOr<std::string> styles = ReadXlsxPart(*bytes, "xl/styles.xml");
  ASSERT_TRUE(styles.ok()) << styles.status();
  EXPECT_THAT(*styles, HasSubstr("formatCode=\"#,##0\""));
  EXPECT_THAT(*styles, HasSubstr("formatCode=\"#,##0.00\""));
  EXPECT_THAT(*styles, HasSubstr("formatCode=\"#,##0.000\""));
  // The first title line's 14-point bold font.
  EXPECT_THAT(*styles, HasSubstr("<font><b/><sz val=\"14\"/>"));
  // The header's shading and borders.
  EXPECT_THAT(*styles, HasSubstr("<patternFill patternType=\"solid\"><fgColor rgb=\"FFD9D9D9\"/>"));
  EXPECT_THAT(*styles, HasSubstr("<left style=\"thin\">"));
}

TEST(WriteXlsxTest, ASheetWithoutTitleOrColumnsFreezesNothing) {
  absl::StatusOr<std::string> bytes = WriteXlsx({.sheets = {Sheet{.name = "空"}}});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<std::string> xml = ReadXlsxPart(*bytes, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, Not(HasSubstr("<pane")));
  absl::StatusOr<std::vector<ReadSheet>> book = ReadXlsx(*bytes);
  ASSERT_TRUE(book.ok()) << book.status();
  ASSERT_EQ(book->size(), 1U);
  EXPECT_EQ((*book)[0].name, "空");
  EXPECT_THAT((*book)[0].rows, IsEmpty());
}

TEST(WriteXlsxTest, TitleLinesAloneAreFrozen) {
  absl::StatusOr<std::string> bytes =
      WriteXlsx({.sheets = {Sheet{.name = "说明", .title = {"说明", "", "第三行"}}}});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  absl::StatusOr<std::vector<ReadSheet>> book = ReadXlsx(*bytes);
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ((*book)[0].rows, (Rows{{"说明"}, {}, {"第三行"}}));
  absl::StatusOr<std::string> xml = ReadXlsxPart(*bytes, "xl/worksheets/sheet1.xml");
  ASSERT_TRUE(xml.ok()) << xml.status();
  EXPECT_THAT(*xml, HasSubstr("<pane ySplit=\"3\" topLeftCell=\"A4\""));
}

TEST(WriteXlsxTest, LeavesNoTemporaryFileBehind) {
  // A directory of this test's own: ctest runs other tests of this binary at the same time.
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("jieshui-sheet-test-" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const char* previous = std::getenv("TMPDIR");
  const std::string saved = previous != nullptr ? previous : "";
  ASSERT_EQ(setenv("TMPDIR", dir.c_str(), 1), 0);

  EXPECT_TRUE(WriteXlsx(WaterBook()).ok());
  Sheet bad = OneColumn("s");
  bad.rows = {{std::string("a"), std::string("b")}};
  EXPECT_FALSE(WriteXlsx({.sheets = {OneColumn("first"), bad}}).ok());
  EXPECT_TRUE(std::filesystem::is_empty(dir));

  // And a directory that does not exist is an error, not a crash.
  ASSERT_EQ(setenv("TMPDIR", (dir / "missing").c_str(), 1), 0);
  absl::StatusOr<std::string> bytes = WriteXlsx(WaterBook());
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInternal);
  EXPECT_THAT(bytes.status().message(), HasSubstr("cannot create a temporary file"));

  if (previous != nullptr) {
    setenv("TMPDIR", saved.c_str(), 1);
  } else {
    unsetenv("TMPDIR");
  }
  std::filesystem::remove_all(dir);
}

TEST(WriteXlsxTest, WritesAZipFile) {
  absl::StatusOr<std::string> bytes = WriteXlsx({.sheets = {OneColumn("取水")}});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  EXPECT_TRUE(bytes->starts_with("PK\x03\x04"));
}

TEST(WriteXlsxTest, RefusesInvalidSheetNames) {
  for (const std::string& name :
       {std::string(""), std::string("a/b"), std::string("[x]"), std::string("'q"),
        std::string("History"), std::string(32, 'x'),
        std::string("一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一二")}) {
    absl::StatusOr<std::string> bytes = WriteXlsx({.sheets = {OneColumn(name)}});
    EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument) << name;
  }
  // 31 Chinese characters are fine.
  EXPECT_TRUE(WriteXlsx({.sheets = {OneColumn(
                             "一二三四五六七八九十一二三四五六七八九十一二三四五六七八九十一")}})
                  .ok());
}

TEST(WriteXlsxTest, RefusesTwoSheetsOfOneName) {
  absl::StatusOr<std::string> bytes = WriteXlsx({.sheets = {OneColumn("Plan"), OneColumn("plan")}});
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bytes.status().message(), HasSubstr("sheet \"plan\""));
}

TEST(WriteXlsxTest, RefusesARowWiderThanTheColumns) {
  Sheet sheet = OneColumn("取水");
  sheet.title = {"标题"};
  sheet.rows = {{std::string("a")}, {std::string("b"), int64_t{1}}};
  absl::StatusOr<std::string> bytes = WriteXlsx({.sheets = {sheet}});
  EXPECT_EQ(bytes.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(bytes.status().message(),
              HasSubstr("sheet \"取水\": data row 2 (spreadsheet row 4) has 2 cells but the sheet "
                        "has 1 columns"));
}

TEST(WriteXlsxTest, RefusesBadCells) {
  auto write = [](Cell cell) {
    Sheet sheet = OneColumn("s");
    sheet.rows = {{std::move(cell)}};
    return WriteXlsx({.sheets = {sheet}}).status();
  };
  EXPECT_THAT(write(Fixed{.units = 1, .scale = 7}).message(), HasSubstr("cell A2: scale 7"));
  EXPECT_THAT(write(Fixed{.units = 1, .scale = -1}).message(), HasSubstr("cell A2: scale -1"));
  EXPECT_THAT(write(int64_t{(int64_t{1} << 53) + 1}).message(), HasSubstr("beyond ±2^53"));
  EXPECT_THAT(write(std::string("\xE6\xB0")).message(),
              HasSubstr("cell A2: the text is not UTF-8"));
  EXPECT_THAT(write(std::string("a\0b", 3)).message(), HasSubstr("NUL"));
  EXPECT_TRUE(write(int64_t{1} << 53).ok());
  EXPECT_TRUE(write(Fixed{.units = -(int64_t{1} << 53), .scale = 3}).ok());
}

TEST(WriteXlsxTest, RefusesAnEmptyWorkbookAndBadWidths) {
  EXPECT_EQ(WriteXlsx({}).status().code(), absl::StatusCode::kInvalidArgument);
  Sheet sheet = OneColumn("s");
  sheet.columns[0].width = 0;
  EXPECT_THAT(WriteXlsx({.sheets = {sheet}}).status().message(), HasSubstr("column A"));
}

}  // namespace
}  // namespace jieshui::sheet
