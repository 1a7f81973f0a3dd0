#include "quota/src/core/alerts.hpp"

namespace jieshui::quota {
namespace {

struct Crossing {
  int64_t used = 0;
  int64_t at_ms = 0;
};

bool Reaches(int64_t used, int64_t plan, int threshold) {
  return !ThresholdsReached(used, plan, {threshold}).empty();
}

// Where the running usage first reached `threshold` of `plan` among the steps of `month` (0: all
// of the year's), given the usage after all of them. When it was reached before the first step,
// or by none, the usage as it stands, with no time.
Crossing CrossingOf(const std::vector<UsageStep>& steps, int month, int64_t used_after,
                    int64_t plan, int threshold) {
  int64_t before = used_after;
  for (const UsageStep& step : steps) {
    if (month == 0 || step.month == month) {
      before -= step.litres;
    }
  }
  if (Reaches(before, plan, threshold)) {
    return {.used = used_after, .at_ms = 0};
  }
  int64_t running = before;
  for (const UsageStep& step : steps) {
    if (month != 0 && step.month != month) {
      continue;
    }
    running += step.litres;
    if (Reaches(running, plan, threshold)) {
      return {.used = running, .at_ms = step.end_ms};
    }
  }
  return {.used = used_after, .at_ms = 0};
}

}  // namespace

std::vector<DueAlert> AlertsDue(const AlertYear& year, const std::set<int>& months,
                                const std::vector<int>& thresholds_percent) {
  std::vector<DueAlert> due;
  if (year.plan.has_value()) {
    for (int month : months) {
      if (month < 1 || month > 12) {
        continue;
      }
      auto it = year.new_water.find(month);
      const int64_t used = it == year.new_water.end() ? 0 : it->second;
      const int64_t plan = year.plan->monthly[static_cast<size_t>(month - 1)];
      for (int t : ThresholdsReached(used, plan, thresholds_percent)) {
        const Crossing crossing = CrossingOf(year.steps, month, used, plan, t);
        due.push_back({.kind = AlertKind::kMonthlyPlan,
                       .month = month,
                       .threshold_percent = t,
                       .product = "",
                       .used = crossing.used,
                       .limit = plan,
                       .crossed_at_ms = crossing.at_ms});
      }
    }
    int64_t used_year = 0;
    for (const auto& [month, litres] : year.new_water) {
      used_year += litres;
    }
    for (int t : ThresholdsReached(used_year, year.plan->total, thresholds_percent)) {
      const Crossing crossing = CrossingOf(year.steps, 0, used_year, year.plan->total, t);
      due.push_back({.kind = AlertKind::kAnnualPlan,
                     .month = 0,
                     .threshold_percent = t,
                     .product = "",
                     .used = crossing.used,
                     .limit = year.plan->total,
                     .crossed_at_ms = crossing.at_ms});
    }
  }
  for (int month : months) {
    auto it = year.output.find(month);
    if (it == year.output.end()) {
      continue;  // no output reported: nothing to hold against a quota
    }
    for (const ProductOutput& p : it->second) {
      if (!p.quota.has_value()) {
        continue;
      }
      const QuotaCheckResult check = CheckProductQuota(p.intake, p.output_milli, *p.quota);
      if (check.over_quota) {
        due.push_back({.kind = AlertKind::kOverQuota,
                       .month = month,
                       .threshold_percent = 100,
                       .product = p.product,
                       .used = p.intake,
                       .limit = check.allowed,
                       .crossed_at_ms = 0});
      }
    }
  }
  return due;
}

}  // namespace jieshui::quota
