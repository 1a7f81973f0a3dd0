#include "truth.hpp"

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
    if (meter.meter.level() != rv1::METER_LEVEL_1 || !intake) {
      continue;
    }
    auto& months = by_enterprise_[static_cast<size_t>(meter.enterprise)];
    for (int k = 1; k <= district.last_step(); ++k) {
      const int64_t litres = district.Consumption(static_cast<int>(m), k);
      MonthTruth& t = months[month_of_step[static_cast<size_t>(k)]];
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

}  // namespace jieshui::simulator
