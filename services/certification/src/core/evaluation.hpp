// Evaluating an application under its scheme (DOMAIN.md "Certification"): which scheme is in
// force, the basic requirements as pass/fail gates with their evidence, and the score sheet with
// the technical items worked out from the platform's own figures. Pure: the facts come in as
// values (GateFacts, Figures), the scheme and the answers are contract messages.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/period.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"

namespace jieshui::certification {

// A scheme as configuration gives it: INVALID_ARGUMENT naming "schemes[<id>].<field>" when its
// items do not add up to 100 points, a pass mark is outside 1..100, ids repeat, a metric item has
// no default threshold, and the like.
absl::Status ValidateScheme(const v1::Scheme& scheme);

// The scheme for `level` in force on `on`: the latest effective_from on or before it, the highest
// version among those. NOT_FOUND naming the level when there is none.
absl::StatusOr<v1::Scheme> SchemeInForce(const std::vector<v1::Scheme>& schemes, v1::Level level,
                                         const domain::Date& on);

// "LEVEL_PROVINCIAL" → "provincial".
std::string LevelName(v1::Level level);

// What the platform knows about an enterprise when its gates are judged.
struct GateFacts {
  std::set<int> over_plan_years;  // years with an annual over-plan alert (≥ 100%)
  bool metering_met = false;
  std::string metering_evidence;  // "level 1: 2/2 (100.00% ≥ 100.00%); …"
  // Period ends of the enterprise's accepted balance tests, with their record ids.
  std::map<domain::Date, std::string> accepted_balance_tests;
  int open_rectification_orders = 0;
  std::string specialist;  // name; empty when none is named
  // New water of the last complete year (litres), when quota has announced any usage for it.
  std::optional<int64_t> last_year_new_water;
  // Valid water-saving-enterprise titles (district, municipal, provincial) on the day.
  std::vector<std::string> valid_titles;
  std::vector<domain::Date> violations;
  std::map<std::string, std::string> documents;  // gate_id → reference
};

// One month of an enterprise's usage as quota announced it (jieshui.quota.usage.v1).
struct MonthUsage {
  int year = 0;
  int month = 0;          // 1..12
  int64_t new_water = 0;  // litres
};

// New water of `year`: the sum of its months; nullopt when quota announced none of them.
std::optional<int64_t> YearNewWater(const std::vector<MonthUsage>& usage, int year);

// Every gate of the scheme judged on `on`, in the scheme's order, each with its evidence.
std::vector<v1::GateResult> EvaluateGates(const v1::Scheme& scheme, const GateFacts& facts,
                                          const domain::Date& on);

// The platform's figures for the technical items, from the latest accepted balance test (basis
// points); a metric without a figure is scored by the reviewers.
struct Figures {
  std::map<v1::Metric, int64_t> basis_points;
  std::string source;  // "balance test <id>"
};

// The threshold of `metric` for an enterprise of `industry_code` ("C1713"): its division's
// ("C17") when the scheme has one, else the default's. NOT_FOUND when neither sets it.
absl::StatusOr<int64_t> ThresholdFor(const v1::Scheme& scheme, const std::string& industry_code,
                                     v1::Metric metric);

// Points of a metric item: full at or beyond the threshold, less deduct_per_point for every
// started percentage point (100 bp) short of it, never below zero.
int32_t MetricPoints(const v1::Item& item, int64_t figure_bp, int64_t threshold_bp);

// One score sheet. `entered` gives the items the platform does not compute; each must be an item
// of the scheme, at most its points and not negative, every such item scored once. Metric items
// with a figure are computed (an entered score for them is refused). INVALID_ARGUMENT naming
// "items[<item_id>]" otherwise.
absl::StatusOr<v1::ScoreSheet> Score(const v1::Scheme& scheme, const std::string& industry_code,
                                     const Figures& figures,
                                     const std::vector<v1::ItemScore>& entered,
                                     v1::ScoreStage stage);

}  // namespace jieshui::certification
