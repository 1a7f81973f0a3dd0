#include "value_added_file.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "sheet/sheet.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;
using ::testing::ElementsAre;

constexpr char kA[] = "91350200776049653A";
constexpr char kB[] = "91440101MA5CJQ4N59";

std::vector<std::string> Errors(const ValueAddedFile& file) {
  std::vector<std::string> out;
  out.reserve(file.errors.size());
  for (const CellError& e : file.errors) {
    out.push_back(e.ToString());
  }
  return out;
}

TEST(ValueAddedFileTest, ChineseHeadersWithAByteOrderMarkAsExcelSavesThem) {
  const std::string text =
      "\xEF\xBB\xBF"
      "统一社会信用代码,企业名称,年份,工业增加值(万元),规模以上\r\n" +
      std::string(kA) + ",苏州吴中特钢压延有限公司,2025,30000.5,是\r\n" + kB +
      ",苏州临湖精细化工有限公司,2025,10000,否\r\n";
  auto file = ParseValueAddedCsv(text);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->errors.empty()) << Errors(*file)[0];
  EXPECT_EQ(file->records, 2);
  ASSERT_EQ(file->rows.size(), 2u);
  const v1::ValueAddedRow& a = file->rows[0];
  EXPECT_EQ(a.uscc().value(), kA);
  EXPECT_EQ(a.year(), 2025);
  EXPECT_EQ(a.value_added().fen(), 30'000'500'000);  // 30,000.5 万元
  EXPECT_TRUE(a.above_scale());
  EXPECT_EQ(a.line(), 2);
  EXPECT_FALSE(file->rows[1].above_scale());
  EXPECT_EQ(file->rows[1].line(), 3);
  // The 企业名称 column is left alone; the others are where the header has them.
  EXPECT_EQ(file->column_numbers[2], 4);
  EXPECT_EQ(file->column_names[2], "工业增加值(万元)");
}

TEST(ValueAddedFileTest, EnglishHeadersInAnyOrderAndCaseAndEveryFlagWord) {
  const std::string text = std::string("Above_Scale,VALUE_ADDED_WAN,year,uscc\n") + "yes,1,2025," +
                           kA + "\n" + "FALSE,2,2025," + kB + "\n" + "1,3,2024," + kA + "\n" +
                           "0,4,2024," + kB + "\n" + "true,5,2023," + kA + "\n" + "No,6,2023," +
                           kB + "\n";
  auto file = ParseValueAddedCsv(text);
  ASSERT_TRUE(file.ok()) << file.status();
  ASSERT_TRUE(file->errors.empty()) << Errors(*file)[0];
  std::vector<bool> flags;
  for (const v1::ValueAddedRow& r : file->rows) {
    flags.push_back(r.above_scale());
  }
  EXPECT_THAT(flags, ElementsAre(true, false, true, false, true, false));
  EXPECT_EQ(file->rows[5].value_added().fen(), 6'000'000);
}

TEST(ValueAddedFileTest, EveryBadCellIsNamedByLineAndColumnAndItsRowLeftOut) {
  // Line 3: a negative value; line 4: a USCC with a wrong check character and a flag that is no
  // word; line 5 is blank (skipped, still counted); line 6: a year that is not one; line 7: the
  // enterprise and year of line 2 again; a row of empty cells is no row.
  const std::string text = std::string("uscc,year,工业增加值（万元）,规模以上\n") + kA +
                           ",2025,100,是\n" + kB + ",2025,-5,否\n" +
                           "91350203M0001QAY9B,2025,1,maybe\n\n" + kB + ",20x5,1.23456,是\n" + kA +
                           ",2025,7,否\n,,,\n";
  auto file = ParseValueAddedCsv(text);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 5);
  EXPECT_EQ(file->rejected, 4);
  ASSERT_EQ(file->rows.size(), 1u);
  EXPECT_EQ(file->rows[0].line(), 2);
  EXPECT_THAT(
      Errors(*file),
      ElementsAre("line 3, column 3 (工业增加值（万元）): must not be negative; got \"-5\"",
                  "line 4, column 1 (uscc): check character expected 9, got B",
                  "line 4, column 4 (规模以上): expected 是 or 否 (yes/no, true/false, 1/0); got "
                  "\"maybe\"",
                  "line 6, column 2 (year): expected a year YYYY, e.g. 2025; got \"20x5\"",
                  "line 6, column 3 (工业增加值（万元）): at most 4 decimals (0.0001 万元 is 1 "
                  "yuan); got \"1.23456\"",
                  "line 7, column 1 (uscc): 91350200776049653A for 2025 is already on line 2"));
}

TEST(ValueAddedFileTest, EmptyCellsAreRequired) {
  auto file = ParseValueAddedCsv("uscc,year,value_added_wan,above_scale\n,,,是\n");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(Errors(*file),
              ElementsAre("line 2, column 1 (uscc): required", "line 2, column 2 (year): required",
                          "line 2, column 3 (value_added_wan): required"));
}

