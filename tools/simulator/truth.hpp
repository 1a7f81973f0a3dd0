// District simulator: the ground truth the simulator checks the platform against: each
// enterprise's intake per Asia/Shanghai month and source, from the level-1 meters' true hourly
// volumes (an hour belongs to the day it ends in), and its recirculated and reused water; the
// certification figures the district's history must give; and the action plan's six rows the
// district's figures make.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "absl/numeric/int128.h"
#include "district.hpp"

namespace jieshui::simulator {

struct MonthTruth {
  // Level-1 intake by what the meter measures (tap, surface, ground, reclaimed).
  std::map<registry::v1::MeasuredFlow, int64_t> intake;
  // Tap + self-supplied surface + self-supplied ground.
  int64_t new_water = 0;
  // Recirculated (cooling) and series-reused process water, at whatever level it is metered: it
  // never crosses the boundary, so no level counts it twice (GB/T 24789-2022).
  int64_t recirculated = 0;
  int64_t reused = 0;
};

class GroundTruth {
 public:
  explicit GroundTruth(const District& district);

  // "YYYY-MM" of every month the period's hours end in, in order.
  const std::vector<std::string>& months() const { return months_; }
  // The enterprise's figures per month (every month present, zero when nothing flowed).
  const std::map<std::string, MonthTruth>& Of(int enterprise) const {
    return by_enterprise_[static_cast<size_t>(enterprise)];
  }

 private:
  std::vector<std::string> months_;
  std::vector<std::map<std::string, MonthTruth>> by_enterprise_;
};

// One year's activity as CountActivity counts it: accepted records by the year they count in,
// titles by the year of their valid_from (granted then), by level (index: the Level value).
struct ActivityFigures {
  int balance_tests = 0;
  int audits = 0;
  int retrofit_projects = 0;
  int contract_projects = 0;
  int demonstrations = 0;
  std::array<int, 5> granted = {};
  friend bool operator==(const ActivityFigures&, const ActivityFigures&) = default;
};

class CertificationTruth {
 public:
  explicit CertificationTruth(const District& district);

  // Every year a record or a title of the history counts in, in order.
  std::vector<int> Years() const;
  ActivityFigures Activity(int year) const;
  // ListCertified on `day`: each certified enterprise (USCC) at its highest valid
  // water-saving-enterprise level (a leader title is no such level).
  std::map<std::string, certification::v1::Level> CertifiedOn(absl::CivilDay day) const;
  // ListCertified on `day` for LEVEL_LEADER: the enterprises holding a valid leader title.
  std::set<std::string> LeadersOn(absl::CivilDay day) const;
  // Applications by the state they stand in.
  std::map<certification::v1::ApplicationState, int> Applications() const;

  // A title is valid from valid_from to the end of valid_until; after it reads EXPIRED (nothing
  // in the history revokes or reviews one).
  static bool ValidOn(const SimTitle& title, absl::CivilDay day);

 private:
  const District& district_;
  std::map<int, ActivityFigures> activity_;
};

// One enterprise's part in a year's six rows (the sums reporting keeps), from the district's own
// data.
struct EnterpriseYearFigures {
  int64_t new_water = 0;        // Vf, litres: tap + self-supplied surface and ground
  int64_t value_added_fen = 0;  // Statistics' latest version for the year
  bool above_scale = false;     // Statistics' flag for the year (it submits every enterprise)
  int64_t repeated = 0;         // Vr: recirculated + series-reused
  int64_t reclaimed = 0;
  int64_t annualised_intake = 0;  // the threshold's intake: new water × 12 ÷ months metered
  bool carrier = false;           // annualised intake at or above 200,000 m³
  bool certified = false;         // a water-saving-enterprise title valid on 31 December
  int balance_tests = 0;          // accepted, counted in the year
  int audits = 0;
  friend bool operator==(const EnterpriseYearFigures&, const EnterpriseYearFigures&) = default;
};

// One row of the attachment table: a ratio, exact (the sums, never rounded, as the formula puts
// them over one another) with its basis points, or a count.
struct TableRow {
  std::string code;
  bool count = false;
  absl::int128 numerator = 0;
  absl::int128 denominator = 0;  // 0: undefined (a ratio over nothing has no value)
  int64_t value = 0;             // a count
  std::optional<int64_t> basis_points;
};

// numerator / denominator × 10000, rounded once, half away from zero; none over 0.
std::optional<int64_t> BasisPointsOf(absl::int128 numerator, absl::int128 denominator);

// The attachment table's six rows for the district and each simulated year (issue #17), worked
// out here from the district's data and the rules as DOMAIN.md and reporting's README state them
// (never from reporting's code), with reporting.yaml's default rules: the ≥ 200,000 m³ set judged
// on the intake annualised over the months with usage reported; Vf, Vr and reclaimed water from
// the meters; value added and the above-scale flag from Statistics' latest version; the titles
// and accepted records of the certification history; the 2020 baseline the simulator sets.
//   1. decline of water use per 万元 of value added: (base − current) ÷ base, base = Vf₀/VA₀,
//      current = ΣVf/ΣVA, put over one denominator: (Vf₀·ΣVA − ΣVf·VA₀) / (Vf₀·ΣVA);
//   2. repeat utilisation of above-scale enterprises: ΣVr / (ΣVr + ΣVf);
//   3. carrier coverage: certified ÷ enterprises at or above the threshold, by number;
//   4, 5. balance tests and audits accepted in the year (counts);
//   6. increase of reclaimed water: (ΣR − R₀) / R₀.
class ReportingTruth {
 public:
  // `with_certification`: the history was loaded (else no titles, no records).
  ReportingTruth(const District& district, const GroundTruth& truth, bool with_certification);

  // The years the period touches, in order.
  const std::vector<int>& Years() const { return years_; }
  const EnterpriseYearFigures& Of(int enterprise, int year) const;
  // The six rows in the table's order.
  std::vector<TableRow> Rows(int year) const;

  static constexpr int64_t kCarrierThresholdLitres = 200'000'000;  // 200,000 m³

 private:
  const District& district_;
  std::vector<int> years_;
  std::map<std::pair<int, int>, EnterpriseYearFigures> figures_;  // (enterprise, year)
};

// The attachment table's codes, in its order (reporting's contract).
const std::vector<std::string>& TableCodes();

}  // namespace jieshui::simulator
