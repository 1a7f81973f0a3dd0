// Annual water plans (计划用水): the monthly split, the thresholds usage is measured against, and
// the district's over-plan ranking. Pure rules; volumes in litres.
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jieshui::quota {

using MonthlySplit = std::array<int64_t, 12>;

// The authority's split of a plan the enterprise did not split itself (DOMAIN.md "Plans"): twelve
// equal parts in whole litres; the litres left over (annual mod 12) go one each to the first
// months, so the parts always add up to the plan. INVALID_ARGUMENT for a negative plan.
absl::StatusOr<MonthlySplit> EvenMonthlySplit(int64_t annual_litres);

// An enterprise's filed split: exactly 12 non-negative parts adding up to the plan. Errors name the
// field ("monthly[3]: ...", "monthly: ... add up to ..."), with the given field name.
absl::StatusOr<MonthlySplit> ValidateMonthlySplit(const std::vector<int64_t>& monthly,
                                                  int64_t annual_litres,
                                                  const std::string& field = "monthly");

// Alert thresholds in percent of a period's plan (DOMAIN.md: default 80 and 100, configurable).
// INVALID_ARGUMENT unless each is 1..1000 and they strictly increase.
absl::Status ValidateThresholds(const std::vector<int>& thresholds_percent);

// The thresholds `used` has reached against `plan`: used × 100 ≥ threshold × plan. Exactly at a
// threshold counts as reached. Nothing is reached while nothing is used, so a zero plan raises
// every threshold on its first litre and none before.
std::vector<int> ThresholdsReached(int64_t used, int64_t plan,
                                   const std::vector<int>& thresholds_percent);

// used / plan in basis points, rounded down; 0 for a zero plan.
int64_t UsedBasisPoints(int64_t used, int64_t plan);

struct OverPlanCandidate {
  std::string uscc;
  int64_t plan = 0;
  int64_t used = 0;
};

struct OverPlanEntry {
  std::string uscc;
  int64_t plan = 0;
  int64_t used = 0;
  int64_t over = 0;
  // (used − plan) / plan in basis points, rounded down; 0 for a zero plan.
  int64_t over_basis_points = 0;
  bool zero_plan = false;
};

// The enterprises above their plan, the furthest over (relative to the plan) first; a zero plan
// with any use counts as infinitely over. Ties: more litres over first, then the USCC.
std::vector<OverPlanEntry> RankOverPlan(const std::vector<OverPlanCandidate>& candidates);

}  // namespace jieshui::quota
