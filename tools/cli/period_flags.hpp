// jieshui-cli: the period options of usage, alerts, surcharge and over-plan (--month YYYY-MM,
// --year YYYY, --day YYYY-MM-DD) checked and turned into the quota API's Period or Date.
#pragma once

#include <string>

#include "absl/status/statusor.h"
#include "jieshui/common/v1/types.pb.h"

namespace jieshui::cli {

// What the options held, as typed; empty when not given.
struct PeriodFlags {
  std::string month{};
  std::string year{};
  std::string day{};
};

struct PeriodRule {
  // One of the options must be given.
  bool required = true;
  // --day is accepted (GetUsage only).
  bool allow_day = false;
};

struct PeriodChoice {
  // Nothing was given (only when not required).
  bool any = false;
  // --day was given: `day` is set and `period` is unset.
  bool is_day = false;
  jieshui::common::v1::Period period;
  jieshui::common::v1::Date day;
};

// INVALID_ARGUMENT naming the option: more than one given, none given when required, a value
// that is not a real month, year (1-9999) or day, --day where it is not accepted.
absl::StatusOr<PeriodChoice> ParsePeriodFlags(const PeriodFlags& flags, PeriodRule rule);

// "2026-11" or "2026" (and "" for an unset period).
std::string PeriodLabel(const jieshui::common::v1::Period& period);

}  // namespace jieshui::cli
