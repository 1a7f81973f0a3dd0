#include "quota/src/core/alerts.hpp"

namespace jieshui::quota {

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
        due.push_back({.kind = AlertKind::kMonthlyPlan,
                       .month = month,
                       .threshold_percent = t,
                       .product = "",
                       .used = used,
                       .limit = plan});
      }
    }
    int64_t used_year = 0;
    for (const auto& [month, litres] : year.new_water) {
      used_year += litres;
    }
    for (int t : ThresholdsReached(used_year, year.plan->total, thresholds_percent)) {
      due.push_back({.kind = AlertKind::kAnnualPlan,
                     .month = 0,
                     .threshold_percent = t,
                     .product = "",
                     .used = used_year,
                     .limit = year.plan->total});
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
                       .limit = check.allowed});
      }
    }
  }
  return due;
}

}  // namespace jieshui::quota
