// Water balance tests (水平衡测试, GB/T 12452-2022) as the certification service checks and uses
// them (DOMAIN.md "Certification"): the water-using units as a tree (enterprise → workshops → main
// equipment), the closure check, and the rates derived from the units' sums. Pure: no gRPC, no
// database; volumes are litres over the test period.
//
// This is the first piece of issue #16 (the certification service); the service around it is
// still to be built.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jieshui::certification {

// One water-using unit's measured volumes (GB/T 7119 / 12452 symbols). New water Vf is split by
// source; reused water Vr is recirculated plus series (串联) reuse. Total Vt = Vf + Vr.
struct UnitVolumes {
  int64_t new_tap = 0;               // Vf from the municipal network
  int64_t new_surface = 0;           // Vf self-supplied surface
  int64_t new_ground = 0;            // Vf self-supplied ground
  int64_t new_nonconventional = 0;   // reclaimed, rain, desalinated (Vu)
  int64_t recirculated = 0;          // Vr, recirculated
  int64_t series = 0;                // Vr, series reuse
  int64_t cooling_recirculated = 0;  // Vcr, within Vr: indirect cooling water recirculated
  int64_t cooling_new = 0;           // Vcf, within Vf: cooling make-up water
  int64_t consumption = 0;           // Vco
  int64_t discharge = 0;             // Vd
  int64_t leakage = 0;               // Vl
  int64_t wastewater_reused = 0;     // Vw, treated wastewater reused (within Vr)

  int64_t NewWater() const { return new_tap + new_surface + new_ground; }
  int64_t Reused() const { return recirculated + series; }
  int64_t Total() const { return NewWater() + Reused(); }
  UnitVolumes& operator+=(const UnitVolumes& other);
};

struct WaterUnit {
  std::string name;  // "二车间", "1# 冷却塔"
  UnitVolumes volumes;
  std::vector<WaterUnit> parts;  // workshops of the enterprise, equipment of a workshop
};

// An exact ratio of sums (never a mean of ratios): numerator / denominator in litres. A rate with
// a zero denominator is undefined and says so.
struct Rate {
  int64_t numerator = 0;
  int64_t denominator = 0;
  bool defined() const { return denominator != 0; }
  // Basis points (1/100 of a percent), rounded half up; 0 when undefined.
  int64_t BasisPoints() const;
  friend bool operator==(const Rate&, const Rate&) = default;
};

struct BalanceRates {
  Rate repeat_utilisation;     // R = ΣVr / (ΣVr + ΣVf)
  Rate cooling_recirculation;  // rc = ΣVcr / (ΣVcr + ΣVcf)
  Rate leakage;                // Kl = ΣVl / ΣVf
  Rate wastewater_reuse;       // Kw = ΣVw / (ΣVw + ΣVd)
  Rate nonconventional_share;  // Ku = ΣVu / (ΣVf + ΣVu)
  friend bool operator==(const BalanceRates&, const BalanceRates&) = default;
};

// The closure check: at every unit with parts, the parts' new water must agree with the unit's own
// within `tolerance_bp` basis points of the unit's (default 1000 = 10%): |Σ parts − unit| × 10000 ≤
// tolerance × unit. INVALID_ARGUMENT naming the unit by its path in the tree
// ("units.二车间: …") and the error in litres and percent otherwise. A unit without parts is a
// leaf, measured directly.
absl::Status CheckClosure(const WaterUnit& enterprise, int64_t tolerance_bp = 1000);

// The rates of the test, from the sums over the leaves (the units measured directly), so that no
// volume is counted twice. INVALID_ARGUMENT for a negative volume, naming the unit and field.
absl::StatusOr<BalanceRates> DeriveRates(const WaterUnit& enterprise);

}  // namespace jieshui::certification
