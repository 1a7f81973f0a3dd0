// jieshui-cli: the words an option takes for an enum (`--level district`), shared by the flag
// parsers: looked up in any ASCII case, a wrong word answered with the list of right ones, and a
// value printed back as its word.
#pragma once

#include <span>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"

namespace jieshui::cli {

// This abseil's string_view is its own type, not std::string_view.
inline absl::string_view Abseil(std::string_view s) { return {s.data(), s.size()}; }

template <typename E>
struct Word {
  std::string_view word;
  E value;
};

// "district, municipal, provincial or leader".
template <typename E>
std::string Choices(std::span<const Word<E>> words) {
  std::string out;
  for (std::size_t i = 0; i < words.size(); ++i) {
    absl::StrAppend(&out, i == 0 ? "" : (i + 1 == words.size() ? " or " : ", "),
                    Abseil(words[i].word));
  }
  return out;
}

template <typename E>
absl::StatusOr<E> Lookup(std::span<const Word<E>> words, std::string_view text,
                         std::string_view flag) {
  const std::string lower = absl::AsciiStrToLower(Abseil(text));
  for (const Word<E>& w : words) {
    if (w.word == lower) {
      return w.value;
    }
  }
  return absl::InvalidArgumentError(
      absl::StrCat(Abseil(flag), ": expected ", Choices(words), "; got \"", Abseil(text), "\""));
}

// The word for `value`; "" for the unspecified value (0), the number for one this build does not
// know (a newer server).
template <typename E>
std::string Label(std::span<const Word<E>> words, E value) {
  for (const Word<E>& w : words) {
    if (w.value == value) {
      return std::string(w.word);
    }
  }
  return static_cast<int>(value) == 0 ? "" : absl::StrCat(static_cast<int>(value));
}

}  // namespace jieshui::cli
