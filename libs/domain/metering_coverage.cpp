#include "domain/metering_coverage.hpp"

#include <algorithm>
#include <cstdint>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/fixed_decimal.hpp"

namespace jieshui::domain {

absl::StatusOr<int> ParsePercentBasisPoints(const std::string& text, const std::string& field) {
  absl::StatusOr<int64_t> hundredths =
      domain::internal::ParseFixedDecimal(text, 2, field, "a percentage");
  if (!hundredths.ok()) {
    return hundredths.status();
  }
  if (*hundredths < 0 || *hundredths > 10000) {
    return absl::InvalidArgumentError(
        absl::StrCat(field, ": ", text, " is not a percentage between 0 and 100"));
  }
  return static_cast<int>(*hundredths);
}

Coverage ComputeCoverage(const std::array<int, 3>& declared_points,
                         const std::vector<MeterForCoverage>& meters,
                         const CoverageRequirements& requirements) {
  Coverage out;
  out.all_levels_met = true;
  for (int i = 0; i < 3; ++i) {
    LevelCoverage& level = out.levels[static_cast<size_t>(i)];
    level.level = i + 1;
    level.required_points = declared_points[static_cast<size_t>(i)];
    level.required_rate_bp = requirements.required_rate_bp[static_cast<size_t>(i)];
    level.installed_meters = static_cast<int>(std::count_if(
        meters.begin(), meters.end(),
        [&](const MeterForCoverage& m) { return m.active && m.level == level.level; }));
    if (level.required_points <= 0) {
      level.met = false;
      level.shortfall = absl::StrCat("no level-", level.level, " measuring points declared");
      out.all_levels_met = false;
      continue;
    }
    const int64_t covered = std::min(level.installed_meters, level.required_points);
    level.rate_bp = static_cast<int>(covered * 10000 / level.required_points);
    // covered / required >= rate_bp / 10000, in integers.
    level.met =
        covered * 10000 >= static_cast<int64_t>(level.required_rate_bp) * level.required_points;
    if (!level.met) {
      level.shortfall = absl::StrFormat(
          "%d of %d level-%d measuring points metered (%d.%02d%%), below the required %d.%02d%%",
          covered, level.required_points, level.level, level.rate_bp / 100, level.rate_bp % 100,
          level.required_rate_bp / 100, level.required_rate_bp % 100);
      out.all_levels_met = false;
    }
  }
  return out;
}

absl::StatusOr<CoverageRequirements> ParseCoverageRequirements(
    const std::array<std::string, 3>& percents, const std::function<std::string(int)>& field_of) {
  CoverageRequirements out;
  for (size_t i = 0; i < percents.size(); ++i) {
    auto bp = ParsePercentBasisPoints(percents[i], field_of(static_cast<int>(i) + 1));
    if (!bp.ok()) {
      return bp.status();
    }
    out.required_rate_bp[i] = *bp;
  }
  return out;
}

}  // namespace jieshui::domain
