#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sheet/sheet.hpp"

namespace jieshui::sheet {
namespace {

using ::testing::HasSubstr;

Sheet OneColumn(std::string name) {
  return Sheet{.name = std::move(name), .columns = {{.header = "名称"}}};
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
