// What a meter's record adds to an enterprise's usage (DOMAIN.md "Metering", GB/T 24789-2022):
// which flows count at which meter level, and the totals kept per day, month and year.
#pragma once

#include <array>
#include <cstdint>
#include <optional>

namespace jieshui::quota {

// The flows usage is kept for, in the order of registry.v1.MeasuredFlow (values 1..7).
enum class Flow : int {
  kMunicipalTap = 0,
  kSelfSuppliedSurface = 1,
  kSelfSuppliedGround = 2,
  kReclaimed = 3,
  kRecirculated = 4,
  kReused = 5,
  kDischarge = 6,
};
inline constexpr int kFlowCount = 7;

// registry.v1.MeasuredFlow value → Flow; nullopt for UNSPECIFIED or unknown values.
std::optional<Flow> FlowFromMeasured(int measured_flow);

// Whether a record of a meter at `level` measuring `flow` adds to the enterprise's usage. Intake
// and discharge are counted at the enterprise boundary only (level 1): sub-meters at levels 2
// and 3 measure the same water again inside the plant and would count it twice. Recirculated
// and reused water never crosses the boundary, so it is counted at whatever level measures it.
bool CountsTowardUsage(Flow flow, int level);
// Tap, self-supplied surface and ground water: the new water (新水) a plan counts.
bool IsNewWater(Flow flow);

struct FlowTotals {
  std::array<int64_t, kFlowCount> litres{};

  int64_t& operator[](Flow f) { return litres[static_cast<size_t>(f)]; }
  int64_t operator[](Flow f) const { return litres[static_cast<size_t>(f)]; }
  // New water (新水): tap + self-supplied surface + self-supplied ground. What a plan counts;
  // reclaimed water is non-conventional and outside the plan.
  int64_t NewWater() const;
  FlowTotals& operator+=(const FlowTotals& other);
  friend bool operator==(const FlowTotals&, const FlowTotals&) = default;
};

}  // namespace jieshui::quota
