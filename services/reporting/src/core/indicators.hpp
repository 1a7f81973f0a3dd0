// The district's indicators (issue #17, DOMAIN.md "Indicator formulas"), worked out from the sums
// of one scope and period: always ratios of sums, never means of ratios, exact (domain::Ratio),
// with each one's target of the year, the gap and whether it is on track. Pure: the sums come in,
// the contract's Indicator messages go out; which enterprises the sums hold is the caller's
// (incremental) business.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/ratio.hpp"
#include "jieshui/reporting/v1/reporting_service.pb.h"

namespace jieshui::reporting {

// The stable codes (the attachment table's six rows first).
namespace codes {
inline constexpr char kWaterUseDecline[] = "water_use_per_value_added_decline";
inline constexpr char kRepeatUtilisation[] = "repeat_utilisation_above_scale";
inline constexpr char kCarrierCoverage[] = "carrier_coverage";
inline constexpr char kBalanceTests[] = "balance_tests";
inline constexpr char kAudits[] = "audits";
inline constexpr char kReclaimedIncrease[] = "reclaimed_water_increase";
inline constexpr char kSelfSuppliedCertified[] = "self_supplied_certified";
inline constexpr char kProvincialShare[] = "provincial_title_share";
inline constexpr char kLeaders[] = "leaders";
inline constexpr char kContractProjects[] = "contract_projects";
inline constexpr char kDemonstrations[] = "demonstrations";
inline constexpr char kSpecialistCoverage[] = "specialist_coverage";
inline constexpr char kKeyMonitoredOnline[] = "key_monitored_online";
}  // namespace codes

// Every code, in the order answers list them.
const std::vector<std::string>& AllCodes();
bool IsCode(const std::string& code);
// Whether `code` (a known one) is a ratio or a count.
reporting::v1::IndicatorUnit UnitOf(const std::string& code);

// What the events of one scope and period add up to. Volumes in litres, value added in fen.
struct Sums {
  // Row 1: industrial new water (tap + self-supplied surface + ground) and value added.
  int64_t new_water = 0;
  int64_t value_added_fen = 0;
  // Row 2: above-scale enterprises' reused water Vr (recirculated + series) and new water Vf.
  int64_t above_scale_reused = 0;
  int64_t above_scale_new_water = 0;
  // Row 3: enterprises at or above the carrier threshold, and those of them certified (a valid
  // water-saving-enterprise title on the period's last day).
  int64_t carrier_set = 0;
  int64_t carrier_certified = 0;
  // Rows 4 and 5: accepted in the period's year.
  int64_t balance_tests = 0;
  int64_t audits = 0;
  // Row 6: reclaimed water used by industry.
  int64_t reclaimed = 0;
  // The text's targets.
  int64_t self_supplied_set = 0;  // self-supplied users at or above 500,000 m³
  int64_t self_supplied_certified = 0;
  int64_t titles_created = 0;  // water-saving-enterprise titles granted in the year
  int64_t provincial_titles_created = 0;
  int64_t leaders = 0;  // leader titles granted in the year
  int64_t contract_projects = 0;
  int64_t demonstrations = 0;
  int64_t specialist_set = 0;  // users at or above 100,000 t/yr
  int64_t specialist_named = 0;
  int64_t key_monitored = 0;
  int64_t key_monitored_online = 0;

  friend bool operator==(const Sums&, const Sums&) = default;
};

// The 2020 baseline (district figures, entered once).
struct BaselineSums {
  int64_t new_water = 0;
  int64_t value_added_fen = 0;
  int64_t reclaimed = 0;
};

// The value of one indicator from the sums: a ratio (rows 1-3, 6 and the shares) or a count.
// Rows 1 and 6 are against the baseline, undefined without it.
struct Value {
  reporting::v1::IndicatorUnit unit = reporting::v1::INDICATOR_UNIT_RATIO;
  domain::Ratio ratio;
  int64_t count = 0;
};
Value ValueOf(const std::string& code, const Sums& sums, const std::optional<BaselineSums>& base);

// What one enterprise (or a scope) adds to an indicator's sums: for a ratio its numerator and
// denominator, for a count the count (denominator 0). The two rows against 2020 are not additive
// as ratios: their parts are the sums under them (new water over value added for the decline, the
// reclaimed water for the increase, denominator 0).
struct Parts {
  absl::int128 numerator = 0;
  absl::int128 denominator = 0;
};
Parts PartsOf(const std::string& code, const Sums& sums);

// An exact ratio as answers carry it (the sums as decimal text, basis points half away from 0).
reporting::v1::Ratio RatioMessage(const domain::Ratio& ratio);

// The indicator as answers carry it: its title and definition (口径), the value, and against the
// target (when given): the gap (target − actual: positive means behind) and on_track (actual at or
// beyond the target; a count target is a minimum). An undefined ratio is never on track.
reporting::v1::Indicator MakeIndicator(const std::string& code, const Value& value,
                                       const std::optional<reporting::v1::Target>& target,
                                       int64_t as_of_unix_ms);

// The shipped targets (version 0): the attachment table's six rows for 2023-2025 and the text's
// own targets.
std::vector<reporting::v1::Target> DefaultTargets();

// The version in force of `code` for `year` among `targets` (the highest version), if any.
std::optional<reporting::v1::Target> TargetInForce(
    const std::vector<reporting::v1::Target>& targets, const std::string& code, int year);

}  // namespace jieshui::reporting
