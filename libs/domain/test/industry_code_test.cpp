#include "domain/industry_code.hpp"

#include <string>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/industry_catalogue.hpp"
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

// The standard's table (data/gbt4754-2017.csv, with amendment No. 1): the counts per level, each
// code under its parent, and entries checked against the printed standard.
TEST(IndustryCatalogueTest, HoldsTheWholeStandardEachCodeUnderItsParent) {
  EXPECT_EQ(IndustryCount(IndustryLevel::kSection), 20U);
  EXPECT_EQ(IndustryCount(IndustryLevel::kDivision), 97U);
  EXPECT_EQ(IndustryCount(IndustryLevel::kGroup), 473U);
  EXPECT_EQ(IndustryCount(IndustryLevel::kClass), 1382U);
  for (char section = 'A'; section <= 'T'; ++section) {
    ASSERT_NE(FindIndustry(Code(std::string(1, section))), nullptr) << section;
  }
  for (int d = 1; d <= 97; ++d) {
    const std::string digits = absl::StrFormat("%02d", d);
    const IndustryEntry* division = FindIndustry(Code(digits));
    ASSERT_NE(division, nullptr) << digits;
    EXPECT_EQ(division->level, IndustryLevel::kDivision);
    // Its section is listed: the division's letter is the section's.
    EXPECT_NE(FindIndustry(Code(division->code.substr(0, 1))), nullptr);
    int groups = 0;
    for (int g = 0; g <= 9; ++g) {
      const IndustryEntry* group = FindIndustry(Code(absl::StrCat(digits, g)));
      if (group == nullptr) {
        // No class without its group.
        for (int c = 0; c <= 9; ++c) {
          EXPECT_EQ(FindIndustry(Code(absl::StrCat(digits, g, c))), nullptr);
        }
        continue;
      }
      ++groups;
      int classes = 0;
      for (int c = 0; c <= 9; ++c) {
        classes += FindIndustry(Code(absl::StrCat(digits, g, c))) != nullptr ? 1 : 0;
      }
      EXPECT_GT(classes, 0) << group->code << " has no class";
    }
    EXPECT_GT(groups, 0) << division->code << " has no group";
  }
  EXPECT_EQ(FindIndustry(Code("C26"))->name, "化学原料和化学制品制造业");
  EXPECT_EQ(FindIndustry(Code("C2614"))->name, "有机化学原料制造");
  EXPECT_EQ(FindIndustry(Code("C1311"))->name, "稻谷加工");
  EXPECT_EQ(FindIndustry(Code("D4411"))->name, "火力发电");
  EXPECT_EQ(FindIndustry(Code("S9231"))->name, "监察委员会");  // added by amendment No. 1
  EXPECT_EQ(FindIndustry(Code("C269")), nullptr);              // there is no group 269
  EXPECT_EQ(FindIndustry(Code("C2699")), nullptr);
}

TEST(IndustryCatalogueTest, AcceptsOnlyListedCodesAndSaysWhichLevelIsMissing) {
  EXPECT_EQ(ParseListedIndustryCode("c2614")->value(), "C2614");
  EXPECT_EQ(ParseListedIndustryCode("2614")->value(), "C2614");
  EXPECT_EQ(ParseListedIndustryCode("C")->value(), "C");
  absl::StatusOr<IndustryCode> missing = ParseListedIndustryCode("C2699", "industry_code");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(missing.status().message(),
            "industry_code: \"C2699\" is not in GB/T 4754-2017 (it has no group C269)");
  EXPECT_EQ(ParseListedIndustryCode("C2617").status().message(),
            "industry_code: \"C2617\" is not in GB/T 4754-2017 (it has no class C2617)");
  // A malformed code keeps the form check's message.
  EXPECT_THAT(std::string(ParseListedIndustryCode("C2A").status().message()),
              ::testing::HasSubstr("non-digit"));
  EXPECT_EQ(IndustryLabel("C2614"), "C2614 有机化学原料制造");
  EXPECT_EQ(IndustryLabel("C2699"), "C2699");
  EXPECT_EQ(IndustryLabel(""), "");
}

}  // namespace
}  // namespace jieshui::domain
