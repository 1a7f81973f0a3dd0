#include <zip.h>

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "sheet/sheet.hpp"

namespace jieshui::sheet {
namespace {

using ::testing::HasSubstr;

using Rows = std::vector<std::vector<std::string>>;
using Parts = std::map<std::string, std::string>;

// A zip of `parts` made in memory with libzip, as another program would write it.
std::string Zip(const Parts& parts) {
  zip_error_t error;
  zip_error_init(&error);
  zip_source_t* buffer = zip_source_buffer_create(nullptr, 0, 0, &error);
  EXPECT_NE(buffer, nullptr);
  zip_source_keep(buffer);  // read back after zip_close
  zip_t* zip = zip_open_from_source(buffer, ZIP_TRUNCATE, &error);
  EXPECT_NE(zip, nullptr) << zip_error_strerror(&error);
  for (const auto& [name, content] : parts) {
    zip_source_t* file = zip_source_buffer(zip, content.data(), content.size(), 0);
    EXPECT_GE(zip_file_add(zip, name.c_str(), file, ZIP_FL_ENC_UTF_8), 0) << zip_strerror(zip);
  }
  EXPECT_EQ(zip_close(zip), 0);
  std::string bytes;
  EXPECT_EQ(zip_source_open(buffer), 0);
  char chunk[4096];
  for (zip_int64_t n; (n = zip_source_read(buffer, chunk, sizeof chunk)) > 0;) {
    bytes.append(chunk, static_cast<std::size_t>(n));
  }
  zip_source_close(buffer);
  zip_source_free(buffer);
  zip_error_fini(&error);
  return bytes;
}

constexpr const char* kMain = "http://schemas.openxmlformats.org/spreadsheetml/2006/main";
constexpr const char* kRelNs =
    "http://schemas.openxmlformats.org/officeDocument/2006/relationships";

std::string RootRels(const std::string& workbook = "xl/workbook.xml") {
  return absl::StrCat(
      "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>",
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">",
      "<Relationship Id=\"rId1\" Type=\"", kRelNs, "/officeDocument\" Target=\"", workbook,
      "\"/></Relationships>");
}

// A workbook part listing sheets (name, relationship id).
std::string WorkbookXml(const std::vector<std::pair<std::string, std::string>>& sheets) {
  std::string xml =
      absl::StrCat("<workbook xmlns=\"", kMain, "\" xmlns:r=\"", kRelNs, "\"><sheets>");
  int id = 1;
  for (const auto& [name, rel] : sheets) {
    absl::StrAppend(&xml, "<sheet name=\"", name, "\" sheetId=\"", id++, "\" r:id=\"", rel, "\"/>");
  }
  return absl::StrCat(xml, "</sheets></workbook>");
}

// Workbook relationships (id, kind, target), e.g. {"rId1", "worksheet", "worksheets/sheet1.xml"}.
std::string WorkbookRels(const std::vector<std::vector<std::string>>& relationships) {
  std::string xml =
      "<Relationships xmlns=\"http://schemas.openxmlformats.org/package/2006/relationships\">";
  for (const std::vector<std::string>& r : relationships) {
    absl::StrAppend(&xml, "<Relationship Id=\"", r[0], "\" Type=\"", kRelNs, "/", r[1],
                    "\" Target=\"", r[2], "\"/>");
  }
  return absl::StrCat(xml, "</Relationships>");
}

std::string SheetXml(const std::string& sheet_data) {
  return absl::StrCat("<worksheet xmlns=\"", kMain, "\"><sheetData>", sheet_data,
                      "</sheetData></worksheet>");
}

// A one-sheet package whose sheet holds `sheet_data` and whose shared strings are `sst` (none
// when empty).
std::string OneSheet(const std::string& sheet_data, const std::string& sst = "") {
  Parts parts = {{"_rels/.rels", RootRels()},
                 {"xl/workbook.xml", WorkbookXml({{"表1", "rId1"}})},
                 {"xl/worksheets/sheet1.xml", SheetXml(sheet_data)}};
  std::vector<std::vector<std::string>> rels = {{"rId1", "worksheet", "worksheets/sheet1.xml"}};
  if (!sst.empty()) {
    parts["xl/sharedStrings.xml"] = absl::StrCat("<sst xmlns=\"", kMain, "\">", sst, "</sst>");
    rels.push_back({"rId2", "sharedStrings", "sharedStrings.xml"});
  }
  parts["xl/_rels/workbook.xml.rels"] = WorkbookRels(rels);
  return Zip(parts);
}

absl::StatusOr<Rows> ReadOne(const std::string& bytes) {
  absl::StatusOr<std::vector<ReadSheet>> book = ReadXlsx(bytes);
  if (!book.ok()) {
    return book.status();
  }
  EXPECT_EQ(book->size(), 1U);
  return book->empty() ? Rows{} : (*book)[0].rows;
}

TEST(ReadXlsxTest, ReadsEveryKindOfCell) {
  // As Excel writes them: shared strings (one in rich-text runs with a phonetic guide), an inline
  // string, a formula's string result, a boolean, an error, numbers with and without t="n".
  const std::string sst =
      "<si><t>企业名称</t></si>"
      "<si><r><rPr><b/></rPr><t>取水</t></r><r><t xml:space=\"preserve\">量 (m³)</t></r>"
      "<rPh sb=\"0\" eb=\"2\"><t>qushui</t></rPh></si>"
      "<si><t>两行\n文字_x000D_</t></si>";
  const std::string data =
      "<row r=\"1\"><c r=\"A1\" t=\"s\"><v>0</v></c><c r=\"B1\" t=\"s\"><v>1</v></c></row>"
      "<row r=\"2\"><c r=\"A2\" t=\"inlineStr\"><is><t>苏州&amp;吴中</t></is></c>"
      "<c r=\"B2\" t=\"n\"><v>1234.567</v></c><c r=\"C2\"><v>-0.05</v></c>"
      "<c r=\"D2\" t=\"b\"><v>1</v></c><c r=\"E2\" t=\"b\"><v>0</v></c></row>"
      "<row r=\"3\"><c r=\"A3\" t=\"str\"><f>A1&amp;\"x\"</f><v>企业名称x</v></c>"
      "<c r=\"C3\" t=\"e\"><f>1/0</f><v>#DIV/0!</v></c><c r=\"D3\" s=\"2\"/></row>"
      "<row r=\"6\"><c r=\"B6\" t=\"s\"><v>2</v></c></row>";
  absl::StatusOr<Rows> rows = ReadOne(OneSheet(data, sst));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"企业名称", "取水量 (m³)"},
                         {"苏州&吴中", "1234.567", "-0.05", "1", "0"},
                         {"企业名称x", "", "#DIV/0!"},  // D3 is only formatted
                         {},
                         {},
                         {"", "两行\n文字\r"}}));
}

