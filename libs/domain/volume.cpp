#include "domain/volume.hpp"

#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "domain/fixed_decimal.hpp"

namespace jieshui::domain {

absl::StatusOr<Volume> Volume::CubicMetres(int64_t cubic_metres) {
  int64_t litres = 0;
  if (__builtin_mul_overflow(cubic_metres, kLitresPerCubicMetre, &litres)) {
    return absl::OutOfRangeError(
        absl::StrFormat("volume: %d m3 does not fit in litres", cubic_metres));
  }
  return Volume(litres);
}

absl::StatusOr<Volume> Volume::ParseCubicMetres(std::string_view text,
                                                std::string_view field_name) {
  absl::StatusOr<int64_t> litres = internal::ParseFixedDecimal(text, 3, field_name, "m3");
  if (!litres.ok()) {
    return litres.status();
  }
  return Volume(*litres);
}

std::string Volume::ToCubicMetresString() const { return internal::FormatFixedDecimal(litres_, 3); }

absl::StatusOr<Volume> Volume::Add(Volume other) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(litres_, other.litres_, &sum)) {
    return absl::OutOfRangeError(absl::StrFormat("volume: %s + %s overflows", ToCubicMetresString(),
                                                 other.ToCubicMetresString()));
  }
  return Volume(sum);
}

absl::StatusOr<Volume> Volume::Subtract(Volume other) const {
  int64_t difference = 0;
  if (__builtin_sub_overflow(litres_, other.litres_, &difference)) {
    return absl::OutOfRangeError(absl::StrFormat("volume: %s - %s overflows", ToCubicMetresString(),
                                                 other.ToCubicMetresString()));
  }
  return Volume(difference);
}

}  // namespace jieshui::domain
