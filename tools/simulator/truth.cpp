#include "truth.hpp"

namespace jieshui::simulator {

namespace rv1 = ::jieshui::registry::v1;

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

}  // namespace jieshui::simulator
