#include "domain/fixed_decimal.hpp"

#include <array>
#include <limits>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace jieshui::domain::internal {

absl::StatusOr<int64_t> ParseFixedDecimal(std::string_view text, int scale,
                                          std::string_view field_name, std::string_view unit) {
  auto bad = [&](std::string_view why) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: \"%s\" %s", field_name, text, why));
  };
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: is empty", field_name));
  }
  std::string_view rest = text;
  bool negative = false;
  if (rest.front() == '-') {
    negative = true;
    rest.remove_prefix(1);
  }
  std::size_t dot = rest.find('.');
  std::string_view whole = rest.substr(0, dot);
  std::string_view fraction = dot == std::string_view::npos ? "" : rest.substr(dot + 1);
  if (whole.empty() || (dot != std::string_view::npos && fraction.empty())) {
    return bad(absl::StrFormat("is not a decimal number of %s (expected e.g. 12.345)", unit));
  }
  absl::int128 value = 0;
  const absl::int128 limit = std::numeric_limits<int64_t>::max();
  auto add_digit = [&](char c) -> bool {
    value = value * 10 + (c - '0');
    return value <= limit;
  };
  for (char c : whole) {
    if (c < '0' || c > '9') {
      return bad(absl::StrFormat("is not a decimal number of %s (expected e.g. 12.345)", unit));
    }
    if (!add_digit(c)) {
      return absl::OutOfRangeError(absl::StrFormat("%s: \"%s\" is too large", field_name, text));
    }
  }
  for (std::size_t i = 0; i < fraction.size(); ++i) {
    char c = fraction[i];
    if (c < '0' || c > '9') {
      return bad(absl::StrFormat("is not a decimal number of %s (expected e.g. 12.345)", unit));
    }
    if (static_cast<int>(i) >= scale && c != '0') {
      return bad(absl::StrFormat("has more than %d decimal places of %s", scale, unit));
    }
  }
  for (int i = 0; i < scale; ++i) {
    char c =
        static_cast<std::size_t>(i) < fraction.size() ? fraction[static_cast<std::size_t>(i)] : '0';
    if (!add_digit(c)) {
      return absl::OutOfRangeError(absl::StrFormat("%s: \"%s\" is too large", field_name, text));
    }
  }
  int64_t result = static_cast<int64_t>(value);
  return negative ? -result : result;
}

std::string FormatFixedDecimal(int64_t value, int scale) {
  // Digits written backwards into a buffer (this runs for every published reading, where
  // StrFormat's parsing of its format string showed in profiles). Magnitude as unsigned so that
  // INT64_MIN formats too; 20 integer digits, the point, `scale` decimals and the sign fit.
  uint64_t magnitude = value < 0 ? 0 - static_cast<uint64_t>(value) : static_cast<uint64_t>(value);
  std::array<char, 64> buffer{};
  char* const end = buffer.data() + buffer.size();
  char* p = end;
  for (int i = 0; i < scale && p > buffer.data() + 22; ++i) {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  }
  if (scale > 0) {
    *--p = '.';
  }
  do {
    *--p = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) {
    *--p = '-';
  }
  return std::string(p, end);
}

absl::StatusOr<int64_t> DivideRoundHalfAwayFromZero(absl::int128 numerator,
                                                    absl::int128 denominator,
                                                    std::string_view what) {
  absl::int128 quotient = numerator / denominator;  // truncates toward zero
  absl::int128 remainder = numerator % denominator;
  absl::int128 twice = remainder < 0 ? -remainder * 2 : remainder * 2;
  if (twice >= denominator) {
    quotient += numerator < 0 ? -1 : 1;
  }
  if (quotient > std::numeric_limits<int64_t>::max() ||
      quotient < std::numeric_limits<int64_t>::min()) {
    return absl::OutOfRangeError(absl::StrFormat("%s: result overflows", what));
  }
  return static_cast<int64_t>(quotient);
}

}  // namespace jieshui::domain::internal
