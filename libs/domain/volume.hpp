// Water volume as an exact integer number of litres, with cubic-metre text conversion and
// overflow-checked arithmetic. Never a double: ledgers and surcharges must add up to the litre.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace jieshui::domain {

// 1 m³ = 1000 L. Meter registers and plans are in m³ with up to 3 decimals, so litres hold every
// figure exactly; int64 litres reach 9.2e15 m³, far beyond any city.
class Volume {
 public:
  static constexpr int64_t kLitresPerCubicMetre = 1000;

  constexpr Volume() = default;
  static constexpr Volume Litres(int64_t litres) { return Volume(litres); }
  // OUT_OF_RANGE if `cubic_metres` * 1000 overflows.
  static absl::StatusOr<Volume> CubicMetres(int64_t cubic_metres);
  // Parses cubic metres exactly: "12.345", "-0.5", "100". More than 3 decimals is an error unless
  // the extra digits are zeros. Errors name `field_name`.
  static absl::StatusOr<Volume> ParseCubicMetres(std::string_view text,
                                                 std::string_view field_name = "volume");

  constexpr int64_t litres() const { return litres_; }
  // Cubic metres with exactly 3 decimals: "12.345", "-0.001", "0.000".
  std::string ToCubicMetresString() const;

  // Overflow-checked; OUT_OF_RANGE on overflow. Volumes may be negative (corrections, deltas).
  absl::StatusOr<Volume> Add(Volume other) const;
  absl::StatusOr<Volume> Subtract(Volume other) const;

  friend constexpr bool operator==(Volume, Volume) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 literal in a defaulted <=>.
  friend constexpr std::strong_ordering operator<=>(Volume, Volume) = default;
  friend std::ostream& operator<<(std::ostream& os, Volume v) {
    return os << v.ToCubicMetresString() << " m3";
  }

 private:
  explicit constexpr Volume(int64_t litres) : litres_(litres) {}
  int64_t litres_ = 0;
};

}  // namespace jieshui::domain
