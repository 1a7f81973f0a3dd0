#include "truth.hpp"

#include <algorithm>
#include <string>

namespace jieshui::simulator {

namespace rv1 = ::jieshui::registry::v1;
namespace cv1 = ::jieshui::certification::v1;

GroundTruth::GroundTruth(const District& district) : by_enterprise_(district.enterprises().size()) {
  std::vector<std::string> month_of_step(static_cast<size_t>(district.last_step()) + 1);
  for (int k = 1; k <= district.last_step(); ++k) {
    month_of_step[static_cast<size_t>(k)] = MonthKey(district.TimeOf(k));
    if (months_.empty() || months_.back() != month_of_step[static_cast<size_t>(k)]) {
      months_.push_back(month_of_step[static_cast<size_t>(k)]);
    }
  }
  for (auto& months : by_enterprise_) {
    for (const std::string& month : months_) {
      months[month] = MonthTruth{};
    }
  }
  for (size_t m = 0; m < district.meters().size(); ++m) {
    const SimMeter& meter = district.meters()[m];
    const rv1::MeasuredFlow flow = meter.meter.measures();
    const bool intake = flow == rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP ||
                        flow == rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE ||
                        flow == rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND ||
                        flow == rv1::MEASURED_FLOW_INTAKE_RECLAIMED;
    const bool recirculated = flow == rv1::MEASURED_FLOW_RECIRCULATED_COOLING;
    const bool reused = flow == rv1::MEASURED_FLOW_REUSED_PROCESS;
    // Intake counts at the boundary (level 1) only; recirculated and reused water at any level.
    if (!(meter.meter.level() == rv1::METER_LEVEL_1 && intake) && !recirculated && !reused) {
      continue;
    }
    auto& months = by_enterprise_[static_cast<size_t>(meter.enterprise)];
    for (int k = 1; k <= district.last_step(); ++k) {
      const int64_t litres = district.Consumption(static_cast<int>(m), k);
      MonthTruth& t = months[month_of_step[static_cast<size_t>(k)]];
      if (recirculated) {
        t.recirculated += litres;
        continue;
      }
      if (reused) {
        t.reused += litres;
        continue;
      }
      t.intake[flow] += litres;
      if (IsNewWater(flow)) {
        t.new_water += litres;
      }
    }
  }
}

CertificationTruth::CertificationTruth(const District& district) : district_(district) {
  for (const SimRecord& r : district.certification().records) {
    if (!r.accept) {
      continue;  // CountActivity counts accepted records only
    }
    ActivityFigures& a = activity_[r.year];
    switch (r.record.detail_case()) {
      case cv1::Record::kBalanceTest:
        ++a.balance_tests;
        break;
      case cv1::Record::kAudit:
        ++a.audits;
        break;
      case cv1::Record::kRetrofit:
        ++a.retrofit_projects;
        break;
      case cv1::Record::kContract:
        ++a.contract_projects;
        break;
      case cv1::Record::kDemonstration:
        ++a.demonstrations;
        break;
      default:
        break;
    }
  }
  for (const SimTitle& t : district.certification().titles) {
    ++activity_[t.title.valid_from().year()].granted[static_cast<size_t>(t.title.level())];
  }
}

std::vector<int> CertificationTruth::Years() const {
  std::vector<int> out;
  for (const auto& [year, figures] : activity_) {
    out.push_back(year);
  }
  return out;
}

ActivityFigures CertificationTruth::Activity(int year) const {
  const auto it = activity_.find(year);
  return it == activity_.end() ? ActivityFigures{} : it->second;
}

bool CertificationTruth::ValidOn(const SimTitle& title, absl::CivilDay day) {
  return DayOf(title.title.valid_from()) <= day && day <= DayOf(title.title.valid_until());
}

std::map<std::string, cv1::Level> CertificationTruth::CertifiedOn(absl::CivilDay day) const {
  std::map<std::string, cv1::Level> out;
  for (const SimTitle& t : district_.certification().titles) {
    if (t.title.level() == cv1::LEVEL_LEADER || !ValidOn(t, day)) {
      continue;
    }
    cv1::Level& level = out.try_emplace(t.title.uscc().value(), t.title.level()).first->second;
    level = std::max(level, t.title.level());
  }
  return out;
}

std::set<std::string> CertificationTruth::LeadersOn(absl::CivilDay day) const {
  std::set<std::string> out;
  for (const SimTitle& t : district_.certification().titles) {
    if (t.title.level() == cv1::LEVEL_LEADER && ValidOn(t, day)) {
      out.insert(t.title.uscc().value());
    }
  }
  return out;
}

std::map<cv1::ApplicationState, int> CertificationTruth::Applications() const {
  std::map<cv1::ApplicationState, int> out;
  for (const SimApplication& a : district_.certification().applications) {
    ++out[a.state];
  }
  return out;
}

const std::vector<std::string>& TableCodes() {
  static const auto* codes = new std::vector<std::string>{"water_use_per_value_added_decline",
                                                          "repeat_utilisation_above_scale",
                                                          "carrier_coverage",
                                                          "balance_tests",
                                                          "audits",
                                                          "reclaimed_water_increase"};
  return *codes;
}

std::optional<int64_t> BasisPointsOf(absl::int128 numerator, absl::int128 denominator) {
  if (denominator == 0) {
    return std::nullopt;
  }
  const bool negative = (numerator < 0) != (denominator < 0);
  const absl::int128 n = numerator < 0 ? -numerator : numerator;
  const absl::int128 d = denominator < 0 ? -denominator : denominator;
  // |n/d| × 10000 rounded half up, then the sign: half away from zero.
  const absl::int128 magnitude = (n * 10000 * 2 + d) / (d * 2);
  return static_cast<int64_t>(negative ? -magnitude : magnitude);
}

ReportingTruth::ReportingTruth(const District& district, const GroundTruth& truth,
                               bool with_certification)
    : district_(district), years_(district.PlanYears()) {
  const auto latest = district.LatestValueAdded();
  for (size_t i = 0; i < district.enterprises().size(); ++i) {
    const int e = static_cast<int>(i);
    const SimEnterprise& sim = district.enterprises()[i];
    for (const int year : years_) {
      EnterpriseYearFigures f;
      int64_t months_metered = 0;
      for (const auto& [month, t] : truth.Of(e)) {
        if (std::stoi(month.substr(0, 4)) != year) {
          continue;
        }
        // Quota announces usage for every month an enterprise's readings fall in, and every
        // enterprise of the district draws water every hour.
        ++months_metered;
        f.new_water += t.new_water;
        f.repeated += t.recirculated + t.reused;
        const auto reclaimed = t.intake.find(rv1::MEASURED_FLOW_INTAKE_RECLAIMED);
        f.reclaimed += reclaimed == t.intake.end() ? 0 : reclaimed->second;
      }
      const auto va = latest.find({e, year});
      f.value_added_fen = va == latest.end() ? 0 : va->second.fen;
      f.above_scale = va == latest.end() ? sim.enterprise.above_scale() : va->second.above_scale;
      // Annualised: scaled to a year over the months with usage reported, rounded down (a
      // threshold is reached, not approached).
      f.annualised_intake =
          months_metered == 0
              ? 0
              : static_cast<int64_t>(absl::int128(f.new_water) * 12 / months_metered);
      f.carrier = f.annualised_intake >= kCarrierThresholdLitres;
      figures_[{e, year}] = f;
    }
  }
  if (!with_certification) {
    return;
  }
  for (const SimRecord& r : district.certification().records) {
    if (!r.accept) {
      continue;
    }
    const auto it = figures_.find({r.enterprise, r.year});
    if (it == figures_.end()) {
      continue;
    }
    it->second.balance_tests += r.record.has_balance_test() ? 1 : 0;
    it->second.audits += r.record.has_audit() ? 1 : 0;
  }
  for (const SimTitle& t : district.certification().titles) {
    // A water-saving-enterprise title (not a leader's) valid on the year's last day.
    if (t.title.level() == cv1::LEVEL_LEADER) {
      continue;
    }
    for (const int year : years_) {
      if (CertificationTruth::ValidOn(t, absl::CivilDay(year, 12, 31))) {
        figures_[{t.enterprise, year}].certified = true;
      }
    }
  }
}

const EnterpriseYearFigures& ReportingTruth::Of(int enterprise, int year) const {
  return figures_.at({enterprise, year});
}

std::vector<TableRow> ReportingTruth::Rows(int year) const {
  absl::int128 new_water = 0;
  absl::int128 value_added = 0;
  absl::int128 above_repeated = 0;
  absl::int128 above_new_water = 0;
  absl::int128 carriers = 0;
  absl::int128 certified = 0;
  int64_t tests = 0;
  int64_t audits = 0;
  absl::int128 reclaimed = 0;
  for (size_t e = 0; e < district_.enterprises().size(); ++e) {
    const EnterpriseYearFigures& f = Of(static_cast<int>(e), year);
    new_water += f.new_water;
    value_added += f.value_added_fen;
    if (f.above_scale) {
      above_repeated += f.repeated;
      above_new_water += f.new_water;
    }
    carriers += f.carrier ? 1 : 0;
    certified += f.carrier && f.certified ? 1 : 0;
    tests += f.balance_tests;
    audits += f.audits;
    reclaimed += f.reclaimed;
  }
  const SimBaseline& base = district_.baseline();
  const auto ratio = [](const std::string& code, absl::int128 n, absl::int128 d) {
    if (d == 0) {
      n = 0;  // undefined: nothing over nothing
    }
    return TableRow{.code = code,
                    .count = false,
                    .numerator = n,
                    .denominator = d,
                    .value = 0,
                    .basis_points = BasisPointsOf(n, d)};
  };
  const auto count = [](const std::string& code, int64_t n) {
    return TableRow{.code = code,
                    .count = true,
                    .numerator = 0,
                    .denominator = 0,
                    .value = n,
                    .basis_points = std::nullopt};
  };
  const std::vector<std::string>& codes = TableCodes();
  const absl::int128 vf0 = base.new_water_litres;
  const absl::int128 va0 = base.value_added_fen;
  const bool decline_defined = value_added != 0 && va0 != 0;
  const absl::int128 r0 = base.reclaimed_litres;
  return {ratio(codes[0], decline_defined ? vf0 * value_added - new_water * va0 : 0,
                decline_defined ? vf0 * value_added : 0),
          ratio(codes[1], above_repeated, above_repeated + above_new_water),
          ratio(codes[2], certified, carriers),
          count(codes[3], tests),
          count(codes[4], audits),
          ratio(codes[5], r0 != 0 ? reclaimed - r0 : 0, r0)};
}

}  // namespace jieshui::simulator
