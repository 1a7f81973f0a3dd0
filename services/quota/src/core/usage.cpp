#include "quota/src/core/usage.hpp"

namespace jieshui::quota {

std::optional<Flow> FlowFromMeasured(int measured_flow) {
  if (measured_flow < 1 || measured_flow > kFlowCount) {
    return std::nullopt;
  }
  return static_cast<Flow>(measured_flow - 1);
}

bool CountsTowardUsage(Flow flow, int level) {
  switch (flow) {
    case Flow::kRecirculated:
    case Flow::kReused:
      return level >= 1 && level <= 3;
    case Flow::kMunicipalTap:
    case Flow::kSelfSuppliedSurface:
    case Flow::kSelfSuppliedGround:
    case Flow::kReclaimed:
    case Flow::kDischarge:
      return level == 1;
  }
  return false;
}

bool IsNewWater(Flow flow) {
  return flow == Flow::kMunicipalTap || flow == Flow::kSelfSuppliedSurface ||
         flow == Flow::kSelfSuppliedGround;
}

int64_t FlowTotals::NewWater() const {
  return (*this)[Flow::kMunicipalTap] + (*this)[Flow::kSelfSuppliedSurface] +
         (*this)[Flow::kSelfSuppliedGround];
}

FlowTotals& FlowTotals::operator+=(const FlowTotals& other) {
  for (size_t i = 0; i < litres.size(); ++i) {
    litres[i] += other.litres[i];
  }
  return *this;
}

}  // namespace jieshui::quota
