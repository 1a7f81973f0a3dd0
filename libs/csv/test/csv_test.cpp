#include "csv/csv.hpp"

#include <array>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::csv {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

std::vector<Record> MustRead(std::string_view text) {
  absl::StatusOr<std::vector<Record>> records = Reader::ReadAll(text);
  EXPECT_TRUE(records.ok()) << records.status();
  return records.ok() ? *std::move(records) : std::vector<Record>{};
}

TEST(CsvReaderTest, ReadsPlainRecordsWithLfOrCrlf) {
  for (std::string_view text : {"a,b,c\n1,2,3\n", "a,b,c\r\n1,2,3\r\n", "a,b,c\r\n1,2,3"}) {
    std::vector<Record> records = MustRead(text);
    ASSERT_EQ(records.size(), 2U) << text;
    EXPECT_THAT(records[0].fields, ElementsAre("a", "b", "c"));
    EXPECT_THAT(records[1].fields, ElementsAre("1", "2", "3"));
    EXPECT_EQ(records[0].line, 1);
    EXPECT_EQ(records[1].line, 2);
  }
}

TEST(CsvReaderTest, KeepsEmptyFieldsAndSpaces) {
  std::vector<Record> records = MustRead(",a,, b ,\n");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_THAT(records[0].fields, ElementsAre("", "a", "", " b ", ""));
}

TEST(CsvReaderTest, ReadsQuotedFieldsWithCommasQuotesAndLineBreaks) {
  std::vector<Record> records = MustRead(
      "name,note\r\n\"Acme, Ltd\",\"say \"\"hi\"\"\"\r\n\"x\",\"two\r\nlines\"\r\n\"\",z\r\n");
  ASSERT_EQ(records.size(), 4U);
  EXPECT_THAT(records[1].fields, ElementsAre("Acme, Ltd", "say \"hi\""));
  EXPECT_THAT(records[2].fields, ElementsAre("x", "two\r\nlines"));
  EXPECT_THAT(records[3].fields, ElementsAre("", "z"));
}

TEST(CsvReaderTest, LineNumbersCountLineBreaksInsideQuotesAndBlankLines) {
  std::vector<Record> records = MustRead("h1,h2\n\"a\nb\nc\",d\n\ne,f\r\n\r\n\r\ng,h\n");
  ASSERT_EQ(records.size(), 4U);
  EXPECT_EQ(records[0].line, 1);
  EXPECT_EQ(records[1].line, 2);  // spans lines 2-4
  EXPECT_EQ(records[2].line, 6);  // line 5 is blank
  EXPECT_THAT(records[2].fields, ElementsAre("e", "f"));
  EXPECT_EQ(records[3].line, 9);
}

TEST(CsvReaderTest, SkipsUtf8ByteOrderMark) {
  std::vector<Record> records = MustRead("\xEF\xBB\xBFuscc,名称\r\n1,甪直镇\r\n");
  ASSERT_EQ(records.size(), 2U);
  EXPECT_THAT(records[0].fields, ElementsAre("uscc", "名称"));
  EXPECT_THAT(records[1].fields, ElementsAre("1", "甪直镇"));
}

TEST(CsvReaderTest, EmptyTextAndTrailingLineBreaksGiveNoRecords) {
  EXPECT_TRUE(MustRead("").empty());
  EXPECT_TRUE(MustRead("\xEF\xBB\xBF").empty());
  EXPECT_TRUE(MustRead("\r\n\n").empty());
  EXPECT_EQ(MustRead("a\n\n\n").size(), 1U);
}

TEST(CsvReaderTest, TrailingCommaAtEndOfTextIsAnEmptyField) {
  std::vector<Record> records = MustRead("a,");
  ASSERT_EQ(records.size(), 1U);
  EXPECT_THAT(records[0].fields, ElementsAre("a", ""));
}

TEST(CsvReaderTest, UnterminatedQuoteNamesTheLineItOpenedOn) {
  absl::StatusOr<std::vector<Record>> records = Reader::ReadAll("a,b\n1,2\n3,\"open\n\nmore\n");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(records.status().message(), HasSubstr("line 3: "));
  EXPECT_THAT(records.status().message(), HasSubstr("never closed"));
}

TEST(CsvReaderTest, QuoteInsideUnquotedFieldIsAnError) {
  absl::StatusOr<std::vector<Record>> records = Reader::ReadAll("a,b\r\n1,2\r\nab,c\"d\r\n");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(records.status().message(), HasSubstr("line 3: field 2 has a quote"));
}

