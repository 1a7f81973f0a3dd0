#include "table.hpp"

#include <gtest/gtest.h>

namespace jieshui::cli {
namespace {

TEST(TableTest, AlignsColumnsByDisplayWidth) {
  Table table({{"USCC"}, {"NAME"}, {"m³", Table::Align::kRight}});
  table.AddRow({"91350200776049653A", "苏州吴中特钢", "152300.000"});
  table.AddRow({"X", "ab", "1.500"});
  EXPECT_EQ(table.Render(),
            "USCC                NAME                  m³\n"
            "91350200776049653A  苏州吴中特钢  152300.000\n"
            "X                   ab                 1.500\n");
}

TEST(TableTest, MissingCellsAreEmptyAndNoLineEndsInSpaces) {
  Table table({{"A"}, {"B"}});
  table.AddRow({"long value"});
  EXPECT_EQ(table.Render(), "A           B\nlong value\n");
}

TEST(TableTest, DisplayWidthCountsWideCharactersTwice) {
  EXPECT_EQ(DisplayWidth("abc"), 3);
  EXPECT_EQ(DisplayWidth("甪直镇"), 6);
  EXPECT_EQ(DisplayWidth("m³"), 2);
  EXPECT_EQ(DisplayWidth("（Ａ）"), 6);
}

TEST(TableTest, FieldsAlignValues) {
  EXPECT_EQ(RenderFields({{"name", "x"}, {"new water m³", "1.000"}, {"empty", ""}}),
            "name:          x\n"
            "new water m³:  1.000\n"
            "empty:\n");
}

}  // namespace
}  // namespace jieshui::cli
