#include "reporting/src/core/contribution.hpp"

#include <array>

#include "absl/numeric/int128.h"

namespace jieshui::reporting {
namespace {

#define JIESHUI_SUMS_FIELD(f) \
  SumsField { #f, &Sums::f }
// Every field of Sums (the assertion catches one added without being listed here).
constexpr std::array<SumsField, 20> kFields = {JIESHUI_SUMS_FIELD(new_water),
                                               JIESHUI_SUMS_FIELD(value_added_fen),
                                               JIESHUI_SUMS_FIELD(above_scale_reused),
                                               JIESHUI_SUMS_FIELD(above_scale_new_water),
                                               JIESHUI_SUMS_FIELD(carrier_set),
                                               JIESHUI_SUMS_FIELD(carrier_certified),
                                               JIESHUI_SUMS_FIELD(balance_tests),
                                               JIESHUI_SUMS_FIELD(audits),
                                               JIESHUI_SUMS_FIELD(reclaimed),
                                               JIESHUI_SUMS_FIELD(self_supplied_set),
                                               JIESHUI_SUMS_FIELD(self_supplied_certified),
                                               JIESHUI_SUMS_FIELD(titles_created),
                                               JIESHUI_SUMS_FIELD(provincial_titles_created),
                                               JIESHUI_SUMS_FIELD(leaders),
                                               JIESHUI_SUMS_FIELD(contract_projects),
                                               JIESHUI_SUMS_FIELD(demonstrations),
                                               JIESHUI_SUMS_FIELD(specialist_set),
                                               JIESHUI_SUMS_FIELD(specialist_named),
                                               JIESHUI_SUMS_FIELD(key_monitored),
                                               JIESHUI_SUMS_FIELD(key_monitored_online)};
#undef JIESHUI_SUMS_FIELD
static_assert(sizeof(Sums) == kFields.size() * sizeof(int64_t));

constexpr int kProvincial = 3;

}  // namespace

std::vector<int> MonthsOf(const v1::IndicatorPeriod& p) {
  std::vector<int> out;
  switch (p.kind()) {
    case v1::PERIOD_KIND_MONTH:
      out.push_back(p.month());
      break;
    case v1::PERIOD_KIND_QUARTER:
      for (int m = p.quarter() * 3 - 2; m <= p.quarter() * 3; ++m) {
        out.push_back(m);
      }
      break;
    case v1::PERIOD_KIND_YEAR_TO_DATE:
      for (int m = 1; m <= p.month(); ++m) {
        out.push_back(m);
      }
      break;
    default:  // a year
      for (int m = 1; m <= 12; ++m) {
        out.push_back(m);
      }
  }
  return out;
}

domain::Date LastDayOf(const v1::IndicatorPeriod& p) {
  const std::vector<int> months = MonthsOf(p);
  const int m = months.empty() ? 12 : months.back();
  return *domain::Date::Create(p.year(), m, domain::DaysInMonth(p.year(), m));
}

bool AboveScale(const EnterpriseYear& e) {
  return e.statistics_above_scale.value_or(e.registry_above_scale);
}

std::optional<int64_t> ThresholdIntake(const EnterpriseYear& e, const v1::IndicatorPeriod& p,
                                       const Rules& rules) {
  if (rules.basis == ThresholdBasis::kPreviousYear) {
    return e.previous_year_new_water;
  }
  const std::vector<int> months = MonthsOf(p);
  int64_t sum = 0;
  int64_t reported = 0;
  for (int m : months) {
    sum += e.months[m - 1].NewWater();
    reported += e.months[m - 1].reported ? 1 : 0;
  }
  if (rules.basis == ThresholdBasis::kActual || reported == 0) {
    return sum;
  }
  // Scaled to a year over the months with usage reported (an enterprise metered from November on
  // is judged by its months, not by ten months of nothing), rounded down: a threshold is reached,
  // not approached.
  return static_cast<int64_t>(absl::int128(sum) * 12 / reported);
}

bool CertifiedOn(const EnterpriseYear& e, const domain::Date& day) {
  for (const TitleFact& t : e.titles) {
    if (t.level >= 1 && t.level <= kProvincial && t.standing && !(day < t.valid_from) &&
        !(t.valid_until < day)) {
      return true;
    }
  }
  return false;
}

Sums ContributionOf(const EnterpriseYear& e, const v1::IndicatorPeriod& p, const Rules& rules) {
  Sums s;
  int64_t new_water = 0;
  int64_t reused = 0;
  bool reported = false;
  for (int m : MonthsOf(p)) {
    const MonthWater& w = e.months[m - 1];
    new_water += w.NewWater();
    reused += w.recirculated + w.reused;
    s.reclaimed += w.reclaimed;
    reported = reported || w.reported;
  }
  s.new_water = new_water;
  // Value added is a year's figure: row 1 is defined for a year only.
  if (p.kind() == v1::PERIOD_KIND_YEAR) {
    s.value_added_fen = e.value_added_fen.value_or(0);
  }
  if (AboveScale(e)) {
    s.above_scale_reused = reused;
    s.above_scale_new_water = new_water;
  }
  const domain::Date last = LastDayOf(p);
  const bool certified = CertifiedOn(e, last);
  const std::optional<int64_t> intake = ThresholdIntake(e, p, rules);
  if (intake.has_value() && *intake >= rules.carrier_threshold) {
    s.carrier_set = 1;
    s.carrier_certified = certified ? 1 : 0;
  }
  if (e.self_supplied && intake.has_value() && *intake >= rules.self_supplied_threshold) {
    s.self_supplied_set = 1;
    s.self_supplied_certified = certified ? 1 : 0;
  }
  if (intake.has_value() && *intake >= rules.specialist_threshold) {
    s.specialist_set = 1;
    s.specialist_named = e.specialist_named ? 1 : 0;
  }
  if (e.key_monitored) {
    s.key_monitored = 1;
    s.key_monitored_online = reported ? 1 : 0;
  }
  for (const TitleFact& t : e.titles) {
    if (t.granted_year == e.year && t.level >= 1 && t.level <= kProvincial) {
      ++s.titles_created;
      s.provincial_titles_created += t.level == kProvincial ? 1 : 0;
    }
  }
  s.balance_tests = e.balance_tests;
  s.audits = e.audits;
  s.leaders = e.leaders_to_date;
  s.contract_projects = e.contract_projects_to_date;
  s.demonstrations = e.demonstrations_to_date;
  return s;
}

Sums Add(const Sums& a, const Sums& b) {
  Sums out = a;
  for (const SumsField& f : kFields) {
    out.*f.member += b.*f.member;
  }
  return out;
}

Sums Subtract(const Sums& a, const Sums& b) {
  Sums out = a;
  for (const SumsField& f : kFields) {
    out.*f.member -= b.*f.member;
  }
  return out;
}

const std::vector<SumsField>& SumsFields() {
  static const auto* fields = new std::vector<SumsField>(kFields.begin(), kFields.end());
  return *fields;
}

}  // namespace jieshui::reporting
