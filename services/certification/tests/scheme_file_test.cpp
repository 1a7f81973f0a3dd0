// The schemes the service ships (schemes.yaml) load and validate, and a malformed file's error
// names the key.
#include "certification/src/adapters/scheme_file.hpp"

#include <fstream>

#include <gtest/gtest.h>

#include "certification/src/core/evaluation.hpp"
#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

TEST(SchemeFileTest, TheShippedSchemesLoadAndAreInForce) {
  auto schemes = LoadSchemes(JIESHUI_SOURCE_DIR "/services/certification/schemes.yaml");
  ASSERT_TRUE(schemes.ok()) << schemes.status();
  ASSERT_EQ(schemes->size(), 4u);
  const domain::Date day = *domain::Date::Create(2026, 12, 2);
  auto provincial = SchemeInForce(*schemes, v1::LEVEL_PROVINCIAL, day);
  ASSERT_TRUE(provincial.ok()) << provincial.status();
  EXPECT_EQ(provincial->validity_years(), 5);
  EXPECT_TRUE(provincial->dual_approval());
  // 5 management items of 10 and 6 technical ones (10 + 10 + 10 + 8 + 7 + 5 = 50).
  EXPECT_EQ(provincial->items_size(), 11);
  EXPECT_EQ(*ThresholdFor(*provincial, "C3110", v1::METRIC_REPEAT_UTILISATION), 9700);
  EXPECT_EQ(*ThresholdFor(*provincial, "C1713", v1::METRIC_LEAKAGE), 600);
  EXPECT_EQ(*ThresholdFor(*provincial, "C2614", v1::METRIC_LEAKAGE), 500);
  auto leader = SchemeInForce(*schemes, v1::LEVEL_LEADER, day);
  ASSERT_TRUE(leader.ok());
  EXPECT_EQ(leader->validity_years(), 2);
  EXPECT_EQ(leader->gates(0).kind(), v1::GATE_KIND_ANNUAL_INTAKE);
  EXPECT_EQ(leader->gates(0).threshold().litres(), 150'000'000);
}

TEST(SchemeFileTest, AnUnknownMetricNamesTheKey) {
  const std::string path = ::testing::TempDir() + "/schemes_bad.yaml";
  std::ofstream(path) << "schemes:\n  - scheme_id: x\n    level: district\n    items:\n"
                         "      - {item_id: a, kind: technical, points: 100, metric: colour}\n";
  auto schemes = LoadSchemes(path);
  EXPECT_EQ(schemes.status().code(), absl::StatusCode::kInvalidArgument);
  auto v = errors::FieldViolationsOf(schemes.status());
  ASSERT_EQ(v.size(), 1u);
  EXPECT_EQ(v[0].field, "schemes[0].items.metric");
  EXPECT_EQ(LoadSchemes(::testing::TempDir() + "/none.yaml").status().code(),
            absl::StatusCode::kNotFound);
}

}  // namespace
}  // namespace jieshui::certification
