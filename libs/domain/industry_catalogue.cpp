#include "domain/industry_catalogue.hpp"

#include <array>
#include <string_view>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_split.h"

namespace jieshui::domain {

// The CSV's rows after its header, generated from data/gbt4754-2017.csv at configure time
// (gbt4754_data.cpp.in).
extern const char* const kGbt4754Rows[];
extern const size_t kGbt4754RowCount;

namespace {

struct Catalogue {
  absl::flat_hash_map<std::string, IndustryEntry> by_code;
  std::array<size_t, 4> counts{};
};

IndustryLevel LevelOf(std::string_view name) {
  if (name == "division") {
    return IndustryLevel::kDivision;
  }
  if (name == "group") {
    return IndustryLevel::kGroup;
  }
  if (name == "class") {
    return IndustryLevel::kClass;
  }
  return IndustryLevel::kSection;
}

// Read once, on first use. The file is the project's own and checked by the tests, so a line that
// does not read is a build defect: it is left out, and the counts test fails.
const Catalogue& TheCatalogue() {
  static const Catalogue* const catalogue = [] {
    auto* c = new Catalogue();
    for (size_t row = 0; row < kGbt4754RowCount; ++row) {
      const std::vector<absl::string_view> fields =
          absl::StrSplit(kGbt4754Rows[row], absl::MaxSplits(',', 2));
      if (fields.size() != 3) {
        continue;
      }
      absl::StatusOr<IndustryCode> code =
          IndustryCode::Parse(std::string_view(fields[0].data(), fields[0].size()));
      if (!code.ok()) {
        continue;
      }
      const IndustryLevel level = LevelOf(std::string_view(fields[1].data(), fields[1].size()));
      if (code->level() != level) {
        continue;
      }
      IndustryEntry entry{.code = code->value(), .level = level, .name = std::string(fields[2])};
      if (c->by_code.emplace(code->value(), std::move(entry)).second) {
        ++c->counts[static_cast<size_t>(level)];
      }
    }
    return c;
  }();
  return *catalogue;
}

}  // namespace

const IndustryEntry* FindIndustry(const IndustryCode& code) {
  const Catalogue& c = TheCatalogue();
  auto it = c.by_code.find(code.value());
  return it == c.by_code.end() ? nullptr : &it->second;
}

absl::StatusOr<IndustryCode> ParseListedIndustryCode(std::string_view text,
                                                     std::string_view field_name) {
  absl::StatusOr<IndustryCode> code = IndustryCode::Parse(text, field_name);
  if (!code.ok() || FindIndustry(*code) != nullptr) {
    return code;
  }
  // Name the broadest level that is missing: "it has no group C269".
  const std::string& v = code->value();
  std::string missing = v;
  for (size_t digits = 2; digits + 1 < v.size(); ++digits) {
    absl::StatusOr<IndustryCode> prefix = IndustryCode::Parse(v.substr(0, 1 + digits));
    if (prefix.ok() && FindIndustry(*prefix) == nullptr) {
      missing = prefix->value();
      break;
    }
  }
  absl::StatusOr<IndustryCode> broadest = IndustryCode::Parse(missing);
  return absl::InvalidArgumentError(
      absl::StrFormat("%s: \"%s\" is not in GB/T 4754-2017 (it has no %s %s)", field_name, text,
                      broadest.ok() ? IndustryLevelName(broadest->level()) : "code", missing));
}

std::string IndustryLabel(std::string_view code) {
  absl::StatusOr<IndustryCode> parsed = IndustryCode::Parse(code);
  if (!parsed.ok()) {
    return std::string(code);
  }
  const IndustryEntry* entry = FindIndustry(*parsed);
  return entry == nullptr ? std::string(code) : absl::StrCat(entry->code, " ", entry->name);
}

size_t IndustryCount(IndustryLevel level) {
  return TheCatalogue().counts[static_cast<size_t>(level)];
}

}  // namespace jieshui::domain
