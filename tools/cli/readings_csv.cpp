#include "readings_csv.hpp"

#include <optional>
#include <utility>

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "csv/csv.hpp"
#include "domain/period.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::ingest::v1;

// Debian's abseil has its own string_view type.
absl::string_view Absl(std::string_view text) { return {text.data(), text.size()}; }

constexpr std::string_view kDataFlags = "NFMSDCTB";  // HJ 212-2017 data flags
constexpr int64_t kMillisPerMinute = 60'000;
// A year: longer intervals are a typo (minutes for seconds), not a meter's reporting period.
constexpr int64_t kMaxIntervalMinutes = int64_t{366} * 24 * 60;

// register_value: digits, optionally '.' and 1-3 digits (ingest's "at most 3 fraction digits").
bool IsRegisterValue(std::string_view text) {
  const std::size_t dot = text.find('.');
  const std::string_view whole = text.substr(0, dot);
  const std::string_view fraction =
      dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  auto all_digits = [](std::string_view s) {
    for (const char c : s) {
      if (!absl::ascii_isdigit(static_cast<unsigned char>(c))) {
        return false;
      }
    }
    return true;
  };
  if (whole.empty() || whole.size() > 15 || !all_digits(whole) || !all_digits(fraction)) {
    return false;
  }
  return dot == std::string_view::npos || (!fraction.empty() && fraction.size() <= 3);
}

class RowMapper {
 public:
  RowMapper(const csv::Header& header, const csv::Record& record, std::vector<CellError>* errors)
      : header_(header), record_(record), errors_(errors) {}

  std::string_view Cell(std::string_view column) const {
    const absl::string_view cell = absl::StripAsciiWhitespace(Absl(header_.Cell(record_, column)));
    return {cell.data(), cell.size()};
  }

  void Error(std::string_view column, std::string reason) {
    const std::optional<std::size_t> index = header_.Index(column);
    errors_->push_back(
        CellError{.line = record_.line,
                  .column_number = index.has_value() ? static_cast<int>(*index) + 1 : 0,
                  .column = std::string(column),
                  .reason = std::move(reason)});
    ok_ = false;
  }

  bool ok() const { return ok_; }

 private:
  const csv::Header& header_;
  const csv::Record& record_;
  std::vector<CellError>* errors_;
  bool ok_ = true;
};

bool MapRecord(const csv::Header& header, const csv::Record& record, v1::Reading* out,
               std::vector<CellError>* errors) {
  RowMapper row(header, record, errors);
  if (record.fields.size() > header.size()) {
    errors->push_back(
        CellError{.line = record.line,
                  .reason = absl::StrCat("the row has ", record.fields.size(),
                                         " cells but the header only ", header.size())});
    return false;
  }
  if (const std::string_view meter = row.Cell("meter_id"); meter.empty()) {
    row.Error("meter_id", "required");
  } else {
    out->set_meter_id(std::string(meter));
  }
  if (const std::string_view ts = row.Cell("timestamp"); ts.empty()) {
    row.Error("timestamp", "required");
  } else if (absl::StatusOr<absl::Time> time = ParseReadingTimestamp(ts); !time.ok()) {
    row.Error("timestamp", std::string(time.status().message()));
  } else {
    out->set_timestamp_unix_ms(absl::ToUnixMillis(*time));
  }

  const std::string_view register_value = row.Cell("register_value");
  const std::string_view volume = row.Cell("volume_litres");
  const std::string_view interval = row.Cell("interval_minutes");
  if (!register_value.empty() && !volume.empty()) {
    row.Error("volume_litres", "give register_value or volume_litres, not both");
  } else if (register_value.empty() && volume.empty()) {
    row.Error(header.Has("register_value") ? "register_value" : "volume_litres",
              "one of register_value and volume_litres is required");
  } else if (!register_value.empty()) {
    if (!IsRegisterValue(register_value)) {
      row.Error("register_value", absl::StrCat("expected a non-negative decimal with at most 3 "
                                               "fraction digits, e.g. 12345.678; got \"",
                                               Absl(register_value), "\""));
    } else {
      out->set_register_value(std::string(register_value));
    }
    if (!interval.empty()) {
      row.Error("interval_minutes", "only with volume_litres (a register reading has no interval)");
    }
  } else {
    int64_t litres = 0;
    if (!absl::SimpleAtoi(Absl(volume), &litres) || litres < 0) {
      row.Error("volume_litres",
                absl::StrCat("expected whole litres, 0 or more; got \"", Absl(volume), "\""));
    } else {
      out->mutable_interval_volume()->set_litres(litres);
    }
    int64_t minutes = 0;
    if (interval.empty()) {
      row.Error("interval_minutes", "required with volume_litres");
    } else if (!absl::SimpleAtoi(Absl(interval), &minutes) || minutes <= 0 ||
               minutes > kMaxIntervalMinutes) {
      row.Error("interval_minutes",
                absl::StrCat("expected whole minutes, 1 to 527040; got \"", Absl(interval), "\""));
    } else {
      out->set_interval_ms(minutes * kMillisPerMinute);
    }
  }

  if (const std::string_view flag = row.Cell("data_flag"); !flag.empty()) {
    const std::string upper = absl::AsciiStrToUpper(Absl(flag));
    if (upper.size() != 1 || kDataFlags.find(upper[0]) == std::string_view::npos) {
      row.Error("data_flag", absl::StrCat("expected one of N F M S D C T B (HJ 212-2017); got \"",
                                          Absl(flag), "\""));
    } else {
      out->set_data_flag(upper);
    }
  }
  return row.ok();
}

}  // namespace

