// District simulator: the ground truth the simulator checks the platform against: each
// enterprise's intake per Asia/Shanghai month and source, from the level-1 meters' true hourly
// volumes (an hour belongs to the day it ends in).
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "district.hpp"

namespace jieshui::simulator {

struct MonthTruth {
  // Level-1 intake by what the meter measures (tap, surface, ground, reclaimed).
  std::map<registry::v1::MeasuredFlow, int64_t> intake;
  // Tap + self-supplied surface + self-supplied ground.
  int64_t new_water = 0;
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

}  // namespace jieshui::simulator
