#include "domain/period.hpp"

#include <cstdio>
#include <cstdlib>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_format.h"
#include "absl/time/civil_time.h"

namespace jieshui::domain {
namespace {

// China Standard Time is UTC+8 all year: daylight saving was last observed in 1991, and the tz
// database's Asia/Shanghai has no transitions after that. A fixed offset gives the same answers
// for every date this system handles, and needs no zoneinfo files in the containers.
constexpr int kShanghaiOffsetSeconds = 8 * 60 * 60;

bool YearInRange(int year) { return year >= kMinYear && year <= kMaxYear; }

// Parses exactly `width` ASCII digits.
bool ParseDigits(std::string_view text, std::size_t width, int* out) {
  if (text.size() != width) {
    return false;
  }
  int value = 0;
  for (char c : text) {
    if (c < '0' || c > '9') {
      return false;
    }
    value = value * 10 + (c - '0');
  }
  *out = value;
  return true;
}

// The instant-to-period functions have no error path: an instant outside years 1-9999 is a
// caller bug, so it ends the process loudly instead of producing a wrong period.
template <typename T>
T OrDie(absl::StatusOr<T> value, const char* what) {
  if (!value.ok()) {
    std::fprintf(stderr, "jieshui::domain::%s: %s\n", what, value.status().ToString().c_str());
    std::abort();
  }
  return *std::move(value);
}

absl::CivilSecond ShanghaiCivil(absl::Time t, const char* what) {
  absl::CivilSecond civil = absl::ToCivilSecond(t, ShanghaiTimeZone());
  if (civil.year() < kMinYear || civil.year() > kMaxYear) {
    std::fprintf(stderr, "jieshui::domain::%s: instant %s is outside years %d-%d\n", what,
                 absl::FormatTime(t).c_str(), kMinYear, kMaxYear);
    std::abort();
  }
  return civil;
}

}  // namespace

absl::TimeZone ShanghaiTimeZone() { return absl::FixedTimeZone(kShanghaiOffsetSeconds); }

bool IsLeapYear(int year) { return (year % 4 == 0 && year % 100 != 0) || year % 400 == 0; }

int DaysInMonth(int year, int month) {
  static constexpr int kDays[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month == 2 && IsLeapYear(year)) {
    return 29;
  }
  return kDays[month - 1];
}

absl::StatusOr<YearMonth> YearMonth::Create(int year, int month) {
  if (!YearInRange(year)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("month: year %d is outside %d-%d", year, kMinYear, kMaxYear));
  }
  if (month < 1 || month > 12) {
    return absl::InvalidArgumentError(absl::StrFormat("month: month %d is not 1-12", month));
  }
  return YearMonth(year, month);
}

absl::StatusOr<YearMonth> YearMonth::Parse(std::string_view text, std::string_view field_name) {
  int year = 0;
  int month = 0;
  if (text.size() != 7 || text[4] != '-' || !ParseDigits(text.substr(0, 4), 4, &year) ||
      !ParseDigits(text.substr(5, 2), 2, &month)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not a month like 2024-02", field_name, text));
  }
  absl::StatusOr<YearMonth> result = Create(year, month);
  if (!result.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not a valid month", field_name, text));
  }
  return result;
}

YearMonth YearMonth::Next() const {
  return month_ == 12 ? YearMonth(year_ + 1, 1) : YearMonth(year_, month_ + 1);
}

YearMonth YearMonth::Prev() const {
  return month_ == 1 ? YearMonth(year_ - 1, 12) : YearMonth(year_, month_ - 1);
}

std::string YearMonth::ToString() const { return absl::StrFormat("%04d-%02d", year_, month_); }

absl::StatusOr<Date> Date::Create(int year, int month, int day) {
  absl::StatusOr<YearMonth> ym = YearMonth::Create(year, month);
  if (!ym.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("date: %04d-%02d-%02d: %s", year, month, day, ym.status().message()));
  }
  if (day < 1 || day > ym->days()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("date: %04d-%02d has %d days, got day %d", year, month, ym->days(), day));
  }
  return Date(year, month, day);
}

absl::StatusOr<Date> Date::Parse(std::string_view text, std::string_view field_name) {
  int year = 0;
  int month = 0;
  int day = 0;
  if (text.size() != 10 || text[4] != '-' || text[7] != '-' ||
      !ParseDigits(text.substr(0, 4), 4, &year) || !ParseDigits(text.substr(5, 2), 2, &month) ||
      !ParseDigits(text.substr(8, 2), 2, &day)) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not a date like 2024-02-29", field_name, text));
  }
  absl::StatusOr<Date> result = Create(year, month, day);
  if (!result.ok()) {
    return absl::InvalidArgumentError(
        absl::StrFormat("%s: \"%s\" is not a calendar date", field_name, text));
  }
  return result;
}

YearMonth Date::year_month() const { return YearMonth(year_, month_); }

Date Date::Next() const {
  absl::CivilDay next = absl::CivilDay(year_, month_, day_) + 1;
  return Date(static_cast<int>(next.year()), next.month(), next.day());
}

Date Date::Prev() const {
  absl::CivilDay prev = absl::CivilDay(year_, month_, day_) - 1;
  return Date(static_cast<int>(prev.year()), prev.month(), prev.day());
}

std::string Date::ToString() const {
  return absl::StrFormat("%04d-%02d-%02d", year_, month_, day_);
}

Date DateOf(absl::Time t) {
  absl::CivilSecond civil = ShanghaiCivil(t, "DateOf");
  return OrDie(Date::Create(static_cast<int>(civil.year()), civil.month(), civil.day()), "DateOf");
}

YearMonth MonthOf(absl::Time t) {
  absl::CivilSecond civil = ShanghaiCivil(t, "MonthOf");
  return OrDie(YearMonth::Create(static_cast<int>(civil.year()), civil.month()), "MonthOf");
}

YearMonth MonthOfUnixMillis(int64_t unix_millis) {
  return MonthOf(absl::FromUnixMillis(unix_millis));
}

int YearOf(absl::Time t) { return static_cast<int>(ShanghaiCivil(t, "YearOf").year()); }

int YearOfUnixMillis(int64_t unix_millis) { return YearOf(absl::FromUnixMillis(unix_millis)); }

absl::Time StartOf(const YearMonth& month) {
  return absl::FromCivil(absl::CivilMonth(month.year(), month.month()), ShanghaiTimeZone());
}

absl::Time EndOf(const YearMonth& month) {
  return absl::FromCivil(absl::CivilMonth(month.year(), month.month()) + 1, ShanghaiTimeZone());
}

absl::Time StartOf(const Date& date) {
  return absl::FromCivil(absl::CivilDay(date.year(), date.month(), date.day()), ShanghaiTimeZone());
}

absl::Time EndOf(const Date& date) {
  return absl::FromCivil(absl::CivilDay(date.year(), date.month(), date.day()) + 1,
                         ShanghaiTimeZone());
}

absl::Time StartOfYear(int year) {
  return absl::FromCivil(absl::CivilYear(year), ShanghaiTimeZone());
}

absl::Time EndOfYear(int year) {
  return absl::FromCivil(absl::CivilYear(year) + 1, ShanghaiTimeZone());
}

}  // namespace jieshui::domain
