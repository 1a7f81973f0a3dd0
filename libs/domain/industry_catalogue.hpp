// The code table of GB/T 4754-2017 《国民经济行业分类》 with its amendment No. 1 (2019): every
// section, division, group and class with its Chinese name (data/gbt4754-2017.csv, provenance in
// data/README.md), compiled into the library. IndustryCode::Parse checks a code's form; this says
// whether the standard has it.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "domain/industry_code.hpp"

namespace jieshui::domain {

struct IndustryEntry {
  std::string code;  // canonical, with its section letter: "C2614"
  IndustryLevel level = IndustryLevel::kSection;
  std::string name;  // as the standard prints it: "有机化学原料制造"
};

// The standard's entry for `code`, or nullptr when it has none (there is no group 269, so
// "C2699" has none). Entries live as long as the process.
const IndustryEntry* FindIndustry(const IndustryCode& code);

// IndustryCode::Parse, then the code must be in the table: INVALID_ARGUMENT naming `field_name`,
// e.g. `industry_code: "C2699" is not in GB/T 4754-2017 (it has no group C269)`.
absl::StatusOr<IndustryCode> ParseListedIndustryCode(std::string_view text,
                                                     std::string_view field_name = "industry_code");

// "C2614 有机化学原料制造" for a listed code, the text alone otherwise (for views and exports).
std::string IndustryLabel(std::string_view code);

// How many entries of `level` the table holds (20, 97, 473, 1382).
size_t IndustryCount(IndustryLevel level);

}  // namespace jieshui::domain