TEST(ReadXlsxTest, PlacesCellsWithoutReferencesAfterThePreviousOne) {
  // Some writers leave out r= on rows and cells.
  absl::StatusOr<Rows> rows = ReadOne(OneSheet(
      "<row><c t=\"inlineStr\"><is><t>a</t></is></c><c r=\"C1\"><v>3</v></c><c><v>4</v></c></row>"
      "<row r=\"3\"><c><v>5</v></c></row><row><c r=\"B4\"><v>6</v></c></row>"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  EXPECT_EQ(*rows, (Rows{{"a", "", "3", "4"}, {}, {"5"}, {"", "6"}}));
}

TEST(ReadXlsxTest, DecodesXstringEscapes) {
  absl::StatusOr<Rows> rows = ReadOne(OneSheet(
      "<row r=\"1\"><c r=\"A1\" t=\"inlineStr\"><is><t>_x0041__x005F_x0042_ _xD83D__xDCA7_ "
      "_xD800_ _x00zz_</t></is></c></row>"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  // U+0041 "A"; the escaped underscore keeps "_x0042_" literal; a surrogate pair is one
  // character (U+1F4A7, a droplet); a lone surrogate and a malformed escape stay as written.
  EXPECT_EQ(*rows, (Rows{{"A_x0042_ \xF0\x9F\x92\xA7 _xD800_ _x00zz_"}}));
}

TEST(ReadXlsxTest, KeepsSheetOrderNamesAndTargetsAsTheWorkbookSays) {
  // The workbook lists the second part first; targets relative, absolute and with "..".
  Parts parts = {
      {"_rels/.rels", RootRels("/xl/workbook.xml")},
      {"xl/workbook.xml", WorkbookXml({{"二月", "rId7"}, {"一月", "rId3"}, {"图表", "rId9"}})},
      {"xl/_rels/workbook.xml.rels",
       WorkbookRels({{"rId3", "worksheet", "/xl/worksheets/sheet1.xml"},
                     {"rId7", "worksheet", "../xl/./worksheets/sheet2.xml"},
                     {"rId9", "chartsheet", "chartsheets/sheet1.xml"}})},
      {"xl/worksheets/sheet1.xml", SheetXml("<row r=\"1\"><c r=\"A1\"><v>1</v></c></row>")},
      {"xl/worksheets/sheet2.xml", SheetXml("<row r=\"2\"><c r=\"B2\"><v>2</v></c></row>")},
      {"xl/chartsheets/sheet1.xml", "<chartsheet/>"}};
  absl::StatusOr<std::vector<ReadSheet>> book = ReadXlsx(Zip(parts));
  ASSERT_TRUE(book.ok()) << book.status();
  ASSERT_EQ(book->size(), 3U);
  EXPECT_EQ((*book)[0].name, "二月");
  EXPECT_EQ((*book)[0].rows, (Rows{{}, {"", "2"}}));
  EXPECT_EQ((*book)[1].name, "一月");
  EXPECT_EQ((*book)[1].rows, (Rows{{"1"}}));
  EXPECT_EQ((*book)[2].name, "图表");
  EXPECT_TRUE((*book)[2].rows.empty());
}

TEST(ReadXlsxTest, FindsTheWorkbookWithoutRootRelationships) {
  Parts parts = {{"xl/workbook.xml", WorkbookXml({{"s", "rId1"}})},
                 {"xl/_rels/workbook.xml.rels",
                  WorkbookRels({{"rId1", "worksheet", "worksheets/sheet1.xml"}})},
                 {"xl/worksheets/sheet1.xml", SheetXml("")}};
  absl::StatusOr<std::vector<ReadSheet>> book = ReadXlsx(Zip(parts));
  ASSERT_TRUE(book.ok()) << book.status();
  EXPECT_EQ((*book)[0].name, "s");
}

void ExpectInvalid(const absl::StatusOr<std::vector<ReadSheet>>& read, const std::string& part) {
  EXPECT_EQ(read.status().code(), absl::StatusCode::kInvalidArgument) << read.status();
  EXPECT_THAT(read.status().message(), HasSubstr(part));
}

TEST(ReadXlsxTest, RefusesWhatIsNotAZip) {
  ExpectInvalid(ReadXlsx("hello, 世界"), "not an .xlsx (zip) file");
  ExpectInvalid(ReadXlsx(""), "not an .xlsx (zip) file");
  // A zip cut short.
  const std::string whole = OneSheet("");
  ExpectInvalid(ReadXlsx(whole.substr(0, whole.size() / 2)), "not an .xlsx (zip) file");
}

TEST(ReadXlsxTest, RefusesAZipWithoutAWorkbook) {
  ExpectInvalid(ReadXlsx(Zip({{"readme.txt", "not a spreadsheet"}})),
                "no workbook: the package has no part xl/workbook.xml");
  ExpectInvalid(ReadXlsx(Zip({{"_rels/.rels", RootRels()}})),
                "no workbook: the package has no part xl/workbook.xml");
  ExpectInvalid(ReadXlsx(Zip({{"_rels/.rels", "<Relationships/>"}})),
                "no workbook: _rels/.rels has no officeDocument relationship");
  ExpectInvalid(ReadXlsx(Zip({{"_rels/.rels", RootRels()},
                              {"xl/workbook.xml", "<workbook><sheets/></workbook>"}})),
                "xl/workbook.xml: the workbook lists no sheet");
  ExpectInvalid(ReadXlsx(Zip({{"_rels/.rels", RootRels()}, {"xl/workbook.xml", "<worksheet/>"}})),
                "not <workbook>");
}

TEST(ReadXlsxTest, RefusesAMissingSheetPartOrRelationship) {
  Parts parts = {{"_rels/.rels", RootRels()},
                 {"xl/workbook.xml", WorkbookXml({{"取水", "rId1"}})},
                 {"xl/_rels/workbook.xml.rels",
                  WorkbookRels({{"rId1", "worksheet", "worksheets/sheet1.xml"}})}};
  ExpectInvalid(ReadXlsx(Zip(parts)),
                "sheet \"取水\": the package has no part xl/worksheets/sheet1.xml");
  parts["xl/_rels/workbook.xml.rels"] = WorkbookRels({});
  ExpectInvalid(
      ReadXlsx(Zip(parts)),
      "sheet \"取水\" refers to relationship rId1, which xl/_rels/workbook.xml.rels lacks");
  parts.erase("xl/_rels/workbook.xml.rels");
  ExpectInvalid(ReadXlsx(Zip(parts)), "the package has no part xl/_rels/workbook.xml.rels");
}

TEST(ReadXlsxTest, RefusesMalformedXmlNamingThePart) {
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"A1\"><v>1</v></row>")),
                "xl/worksheets/sheet1.xml: line 1, column");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"A1\"><v>1</v></row>")), "malformed XML");
  ExpectInvalid(ReadXlsx(OneSheet("", "<si><t>unclosed</si>")), "xl/sharedStrings.xml: line 1");
  Parts parts = {{"_rels/.rels", RootRels()}, {"xl/workbook.xml", "<workbook"}};
  ExpectInvalid(ReadXlsx(Zip(parts)), "xl/workbook.xml: line 1");
  // Entities: a DOCTYPE is refused before any can be declared.
  ExpectInvalid(ReadXlsx(OneSheet("", "<!DOCTYPE sst [<!ENTITY a \"aaaa\">]><si><t>&a;</t></si>")),
                "xl/sharedStrings.xml");
}