TEST(ValueAddedFileTest, AHeaderMissingOrDoublingAColumnReadsNothing) {
  EXPECT_EQ(ParseValueAddedCsv("uscc,year,value_added\n").status().message(),
            "line 1: missing columns: 工业增加值(万元)/工业增加值（万元）/value_added_wan, "
            "规模以上/above_scale");
  EXPECT_EQ(ParseValueAddedCsv("uscc,统一社会信用代码,year,value_added_wan,above_scale\n")
                .status()
                .message(),
            "line 1: the same column twice: uscc and 统一社会信用代码 (keep one)");
  EXPECT_EQ(ParseValueAddedCsv("").status().message(),
            "the file is empty: a header row is required");
  EXPECT_FALSE(ParseValueAddedCsv("uscc,\"year\n").ok());  // an unterminated quote
}

TEST(ValueAddedFileTest, TheServicesRowErrorsAreToldInTheFilesColumns) {
  auto file = ParseValueAddedCsv("年份,统一社会信用代码,工业增加值(万元),规模以上\n");
  ASSERT_TRUE(file.ok()) << file.status();
  v1::RowError error;
  error.set_line(3);
  error.set_column("uscc");
  error.set_reason("enterprise 913502000728319549 is not in the registry");
  EXPECT_EQ(FileCellError(*file, error).ToString(),
            "line 3, column 2 (统一社会信用代码): enterprise 913502000728319549 is not in the "
            "registry");
  error.set_column("value_added");
  error.set_reason("must not be negative");
  EXPECT_EQ(FileCellError(*file, error).ToString(),
            "line 3, column 3 (工业增加值(万元)): must not be negative");
  error.set_column("row");
  error.set_reason("more than 200000 rows");
  EXPECT_EQ(FileCellError(*file, error).ToString(), "line 3: row: more than 200000 rows");
}

TEST(ValueAddedFileTest, SpreadsheetNumbersReadAsTheSpreadsheetShowsThem) {
  EXPECT_EQ(SpreadsheetNumber("2025"), "2025");
  EXPECT_EQ(SpreadsheetNumber("30000.5"), "30000.5");
  // A computed cell's double: 15 significant digits, as shown, then exact decimal text.
  EXPECT_EQ(SpreadsheetNumber("30000.499999999996"), "30000.5");
  EXPECT_EQ(SpreadsheetNumber("0.30000000000000004"), "0.3");
  EXPECT_EQ(SpreadsheetNumber("9999.9999999999999"), "10000");
  EXPECT_EQ(SpreadsheetNumber("1E-4"), "0.0001");
  EXPECT_EQ(SpreadsheetNumber("1.5E+3"), "1500");
  EXPECT_EQ(SpreadsheetNumber("-5"), "-5");
  EXPECT_EQ(SpreadsheetNumber("0"), "0");
  // A typed value keeps its digits (and a fifth decimal is still refused by ParseWanYuan).
  EXPECT_EQ(SpreadsheetNumber("1.23456"), "1.23456");
  // Text stays text.
  EXPECT_EQ(SpreadsheetNumber("是"), "是");
  EXPECT_EQ(SpreadsheetNumber("1e999"), "1e999");
  EXPECT_EQ(SpreadsheetNumber(""), "");
}

// The sheet as Statistics would send it, written with the platform's own writer: a title line
// above the header, the year and the value as numbers, the flag as text.
TEST(ValueAddedFileTest, AnXlsxFirstSheetWithATitleAboveItsHeader) {
  sheet::Sheet first{.name = "2025年",
                     .title = {"2025年规模以上工业增加值"},
                     .columns = {{.header = "统一社会信用代码", .group = "", .width = 22},
                                 {.header = "年份", .group = "", .width = 8},
                                 {.header = "工业增加值(万元)", .group = "", .width = 16},
                                 {.header = "规模以上", .group = "", .width = 8}},
                     .rows = {}};
  first.rows.push_back({std::string(kA), int64_t{2025},
                        sheet::Fixed{.units = 300'005'000, .scale = 4}, std::string("是")});
  first.rows.push_back({std::string(kB), int64_t{2025}, sheet::Fixed{.units = -50'000, .scale = 4},
                        std::string("否")});
  sheet::Sheet second{.name = "说明",
                      .title = {},
                      .columns = {{.header = "x", .group = "", .width = 8}},
                      .rows = {}};
  auto bytes = sheet::WriteXlsx(sheet::Workbook{.sheets = {first, second}});
  ASSERT_TRUE(bytes.ok()) << bytes.status();
  auto file = ParseValueAddedXlsx(*bytes);
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 2);
  ASSERT_EQ(file->rows.size(), 1u);
  // Row 1 is the title, row 2 the header: the data starts on row 3.
  EXPECT_EQ(file->rows[0].line(), 3);
  EXPECT_EQ(file->rows[0].year(), 2025);
  EXPECT_EQ(file->rows[0].value_added().fen(), 30'000'500'000);
  EXPECT_THAT(Errors(*file),
              ElementsAre("line 4, column 3 (工业增加值(万元)): must not be negative; got \"-5\""));

  EXPECT_EQ(ParseValueAddedXlsx("not a zip").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ValueAddedFileTest, AFileWithoutAnyColumnNameHasNoHeader) {
  EXPECT_EQ(ParseValueAddedCsv("a,b\n1,2\n").status().message(),
            "no header row: expected the columns 统一社会信用代码/uscc, 年份/year, "
            "工业增加值(万元)/工业增加值（万元）/value_added_wan, 规模以上/above_scale");
}

}  // namespace
}  // namespace jieshui::cli
