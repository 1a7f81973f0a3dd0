// Calendar periods (day, month, year) counted in Asia/Shanghai, and the UTC instants that bound
// them. Timestamps are stored in UTC; plans, ledgers and indicators count months in Beijing time.
#pragma once

#include <compare>
#include <cstdint>
#include <ostream>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jieshui::domain {

// Asia/Shanghai as a fixed UTC+8 zone (see period.cpp for why no tz database is needed).
absl::TimeZone ShanghaiTimeZone();

bool IsLeapYear(int year);
// 28-31; month must be 1-12.
int DaysInMonth(int year, int month);

// Supported years: 1-9999. Instants given to the functions below must be finite and fall in
// that range; anything else is a caller bug.
inline constexpr int kMinYear = 1;
inline constexpr int kMaxYear = 9999;

class YearMonth {
 public:
  // INVALID_ARGUMENT if month is not 1-12 or year is outside 1-9999.
  static absl::StatusOr<YearMonth> Create(int year, int month);
  // "2024-02". Errors name `field_name`.
  static absl::StatusOr<YearMonth> Parse(std::string_view text,
                                         std::string_view field_name = "month");

  int year() const { return year_; }
  int month() const { return month_; }
  int days() const { return DaysInMonth(year_, month_); }
  YearMonth Next() const;
  YearMonth Prev() const;
  // "2024-02"
  std::string ToString() const;

  friend bool operator==(const YearMonth&, const YearMonth&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 literal in a defaulted <=>.
  friend std::strong_ordering operator<=>(const YearMonth&, const YearMonth&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const YearMonth& ym) {
    return H::combine(std::move(h), ym.year_, ym.month_);
  }
  friend std::ostream& operator<<(std::ostream& os, const YearMonth& ym) {
    return os << ym.ToString();
  }

 private:
  friend class Date;
  YearMonth(int year, int month) : year_(year), month_(month) {}
  int year_;
  int month_;
};

// A calendar day in Asia/Shanghai.
class Date {
 public:
  // INVALID_ARGUMENT if the day does not exist (e.g. 2023-02-29).
  static absl::StatusOr<Date> Create(int year, int month, int day);
  // "2024-02-29". Errors name `field_name`.
  static absl::StatusOr<Date> Parse(std::string_view text, std::string_view field_name = "date");

  int year() const { return year_; }
  int month() const { return month_; }
  int day() const { return day_; }
  YearMonth year_month() const;
  Date Next() const;
  Date Prev() const;
  // "2024-02-29"
  std::string ToString() const;

  friend bool operator==(const Date&, const Date&) = default;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 literal in a defaulted <=>.
  friend std::strong_ordering operator<=>(const Date&, const Date&) = default;
  template <typename H>
  friend H AbslHashValue(H h, const Date& d) {
    return H::combine(std::move(h), d.year_, d.month_, d.day_);
  }
  friend std::ostream& operator<<(std::ostream& os, const Date& d) { return os << d.ToString(); }

 private:
  Date(int year, int month, int day) : year_(year), month_(month), day_(day) {}
  int year_;
  int month_;
  int day_;
};

// The Shanghai day, month and year an instant falls in.
Date DateOf(absl::Time t);
YearMonth MonthOf(absl::Time t);
YearMonth MonthOfUnixMillis(int64_t unix_millis);
int YearOf(absl::Time t);
int YearOfUnixMillis(int64_t unix_millis);

// Half-open UTC bounds [StartOf, EndOf): EndOf is the start of the next period, so consecutive
// periods tile time with no gap or overlap. E.g. StartOf(2024-02) = 2024-01-31T16:00:00Z.
absl::Time StartOf(const YearMonth& month);
absl::Time EndOf(const YearMonth& month);
absl::Time StartOf(const Date& date);
absl::Time EndOf(const Date& date);
absl::Time StartOfYear(int year);
absl::Time EndOfYear(int year);

}  // namespace jieshui::domain
