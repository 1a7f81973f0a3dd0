#include "domain/ratio.hpp"

#include <algorithm>

#include "absl/strings/str_format.h"

namespace jieshui::domain {

std::optional<int64_t> Ratio::BasisPoints() const {
  if (denominator_ == 0) {
    return std::nullopt;
  }
  absl::int128 n = numerator_;
  absl::int128 d = denominator_;
  if (d < 0) {
    n = -n;
    d = -d;
  }
  const bool negative = n < 0;
  const absl::int128 magnitude = negative ? -n : n;
  // Half away from zero: (2·|n|·10000 + d) / (2·d).
  const absl::int128 bp = (magnitude * 20000 + d) / (d * 2);
  return static_cast<int64_t>(negative ? -bp : bp);
}

std::string Ratio::PercentText() const {
  const std::optional<int64_t> bp = BasisPoints();
  return bp.has_value() ? BasisPointsText(*bp) : "—";
}

Ratio Ratio::IncreaseOver(const Ratio& current, const Ratio& base) {
  // c/d over b/e: (c·e − b·d) / (b·d).
  if (!current.defined() || !base.defined()) {
    return Ratio(0, 0);
  }
  return Ratio(current.numerator_ * base.denominator_ - base.numerator_ * current.denominator_,
               base.numerator_ * current.denominator_);
}

Ratio Ratio::DeclineFrom(const Ratio& current, const Ratio& base) {
  const Ratio increase = IncreaseOver(current, base);
  return Ratio(-increase.numerator_, increase.denominator_);
}

std::string Int128Text(absl::int128 value) {
  if (value == 0) {
    return "0";
  }
  const bool negative = value < 0;
  absl::uint128 magnitude =
      negative ? absl::uint128(-(value + 1)) + 1 : absl::uint128(value);  // no overflow at min
  std::string digits;
  while (magnitude > 0) {
    digits.push_back(static_cast<char>('0' + static_cast<int>(magnitude % 10)));
    magnitude /= 10;
  }
  if (negative) {
    digits.push_back('-');
  }
  std::reverse(digits.begin(), digits.end());
  return digits;
}

std::string BasisPointsText(int64_t basis_points) {
  const bool negative = basis_points < 0;
  const int64_t m = negative ? -basis_points : basis_points;
  return absl::StrFormat("%s%d.%02d%%", negative ? "-" : "", m / 100, m % 100);
}

}  // namespace jieshui::domain
