// Debian's abseil (20220623) is built with its own absl::string_view, not std::string_view, so
// the two do not convert into each other: Av() passes a std::string_view to abseil.
#pragma once

#include <string_view>

#include "absl/strings/string_view.h"

namespace jieshui::strings {

inline absl::string_view Av(std::string_view s) { return {s.data(), s.size()}; }

}  // namespace jieshui::strings
