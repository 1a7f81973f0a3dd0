// An exact ratio of two sums (DOMAIN.md: indicators are ratios of sums, never means of ratios):
// the numerator and denominator kept whole, in 128 bits so a product of two sums (a decline
// against a base year) cannot overflow, and its value rounded once, to basis points, half away
// from zero. Pure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "absl/numeric/int128.h"

namespace jieshui::domain {

class Ratio {
 public:
  Ratio() = default;
  Ratio(absl::int128 numerator, absl::int128 denominator)
      : numerator_(numerator), denominator_(denominator) {}

  absl::int128 numerator() const { return numerator_; }
  absl::int128 denominator() const { return denominator_; }
  // A ratio over nothing (denominator 0) has no value: not 0.
  bool defined() const { return denominator_ != 0; }
  // numerator / denominator × 10000, rounded half away from zero; nullopt when undefined.
  std::optional<int64_t> BasisPoints() const;
  // "83.08%", or "—" when undefined.
  std::string PercentText() const;

  // (a/b) − 1 as one ratio, exactly: the increase of `current` over `base` ((c − b) / b, both
  // ratios themselves), undefined when either is.
  static Ratio IncreaseOver(const Ratio& current, const Ratio& base);
  // 1 − current/base: the decline of `current` against `base`.
  static Ratio DeclineFrom(const Ratio& current, const Ratio& base);

 private:
  absl::int128 numerator_ = 0;
  absl::int128 denominator_ = 0;
};

// A whole number of 128 bits as decimal text ("-12").
std::string Int128Text(absl::int128 value);

// "83.08%" from 8308 basis points ("-1.50%" from -150).
std::string BasisPointsText(int64_t basis_points);

}  // namespace jieshui::domain
