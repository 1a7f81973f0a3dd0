#include "report_flags.hpp"

#include <algorithm>
#include <optional>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/money.hpp"
#include "domain/period.hpp"
#include "domain/volume.hpp"
#include "flag_words.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;

constexpr Word<v1::ExportKind> kExportKinds[] = {{"annual-report", v1::EXPORT_KIND_ANNUAL_REPORT},
                                                 {"ledger", v1::EXPORT_KIND_LEDGER},
                                                 {"key-monitored", v1::EXPORT_KIND_KEY_MONITORED},
                                                 {"contributors", v1::EXPORT_KIND_CONTRIBUTORS}};

constexpr Word<v1::ExportFormat> kExportFormats[] = {{"xlsx", v1::EXPORT_FORMAT_XLSX},
                                                     {"csv", v1::EXPORT_FORMAT_CSV}};

constexpr Word<v1::ScopeKind> kScopeKinds[] = {{"town", v1::SCOPE_KIND_TOWN},
                                               {"park", v1::SCOPE_KIND_PARK},
                                               {"industry", v1::SCOPE_KIND_INDUSTRY},
                                               {"enterprise", v1::SCOPE_KIND_ENTERPRISE}};

// 1 万元 = 10,000 yuan = 1,000,000 fen; its 4th decimal is one yuan, 100 fen.
constexpr int64_t kFenPerWanYuan = 1'000'000;
constexpr int kWanYuanDecimals = 4;
// 12 digits of 万元 and 4 decimals stay below 10^18 fen, inside int64.
constexpr std::size_t kMaxWanYuanDigits = 12;

bool AllDigits(std::string_view s) {
  for (const char c : s) {
    if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      return false;
    }
  }
  return true;
}

// "2025": four digits, 1-9999.
std::optional<int> Year(std::string_view text) {
  int year = 0;
  if (text.size() != 4 || !AllDigits(text) || !absl::SimpleAtoi(Abseil(text), &year) ||
      year < domain::kMinYear || year > domain::kMaxYear) {
    return std::nullopt;
  }
  return year;
}

absl::StatusOr<domain::YearMonth> Month(std::string_view text, std::string_view flag,
                                        std::string_view what) {
  absl::StatusOr<domain::YearMonth> month = domain::YearMonth::Parse(text, flag);
  if (!month.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(Abseil(flag), ": expected YYYY-MM", Abseil(what),
                                                   ", e.g. 2026-11; got \"", Abseil(text), "\""));
  }
  return month;
}

absl::StatusOr<int64_t> DayStartMillis(std::string_view text, std::string_view flag, bool next) {
  absl::StatusOr<domain::Date> day = domain::Date::Parse(text, flag);
  if (!day.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Abseil(flag), ": expected YYYY-MM-DD, e.g. 2026-12-02; got \"", Abseil(text), "\""));
  }
  return absl::ToUnixMillis(next ? domain::EndOf(*day) : domain::StartOf(*day));
}

}  // namespace

