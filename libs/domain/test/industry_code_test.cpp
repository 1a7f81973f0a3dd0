#include "domain/industry_code.hpp"

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::domain {
namespace {

using ::testing::HasSubstr;

IndustryCode Code(std::string_view text) {
  absl::StatusOr<IndustryCode> code = IndustryCode::Parse(text);
  EXPECT_TRUE(code.ok()) << text << ": " << code.status();
  return *code;
}

TEST(IndustryCodeTest, ParsesEachLevel) {
  EXPECT_EQ(Code("C").level(), IndustryLevel::kSection);
  EXPECT_EQ(Code("C26").level(), IndustryLevel::kDivision);
  EXPECT_EQ(Code("C261").level(), IndustryLevel::kGroup);
  EXPECT_EQ(Code("C2614").level(), IndustryLevel::kClass);
  EXPECT_EQ(Code("C2614").division(), 26);
  EXPECT_EQ(Code("C").division(), std::nullopt);
  EXPECT_EQ(IndustryLevelName(IndustryLevel::kGroup), "group");
}

TEST(IndustryCodeTest, SectionBoundaries) {
  EXPECT_EQ(Code("A01").section(), 'A');
  EXPECT_EQ(Code("A05").section(), 'A');
  EXPECT_EQ(Code("B06").section(), 'B');
  EXPECT_EQ(Code("K70").section(), 'K');
  EXPECT_EQ(Code("T98").section(), 'T');
  EXPECT_TRUE(IndustryCode::Parse("C13").ok());
  EXPECT_TRUE(IndustryCode::Parse("C43").ok());
}

TEST(IndustryCodeTest, RejectsDivisionOutsideItsSection) {
  absl::StatusOr<IndustryCode> code = IndustryCode::Parse("A26");
  ASSERT_FALSE(code.ok());
  EXPECT_EQ(code.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(code.status().message(),
              HasSubstr("industry_code: \"A26\" has division 26, which belongs to section C; "
                        "section A holds 01-05"));
  EXPECT_FALSE(IndustryCode::Parse("C44").ok());
  EXPECT_FALSE(IndustryCode::Parse("D43").ok());
}

TEST(IndustryCodeTest, RejectsMalformedCodes) {
  for (const char* text :
       {"", "C2", "C26145", "U", "Z01", "C2A", "CC26", "C-26", "00", "99", "2", "T99"}) {
    absl::StatusOr<IndustryCode> code = IndustryCode::Parse(text, "enterprise.industry");
    ASSERT_FALSE(code.ok()) << text;
    EXPECT_EQ(code.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(code.status().message(), HasSubstr("enterprise.industry: ")) << text;
  }
}

TEST(IndustryCodeTest, NormalisesLowercaseAndInfersMissingSection) {
  EXPECT_EQ(Code("c2614").value(), "C2614");
  EXPECT_EQ(Code("2614").value(), "C2614");
  EXPECT_EQ(Code("4411").value(), "D4411");
  EXPECT_EQ(Code("01").value(), "A01");
}

TEST(IndustryCodeTest, IsManufacturing) {
  EXPECT_TRUE(Code("C").IsManufacturing());
  EXPECT_TRUE(Code("C13").IsManufacturing());
  EXPECT_TRUE(Code("C4390").IsManufacturing());
  EXPECT_FALSE(Code("D4411").IsManufacturing());
  EXPECT_FALSE(Code("B06").IsManufacturing());
}

TEST(IndustryCodeTest, HasPrefixForListFilters) {
  EXPECT_TRUE(Code("C2614").HasPrefix(Code("C")));
  EXPECT_TRUE(Code("C2614").HasPrefix(Code("C26")));
  EXPECT_TRUE(Code("C2614").HasPrefix(Code("C261")));
  EXPECT_TRUE(Code("C2614").HasPrefix(Code("C2614")));
  EXPECT_FALSE(Code("C2614").HasPrefix(Code("C27")));
  EXPECT_FALSE(Code("C26").HasPrefix(Code("C2614")));
  EXPECT_FALSE(Code("D4411").HasPrefix(Code("C")));
}

TEST(IndustryCodeTest, HighWaterUseSectors) {
  EXPECT_EQ(FindHighWaterUseSector(Code("C3120"))->code, "C31");    // steelmaking
  EXPECT_EQ(FindHighWaterUseSector(Code("C2521"))->code, "C2521");  // coking
  EXPECT_EQ(FindHighWaterUseSector(Code("C2511"))->code, "C251");   // crude oil refining
  EXPECT_EQ(FindHighWaterUseSector(Code("C2614"))->code, "C26");    // organic chemicals
  EXPECT_EQ(FindHighWaterUseSector(Code("C2612"))->code, "C2612");  // chlor-alkali, most specific
  EXPECT_EQ(FindHighWaterUseSector(Code("C2221"))->code, "C22");    // paper
  EXPECT_EQ(FindHighWaterUseSector(Code("C1713"))->code, "C1713");  // cotton dyeing
  EXPECT_EQ(FindHighWaterUseSector(Code("C2821"))->code, "C28");    // chemical fibre
  EXPECT_EQ(FindHighWaterUseSector(Code("C1513"))->code, "C1513");  // beer
  EXPECT_EQ(FindHighWaterUseSector(Code("C1461"))->code, "C1461");  // MSG
  EXPECT_EQ(FindHighWaterUseSector(Code("D4411"))->code, "D4411");  // thermal power
  EXPECT_EQ(FindHighWaterUseSector(Code("C3216"))->code, "C3216");  // aluminium
  EXPECT_TRUE(IsHighWaterUse(Code("C31")));
  EXPECT_FALSE(IsHighWaterUse(Code("C")));      // a section is not inside a division
  EXPECT_FALSE(IsHighWaterUse(Code("C1711")));  // cotton spinning, not dyeing
  EXPECT_FALSE(IsHighWaterUse(Code("C1512")));  // liquor
  EXPECT_FALSE(IsHighWaterUse(Code("D4413")));  // hydro power
  EXPECT_FALSE(IsHighWaterUse(Code("C3211")));  // copper
  EXPECT_FALSE(IsHighWaterUse(Code("I65")));
  for (const HighWaterUseSector& sector : DefaultHighWaterUseSectors()) {
    absl::StatusOr<IndustryCode> code = IndustryCode::Parse(sector.code);
    ASSERT_TRUE(code.ok()) << sector.code;
    EXPECT_EQ(code->value(), sector.code);
  }
}

TEST(IndustryCodeTest, CustomSectorTable) {
  const HighWaterUseSector local[] = {{"C1512", "白酒制造", "liquor"}};
  EXPECT_TRUE(IsHighWaterUse(Code("C1512"), local));
  EXPECT_FALSE(IsHighWaterUse(Code("C31"), local));
}

}  // namespace
}  // namespace jieshui::domain
