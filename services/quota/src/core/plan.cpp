#include "quota/src/core/plan.hpp"

#include <algorithm>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"

namespace jieshui::quota {

absl::StatusOr<MonthlySplit> EvenMonthlySplit(int64_t annual_litres) {
  if (annual_litres < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("total: must not be negative, got ", annual_litres, " L"));
  }
  MonthlySplit split{};
  const int64_t part = annual_litres / 12;
  const int64_t left = annual_litres % 12;
  for (int64_t m = 0; m < 12; ++m) {
    split[static_cast<size_t>(m)] = part + (m < left ? 1 : 0);
  }
  return split;
}

absl::StatusOr<MonthlySplit> ValidateMonthlySplit(const std::vector<int64_t>& monthly,
                                                  int64_t annual_litres, const std::string& field) {
  if (monthly.size() != 12) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": needs 12 months, January first; got ", monthly.size()));
  }
  MonthlySplit split{};
  absl::int128 sum = 0;
  for (size_t m = 0; m < 12; ++m) {
    if (monthly[m] < 0) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, "[", m, "]: must not be negative, got ", monthly[m], " L"));
    }
    split[m] = monthly[m];
    sum += monthly[m];
  }
  if (sum != annual_litres) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": the months add up to ",
                                                   static_cast<int64_t>(sum),
                                                   " L, the annual plan is ", annual_litres, " L"));
  }
  return split;
}

absl::Status ValidateThresholds(const std::vector<int>& thresholds_percent) {
  int previous = 0;
  for (size_t i = 0; i < thresholds_percent.size(); ++i) {
    const int t = thresholds_percent[i];
    if (t < 1 || t > 1000) {
      return absl::InvalidArgumentError(
          absl::StrCat("alert_thresholds_percent[", i, "]: must be 1..1000, got ", t));
    }
    if (t <= previous) {
      return absl::InvalidArgumentError(absl::StrCat("alert_thresholds_percent[", i,
                                                     "]: must be above the one before (", t,
                                                     " after ", previous, ")"));
    }
    previous = t;
  }
  return absl::OkStatus();
}

std::vector<int> ThresholdsReached(int64_t used, int64_t plan,
                                   const std::vector<int>& thresholds_percent) {
  std::vector<int> reached;
  if (used <= 0) {
    return reached;
  }
  for (int t : thresholds_percent) {
    if (absl::int128(used) * 100 >= absl::int128(t) * plan) {
      reached.push_back(t);
    }
  }
  return reached;
}

int64_t UsedBasisPoints(int64_t used, int64_t plan) {
  if (plan <= 0) {
    return 0;
  }
  return static_cast<int64_t>(absl::int128(used) * 10000 / plan);
}

std::vector<OverPlanEntry> RankOverPlan(const std::vector<OverPlanCandidate>& candidates) {
  std::vector<OverPlanEntry> out;
  for (const OverPlanCandidate& c : candidates) {
    if (c.used <= c.plan) {
      continue;
    }
    OverPlanEntry e;
    e.uscc = c.uscc;
    e.plan = c.plan;
    e.used = c.used;
    e.over = c.used - c.plan;
    e.zero_plan = c.plan <= 0;
    e.over_basis_points =
        e.zero_plan ? 0 : static_cast<int64_t>(absl::int128(e.over) * 10000 / c.plan);
    out.push_back(std::move(e));
  }
  // Compare over/plan exactly by cross-multiplying (no rounding decides an order).
  std::sort(out.begin(), out.end(), [](const OverPlanEntry& a, const OverPlanEntry& b) {
    if (a.zero_plan != b.zero_plan) {
      return a.zero_plan;
    }
    if (!a.zero_plan) {
      const absl::int128 lhs = absl::int128(a.over) * b.plan;
      const absl::int128 rhs = absl::int128(b.over) * a.plan;
      if (lhs != rhs) {
        return lhs > rhs;
      }
    }
    if (a.over != b.over) {
      return a.over > b.over;
    }
    return a.uscc < b.uscc;
  });
  return out;
}

}  // namespace jieshui::quota
