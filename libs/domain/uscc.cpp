#include "domain/uscc.hpp"

#include <array>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/str_format.h"

namespace jieshui::domain {
namespace {

// GB 32100-2015 4.3: weights of positions 1-17 (3^(i-1) mod 31).
constexpr std::array<int, 17> kWeights = {1,  3,  9,  27, 19, 26, 16, 17, 20,
                                          29, 25, 13, 8,  24, 10, 30, 28};
constexpr int kModulus = 31;

// Decision: lowercase letters are normalised to uppercase instead of being rejected. The
// standard prints codes in capitals, but the mapping is unambiguous (the excluded letters are
// excluded in both cases), people type codes in lowercase on forms, and every code leaves Parse in
// canonical uppercase so equality, hashing and database keys still see one spelling.
char Normalise(char c) {
  if (c >= 'a' && c <= 'z') {
    return static_cast<char>(c - 'a' + 'A');
  }
  return c;
}

std::optional<int> ValueOf(char c) {
  std::size_t index = kUsccAlphabet.find(Normalise(c));
  if (index == std::string_view::npos) {
    return std::nullopt;
  }
  return static_cast<int>(index);
}

std::string Printable(char c) {
  unsigned char u = static_cast<unsigned char>(c);
  if (u >= 0x21 && u < 0x7f) {
    return std::string(1, c);
  }
  return absl::StrFormat("\\x%02X", u);
}

absl::Status BadCharacter(std::string_view field_name, char c, std::size_t index) {
  std::string why = "is not allowed";
  char upper = Normalise(c);
  if (upper == 'I' || upper == 'O' || upper == 'S' || upper == 'V' || upper == 'Z') {
    why = "is not allowed (GB 32100-2015 excludes I, O, S, V, Z)";
  }
  return absl::InvalidArgumentError(absl::StrFormat("%s: character '%s' at position %d %s",
                                                    field_name, Printable(c), index + 1, why));
}

// Returns the check character, or the index of the first invalid character in `first17`.
absl::StatusOr<char> Check(std::string_view first17, std::string_view field_name) {
  int sum = 0;
  for (std::size_t i = 0; i < kWeights.size(); ++i) {
    std::optional<int> value = ValueOf(first17[i]);
    if (!value.has_value()) {
      return BadCharacter(field_name, first17[i], i);
    }
    sum += *value * kWeights[i];
  }
  int check = kModulus - sum % kModulus;
  if (check == kModulus) {
    check = 0;
  }
  return kUsccAlphabet[static_cast<std::size_t>(check)];
}

}  // namespace

absl::StatusOr<char> ComputeUsccCheckCharacter(std::string_view first17) {
  if (first17.size() != kUsccLength - 1) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "uscc: check character needs the first 17 characters, got %d", first17.size()));
  }
  return Check(first17, "uscc");
}

absl::StatusOr<Uscc> Uscc::Parse(std::string_view text, std::string_view field_name) {
  if (text.empty()) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: is empty", field_name));
  }
  if (text.size() != kUsccLength) {
    return absl::InvalidArgumentError(absl::StrFormat(
        "%s: must be %d characters (GB 32100-2015), got %d", field_name, kUsccLength, text.size()));
  }
  absl::StatusOr<char> expected = Check(text.substr(0, kUsccLength - 1), field_name);
  if (!expected.ok()) {
    return expected.status();
  }
  char last = text[kUsccLength - 1];
  if (!ValueOf(last).has_value()) {
    return BadCharacter(field_name, last, kUsccLength - 1);
  }
  if (Normalise(last) != *expected) {
    return absl::InvalidArgumentError(absl::StrFormat("%s: check character expected %c, got %s",
                                                      field_name, *expected, Printable(last)));
  }
  std::string canonical(text);
  for (char& c : canonical) {
    c = Normalise(c);
  }
  return Uscc(std::move(canonical));
}

}  // namespace jieshui::domain
