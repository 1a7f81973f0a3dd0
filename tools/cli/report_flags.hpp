// jieshui-cli: the options of the report subcommands (scope, period, percentages, 万元, m³, a day
// range, export kinds and formats) checked and turned into the reporting API's values, and those
// values as the tables print them: what `--scope town:甪直镇 --quarter 2026-Q4` asks for reads
// back as "town:甪直镇, 2026-Q4".
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "jieshui/common/v1/types.pb.h"
#include "jieshui/reporting/v1/reporting_service.pb.h"

namespace jieshui::cli {

// The period options as typed; empty when not given.
struct ReportPeriodFlags {
  std::string year{};     // --year 2025
  std::string ytd{};      // --ytd 2026-11: January to the end of November
  std::string quarter{};  // --quarter 2026-Q4
  std::string month{};    // --month 2026-11
};

// One of the four, as the API's IndicatorPeriod (unset when none is given and `required` is
// false). INVALID_ARGUMENT naming the option: none given when required, more than one given, a year
// that is not YYYY (1-9999), a month that is not a real YYYY-MM, a quarter that is not YYYY-Q1..Q4.
// Whether the period has begun is the service's to say.
absl::StatusOr<jieshui::reporting::v1::IndicatorPeriod> ParseReportPeriodFlags(
    const ReportPeriodFlags& flags, bool required = true);
// "2025", "2026-01 to 2026-11" (a year to date), "2026-Q4", "2026-11"; "" when unset.
std::string ReportPeriodLabel(const jieshui::reporting::v1::IndicatorPeriod& period);

// --scope: district | town:NAME | park:ID | industry:DIVISION | enterprise:USCC. "" leaves the
// scope unset (the service reads the district, or an enterprise key's own figures).
// INVALID_ARGUMENT naming --scope for another kind or a missing value.
absl::StatusOr<jieshui::reporting::v1::Scope> ParseScopeFlag(std::string_view text);
// The scope as --scope takes it: "district", "town:甪直镇", ...; "district" when unset.
std::string ScopeLabel(const jieshui::reporting::v1::Scope& scope);

// A percentage with at most 2 decimals ("93", "93.00", "-5.5") as basis points (9300, -550).
// INVALID_ARGUMENT naming `flag` otherwise.
absl::StatusOr<int64_t> ParsePercentFlag(std::string_view text, std::string_view flag);

// 万元 (10,000 yuan) as a non-negative decimal with at most 4 decimals (0.0001 万元 = 1 yuan;
// further digits only zeros), converted to fen exactly: 1 万元 = 1,000,000 fen, so "12345.6789"
// is 12,345,678,900 fen. Digits and one '.' only (no sign, grouping or exponent), at most 12
// digits before the point. INVALID_ARGUMENT with the reason alone (the caller names the cell or
// the flag): "must not be negative", "at most 4 decimals ...", "expected ...".
absl::StatusOr<int64_t> ParseWanYuan(std::string_view text);

// Cubic metres with at most 3 decimals as litres; INVALID_ARGUMENT naming `flag`.
absl::StatusOr<int64_t> ParseCubicMetresFlag(std::string_view text, std::string_view flag);

// --from DAY and --to DAY (YYYY-MM-DD, Asia/Shanghai, both included) as the half-open range
// [start of --from, start of the day after --to); a bound not given is 0 (open).
// INVALID_ARGUMENT naming the flag for a bad day, or --to before --from.
absl::StatusOr<jieshui::common::v1::TimeRange> ParseDayRangeFlags(std::string_view from,
                                                                  std::string_view to);

// annual-report | ledger | key-monitored | contributors.
absl::StatusOr<jieshui::reporting::v1::ExportKind> ParseExportKindFlag(std::string_view text);
std::string ExportKindLabel(jieshui::reporting::v1::ExportKind kind);
// xlsx | csv.
absl::StatusOr<jieshui::reporting::v1::ExportFormat> ParseExportFormatFlag(std::string_view text);

}  // namespace jieshui::cli
