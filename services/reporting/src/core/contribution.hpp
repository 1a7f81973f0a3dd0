// One enterprise's contribution to the sums of a period (indicators.hpp): which sets it belongs to
// (above scale that year, at or above a threshold, certified on the period's last day) and what
// it adds. Sums are additive, so a scope's sums are the sum of its enterprises' contributions, and
// an event about one enterprise moves a scope's sums by that enterprise's new contribution minus
// its old one: incremental, never a scan, and a rebuild from the topics gives the same figures.
// Pure.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/period.hpp"
#include "jieshui/reporting/v1/reporting_service.pb.h"
#include "reporting/src/core/indicators.hpp"

namespace jieshui::reporting {

// One month of an enterprise's water as quota announced it (litres).
struct MonthWater {
  int64_t tap = 0;
  int64_t surface = 0;
  int64_t ground = 0;
  int64_t reclaimed = 0;
  int64_t recirculated = 0;
  int64_t reused = 0;     // series reuse
  bool reported = false;  // quota announced usage for the month (readings came in)
  int64_t NewWater() const { return tap + surface + ground; }
};

// A water-saving title as certification announced it.
struct TitleFact {
  int level = 0;  // certification.v1.Level: 1 district, 2 municipal, 3 provincial, 4 leader
  domain::Date valid_from = *domain::Date::Create(2000, 1, 1);
  domain::Date valid_until = *domain::Date::Create(2000, 1, 1);
  bool standing = true;  // not revoked, withdrawn or expired by a review
  int granted_year = 0;
};

// What reporting knows of one enterprise for one year.
struct EnterpriseYear {
  int year = 0;
  std::array<MonthWater, 12> months;           // January first
  std::optional<int64_t> value_added_fen;      // Statistics' latest version
  std::optional<bool> statistics_above_scale;  // Statistics' flag for this year
  bool registry_above_scale = false;
  bool self_supplied = false;  // takes self-supplied surface or ground water
  bool key_monitored = false;
  bool specialist_named = false;
  std::optional<int64_t> previous_year_new_water;  // litres, for the previous-year threshold basis
  std::vector<TitleFact> titles;
  // Accepted records counted in this year, and since the plan began (2023) up to this year.
  int64_t balance_tests = 0;
  int64_t audits = 0;
  int64_t contract_projects_to_date = 0;
  int64_t demonstrations_to_date = 0;
  int64_t leaders_to_date = 0;
};

// Which intake decides the threshold sets (≥ 200,000 m³ for carriers, ≥ 500,000 m³ self-supplied,
// ≥ 100,000 t specialists), a configured rule (README "Denominator rules").
enum class ThresholdBasis {
  // The period's intake scaled to a year over its months with usage reported: a month × 12, a
  // full quarter × 4, a year to date × 12 / its reported months, a full year its own. The default.
  kAnnualised,
  // The period's intake as it stands (a month's must itself reach the annual threshold).
  kActual,
  // The previous complete year's intake, whatever the period.
  kPreviousYear,
};

struct Rules {
  ThresholdBasis basis = ThresholdBasis::kAnnualised;
  int64_t carrier_threshold = 200'000'000;        // litres (200,000 m³)
  int64_t self_supplied_threshold = 500'000'000;  // 500,000 m³
  int64_t specialist_threshold = 100'000'000;     // 100,000 t ≈ 100,000 m³
};

// The months (1..12) a period covers, and its last day.
std::vector<int> MonthsOf(const reporting::v1::IndicatorPeriod& period);
domain::Date LastDayOf(const reporting::v1::IndicatorPeriod& period);

// Above scale in `year`: Statistics' flag for that year when it submitted one, else the registry's.
bool AboveScale(const EnterpriseYear& e);

// The intake a threshold is judged on for the period (litres), per `rules.basis`; nullopt when
// the basis has no figure (kPreviousYear without last year's usage).
std::optional<int64_t> ThresholdIntake(const EnterpriseYear& e,
                                       const reporting::v1::IndicatorPeriod& period,
                                       const Rules& rules);

// Whether the enterprise holds a water-saving-enterprise title (district, municipal or
// provincial) valid on `day`: standing, valid_from ≤ day ≤ valid_until.
bool CertifiedOn(const EnterpriseYear& e, const domain::Date& day);

// What the enterprise adds to the sums of `period` (which must lie in e.year).
Sums ContributionOf(const EnterpriseYear& e, const reporting::v1::IndicatorPeriod& period,
                    const Rules& rules);

// The fields of Sums by name (the store's columns have the same names).
struct SumsField {
  const char* name;
  int64_t Sums::*member;
};
const std::vector<SumsField>& SumsFields();

// a + b and a − b, field by field.
Sums Add(const Sums& a, const Sums& b);
Sums Subtract(const Sums& a, const Sums& b);

}  // namespace jieshui::reporting
