// District simulator: the ground truth the simulator checks the platform against: each
// enterprise's intake per Asia/Shanghai month and source, from the level-1 meters' true hourly
// volumes (an hour belongs to the day it ends in); and the certification figures the district's
// history must give.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <set>
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

}  // namespace jieshui::simulator
