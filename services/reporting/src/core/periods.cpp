#include "reporting/src/core/periods.hpp"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "errors/field_error.hpp"

namespace jieshui::reporting {
namespace {

v1::IndicatorPeriod Make(v1::PeriodKind kind, int year, int quarter, int month) {
  v1::IndicatorPeriod p;
  p.set_kind(kind);
  p.set_year(year);
  p.set_quarter(quarter);
  p.set_month(month);
  return p;
}

}  // namespace

std::string PeriodKey(const v1::IndicatorPeriod& p) {
  switch (p.kind()) {
    case v1::PERIOD_KIND_YEAR_TO_DATE:
      return absl::StrFormat("%d-YTD%02d", p.year(), p.month());
    case v1::PERIOD_KIND_QUARTER:
      return absl::StrFormat("%d-Q%d", p.year(), p.quarter());
    case v1::PERIOD_KIND_MONTH:
      return absl::StrFormat("%d-%02d", p.year(), p.month());
    default:
      return absl::StrCat(p.year());
  }
}

absl::StatusOr<v1::IndicatorPeriod> CheckPeriod(const v1::IndicatorPeriod& p,
                                                const std::string& field) {
  if (p.year() < 2000 || p.year() > 2100) {
    return errors::InvalidArgument(absl::StrCat(field, ".year"),
                                   absl::StrCat("must be 2000-2100, got ", p.year()));
  }
  switch (p.kind()) {
    case v1::PERIOD_KIND_YEAR:
      return Make(p.kind(), p.year(), 0, 0);
    case v1::PERIOD_KIND_QUARTER:
      if (p.quarter() < 1 || p.quarter() > 4) {
        return errors::InvalidArgument(absl::StrCat(field, ".quarter"), "must be 1-4");
      }
      return Make(p.kind(), p.year(), p.quarter(), 0);
    case v1::PERIOD_KIND_MONTH:
    case v1::PERIOD_KIND_YEAR_TO_DATE:
      if (p.month() < 1 || p.month() > 12) {
        return errors::InvalidArgument(absl::StrCat(field, ".month"), "must be 1-12");
      }
      return Make(p.kind(), p.year(), 0, p.month());
    default:
      return errors::InvalidArgument(absl::StrCat(field, ".kind"),
                                     "YEAR, YEAR_TO_DATE, QUARTER or MONTH is required");
  }
}

v1::IndicatorPeriod PeriodOfKey(const std::string& key) {
  int year = 0;
  int n = 0;
  (void)absl::SimpleAtoi(key.substr(0, 4), &year);
  if (key.size() == 4) {
    return Make(v1::PERIOD_KIND_YEAR, year, 0, 0);
  }
  if (key.compare(5, 3, "YTD") == 0) {
    (void)absl::SimpleAtoi(key.substr(8), &n);
    return Make(v1::PERIOD_KIND_YEAR_TO_DATE, year, 0, n);
  }
  if (key.size() > 5 && key[5] == 'Q') {
    (void)absl::SimpleAtoi(key.substr(6), &n);
    return Make(v1::PERIOD_KIND_QUARTER, year, n, 0);
  }
  (void)absl::SimpleAtoi(key.substr(5), &n);
  return Make(v1::PERIOD_KIND_MONTH, year, 0, n);
}

std::vector<v1::IndicatorPeriod> PeriodsOfYear(int year) {
  std::vector<v1::IndicatorPeriod> out = {Make(v1::PERIOD_KIND_YEAR, year, 0, 0)};
  for (int m = 1; m <= 12; ++m) {
    out.push_back(Make(v1::PERIOD_KIND_YEAR_TO_DATE, year, 0, m));
  }
  for (int q = 1; q <= 4; ++q) {
    out.push_back(Make(v1::PERIOD_KIND_QUARTER, year, q, 0));
  }
  for (int m = 1; m <= 12; ++m) {
    out.push_back(Make(v1::PERIOD_KIND_MONTH, year, 0, m));
  }
  return out;
}

std::vector<v1::IndicatorPeriod> PeriodsTouchedBy(int year, int month) {
  std::vector<v1::IndicatorPeriod> out = {Make(v1::PERIOD_KIND_YEAR, year, 0, 0)};
  for (int m = month; m <= 12; ++m) {
    out.push_back(Make(v1::PERIOD_KIND_YEAR_TO_DATE, year, 0, m));
  }
  out.push_back(Make(v1::PERIOD_KIND_QUARTER, year, (month + 2) / 3, 0));
  out.push_back(Make(v1::PERIOD_KIND_MONTH, year, 0, month));
  return out;
}

std::string ScopeKey(const v1::Scope& scope) {
  switch (scope.kind()) {
    case v1::SCOPE_KIND_TOWN:
      return absl::StrCat("town:", scope.value());
    case v1::SCOPE_KIND_PARK:
      return absl::StrCat("park:", scope.value());
    case v1::SCOPE_KIND_INDUSTRY:
      return absl::StrCat("industry:", scope.value());
    case v1::SCOPE_KIND_ENTERPRISE:
      return absl::StrCat("enterprise:", scope.value());
    default:
      return "district";
  }
}

v1::Scope ScopeOfKey(const std::string& key) {
  v1::Scope s;
  const size_t colon = key.find(':');
  const std::string kind = key.substr(0, colon);
  s.set_kind(kind == "town"         ? v1::SCOPE_KIND_TOWN
             : kind == "park"       ? v1::SCOPE_KIND_PARK
             : kind == "industry"   ? v1::SCOPE_KIND_INDUSTRY
             : kind == "enterprise" ? v1::SCOPE_KIND_ENTERPRISE
                                    : v1::SCOPE_KIND_DISTRICT);
  s.set_value(colon == std::string::npos ? "" : key.substr(colon + 1));
  return s;
}

std::vector<v1::Scope> ScopesOf(const std::string& town, const std::string& park_id,
                                const std::string& industry_code) {
  std::vector<v1::Scope> out(1);
  out[0].set_kind(v1::SCOPE_KIND_DISTRICT);
  auto add = [&out](v1::ScopeKind kind, const std::string& value) {
    if (!value.empty()) {
      v1::Scope s;
      s.set_kind(kind);
      s.set_value(value);
      out.push_back(std::move(s));
    }
  };
  add(v1::SCOPE_KIND_TOWN, town);
  add(v1::SCOPE_KIND_PARK, park_id);
  add(v1::SCOPE_KIND_INDUSTRY, industry_code.size() >= 3 ? industry_code.substr(0, 3) : "");
  return out;
}

}  // namespace jieshui::reporting
