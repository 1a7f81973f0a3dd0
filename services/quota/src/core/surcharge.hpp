// Progressive surcharges for over-plan and over-quota use (超计划/超定额累进加价) and the product
// quota check (用水定额). Pure rules: exact integer arithmetic, one rounding per figure.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/money.hpp"

namespace jieshui::quota {

// Over-use in [from, to) of the allowed volume, in basis points of it (2000 = 20%), is charged at
// multiplier × the base price; no `to` means no upper bound.
struct SurchargeBand {
  int64_t from_bp = 0;
  std::optional<int64_t> to_bp;
  domain::Multiplier multiplier = *domain::Multiplier::Create(1, 1);
};

// The band as an API or a configuration file writes it: percents as decimal text ("20", "12.5",
// empty `to` for the last band) and the multiplier as "0.5", "2" or "1/3".
struct SurchargeBandText {
  std::string from_percent;
  std::string to_percent;
  std::string multiplier;
};

// Parses and validates (ValidateBands); errors name "<field>[i].<part>".
absl::StatusOr<std::vector<SurchargeBand>> ParseBands(const std::vector<SurchargeBandText>& bands,
                                                      const std::string& field = "bands");

// Bands must start at 0%, each start where the one before ends (no gap, no overlap), end above
// where they start, and the last one (only the last) is unbounded. Errors name "<field>[i]".
absl::Status ValidateBands(const std::vector<SurchargeBand>& bands,
                           const std::string& field = "bands");

// "20" / "12.5" (basis points formatted back as percent text without trailing zeros).
std::string PercentText(int64_t basis_points);

// A base price per m³ as an exact fraction of fen: the intake-weighted price of the sources a
// period drew on, Σ litres_s × price_s / Σ litres_s. A single source is that source's price.
struct BasePrice {
  int64_t fen_numerator = 0;  // fen per m³ × litres
  int64_t denominator = 1;    // litres (> 0)
};

struct SourceIntake {
  int64_t litres = 0;
  domain::Money price_per_cubic_metre;
};

// The weighted price of `intakes`; `fallback` when they drew nothing.
BasePrice WeightedBasePrice(const std::vector<SourceIntake>& intakes, domain::Money fallback);

// Yuan per m³ with 4 decimals, rounded half up, for the working shown to people.
std::string BasePriceYuanText(const BasePrice& price);

struct SurchargeLine {
  SurchargeBand band;
  int64_t litres = 0;  // the part of the over-use inside this band
  domain::Money amount;
};

struct SurchargeWorking {
  int64_t allowed = 0;
  int64_t used = 0;
  int64_t over = 0;  // max(0, used − allowed)
  BasePrice base_price;
  std::vector<SurchargeLine> lines;  // one per band, in band order (zero-volume bands included)
  domain::Money total;
};

// DOMAIN.md "Plans, quotas, surcharges": the over-use is cut at allowed × band limit (each limit
// rounded half up to the litre); each band's litres are charged at litres × base price ×
// multiplier, rounded half up to the fen once per band; the total is the sum of the lines. A zero
// allowance puts every litre over it in the last band. `bands` must be valid (ValidateBands).
absl::StatusOr<SurchargeWorking> ComputeSurcharge(int64_t allowed, int64_t used,
                                                  const std::vector<SurchargeBand>& bands,
                                                  const BasePrice& base_price);

// A product quota: allowed intake per unit of output in millilitres (decimal litres with 3
// fraction digits). General (通用值) binds; advanced (先进值) is the water-saving benchmark.
struct ProductQuotaValues {
  int64_t general_ml_per_unit = 0;
  int64_t advanced_ml_per_unit = 0;
};

// general ≥ advanced ≥ 0 (an advanced value is stricter); errors name the field.
absl::Status ValidateQuotaValues(const ProductQuotaValues& values);

struct QuotaCheckResult {
  int64_t intake = 0;        // litres
  int64_t output_milli = 0;  // output in thousandths of a unit
  // Unit-product intake = intake ÷ output, in millilitres per unit rounded half up; none when
  // output is zero.
  std::optional<int64_t> unit_intake_ml;
  int64_t allowed = 0;  // general × output, litres rounded half up
  int64_t over = 0;     // intake − allowed when over quota, else 0
  bool over_quota = false;
  bool meets_advanced = false;
};

// Over quota when intake ÷ output > general, decided exactly (intake × 10^6 > general_ml ×
// output_milli), so unit intake exactly at the quota is within it. With output zero there is no
// ratio: nothing is allowed, and any intake is over quota in full.
QuotaCheckResult CheckProductQuota(int64_t intake_litres, int64_t output_milli,
                                   const ProductQuotaValues& quota);

}  // namespace jieshui::quota
