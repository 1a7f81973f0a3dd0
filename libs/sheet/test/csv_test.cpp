#include <cstdint>
#include <limits>
#include <string>
#include <vector>

#include "csv/csv.hpp"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sheet/sheet.hpp"

namespace jieshui::sheet {
namespace {

using ::testing::ElementsAre;

constexpr std::string_view kBom = "\xEF\xBB\xBF";

TEST(FixedTextTest, WritesExactlyScaleDecimals) {
  EXPECT_EQ(FixedText({.units = 1234567, .scale = 3}), "1234.567");  // litres as m³
  EXPECT_EQ(FixedText({.units = 123450, .scale = 2}), "1234.50");    // fen as 元: the 0 stays
  EXPECT_EQ(FixedText({.units = 150, .scale = 0}), "150");
  EXPECT_EQ(FixedText({.units = 7, .scale = 6}), "0.000007");
}

TEST(FixedTextTest, NegativesAndZeroKeepTheirLeadingZeros) {
  EXPECT_EQ(FixedText({.units = -5, .scale = 2}), "-0.05");
  EXPECT_EQ(FixedText({.units = 0, .scale = 3}), "0.000");
  EXPECT_EQ(FixedText({.units = 0, .scale = 0}), "0");
  EXPECT_EQ(FixedText({.units = -150, .scale = 0}), "-150");
  EXPECT_EQ(FixedText({.units = -1000, .scale = 3}), "-1.000");
}

TEST(FixedTextTest, HandlesTheWholeInt64RangeAndAnyScale) {
  EXPECT_EQ(FixedText({.units = std::numeric_limits<int64_t>::min(), .scale = 2}),
            "-92233720368547758.08");
  EXPECT_EQ(FixedText({.units = std::numeric_limits<int64_t>::max(), .scale = 0}),
            "9223372036854775807");
  EXPECT_EQ(FixedText({.units = 12, .scale = -2}), "1200");
  EXPECT_EQ(FixedText({.units = 0, .scale = -2}), "0");
}

TEST(CellRefTest, NamesCellsAsSpreadsheetsDo) {
  EXPECT_EQ(CellRef(0, 0), "A1");
  EXPECT_EQ(CellRef(6, 2), "C7");
  EXPECT_EQ(CellRef(0, 25), "Z1");
  EXPECT_EQ(CellRef(0, 26), "AA1");
  EXPECT_EQ(CellRef(9, 701), "ZZ10");
  EXPECT_EQ(CellRef(1048575, 16383), "XFD1048576");
}

Sheet WaterSheet() {
  return Sheet{
      .name = "取水",
      .title = {"吴中区重点用水企业取水量", "截至 2023-12-31"},  // never in the CSV
      .columns = {{.header = "企业名称"},
                  {.header = "取水量(m³)", .group = "2023年"},
                  {.header = "目标(%)", .group = "2023年"},
                  {.header = "户数"}},
      .rows = {{std::string("苏州某某纺织有限公司"), Fixed{.units = 1234567, .scale = 3},
                Fixed{.units = -5, .scale = 2}, int64_t{12}},
               {std::string("Acme, Ltd"), Fixed{.units = 0, .scale = 3}, std::monostate{},
                int64_t{-3}}},
  };
}

TEST(WriteCsvTest, StartsWithTheBomAndWritesGroupsIntoTheHeader) {
  const std::string csv = WriteCsv(WaterSheet());
  ASSERT_TRUE(csv.starts_with(kBom));
  EXPECT_EQ(csv.substr(kBom.size()),
            "企业名称,2023年 取水量(m³),2023年 目标(%),户数\r\n"
            "苏州某某纺织有限公司,1234.567,-0.05,12\r\n"
            "\"Acme, Ltd\",0.000,,-3\r\n");
}

TEST(WriteCsvTest, QuotesCommasQuotesAndLineBreaksAsRfc4180) {
  Sheet sheet{.name = "s",
              .columns = {{.header = "名称"}, {.header = "备注"}, {.header = "说明"}},
              .rows = {{std::string("a,b"), std::string("他说\"好\""), std::string("两行\r\n文字")},
                       {std::string("x\ny"), std::string("plain"), std::string(" padded ")}}};
  const std::string csv = WriteCsv(sheet);
  EXPECT_EQ(csv.substr(kBom.size()),
            "名称,备注,说明\r\n"
            "\"a,b\",\"他说\"\"好\"\"\",\"两行\r\n文字\"\r\n"
            "\"x\ny\",plain,\" padded \"\r\n");

  // And it reads back as written (csv::Reader skips the BOM).
  absl::StatusOr<std::vector<csv::Record>> records = csv::Reader::ReadAll(csv);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 3U);
  EXPECT_THAT((*records)[1].fields, ElementsAre("a,b", "他说\"好\"", "两行\r\n文字"));
  EXPECT_THAT((*records)[2].fields, ElementsAre("x\ny", "plain", " padded "));
}

TEST(WriteCsvTest, LeavesTitleLinesOut) {
  const std::string csv = WriteCsv(WaterSheet());
  EXPECT_EQ(csv.find("吴中区重点用水企业取水量"), std::string::npos);
  EXPECT_EQ(csv.find("截至"), std::string::npos);
}

TEST(WriteCsvTest, PadsShortRowsToTheColumns) {
  Sheet sheet{.name = "s",
              .columns = {{.header = "a"}, {.header = "b"}, {.header = "c"}},
              .rows = {{int64_t{1}}, {}, {std::monostate{}, std::string("y")}}};
  EXPECT_EQ(WriteCsv(sheet).substr(kBom.size()), "a,b,c\r\n1,,\r\n,,\r\n,y,\r\n");
}

TEST(WriteCsvTest, WritesWholeNumbersAsDigits) {
  Sheet sheet{.name = "s",
              .columns = {{.header = "n"}},
              .rows = {{int64_t{0}}, {int64_t{-1234567}}, {std::numeric_limits<int64_t>::max()}}};
  EXPECT_EQ(WriteCsv(sheet).substr(kBom.size()), "n\r\n0\r\n-1234567\r\n9223372036854775807\r\n");
}

TEST(WriteCsvTest, AnEmptySheetIsTheBomAndHeader) {
  EXPECT_EQ(WriteCsv(Sheet{.name = "s", .columns = {{.header = "名称"}}}),
            std::string(kBom) + "名称\r\n");
  EXPECT_EQ(WriteCsv(Sheet{.name = "s"}), kBom);
}

}  // namespace
}  // namespace jieshui::sheet
