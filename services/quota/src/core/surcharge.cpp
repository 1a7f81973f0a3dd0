#include "quota/src/core/surcharge.hpp"

#include <algorithm>
#include <utility>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "domain/fixed_decimal.hpp"

namespace jieshui::quota {
namespace {

// Rounds numerator / denominator (denominator > 0, numerator ≥ 0) half up.
absl::int128 DivideHalfUp(absl::int128 numerator, absl::int128 denominator) {
  return (numerator * 2 + denominator) / (denominator * 2);
}

absl::StatusOr<int64_t> ParsePercent(const std::string& text, const std::string& field) {
  // Basis points are hundredths of a percent: the fixed-decimal parser at scale 2.
  auto bp = domain::internal::ParseFixedDecimal(text, 2, field, "%");
  if (!bp.ok()) {
    return bp.status();
  }
  if (*bp < 0) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": must not be negative, got ", text));
  }
  return *bp;
}

}  // namespace

absl::StatusOr<std::vector<SurchargeBand>> ParseBands(const std::vector<SurchargeBandText>& bands,
                                                      const std::string& field) {
  std::vector<SurchargeBand> out;
  for (size_t i = 0; i < bands.size(); ++i) {
    const std::string at = absl::StrCat(field, "[", i, "]");
    SurchargeBand band;
    auto from = ParsePercent(bands[i].from_percent, at + ".from_percent");
    if (!from.ok()) {
      return from.status();
    }
    band.from_bp = *from;
    if (!bands[i].to_percent.empty()) {
      auto to = ParsePercent(bands[i].to_percent, at + ".to_percent");
      if (!to.ok()) {
        return to.status();
      }
      band.to_bp = *to;
    }
    auto multiplier = domain::Multiplier::Parse(bands[i].multiplier, at + ".multiplier");
    if (!multiplier.ok()) {
      return multiplier.status();
    }
    band.multiplier = *multiplier;
    out.push_back(band);
  }
  if (absl::Status s = ValidateBands(out, field); !s.ok()) {
    return s;
  }
  return out;
}

absl::Status ValidateBands(const std::vector<SurchargeBand>& bands, const std::string& field) {
  if (bands.empty()) {
    return absl::InvalidArgumentError(absl::StrCat(field, ": at least one band is needed"));
  }
  int64_t expected_from = 0;
  for (size_t i = 0; i < bands.size(); ++i) {
    const SurchargeBand& b = bands[i];
    const std::string at = absl::StrCat(field, "[", i, "]");
    if (b.from_bp != expected_from) {
      return absl::InvalidArgumentError(absl::StrCat(
          at, ".from_percent: ", PercentText(b.from_bp), " leaves ",
          b.from_bp > expected_from ? "a gap after " : "an overlap with ",
          i == 0 ? "0% (the first band starts at 0)"
                 : absl::StrCat("the band before, which ends at ", PercentText(expected_from))));
    }
    const bool last = i + 1 == bands.size();
    if (!b.to_bp.has_value()) {
      if (!last) {
        return absl::InvalidArgumentError(
            absl::StrCat(at, ".to_percent: only the last band may be unbounded"));
      }
      continue;
    }
    if (last) {
      return absl::InvalidArgumentError(absl::StrCat(
          at,
          ".to_percent: the last band must be unbounded (leave to_percent empty), or use "
          "above ",
          PercentText(*b.to_bp), " would be charged nothing"));
    }
    if (*b.to_bp <= b.from_bp) {
      return absl::InvalidArgumentError(absl::StrCat(at, ".to_percent: ", PercentText(*b.to_bp),
                                                     " is not above from_percent ",
                                                     PercentText(b.from_bp)));
    }
    expected_from = *b.to_bp;
  }
  return absl::OkStatus();
}

std::string PercentText(int64_t basis_points) {
  std::string text = domain::internal::FormatFixedDecimal(basis_points, 2);
  while (text.back() == '0') {
    text.pop_back();
  }
  if (text.back() == '.') {
    text.pop_back();
  }
  return text;
}

BasePrice WeightedBasePrice(const std::vector<SourceIntake>& intakes, domain::Money fallback) {
  absl::int128 numerator = 0;
  int64_t litres = 0;
  for (const SourceIntake& s : intakes) {
    if (s.litres <= 0) {
      continue;
    }
    numerator += absl::int128(s.litres) * s.price_per_cubic_metre.fen();
    litres += s.litres;
  }
  if (litres == 0) {
    return BasePrice{.fen_numerator = fallback.fen(), .denominator = 1};
  }
  // Reduce so the fraction stays small (a single source comes back as price/1).
  absl::int128 a = numerator;
  absl::int128 b = litres;
  while (b != 0) {
    absl::int128 t = a % b;
    a = b;
    b = t;
  }
  const absl::int128 gcd = a == 0 ? 1 : a;
  return BasePrice{.fen_numerator = static_cast<int64_t>(numerator / gcd),
                   .denominator = static_cast<int64_t>(absl::int128(litres) / gcd)};
}

