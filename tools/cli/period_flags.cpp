#include "period_flags.hpp"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/period.hpp"

namespace jieshui::cli {

absl::StatusOr<PeriodChoice> ParsePeriodFlags(const PeriodFlags& flags, PeriodRule rule) {
  const int given = static_cast<int>(!flags.month.empty()) + static_cast<int>(!flags.year.empty()) +
                    static_cast<int>(!flags.day.empty());
  const std::string options = rule.allow_day ? "--month, --year or --day" : "--month or --year";
  if (given > 1) {
    return absl::InvalidArgumentError(absl::StrCat("give one of ", options, ", not more"));
  }
  PeriodChoice choice;
  if (given == 0) {
    if (rule.required) {
      return absl::InvalidArgumentError(absl::StrCat("one of ", options, " is required"));
    }
    return choice;
  }
  choice.any = true;
  if (!flags.month.empty()) {
    absl::StatusOr<domain::YearMonth> month = domain::YearMonth::Parse(flags.month, "--month");
    if (!month.ok()) {
      return absl::InvalidArgumentError(
          absl::StrCat("--month: expected YYYY-MM, e.g. 2026-11; got \"", flags.month, "\""));
    }
    choice.period.mutable_month()->set_year(month->year());
    choice.period.mutable_month()->set_month(month->month());
    return choice;
  }
  if (!flags.year.empty()) {
    int year = 0;
    bool digits = true;
    for (const char c : flags.year) {
      digits = digits && absl::ascii_isdigit(static_cast<unsigned char>(c));
    }
    if (!digits || !absl::SimpleAtoi(flags.year, &year) || year < domain::kMinYear ||
        year > domain::kMaxYear) {
      return absl::InvalidArgumentError(
          absl::StrCat("--year: expected YYYY, e.g. 2026; got \"", flags.year, "\""));
    }
    choice.period.set_year(year);
    return choice;
  }
  if (!rule.allow_day) {
    return absl::InvalidArgumentError(absl::StrCat("--day is not accepted here; give ", options));
  }
  absl::StatusOr<domain::Date> day = domain::Date::Parse(flags.day, "--day");
  if (!day.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("--day: expected YYYY-MM-DD, e.g. 2026-11-28; got \"", flags.day, "\""));
  }
  choice.is_day = true;
  choice.day.set_year(day->year());
  choice.day.set_month(day->month());
  choice.day.set_day(day->day());
  return choice;
}

std::string PeriodLabel(const jieshui::common::v1::Period& period) {
  switch (period.kind_case()) {
    case jieshui::common::v1::Period::kMonth: {
      absl::StatusOr<domain::YearMonth> month =
          domain::YearMonth::Create(period.month().year(), period.month().month());
      return month.ok() ? month->ToString()
                        : absl::StrCat(period.month().year(), "-", period.month().month());
    }
    case jieshui::common::v1::Period::kYear:
      return absl::StrCat(period.year());
    case jieshui::common::v1::Period::KIND_NOT_SET:
      break;
  }
  return "";
}

}  // namespace jieshui::cli