absl::StatusOr<v1::IndicatorPeriod> ParseReportPeriodFlags(const ReportPeriodFlags& flags,
                                                           bool required) {
  const int given = static_cast<int>(!flags.year.empty()) + static_cast<int>(!flags.ytd.empty()) +
                    static_cast<int>(!flags.quarter.empty()) +
                    static_cast<int>(!flags.month.empty());
  constexpr std::string_view kOptions = "--year, --ytd, --quarter or --month";
  if (given > 1) {
    return absl::InvalidArgumentError(absl::StrCat("give one of ", Abseil(kOptions), ", not more"));
  }
  v1::IndicatorPeriod period;
  if (given == 0) {
    if (!required) {
      return period;
    }
    return absl::InvalidArgumentError(absl::StrCat("one of ", Abseil(kOptions), " is required"));
  }
  if (!flags.year.empty()) {
    const std::optional<int> year = Year(flags.year);
    if (!year.has_value()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--year: expected YYYY, e.g. 2025; got \"", flags.year, "\""));
    }
    period.set_kind(v1::PERIOD_KIND_YEAR);
    period.set_year(*year);
    return period;
  }
  if (!flags.quarter.empty()) {
    // "2026-Q4": the year, "-Q" (any case) and 1-4.
    const std::string_view text = flags.quarter;
    const std::optional<int> year = text.size() == 7 ? Year(text.substr(0, 4)) : std::nullopt;
    const char q = text.size() == 7 ? text[5] : ' ';
    const char n = text.size() == 7 ? text[6] : ' ';
    if (!year.has_value() || text[4] != '-' || (q != 'Q' && q != 'q') || n < '1' || n > '4') {
      return absl::InvalidArgumentError(absl::StrCat(
          "--quarter: expected YYYY-Qn (n 1-4), e.g. 2026-Q4; got \"", Abseil(text), "\""));
    }
    period.set_kind(v1::PERIOD_KIND_QUARTER);
    period.set_year(*year);
    period.set_quarter(n - '0');
    return period;
  }
  const bool ytd = !flags.ytd.empty();
  absl::StatusOr<domain::YearMonth> month =
      ytd ? Month(flags.ytd, "--ytd", " (January to the end of that month)")
          : Month(flags.month, "--month", "");
  if (!month.ok()) {
    return month.status();
  }
  period.set_kind(ytd ? v1::PERIOD_KIND_YEAR_TO_DATE : v1::PERIOD_KIND_MONTH);
  period.set_year(month->year());
  period.set_month(month->month());
  return period;
}

std::string ReportPeriodLabel(const v1::IndicatorPeriod& period) {
  auto month = [&](int m) {
    absl::StatusOr<domain::YearMonth> ym = domain::YearMonth::Create(period.year(), m);
    return ym.ok() ? ym->ToString() : absl::StrCat(period.year(), "-", m);
  };
  switch (period.kind()) {
    case v1::PERIOD_KIND_YEAR:
      return absl::StrCat(period.year());
    case v1::PERIOD_KIND_YEAR_TO_DATE:
      return absl::StrCat(month(1), " to ", month(period.month()));
    case v1::PERIOD_KIND_QUARTER:
      return absl::StrCat(period.year(), "-Q", period.quarter());
    case v1::PERIOD_KIND_MONTH:
      return month(period.month());
    default:
      break;
  }
  return "";
}

absl::StatusOr<v1::Scope> ParseScopeFlag(std::string_view text) {
  v1::Scope scope;
  if (text.empty()) {
    return scope;
  }
  if (absl::AsciiStrToLower(Abseil(text)) == "district") {
    scope.set_kind(v1::SCOPE_KIND_DISTRICT);
    return scope;
  }
  const std::size_t colon = text.find(':');
  const std::string_view value =
      colon == std::string_view::npos ? std::string_view() : text.substr(colon + 1);
  absl::StatusOr<v1::ScopeKind> kind =
      Lookup<v1::ScopeKind>(kScopeKinds, text.substr(0, colon), "");
  if (!kind.ok() || value.empty()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--scope: expected district, town:NAME, park:ID, industry:DIVISION (e.g. "
                     "industry:C17) or enterprise:USCC; got \"",
                     Abseil(text), "\""));
  }
  scope.set_kind(*kind);
  scope.set_value(std::string(value));
  return scope;
}

std::string ScopeLabel(const v1::Scope& scope) {
  if (scope.kind() == v1::SCOPE_KIND_UNSPECIFIED || scope.kind() == v1::SCOPE_KIND_DISTRICT) {
    return "district";
  }
  return absl::StrCat(Label<v1::ScopeKind>(kScopeKinds, scope.kind()), ":", scope.value());
}

absl::StatusOr<int64_t> ParsePercentFlag(std::string_view text, std::string_view flag) {
  // Basis points are hundredths of a percent: the same digits as fen are of a yuan.
  absl::StatusOr<domain::Money> hundredths = domain::Money::ParseYuan(text, flag);
  if (!hundredths.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Abseil(flag),
                     ": expected a percentage with at most 2 decimals, e.g. 93.00; "
                     "got \"",
                     Abseil(text), "\""));
  }
  return hundredths->fen();
}

