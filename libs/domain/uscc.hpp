// Unified Social Credit Code (统一社会信用代码, GB 32100-2015): the 18-character identifier of
// every enterprise, validated (alphabet, length, check character) before it enters any service.
#pragma once

#include <compare>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace jieshui::domain {

// GB 32100-2015 4.1: the 31 code characters, digits then capital letters without I, O, S, V, Z.
// A character's value in the check computation is its index in this string.
inline constexpr std::string_view kUsccAlphabet = "0123456789ABCDEFGHJKLMNPQRTUWXY";
inline constexpr std::size_t kUsccLength = 18;

// Returns the check character (position 18) for the first 17 characters of a code. Lowercase
// letters are accepted as their uppercase form. Use it to generate valid codes in tests and
// simulators. INVALID_ARGUMENT if `first17` is not 17 characters of the alphabet.
absl::StatusOr<char> ComputeUsccCheckCharacter(std::string_view first17);

// A validated USCC, always held in canonical uppercase form.
class Uscc {
 public:
  // Validates `text`: exactly 18 characters from kUsccAlphabet and a correct check character.
  // Lowercase letters are normalised to uppercase (see uscc.cpp for why); surrounding whitespace is
  // not trimmed. Errors are INVALID_ARGUMENT with a message starting with `field_name`, e.g.
  // "uscc: check character expected 9, got B".
  static absl::StatusOr<Uscc> Parse(std::string_view text, std::string_view field_name = "uscc");

  const std::string& value() const { return value_; }
  // Position 1: registration authority (1 = organisation authority, 5 = civil affairs,
  // 9 = market regulation / industry and commerce, Y = other); GB 32100-2015 4.2.
  char registration_authority() const { return value_[0]; }
  // Positions 3-8: administrative division code (GB/T 2260) of the registering authority.
  std::string_view administrative_division() const { return std::string_view(value_).substr(2, 6); }

  friend bool operator==(const Uscc&, const Uscc&) = default;
  friend std::strong_ordering operator<=>(const Uscc&, const Uscc&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const Uscc& uscc) {
    return H::combine(std::move(h), uscc.value_);
  }
  friend std::ostream& operator<<(std::ostream& os, const Uscc& uscc) { return os << uscc.value_; }

 private:
  explicit Uscc(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

}  // namespace jieshui::domain
