// Industry classification codes of GB/T 4754-2017 (国民经济行业分类): parsing, hierarchy level,
// prefix matching for list filters, and the default table of high water-use sectors.
#pragma once

#include <compare>
#include <optional>
#include <ostream>
#include <span>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/statusor.h"

namespace jieshui::domain {

// GB/T 4754-2017 4: each level extends the previous one by digits.
enum class IndustryLevel {
  kSection,   // 门类, one letter A-T: "C"
  kDivision,  // 大类, letter + 2 digits: "C26"
  kGroup,     // 中类, letter + 3 digits: "C261"
  kClass,     // 小类, letter + 4 digits: "C2614"
};

std::string_view IndustryLevelName(IndustryLevel level);

class IndustryCode {
 public:
  // Accepts "C", "C26", "C261", "C2614". The section letter may be lowercase; it may also be
  // omitted ("2614") as in statistical data sets, in which case it is inferred from the division.
  // The division must belong to the section (e.g. "A26" is rejected). The canonical form (value())
  // always carries the uppercase letter. Group and class digits are not checked against the full
  // catalogue: only the section-division ranges are. Errors are INVALID_ARGUMENT naming
  // `field_name`.
  static absl::StatusOr<IndustryCode> Parse(std::string_view text,
                                            std::string_view field_name = "industry_code");

  const std::string& value() const { return value_; }
  IndustryLevel level() const;
  char section() const { return value_[0]; }
  // The 2-digit division number (13 for "C13"), or nullopt for a bare section.
  std::optional<int> division() const;

  // Manufacturing: section C, divisions 13-43 (GB/T 4754-2017).
  bool IsManufacturing() const { return section() == 'C'; }

  // True if this code lies inside `prefix` (or equals it): "C2614" has prefix "C26" and "C", not
  // "C27". Use for list filters.
  bool HasPrefix(const IndustryCode& prefix) const;

  friend bool operator==(const IndustryCode&, const IndustryCode&) = default;
  friend std::strong_ordering operator<=>(const IndustryCode&, const IndustryCode&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const IndustryCode& code) {
    return H::combine(std::move(h), code.value_);
  }
  friend std::ostream& operator<<(std::ostream& os, const IndustryCode& code) {
    return os << code.value_;
  }

 private:
  explicit IndustryCode(std::string value) : value_(std::move(value)) {}
  std::string value_;
};

// A high water-use sector: every code that HasPrefix(code) belongs to it.
struct HighWaterUseSector {
  std::string_view code;     // GB/T 4754-2017 code, canonical form
  std::string_view name_zh;  // the class title in GB/T 4754-2017, or the policy term
  std::string_view name_en;
};

// The sectors national water-saving policy names as high water-use (see industry_code.cpp for the
// sources). This is a default: a service that needs a local list passes its own span.
std::span<const HighWaterUseSector> DefaultHighWaterUseSectors();

// The most specific sector in `sectors` that contains `code`, or nullopt. A code coarser than the
// sector (e.g. "C" against "C26") is not inside it.
std::optional<HighWaterUseSector> FindHighWaterUseSector(
    const IndustryCode& code,
    std::span<const HighWaterUseSector> sectors = DefaultHighWaterUseSectors());

inline bool IsHighWaterUse(const IndustryCode& code, std::span<const HighWaterUseSector> sectors =
                                                         DefaultHighWaterUseSectors()) {
  return FindHighWaterUseSector(code, sectors).has_value();
}

}  // namespace jieshui::domain
