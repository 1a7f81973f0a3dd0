#include "domain/uscc.hpp"

#include <string>

#include "absl/container/flat_hash_set.h"
#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::domain {
namespace {

using ::testing::HasSubstr;

TEST(UsccTest, AcceptsValidCodesFromDomainDigest) {
  for (const char* code : {"91350200776049653A", "91440101MA5CJQ4N59", "913502000728319549"}) {
    absl::StatusOr<Uscc> uscc = Uscc::Parse(code);
    ASSERT_TRUE(uscc.ok()) << code << ": " << uscc.status();
    EXPECT_EQ(uscc->value(), code);
  }
}

TEST(UsccTest, RejectsWrongCheckCharacterNamingExpectedAndActual) {
  absl::StatusOr<Uscc> uscc = Uscc::Parse("91350203M0001QAY9B");
  ASSERT_FALSE(uscc.ok());
  EXPECT_EQ(uscc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(uscc.status().message(), "uscc: check character expected 9, got B");
}

TEST(UsccTest, ErrorNamesTheCallersField) {
  absl::StatusOr<Uscc> uscc = Uscc::Parse("91350203M0001QAY9B", "enterprise.uscc");
  ASSERT_FALSE(uscc.ok());
  EXPECT_THAT(uscc.status().message(), HasSubstr("enterprise.uscc: check character"));
}

TEST(UsccTest, RejectsWrongLength) {
  for (const char* code : {"91350200776049653", "91350200776049653AA", ""}) {
    absl::StatusOr<Uscc> uscc = Uscc::Parse(code);
    ASSERT_FALSE(uscc.ok()) << code;
    EXPECT_EQ(uscc.status().code(), absl::StatusCode::kInvalidArgument);
  }
  EXPECT_THAT(Uscc::Parse("91350200776049653").status().message(),
              HasSubstr("must be 18 characters (GB 32100-2015), got 17"));
}

TEST(UsccTest, RejectsExcludedLettersNamingCharacterAndPosition) {
  // 'O' instead of '0' at position 9: a typical transcription error.
  absl::StatusOr<Uscc> uscc = Uscc::Parse("91350200O76049653A");
  ASSERT_FALSE(uscc.ok());
  EXPECT_EQ(uscc.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_THAT(uscc.status().message(), HasSubstr("character 'O' at position 9"));
  EXPECT_THAT(uscc.status().message(), HasSubstr("excludes I, O, S, V, Z"));
}

TEST(UsccTest, RejectsBadCharacterInCheckPosition) {
  absl::StatusOr<Uscc> uscc = Uscc::Parse("91350200776049653I");
  ASSERT_FALSE(uscc.ok());
  EXPECT_THAT(uscc.status().message(), HasSubstr("character 'I' at position 18"));
}

TEST(UsccTest, RejectsPunctuationAndWhitespace) {
  EXPECT_THAT(Uscc::Parse("91350200-76049653A").status().message(),
              HasSubstr("character '-' at position 9"));
  EXPECT_THAT(Uscc::Parse(" 1350200776049653A").status().message(),
              HasSubstr("character '\\x20' at position 1"));
}

TEST(UsccTest, NormalisesLowercaseToCanonicalUppercase) {
  absl::StatusOr<Uscc> uscc = Uscc::Parse("91440101ma5cjq4n59");
  ASSERT_TRUE(uscc.ok()) << uscc.status();
  EXPECT_EQ(uscc->value(), "91440101MA5CJQ4N59");
  EXPECT_EQ(*uscc, *Uscc::Parse("91440101MA5CJQ4N59"));
  EXPECT_TRUE(Uscc::Parse("91350200776049653a").ok());
}

TEST(UsccTest, ComputeCheckCharacterMatchesExamples) {
  EXPECT_EQ(*ComputeUsccCheckCharacter("91350200776049653"), 'A');
  EXPECT_EQ(*ComputeUsccCheckCharacter("91440101MA5CJQ4N5"), '9');
  EXPECT_EQ(*ComputeUsccCheckCharacter("91350203M0001QAY9"), '9');
  EXPECT_EQ(ComputeUsccCheckCharacter("9135").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(ComputeUsccCheckCharacter("9135020077604965O").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(UsccTest, GeneratedCodesRoundTrip) {
  // A simulator builds codes from a prefix and a serial; every one must parse.
  for (int serial = 0; serial < 500; ++serial) {
    std::string first17 = "91320100MA" + std::to_string(1000000 + serial);
    absl::StatusOr<char> check = ComputeUsccCheckCharacter(first17);
    ASSERT_TRUE(check.ok()) << check.status();
    EXPECT_TRUE(Uscc::Parse(first17 + *check).ok()) << first17 << *check;
  }
}

TEST(UsccTest, AccessorsAndHashing) {
  Uscc uscc = *Uscc::Parse("91440101MA5CJQ4N59");
  EXPECT_EQ(uscc.registration_authority(), '9');
  EXPECT_EQ(uscc.administrative_division(), "440101");
  absl::flat_hash_set<Uscc> set = {uscc, *Uscc::Parse("91440101ma5cjq4n59")};
  EXPECT_EQ(set.size(), 1u);
}

}  // namespace
}  // namespace jieshui::domain
