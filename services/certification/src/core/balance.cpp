#include "certification/src/core/balance.hpp"

#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/ratio.hpp"
#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

std::string PathOf(const std::string& parent, const WaterUnit& unit) {
  return parent.empty() ? absl::StrCat("units.", unit.name) : absl::StrCat(parent, ".", unit.name);
}

// Basis points of part / whole, rounded half up (whole > 0).
int64_t Bp(int64_t part, int64_t whole) {
  return static_cast<int64_t>((absl::int128(part) * 20000 + whole) / (absl::int128(whole) * 2));
}

absl::Status CheckUnit(const std::string& path, const WaterUnit& unit, int64_t tolerance_bp) {
  if (unit.parts.empty()) {
    return absl::OkStatus();
  }
  int64_t parts = 0;
  for (const WaterUnit& part : unit.parts) {
    parts += part.volumes.NewWater();
  }
  const int64_t own = unit.volumes.NewWater();
  const int64_t error = parts > own ? parts - own : own - parts;
  if (absl::int128(error) * 10000 > absl::int128(tolerance_bp) * own) {
    return errors::InvalidArgument(
        path,
        absl::StrFormat("its parts' new water is %d L against its own %d L, a difference of "
                        "%d L (%s of its own), more than the %s allowed",
                        parts, own, error,
                        own > 0 ? domain::BasisPointsText(Bp(error, own)) : std::string("all"),
                        domain::BasisPointsText(tolerance_bp)));
  }
  for (const WaterUnit& part : unit.parts) {
    if (absl::Status s = CheckUnit(PathOf(path, part), part, tolerance_bp); !s.ok()) {
      return s;
    }
  }
  return absl::OkStatus();
}

absl::Status CheckVolumes(const std::string& path, const UnitVolumes& v) {
  const std::pair<const char*, int64_t> fields[] = {
      {"new_tap", v.new_tap},
      {"new_surface", v.new_surface},
      {"new_ground", v.new_ground},
      {"new_nonconventional", v.new_nonconventional},
      {"recirculated", v.recirculated},
      {"series", v.series},
      {"cooling_recirculated", v.cooling_recirculated},
      {"cooling_new", v.cooling_new},
      {"consumption", v.consumption},
      {"discharge", v.discharge},
      {"leakage", v.leakage},
      {"wastewater_reused", v.wastewater_reused}};
  for (const auto& [name, litres] : fields) {
    if (litres < 0) {
      return errors::InvalidArgument(absl::StrCat(path, ".", name),
                                     absl::StrCat("must not be negative, got ", litres, " L"));
    }
  }
  return absl::OkStatus();
}

// Adds the leaves under `unit` (or the unit itself when it is one) into `sum`.
absl::Status SumLeaves(const std::string& path, const WaterUnit& unit, UnitVolumes* sum) {
  if (absl::Status s = CheckVolumes(path, unit.volumes); !s.ok()) {
    return s;
  }
  if (!unit.parts.empty()) {
    for (const WaterUnit& part : unit.parts) {
      if (absl::Status s = SumLeaves(PathOf(path, part), part, sum); !s.ok()) {
        return s;
      }
    }
    return absl::OkStatus();
  }
  *sum += unit.volumes;
  return absl::OkStatus();
}

}  // namespace

UnitVolumes& UnitVolumes::operator+=(const UnitVolumes& o) {
  new_tap += o.new_tap;
  new_surface += o.new_surface;
  new_ground += o.new_ground;
  new_nonconventional += o.new_nonconventional;
  recirculated += o.recirculated;
  series += o.series;
  cooling_recirculated += o.cooling_recirculated;
  cooling_new += o.cooling_new;
  consumption += o.consumption;
  discharge += o.discharge;
  leakage += o.leakage;
  wastewater_reused += o.wastewater_reused;
  return *this;
}

int64_t Rate::BasisPoints() const { return defined() ? Bp(numerator, denominator) : 0; }

absl::Status CheckClosure(const WaterUnit& enterprise, int64_t tolerance_bp) {
  return CheckUnit("units", enterprise, tolerance_bp);
}

absl::StatusOr<BalanceRates> DeriveRates(const WaterUnit& enterprise) {
  UnitVolumes s;
  if (absl::Status status = SumLeaves("units", enterprise, &s); !status.ok()) {
    return status;
  }
  const int64_t vf = s.NewWater();
  const int64_t vr = s.Reused();
  return BalanceRates{
      .repeat_utilisation = {.numerator = vr, .denominator = vr + vf},
      .cooling_recirculation = {.numerator = s.cooling_recirculated,
                                .denominator = s.cooling_recirculated + s.cooling_new},
      .leakage = {.numerator = s.leakage, .denominator = vf},
      .wastewater_reuse = {.numerator = s.wastewater_reused,
                           .denominator = s.wastewater_reused + s.discharge},
      .nonconventional_share = {.numerator = s.new_nonconventional,
                                .denominator = vf + s.new_nonconventional}};
}

}  // namespace jieshui::certification