absl::StatusOr<int64_t> ParseWanYuan(std::string_view text) {
  const auto expected = [&] {
    return absl::InvalidArgumentError(absl::StrCat(
        "expected 万元 as a decimal number, e.g. 12345.6789; got \"", Abseil(text), "\""));
  };
  const bool negative = !text.empty() && text.front() == '-';
  const std::string_view number = negative ? text.substr(1) : text;
  const std::size_t dot = number.find('.');
  const std::string_view whole = number.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : number.substr(dot + 1);
  if (whole.empty() || !AllDigits(whole) || !AllDigits(fraction) ||
      (dot != std::string_view::npos && fraction.empty())) {
    return expected();
  }
  if (negative) {
    return absl::InvalidArgumentError(
        absl::StrCat("must not be negative; got \"", Abseil(text), "\""));
  }
  if (whole.size() > kMaxWanYuanDigits) {
    return absl::InvalidArgumentError(absl::StrCat("more than ", kMaxWanYuanDigits,
                                                   " digits before the decimal point; got \"",
                                                   Abseil(text), "\""));
  }
  const std::size_t kept = std::min(fraction.size(), static_cast<std::size_t>(kWanYuanDecimals));
  for (const char c : fraction.substr(kept)) {
    if (c != '0') {
      return absl::InvalidArgumentError(
          absl::StrCat("at most 4 decimals (0.0001 万元 is 1 yuan); got \"", Abseil(text), "\""));
    }
  }
  int64_t wan = 0;
  int64_t ten_thousandths = 0;  // yuan
  if (!absl::SimpleAtoi(Abseil(whole), &wan)) {
    return expected();
  }
  for (std::size_t i = 0; i < static_cast<std::size_t>(kWanYuanDecimals); ++i) {
    ten_thousandths = ten_thousandths * 10 + (i < kept ? fraction[i] - '0' : 0);
  }
  return wan * kFenPerWanYuan + ten_thousandths * (kFenPerWanYuan / 10'000);
}

absl::StatusOr<int64_t> ParseCubicMetresFlag(std::string_view text, std::string_view flag) {
  absl::StatusOr<domain::Volume> volume = domain::Volume::ParseCubicMetres(text, flag);
  if (!volume.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(Abseil(flag), ": expected m³ with at most 3 decimals, e.g. 41200000.5; got \"",
                     Abseil(text), "\""));
  }
  return volume->litres();
}

absl::StatusOr<common::v1::TimeRange> ParseDayRangeFlags(std::string_view from,
                                                         std::string_view to) {
  common::v1::TimeRange range;
  if (!from.empty()) {
    absl::StatusOr<int64_t> start = DayStartMillis(from, "--from", false);
    if (!start.ok()) {
      return start.status();
    }
    range.set_start_unix_ms(*start);
  }
  if (!to.empty()) {
    absl::StatusOr<int64_t> end = DayStartMillis(to, "--to", true);
    if (!end.ok()) {
      return end.status();
    }
    range.set_end_unix_ms(*end);
  }
  if (range.end_unix_ms() != 0 && range.end_unix_ms() <= range.start_unix_ms()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--to: ", Abseil(to), " is before --from ", Abseil(from)));
  }
  return range;
}

absl::StatusOr<v1::ExportKind> ParseExportKindFlag(std::string_view text) {
  return Lookup<v1::ExportKind>(kExportKinds, text, "KIND");
}

std::string ExportKindLabel(v1::ExportKind kind) {
  return Label<v1::ExportKind>(kExportKinds, kind);
}

absl::StatusOr<v1::ExportFormat> ParseExportFormatFlag(std::string_view text) {
  return Lookup<v1::ExportFormat>(kExportFormats, text, "--format");
}

}  // namespace jieshui::cli