std::string CellError::ToString() const {
  if (column.empty()) {
    return absl::StrCat("line ", line, ": ", reason);
  }
  return absl::StrCat("line ", line, ", column ", column_number, " (", column, "): ", reason);
}

absl::StatusOr<absl::Time> ParseReadingTimestamp(std::string_view text) {
  std::string normalised(text);
  if (normalised.size() > 10 && normalised[10] == ' ') {
    normalised[10] = 'T';
  }
  absl::Time time;
  std::string error;
  // With an offset ("+08:00", "+0800" or "Z"), then without one: Asia/Shanghai local time.
  for (const char* format : {"%Y-%m-%dT%H:%M:%E*S%Ez", "%Y-%m-%dT%H:%M:%E*S%z"}) {
    if (absl::ParseTime(format, normalised, &time, &error)) {
      return time;
    }
  }
  if (!normalised.empty() && (normalised.back() == 'Z' || normalised.back() == 'z')) {
    normalised.pop_back();
    if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", normalised, absl::UTCTimeZone(), &time, &error)) {
      return time;
    }
  } else if (absl::ParseTime("%Y-%m-%dT%H:%M:%E*S", normalised, domain::ShanghaiTimeZone(), &time,
                             &error)) {
    return time;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("expected ISO 8601 like 2026-11-28T10:00:00+08:00, 2026-11-28T02:00:00Z or "
                   "2026-11-28T10:00:00 (Asia/Shanghai); got \"",
                   Absl(text), "\""));
}

absl::StatusOr<ReadingsFile> ParseReadingsFile(std::string_view text) {
  csv::Reader reader(text);
  absl::StatusOr<csv::Header> header = csv::Header::Read(
      reader, csv::ColumnSpec{.known = kReadingColumns, .required = kReadingRequiredColumns});
  if (!header.ok()) {
    return header.status();
  }
  if (!header->Has("register_value") && !header->Has("volume_litres")) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", header->line(), ": missing columns: register_value or volume_litres"));
  }
  ReadingsFile file;
  while (true) {
    absl::StatusOr<std::optional<csv::Record>> next = reader.Next();
    if (!next.ok()) {
      return next.status();
    }
    if (!next->has_value()) {
      break;
    }
    ++file.records;
    FileReading reading{.line = (*next)->line};
    if (MapRecord(*header, **next, &reading.reading, &file.errors)) {
      file.readings.push_back(std::move(reading));
    }
  }
  return file;
}

}  // namespace jieshui::cli
