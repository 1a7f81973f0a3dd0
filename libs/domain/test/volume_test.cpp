#include "domain/volume.hpp"

#include <limits>

#include "absl/status/status.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace jieshui::domain {
namespace {

using ::testing::HasSubstr;

TEST(VolumeTest, ParsesCubicMetresExactly) {
  EXPECT_EQ(Volume::ParseCubicMetres("12.345")->litres(), 12345);
  EXPECT_EQ(Volume::ParseCubicMetres("12.3")->litres(), 12300);
  EXPECT_EQ(Volume::ParseCubicMetres("12")->litres(), 12000);
  EXPECT_EQ(Volume::ParseCubicMetres("0.001")->litres(), 1);
  EXPECT_EQ(Volume::ParseCubicMetres("-0.5")->litres(), -500);
  EXPECT_EQ(Volume::ParseCubicMetres("7.12000")->litres(), 7120);  // trailing zeros lose nothing
  // 0.1 + 0.2 in double is 0.30000000000000004; in litres it is exact.
  Volume sum = *Volume::ParseCubicMetres("0.1")->Add(*Volume::ParseCubicMetres("0.2"));
  EXPECT_EQ(sum, *Volume::ParseCubicMetres("0.3"));
}

TEST(VolumeTest, RejectsTextThatIsNotAnExactVolume) {
  for (const char* text : {"", "abc", "1.2.3", "1,5", ".5", "5.", "1e3", " 1", "+1", "--1"}) {
    absl::StatusOr<Volume> v = Volume::ParseCubicMetres(text, "reading.volume");
    ASSERT_FALSE(v.ok()) << text;
    EXPECT_EQ(v.status().code(), absl::StatusCode::kInvalidArgument) << text;
    EXPECT_THAT(v.status().message(), HasSubstr("reading.volume: ")) << text;
  }
  EXPECT_THAT(Volume::ParseCubicMetres("1.2345").status().message(),
              HasSubstr("more than 3 decimal places"));
}

TEST(VolumeTest, RejectsTooLarge) {
  EXPECT_EQ(Volume::ParseCubicMetres("9223372036854775.807")->litres(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(Volume::ParseCubicMetres("9223372036854775.808").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Volume::ParseCubicMetres("99999999999999999999999").status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Volume::CubicMetres(std::numeric_limits<int64_t>::max() / 1000 + 1).status().code(),
            absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Volume::CubicMetres(200000)->litres(), 200'000'000);
}

TEST(VolumeTest, FormatsThreeDecimals) {
  EXPECT_EQ(Volume::Litres(12345).ToCubicMetresString(), "12.345");
  EXPECT_EQ(Volume::Litres(0).ToCubicMetresString(), "0.000");
  EXPECT_EQ(Volume::Litres(1).ToCubicMetresString(), "0.001");
  EXPECT_EQ(Volume::Litres(-1).ToCubicMetresString(), "-0.001");
  EXPECT_EQ(Volume::Litres(-12000).ToCubicMetresString(), "-12.000");
  EXPECT_EQ(Volume::Litres(std::numeric_limits<int64_t>::min()).ToCubicMetresString(),
            "-9223372036854775.808");
}

TEST(VolumeTest, RoundTripsThroughText) {
  for (int64_t litres : {0LL, 1LL, 999LL, 1000LL, 1001LL, -7LL, 123456789012LL}) {
    Volume v = Volume::Litres(litres);
    EXPECT_EQ(*Volume::ParseCubicMetres(v.ToCubicMetresString()), v) << litres;
  }
}

TEST(VolumeTest, CheckedArithmetic) {
  EXPECT_EQ(Volume::Litres(5).Add(Volume::Litres(7))->litres(), 12);
  EXPECT_EQ(Volume::Litres(5).Subtract(Volume::Litres(7))->litres(), -2);
  const Volume max = Volume::Litres(std::numeric_limits<int64_t>::max());
  const Volume min = Volume::Litres(std::numeric_limits<int64_t>::min());
  EXPECT_EQ(max.Add(Volume::Litres(1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(min.Subtract(Volume::Litres(1)).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_EQ(Volume::Litres(0).Subtract(min).status().code(), absl::StatusCode::kOutOfRange);
  EXPECT_TRUE(max.Add(min).ok());
}

TEST(VolumeTest, Comparisons) {
  EXPECT_LT(Volume::Litres(1), Volume::Litres(2));
  EXPECT_GT(Volume::Litres(0), Volume::Litres(-1));
  EXPECT_EQ(Volume(), Volume::Litres(0));
  EXPECT_NE(Volume::Litres(1000), Volume::Litres(1001));
}

}  // namespace
}  // namespace jieshui::domain
