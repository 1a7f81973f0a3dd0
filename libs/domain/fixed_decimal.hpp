// Exact decimal text <-> scaled integer conversion and rounding division, shared by Volume and
// Money. Internal to jieshui_domain: use the Volume and Money APIs instead.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/numeric/int128.h"
#include "absl/status/statusor.h"

namespace jieshui::domain::internal {

// Parses "[-]digits[.digits]" into value * 10^scale exactly. Fraction digits beyond `scale` must be
// zeros (they would be lost otherwise). No exponent, no grouping, no surrounding spaces.
// INVALID_ARGUMENT naming `field_name` on bad text; OUT_OF_RANGE if the result does not fit.
absl::StatusOr<int64_t> ParseFixedDecimal(std::string_view text, int scale,
                                          std::string_view field_name, std::string_view unit);

// value / 10^scale with exactly `scale` fraction digits: (-1234, 2) -> "-12.34".
std::string FormatFixedDecimal(int64_t value, int scale);

// numerator / denominator rounded to the nearest integer, halves away from zero (so a refund
// rounds exactly like the charge it reverses). denominator must be > 0. OUT_OF_RANGE naming
// `what` if the result does not fit in int64.
absl::StatusOr<int64_t> DivideRoundHalfAwayFromZero(absl::int128 numerator,
                                                    absl::int128 denominator,
                                                    std::string_view what);

}  // namespace jieshui::domain::internal
