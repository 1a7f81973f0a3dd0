// Which alerts an enterprise's usage makes due (DOMAIN.md "Consequences of exceeding": alerts as
// usage crosses configurable thresholds of the period's plan, and over-quota use). Pure: the store
// loads an enterprise's year, asks this which alerts are due, and stores them; that each is raised
// only once is the store's unique key, not a rule here.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "quota/src/core/plan.hpp"
#include "quota/src/core/surcharge.hpp"

namespace jieshui::quota {

// The current version of a year's plan: the annual total and its monthly split.
struct YearPlan {
  int64_t total = 0;
  MonthlySplit monthly{};
};

// One product's reported output of a month, held against its quota.
struct ProductOutput {
  std::string product;
  // The intake reported for the product, or else the month's metered new water (quota.v1
  // ProductionReport.production_intake).
  int64_t intake = 0;
  int64_t output_milli = 0;  // thousandths of a unit
  // The quota of the enterprise's industry code or the closest broader one; none: no quota
  // covers the product, so it cannot be over one.
  std::optional<ProductQuotaValues> quota;
};

// One new-water record of the readings being applied, in the order they are applied: the month
// (1..12) its interval ends in, its litres (negative for a reversal of an estimate) and that end.
struct UsageStep {
  int month = 0;
  int64_t litres = 0;
  int64_t end_ms = 0;  // Unix ms
};

// What the alert rules need of one enterprise's year.
struct AlertYear {
  std::optional<YearPlan> plan;  // none: no plan, so no plan alerts
  // New water (新水) per month with usage (1..12); the year's is their sum, so every month of the
  // year belongs here, not only those just changed.
  std::map<int, int64_t> new_water;
  // The records of this year just applied, in order; `new_water` already includes them. A plan
  // alert reached by one of them says when: the usage right after that record, and its time.
  std::vector<UsageStep> steps;
  // Each month's reported output; a month without a report holds nothing against a quota.
  std::map<int, std::vector<ProductOutput>> output;
};

enum class AlertKind {
  kMonthlyPlan,  // a threshold of a month's plan
  kAnnualPlan,   // a threshold of the year's plan
  kOverQuota,    // a product's unit intake above its quota's general value
};

struct DueAlert {
  AlertKind kind = AlertKind::kMonthlyPlan;
  int month = 0;              // 1..12; 0 for the year
  int threshold_percent = 0;  // the plan threshold reached; 100 for over quota
  std::string product;        // over quota only
  // Litres: new water (plan) or the product's intake (quota). A plan alert that one of the steps
  // reached holds the usage right after that step, however many followed it.
  int64_t used = 0;
  int64_t limit = 0;  // litres: the period's plan, or the quota's allowance
  // The interval end of the step that reached the threshold (Unix ms); 0 when none did (the usage
  // was there before, and a plan change or an earlier batch put it over).
  int64_t crossed_at_ms = 0;
  friend bool operator==(const DueAlert&, const DueAlert&) = default;
};

// The alerts `year` makes due for `months` (the months whose usage or output changed) and for the
// year, in the order they are raised: each month's plan thresholds (months ascending, thresholds
// rising; ThresholdsReached decides), then the year's plan thresholds, then over quota per month
// and product (CheckProductQuota decides). A month outside 1..12 is ignored. A plan alert's usage
// and time are those right after the first step at which the running usage reached it, so they
// do not depend on how the readings were batched.
std::vector<DueAlert> AlertsDue(const AlertYear& year, const std::set<int>& months,
                                const std::vector<int>& thresholds_percent);

}  // namespace jieshui::quota
