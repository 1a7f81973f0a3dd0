// Money in integer fen (0.01 CNY) with exact pricing of volumes and exact rational multipliers, as
// needed for water bills and progressive surcharges (超计划/超定额累进加价). Never a double.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "domain/volume.hpp"

namespace jieshui::domain {

// An exact non-negative rational factor, e.g. a surcharge multiplier of 0.5x held as 1/2.
class Multiplier {
 public:
  // INVALID_ARGUMENT if numerator < 0 or denominator <= 0. Reduced to lowest terms.
  static absl::StatusOr<Multiplier> Create(int64_t numerator, int64_t denominator);
  // "0.5", "2", "1.25" (up to 9 decimals) or "1/3". Errors name `field_name`.
  static absl::StatusOr<Multiplier> Parse(std::string_view text,
                                          std::string_view field_name = "multiplier");

  int64_t numerator() const { return numerator_; }
  int64_t denominator() const { return denominator_; }
  // "1/2", "2" (denominator 1 is omitted).
  std::string ToString() const;

  // Equal values compare equal because both are held in lowest terms.
  friend bool operator==(const Multiplier&, const Multiplier&) = default;

 private:
  Multiplier(int64_t numerator, int64_t denominator)
      : numerator_(numerator), denominator_(denominator) {}
  int64_t numerator_;
  int64_t denominator_;
};

class Money {
 public:
  static constexpr int64_t kFenPerYuan = 100;

  constexpr Money() = default;
  static constexpr Money Fen(int64_t fen) { return Money(fen); }
  // Parses yuan exactly: "1234.56", "-0.5", "12". More than 2 decimals is an error unless the extra
  // digits are zeros. Errors name `field_name`.
  static absl::StatusOr<Money> ParseYuan(std::string_view text,
                                         std::string_view field_name = "amount");

  constexpr int64_t fen() const { return fen_; }
  // Yuan with exactly 2 decimals and no currency sign or grouping: "1234.56", "-0.05".
  std::string ToYuanString() const;

  // Overflow-checked; OUT_OF_RANGE on overflow.
  absl::StatusOr<Money> Add(Money other) const;
  absl::StatusOr<Money> Subtract(Money other) const;
  // this × multiplier, computed exactly in 128 bits and rounded once to the fen, halves away from
  // zero (round half up for non-negative amounts). OUT_OF_RANGE if the result overflows.
  absl::StatusOr<Money> MultiplyBy(const Multiplier& multiplier) const;

  friend constexpr bool operator==(Money, Money) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 literal in a defaulted <=>.
  friend constexpr std::strong_ordering operator<=>(Money, Money) = default;
  friend std::ostream& operator<<(std::ostream& os, Money m) {
    return os << m.ToYuanString() << " CNY";
  }

 private:
  explicit constexpr Money(int64_t fen) : fen_(fen) {}
  int64_t fen_ = 0;
};

// The charge for `volume` at `price_per_cubic_metre` (a price in fen per m³).
// Rounding rule: the exact product litres × fen-per-m³ (in 128 bits, in units of 1/1000 fen) is
// rounded once to the fen, halves away from zero, i.e. round half up for non-negative volumes, so
// 0.001 m³ at 5.00 CNY/m³ = 0.5 fen -> 1 fen. Callers price a whole period's volume in one call
// rather than summing rounded per-reading charges. OUT_OF_RANGE if the result overflows.
absl::StatusOr<Money> ChargeForVolume(Volume volume, Money price_per_cubic_metre);

}  // namespace jieshui::domain
