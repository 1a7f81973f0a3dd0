#include "domain/money.hpp"

#include <charconv>
#include <numeric>

#include "absl/numeric/int128.h"
#include "absl/status/status.h"
#include "absl/strings/str_format.h"
#include "domain/fixed_decimal.hpp"

namespace jieshui::domain {
namespace {

// The whole of `text` as a decimal integer: no sign other than '-', no spaces.
bool ParseInt(std::string_view text, int64_t* out) {
  const char* end = text.data() + text.size();
  auto [ptr, error] = std::from_chars(text.data(), end, *out);
  return error == std::errc() && ptr == end && !text.empty();
}

}  // namespace

absl::StatusOr<Multiplier> Multiplier::Create(int64_t numerator, int64_t denominator) {
  if (denominator <= 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("multiplier: denominator must be positive, got %d", denominator));
  }
  if (numerator < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("multiplier: must not be negative, got %d/%d", numerator, denominator));
  }
  int64_t divisor = std::gcd(numerator, denominator);
  return Multiplier(numerator / divisor, denominator / divisor);
}

absl::StatusOr<Multiplier> Multiplier::Parse(std::string_view text, std::string_view field_name) {
  std::size_t slash = text.find('/');
  if (slash != std::string_view::npos) {
    int64_t numerator = 0;
    int64_t denominator = 0;
    if (!ParseInt(text.substr(0, slash), &numerator) ||
        !ParseInt(text.substr(slash + 1), &denominator)) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: \"%s\" is not a fraction of integers like 1/3", field_name, text));
    }
    absl::StatusOr<Multiplier> result = Create(numerator, denominator);
    if (!result.ok()) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: \"%s\": %s", field_name, text, result.status().message()));
    }
    return result;
  }
  constexpr int kScale = 9;
  absl::StatusOr<int64_t> scaled =
      internal::ParseFixedDecimal(text, kScale, field_name, "a multiplier");
  if (!scaled.ok()) {
    return scaled.status();
  }
  if (*scaled < 0) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" must not be negative", field_name, text));
  }
  return Create(*scaled, 1'000'000'000);
}

std::string Multiplier::ToString() const {
  if (denominator_ == 1) {
    return absl::StrFormat("%d", numerator_);
  }
  return absl::StrFormat("%d/%d", numerator_, denominator_);
}

absl::StatusOr<Money> Money::ParseYuan(std::string_view text, std::string_view field_name) {
  absl::StatusOr<int64_t> fen = internal::ParseFixedDecimal(text, 2, field_name, "yuan");
  if (!fen.ok()) {
    return fen.status();
  }
  return Money(*fen);
}

std::string Money::ToYuanString() const { return internal::FormatFixedDecimal(fen_, 2); }

absl::StatusOr<Money> Money::Add(Money other) const {
  int64_t sum = 0;
  if (__builtin_add_overflow(fen_, other.fen_, &sum)) {
    return absl::OutOfRangeError(
        absl::StrFormat("money: %s + %s overflows", ToYuanString(), other.ToYuanString()));
  }
  return Money(sum);
}

absl::StatusOr<Money> Money::Subtract(Money other) const {
  int64_t difference = 0;
  if (__builtin_sub_overflow(fen_, other.fen_, &difference)) {
    return absl::OutOfRangeError(
        absl::StrFormat("money: %s - %s overflows", ToYuanString(), other.ToYuanString()));
  }
  return Money(difference);
}

absl::StatusOr<Money> Money::MultiplyBy(const Multiplier& multiplier) const {
  absl::StatusOr<int64_t> fen = internal::DivideRoundHalfAwayFromZero(
      absl::int128(fen_) * multiplier.numerator(), multiplier.denominator(),
      absl::StrFormat("money: %s x %s", ToYuanString(), multiplier.ToString()));
  if (!fen.ok()) {
    return fen.status();
  }
  return Money(*fen);
}

absl::StatusOr<Money> ChargeForVolume(Volume volume, Money price_per_cubic_metre) {
  // litres × fen/m³ = 1/1000 fen; both factors fit in 64 bits, so the product fits in 128.
  absl::StatusOr<int64_t> fen = internal::DivideRoundHalfAwayFromZero(
      absl::int128(volume.litres()) * price_per_cubic_metre.fen(), Volume::kLitresPerCubicMetre,
      absl::StrFormat("charge: %s m3 at %s CNY/m3", volume.ToCubicMetresString(),
                      price_per_cubic_metre.ToYuanString()));
  if (!fen.ok()) {
    return fen.status();
  }
  return Money::Fen(*fen);
}

}  // namespace jieshui::domain
