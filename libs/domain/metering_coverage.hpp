// Metering coverage (水计量器具配备率, GB/T 24789-2022; the registry answers it, certification
// judges its metering gate by it): for each metering level, the share of the
// enterprise's declared measuring points that have a working meter, against the required rate.
#pragma once

#include <array>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"

namespace jieshui::domain {

// Minimum rates per level in basis points (10000 = 100%). Defaults as commonly cited from
// GB/T 24789: 100% at level 1, 95% at level 2, 85% at level 3; configurable (registry.coverage).
struct CoverageRequirements {
  std::array<int, 3> required_rate_bp = {10000, 9500, 8500};
};

// Parses a percentage such as "95" or "92.5" into basis points (0..10000). The error names
// `field`.
absl::StatusOr<int> ParsePercentBasisPoints(const std::string& text, const std::string& field);

// The required rates from the three percents configuration gives (level 1 first); an error names
// `field_of(level)` (e.g. "config key registry.coverage.level2_rate_percent").
absl::StatusOr<CoverageRequirements> ParseCoverageRequirements(
    const std::array<std::string, 3>& percents, const std::function<std::string(int)>& field_of);

struct MeterForCoverage {
  int level = 0;        // 1, 2 or 3
  bool active = false;  // ACTIVE (suspended and retired meters do not count)
};

struct LevelCoverage {
  int level = 0;
  int required_points = 0;
  int installed_meters = 0;
  int rate_bp = 0;  // min(installed, required) * 10000 / required, rounded down
  int required_rate_bp = 0;
  bool met = false;       // rate ≥ required rate, judged exactly (not on the rounded rate)
  std::string shortfall;  // empty when met
};

struct Coverage {
  std::array<LevelCoverage, 3> levels;
  bool all_levels_met = false;
};

// `declared_points[i]` is the number of measuring points at level i+1. A level with no declared
// points is not met: the enterprise has not said what it must meter.
Coverage ComputeCoverage(const std::array<int, 3>& declared_points,
                         const std::vector<MeterForCoverage>& meters,
                         const CoverageRequirements& requirements);

}  // namespace jieshui::domain