std::string BasePriceYuanText(const BasePrice& price) {
  // fen/m³ → yuan/m³ with 4 decimals: × 10^4 / 100 = × 100.
  const absl::int128 scaled =
      DivideHalfUp(absl::int128(price.fen_numerator) * 100, price.denominator);
  return domain::internal::FormatFixedDecimal(static_cast<int64_t>(scaled), 4);
}

absl::StatusOr<SurchargeWorking> ComputeSurcharge(int64_t allowed, int64_t used,
                                                  const std::vector<SurchargeBand>& bands,
                                                  const BasePrice& base_price) {
  if (allowed < 0 || used < 0) {
    return absl::InvalidArgumentError("surcharge: negative volume");
  }
  if (base_price.denominator <= 0 || base_price.fen_numerator < 0) {
    return absl::InvalidArgumentError("surcharge: invalid base price");
  }
  if (absl::Status s = ValidateBands(bands); !s.ok()) {
    return s;
  }
  SurchargeWorking w;
  w.allowed = allowed;
  w.used = used;
  w.over = std::max<int64_t>(0, used - allowed);
  w.base_price = base_price;
  int64_t total_fen = 0;
  for (const SurchargeBand& band : bands) {
    const auto limit = [allowed](int64_t bp) {
      return static_cast<int64_t>(DivideHalfUp(absl::int128(allowed) * bp, 10000));
    };
    const int64_t lo = limit(band.from_bp);
    const int64_t hi = band.to_bp.has_value() ? limit(*band.to_bp) : w.over;
    const int64_t litres = std::max<int64_t>(0, std::min(w.over, std::max(hi, lo)) - lo);
    // litres × (fen_numerator / denominator) fen per m³ × multiplier, litres → m³ is ÷ 1000.
    const absl::int128 numerator =
        absl::int128(litres) * base_price.fen_numerator * band.multiplier.numerator();
    const absl::int128 denominator =
        absl::int128(1000) * base_price.denominator * band.multiplier.denominator();
    const absl::int128 fen = DivideHalfUp(numerator, denominator);
    if (fen > absl::int128(INT64_MAX / 2)) {
      return absl::OutOfRangeError("surcharge: amount out of range");
    }
    w.lines.push_back(SurchargeLine{
        .band = band, .litres = litres, .amount = domain::Money::Fen(static_cast<int64_t>(fen))});
    total_fen += static_cast<int64_t>(fen);
  }
  w.total = domain::Money::Fen(total_fen);
  return w;
}

absl::Status ValidateQuotaValues(const ProductQuotaValues& values) {
  if (values.general_ml_per_unit < 0) {
    return absl::InvalidArgumentError("quota.general_litres_per_unit: must not be negative");
  }
  if (values.advanced_ml_per_unit < 0) {
    return absl::InvalidArgumentError("quota.advanced_litres_per_unit: must not be negative");
  }
  if (values.advanced_ml_per_unit > values.general_ml_per_unit) {
    return absl::InvalidArgumentError(
        "quota.advanced_litres_per_unit: the advanced value must not be above the general value "
        "(it is the stricter benchmark)");
  }
  return absl::OkStatus();
}

QuotaCheckResult CheckProductQuota(int64_t intake_litres, int64_t output_milli,
                                   const ProductQuotaValues& quota) {
  QuotaCheckResult r;
  r.intake = intake_litres;
  r.output_milli = output_milli;
  if (output_milli <= 0) {
    r.allowed = 0;
    r.over_quota = intake_litres > 0;
    r.over = std::max<int64_t>(0, intake_litres);
    r.meets_advanced = intake_litres <= 0;
    return r;
  }
  // Litres per unit = intake / (output_milli / 1000); in millilitres: intake × 10^6 / output_milli.
  const absl::int128 intake_scaled = absl::int128(intake_litres) * 1000000;
  r.unit_intake_ml = static_cast<int64_t>(DivideHalfUp(intake_scaled, output_milli));
  r.allowed = static_cast<int64_t>(
      DivideHalfUp(absl::int128(quota.general_ml_per_unit) * output_milli, 1000000));
  r.over_quota = intake_scaled > absl::int128(quota.general_ml_per_unit) * output_milli;
  r.over = r.over_quota ? std::max<int64_t>(0, intake_litres - r.allowed) : 0;
  r.meets_advanced = intake_scaled <= absl::int128(quota.advanced_ml_per_unit) * output_milli;
  return r;
}

}  // namespace jieshui::quota