TEST(CsvReaderTest, TextAfterClosingQuoteIsAnError) {
  absl::StatusOr<std::vector<Record>> records = Reader::ReadAll("a\n\"x\ny\"z,1\n");
  ASSERT_FALSE(records.ok());
  EXPECT_EQ(records.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(records.status().message(), HasSubstr("line 3: field 1 has text after its closing"));
}

TEST(CsvReaderTest, NextReturnsRecordsOneByOneAndStopsAfterAnError) {
  Reader reader("a\nb\"\nc\n");
  absl::StatusOr<std::optional<Record>> first = reader.Next();
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(first->has_value());
  EXPECT_THAT((*first)->fields, ElementsAre("a"));
  EXPECT_FALSE(reader.Next().ok());
  absl::StatusOr<std::optional<Record>> after = reader.Next();
  ASSERT_TRUE(after.ok());
  EXPECT_FALSE(after->has_value());
}

constexpr std::array<std::string_view, 4> kKnown = {"uscc", "name", "town", "note"};
constexpr std::array<std::string_view, 2> kRequired = {"uscc", "name"};
constexpr ColumnSpec kSpec{kKnown, kRequired};

TEST(CsvHeaderTest, MapsTrimmedCaseInsensitiveNamesToIndexes) {
  Record header{1, {" USCC ", "Name", "town"}};
  absl::StatusOr<Header> parsed = Header::Parse(header, kSpec);
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Index("uscc"), 0U);
  EXPECT_EQ(parsed->Index("NAME"), 1U);
  EXPECT_EQ(parsed->Index("town"), 2U);
  EXPECT_FALSE(parsed->Has("note"));
  EXPECT_EQ(parsed->size(), 3U);

  Record row{2, {"913", "Acme"}};  // shorter than the header
  EXPECT_EQ(parsed->Cell(row, "name"), "Acme");
  EXPECT_EQ(parsed->Cell(row, "town"), "");
  EXPECT_EQ(parsed->Cell(row, "note"), "");
}

TEST(CsvHeaderTest, ReportsEveryProblemInOneError) {
  Record header{1, {"Colour", "name", "NAME", "", "size"}};
  absl::StatusOr<Header> parsed = Header::Parse(header, kSpec);
  ASSERT_FALSE(parsed.ok());
  EXPECT_EQ(parsed.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(parsed.status().message(),
            "line 1: unknown columns: Colour, size; duplicate columns: name; columns without a "
            "name at positions 4; missing required columns: uscc");
}

TEST(CsvHeaderTest, ReadTakesTheFirstRecordAndLeavesTheRestToTheReader) {
  Reader reader("uscc,name\r\n913,Acme\r\n");
  absl::StatusOr<Header> header = Header::Read(reader, kSpec);
  ASSERT_TRUE(header.ok()) << header.status();
  EXPECT_EQ(header->Index("name"), 1U);
  EXPECT_EQ(header->line(), 1);
  absl::StatusOr<std::optional<Record>> row = reader.Next();
  ASSERT_TRUE(row.ok() && row->has_value());
  EXPECT_EQ((*row)->line, 2);

  Reader empty("\r\n");
  absl::StatusOr<Header> none = Header::Read(empty, kSpec);
  EXPECT_EQ(none.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(none.status().message(), "the file is empty: a header row is required");
  Reader bad("\"uscc");
  EXPECT_EQ(Header::Read(bad, kSpec).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(CsvHeaderTest, EmptyKnownListAcceptsAnyName) {
  Record header{1, {"anything", "else"}};
  absl::StatusOr<Header> parsed = Header::Parse(header, ColumnSpec{});
  ASSERT_TRUE(parsed.ok()) << parsed.status();
  EXPECT_EQ(parsed->Index("Else"), 1U);
}

TEST(CsvWriterTest, QuotesOnlyWhenNeededAndEndsRecordsWithCrlf) {
  Writer writer;
  writer.WriteRecord({"plain", "a,b", "say \"hi\"", "two\nlines", " lead", "trail ", "", "中文"});
  writer.WriteRecord({"x", "cr\r"});
  EXPECT_EQ(writer.text(),
            "plain,\"a,b\",\"say \"\"hi\"\"\",\"two\nlines\",\" lead\",\"trail \",,中文\r\n"
            "x,\"cr\r\"\r\n");
}

TEST(CsvWriterTest, WritesByteOrderMarkFirstWhenAsked) {
  Writer writer(Writer::Options{.utf8_bom = true});
  std::vector<std::string> header = {"统一社会信用代码", "名称"};
  writer.WriteRecord(header);
  EXPECT_EQ(writer.Release(), "\xEF\xBB\xBF统一社会信用代码,名称\r\n");
  EXPECT_EQ(writer.text(), "");
}

TEST(CsvWriterTest, LoneEmptyFieldIsQuotedSoTheRecordSurvives) {
  Writer writer;
  writer.WriteRecord({""});
  EXPECT_EQ(writer.text(), "\"\"\r\n");
  std::vector<Record> records = MustRead(writer.text());
  ASSERT_EQ(records.size(), 1U);
  EXPECT_THAT(records[0].fields, ElementsAre(""));
}

TEST(CsvWriterTest, WhatTheWriterWritesTheReaderReadsBack) {
  const std::vector<std::vector<std::string>> rows = {
      {"uscc", "name", "note"},
      {"91350200776049653A", "Acme, \"Ltd\"", "line1\r\nline2"},
      {"", " padded ", "甪直镇"},
  };
  Writer writer(Writer::Options{.utf8_bom = true});
  for (const auto& row : rows) {
    writer.WriteRecord(row);
  }
  std::vector<Record> records = MustRead(writer.text());
  ASSERT_EQ(records.size(), rows.size());
  for (std::size_t i = 0; i < rows.size(); ++i) {
    EXPECT_EQ(records[i].fields, rows[i]);
  }
  EXPECT_EQ(records[2].line, 4);  // row 2 spans two lines
}

}  // namespace
}  // namespace jieshui::csv