TEST(ReadXlsxTest, RefusesCellsOutOfPlace) {
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"2\"/><row r=\"1\"/>")), "row 1 comes after row 2");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"B1\"/><c r=\"A1\"/></row>")),
                "cell A1 comes after cell B1");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"A2\"/></row>")), "cell A2 is in row 1");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"XFE1\"/></row>")),
                "cell reference \"XFE1\" is not one of A1..XFD1048576");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1048577\"/>")), "row number \"1048577\"");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"a1\"/></row>")), "cell reference \"a1\"");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"A1\" t=\"x\"><v>1</v></c></row>")),
                "cell A1: unknown type t=\"x\"");
  ExpectInvalid(ReadXlsx(OneSheet("<row r=\"1\"><c r=\"A1\" t=\"s\"><v>1</v></c></row>",
                                  "<si><t>only one</t></si>")),
                "cell A1: shared string \"1\" is not one of the 1 the file has");
}

TEST(ReadXlsxTest, BoundsWhatAFileMayMakeItAllocate) {
  // A few bytes a row asking for a cell in column XFD: 16,384 cells (512 KiB) per row.
  std::string data;
  for (int r = 1; r <= 8; ++r) {
    absl::StrAppend(&data, "<row r=\"", r, "\"><c r=\"XFD", r, "\"><v>1</v></c></row>");
  }
  const std::string bytes = OneSheet(data);
  ExpectInvalid(ReadXlsx(bytes, {.max_result_bytes = 2 << 20}),
                "xl/worksheets/sheet1.xml: the cells read so far and these would take more than "
                "the 2097152 bytes the reader takes");
  absl::StatusOr<std::vector<ReadSheet>> within = ReadXlsx(bytes, {.max_result_bytes = 8 << 20});
  ASSERT_TRUE(within.ok()) << within.status();
  EXPECT_EQ((*within)[0].rows.size(), 8U);
  // Shared strings count too.
  ExpectInvalid(
      ReadXlsx(OneSheet("", std::string(1000, 'x').insert(0, "<si><t>").append("</t></si>")),
               {.max_result_bytes = 100}),
      "xl/sharedStrings.xml");
  // And each part's size, uncompressed.
  ExpectInvalid(ReadXlsx(bytes, {.max_part_bytes = 100}),
                "_rels/.rels: the part is over 100 bytes uncompressed");

  // The grid's last row and last column are within the defaults.
  absl::StatusOr<Rows> rows =
      ReadOne(OneSheet("<row r=\"1\"><c r=\"XFD1\"><v>1</v></c></row><row r=\"1048576\"/>"));
  ASSERT_TRUE(rows.ok()) << rows.status();
  ASSERT_EQ(rows->size(), 1U);  // the last row is empty
  EXPECT_EQ(rows->back().size(), 16384U);
  EXPECT_EQ(rows->back().back(), "1");
}

TEST(ReadXlsxPartTest, GivesAPartOrNotFound) {
  const std::string bytes = OneSheet("<row r=\"1\"/>");
  absl::StatusOr<std::string> part = ReadXlsxPart(bytes, "XL/Worksheets/Sheet1.xml");
  ASSERT_TRUE(part.ok()) << part.status();
  EXPECT_THAT(*part, HasSubstr("<sheetData><row r=\"1\"/></sheetData>"));
  EXPECT_EQ(ReadXlsxPart(bytes, "xl/worksheets/sheet2.xml").status().code(),
            absl::StatusCode::kNotFound);
  EXPECT_EQ(ReadXlsxPart("PK", "xl/workbook.xml").status().code(),
            absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jieshui::sheet
