#include "readings_csv.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "absl/time/time.h"

namespace jieshui::cli {
namespace {

using ::testing::ElementsAre;

constexpr char kHeader[] =
    "meter_id,timestamp,register_value,volume_litres,interval_minutes,data_flag\n";

std::vector<std::string> Errors(const ReadingsFile& file) {
  std::vector<std::string> out;
  out.reserve(file.errors.size());
  for (const CellError& e : file.errors) {
    out.push_back(e.ToString());
  }
  return out;
}

TEST(ReadingsCsvTest, GoodRowsBecomeReadings) {
  auto file = ParseReadingsFile(std::string(kHeader) +
                                "M-1,2026-11-28T10:00:00+08:00,1234.5,,,\n"
                                "M-1,2026-11-28T02:15:00Z,,250,15,f\n"
                                "M-2,2026-11-28 10:30:00,7,,,N\n");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_TRUE(file->errors.empty()) << Errors(*file).front();
  ASSERT_EQ(file->readings.size(), 3U);
  EXPECT_EQ(file->records, 3);

  const auto& first = file->readings[0];
  EXPECT_EQ(first.line, 2);
  EXPECT_EQ(first.reading.meter_id(), "M-1");
  // 10:00 at +08:00 is 02:00 UTC.
  EXPECT_EQ(first.reading.timestamp_unix_ms(),
            absl::ToUnixMillis(
                absl::FromCivil(absl::CivilSecond(2026, 11, 28, 2, 0, 0), absl::UTCTimeZone())));
  EXPECT_EQ(first.reading.register_value(), "1234.5");
  EXPECT_TRUE(first.reading.data_flag().empty());

  const auto& second = file->readings[1];
  EXPECT_EQ(second.line, 3);
  EXPECT_EQ(second.reading.interval_volume().litres(), 250);
  EXPECT_EQ(second.reading.interval_ms(), 15 * 60'000);
  EXPECT_EQ(second.reading.data_flag(), "F");
  EXPECT_EQ(second.reading.timestamp_unix_ms(),
            absl::ToUnixMillis(
                absl::FromCivil(absl::CivilSecond(2026, 11, 28, 2, 15, 0), absl::UTCTimeZone())));

  // No offset: Asia/Shanghai, so 10:30 local is 02:30 UTC.
  EXPECT_EQ(file->readings[2].reading.timestamp_unix_ms(),
            absl::ToUnixMillis(
                absl::FromCivil(absl::CivilSecond(2026, 11, 28, 2, 30, 0), absl::UTCTimeZone())));
}

TEST(ReadingsCsvTest, EachBadCellIsNamedByLineAndColumn) {
  auto file = ParseReadingsFile(std::string(kHeader) +
                                "M-1,28/11/2026 10:00,1,,,\n"         // line 2: timestamp
                                "M-1,2026-11-28T10:00:00Z,1,5,,\n"    // line 3: both values
                                "M-1,2026-11-28T10:00:00Z,,,,\n"      // line 4: neither value
                                "M-1,2026-11-28T10:00:00Z,,40,,\n"    // line 5: no interval
                                ",2026-11-28T10:00:00Z,1.2345,,,X\n"  // line 6: three cells
                                "M-3,2026-11-28T11:00:00Z,9,,,\n");   // line 7: good
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_EQ(file->records, 6);
  ASSERT_EQ(file->readings.size(), 1U);
  EXPECT_EQ(file->readings[0].line, 7);
  EXPECT_THAT(
      Errors(*file),
      ElementsAre(
          "line 2, column 2 (timestamp): expected ISO 8601 like 2026-11-28T10:00:00+08:00, "
          "2026-11-28T02:00:00Z or 2026-11-28T10:00:00 (Asia/Shanghai); got \"28/11/2026 "
          "10:00\"",
          "line 3, column 4 (volume_litres): give register_value or volume_litres, not both",
          "line 4, column 3 (register_value): one of register_value and volume_litres is "
          "required",
          "line 5, column 5 (interval_minutes): required with volume_litres",
          "line 6, column 1 (meter_id): required",
          "line 6, column 3 (register_value): expected a non-negative decimal with at most 3 "
          "fraction digits, e.g. 12345.678; got \"1.2345\"",
          "line 6, column 6 (data_flag): expected one of N F M S D C T B (HJ 212-2017); got "
          "\"X\""));
}

TEST(ReadingsCsvTest, LinesCountQuotedLineBreaksAndBlankLines) {
  auto file = ParseReadingsFile(std::string(kHeader) + "\n\"M-\n1\",2026-11-28T10:00:00Z,1,,,\n" +
                                "M-1,bad,1,,,\n");
  ASSERT_TRUE(file.ok()) << file.status();
  EXPECT_THAT(Errors(*file), ElementsAre(testing::StartsWith("line 5, column 2 (timestamp)")));
}

TEST(ReadingsCsvTest, TheFileAsAWholeMustHaveTheColumns) {
  auto unknown = ParseReadingsFile("meter_id,timestamp,register_value,colour\n");
  ASSERT_FALSE(unknown.ok());
  EXPECT_THAT(std::string(unknown.status().message()), testing::HasSubstr("colour"));

  auto no_value = ParseReadingsFile("meter_id,timestamp\nM-1,2026-11-28T10:00:00Z\n");
  ASSERT_FALSE(no_value.ok());
  EXPECT_EQ(no_value.status().message(),
            "line 1: missing columns: register_value or volume_litres");

  auto empty = ParseReadingsFile("");
  ASSERT_FALSE(empty.ok());
  EXPECT_EQ(empty.status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ReadingsCsvTest, TimestampsWithOffsetsAndFractions) {
  const absl::Time utc_two =
      absl::FromCivil(absl::CivilSecond(2026, 11, 28, 2, 0, 0), absl::UTCTimeZone());
  EXPECT_EQ(*ParseReadingTimestamp("2026-11-28T10:00:00+08:00"), utc_two);
  EXPECT_EQ(*ParseReadingTimestamp("2026-11-28T10:00:00+0800"), utc_two);
  EXPECT_EQ(*ParseReadingTimestamp("2026-11-28T02:00:00Z"), utc_two);
  EXPECT_EQ(*ParseReadingTimestamp("2026-11-28T10:00:00"), utc_two);
  EXPECT_EQ(*ParseReadingTimestamp("2026-11-28T10:00:00.250+08:00"),
            utc_two + absl::Milliseconds(250));
  EXPECT_FALSE(ParseReadingTimestamp("2026-11-28").ok());
  EXPECT_FALSE(ParseReadingTimestamp("2026-13-01T00:00:00Z").ok());
  EXPECT_FALSE(ParseReadingTimestamp("yesterday").ok());
}

}  // namespace
}  // namespace jieshui::cli
