// The periods and scopes an indicator is kept for (issue #17): a year, a year to the end of each
// month, each quarter (Q1 = January–March) and each month, Shanghai time; the district, the
// enterprise's town, park and industry division. Their text keys name rows and Redis entries.
// Pure.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "jieshui/reporting/v1/reporting_service.pb.h"

namespace jieshui::reporting {

// "2025", "2025-YTD03", "2025-Q1", "2025-03".
std::string PeriodKey(const v1::IndicatorPeriod& period);
// The period asked for in a request: INVALID_ARGUMENT naming `field` ("period.month", ...) when it
// is incomplete or out of range (year 2000..2100).
absl::StatusOr<v1::IndicatorPeriod> CheckPeriod(const v1::IndicatorPeriod& period,
                                                const std::string& field);

// The period of a key PeriodKey made.
v1::IndicatorPeriod PeriodOfKey(const std::string& key);

// Every period of `year` (29: the year, 12 year-to-dates, 4 quarters, 12 months).
std::vector<v1::IndicatorPeriod> PeriodsOfYear(int year);
// The periods of `year` whose figures a change in `month` (1..12) can move: the year, the
// year-to-dates from that month on, its quarter and the month itself.
std::vector<v1::IndicatorPeriod> PeriodsTouchedBy(int year, int month);

// "district", "town:甪直镇", "park:WZ-ETDZ", "industry:C17", "enterprise:<USCC>".
std::string ScopeKey(const v1::Scope& scope);
// The scope of a key ScopeKey made.
v1::Scope ScopeOfKey(const std::string& key);
// An enterprise's aggregate scopes: the district, its town, its park (if any) and its GB/T 4754
// division (the first three characters of its code, if any).
std::vector<v1::Scope> ScopesOf(const std::string& town, const std::string& park_id,
                                const std::string& industry_code);

}  // namespace jieshui::reporting
