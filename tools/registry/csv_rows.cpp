#include "csv_rows.hpp"

#include <algorithm>
#include <charconv>
#include <initializer_list>
#include <limits>
#include <optional>
#include <string>
#include <system_error>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/period.hpp"
#include "domain/volume.hpp"
#include "strings/view.hpp"

namespace jieshui::registry_cli {
namespace {

namespace v1 = ::jieshui::registry::v1;
namespace common = ::jieshui::common::v1;

using strings::Av;
std::string_view Sv(absl::string_view text) { return {text.data(), text.size()}; }

std::string_view Trim(std::string_view text) {
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.front()))) {
    text.remove_prefix(1);
  }
  while (!text.empty() && absl::ascii_isspace(static_cast<unsigned char>(text.back()))) {
    text.remove_suffix(1);
  }
  return text;
}

std::string Lower(std::string_view text) { return absl::AsciiStrToLower(std::string(text)); }

// The 1-based line of the first byte that is not part of well-formed UTF-8 (RFC 3629: no
// overlong forms, no surrogates, nothing above U+10FFFF), or std::nullopt if all of `text` is.
std::optional<int64_t> FirstNonUtf8Line(std::string_view text) {
  int64_t line = 1;
  std::size_t i = 0;
  while (i < text.size()) {
    const auto byte = static_cast<unsigned char>(text[i]);
    if (byte < 0x80) {
      if (byte == '\n') {
        ++line;
      }
      ++i;
      continue;
    }
    std::size_t length = 0;
    unsigned char low = 0x80;
    unsigned char high = 0xBF;  // allowed range of the second byte
    if (byte >= 0xC2 && byte <= 0xDF) {
      length = 2;
    } else if (byte >= 0xE0 && byte <= 0xEF) {
      length = 3;
      low = byte == 0xE0 ? 0xA0 : 0x80;
      high = byte == 0xED ? 0x9F : 0xBF;
    } else if (byte >= 0xF0 && byte <= 0xF4) {
      length = 4;
      low = byte == 0xF0 ? 0x90 : 0x80;
      high = byte == 0xF4 ? 0x8F : 0xBF;
    } else {
      return line;
    }
    if (i + length > text.size()) {
      return line;
    }
    for (std::size_t k = 1; k < length; ++k) {
      const auto next = static_cast<unsigned char>(text[i + k]);
      if (next < (k == 1 ? low : 0x80) || next > (k == 1 ? high : 0xBF)) {
        return line;
      }
    }
    i += length;
  }
  return std::nullopt;
}

// Reads the cells of one record and collects the errors of its bad cells.
class RowReader {
 public:
  RowReader(const csv::Header& header, const csv::Record& record, std::vector<v1::RowError>* errors)
      : header_(header), record_(record), errors_(errors) {}

  // The trimmed cell of `column`; empty if the file has no such column.
  std::string_view Cell(std::string_view column) const {
    return Trim(header_.Cell(record_, column));
  }
  bool AnySet(std::initializer_list<std::string_view> columns) const {
    for (std::string_view column : columns) {
      if (!Cell(column).empty()) {
        return true;
      }
    }
    return false;
  }

  void Fail(std::string_view field, std::string reason) {
    v1::RowError& error = errors_->emplace_back();
    error.set_row(record_.line);
    error.set_field(std::string(field));
    error.set_reason(std::move(reason));
    error.set_code("INVALID_ARGUMENT");
    ok_ = false;
  }
  bool ok() const { return ok_; }

  // Reports an empty cell in a required column.
  void Require(std::string_view column) {
    if (Cell(column).empty()) {
      Fail(column, "is required");
    }
  }

  void String(std::string_view column, std::string* out) const {
    std::string_view cell = Cell(column);
    if (!cell.empty()) {
      out->assign(cell);
    }
  }

  // yes/no, true/false, 1/0, 是/否 in any case; empty is false.
  void Bool(std::string_view column, bool* out) {
    std::string_view cell = Cell(column);
    if (cell.empty()) {
      return;
    }
    const std::string lower = Lower(cell);
    if (lower == "yes" || lower == "true" || lower == "1" || lower == "是") {
      *out = true;
    } else if (lower == "no" || lower == "false" || lower == "0" || lower == "否") {
      *out = false;
    } else {
      Fail(column, absl::StrCat("expected yes/no/true/false/1/0/是/否, got \"", Av(cell), "\""));
    }
  }

  // A whole number in [min, max]; false if the cell is empty or bad.
  bool Int32(std::string_view column, int32_t min, int32_t max, int32_t* out) {
    std::string_view cell = Cell(column);
    if (cell.empty()) {
      return false;
    }
    int64_t value = 0;
    const auto [end, error] = std::from_chars(cell.data(), cell.data() + cell.size(), value);
    if (error != std::errc() || end != cell.data() + cell.size()) {
      Fail(column, absl::StrCat("expected a whole number, got \"", Av(cell), "\""));
      return false;
    }
    if (value < min || value > max) {
      Fail(column, absl::StrCat("expected ", min, " to ", max, ", got ", value));
      return false;
    }
    *out = static_cast<int32_t>(value);
    return true;
  }

  // Cubic metres as decimal text, sent in whole litres.
  void VolumeM3(std::string_view column, common::Volume* out) {
    std::string_view cell = Cell(column);
    if (cell.empty()) {
      return;
    }
    absl::StatusOr<domain::Volume> volume = domain::Volume::ParseCubicMetres(cell, column);
    if (!volume.ok()) {
      Fail(column, WithoutFieldPrefix(Sv(volume.status().message()), column));
      return;
    }
    if (volume->litres() < 0) {
      Fail(column, absl::StrCat("must not be negative, got \"", Av(cell), "\""));
      return;
    }
    out->set_litres(volume->litres());
  }

  // YYYY-MM-DD; `set` is called only for a valid date.
  template <typename Set>
  void Date(std::string_view column, Set set) {
    std::string_view cell = Cell(column);
    if (cell.empty()) {
      return;
    }
    absl::StatusOr<domain::Date> date = domain::Date::Parse(cell, column);
    if (!date.ok()) {
      Fail(column, WithoutFieldPrefix(Sv(date.status().message()), column));
      return;
    }
    common::Date* out = set();
    out->set_year(date->year());
    out->set_month(date->month());
    out->set_day(date->day());
  }

  // One of `choices` (matched case-insensitively); false if empty or not one of them.
  template <typename Enum, std::size_t N>
  bool Choice(std::string_view column,
              const std::array<std::pair<std::string_view, Enum>, N>& choices,
              std::string_view expected, Enum* out) {
    std::string_view cell = Cell(column);
    if (cell.empty()) {
      return false;
    }
    const std::string lower = Lower(cell);
    for (const auto& [name, value] : choices) {
      if (lower == name) {
        *out = value;
        return true;
      }
    }
    Fail(column, absl::StrCat("expected ", Av(expected), ", got \"", Av(cell), "\""));
    return false;
  }

 private:
  // The domain library's messages start with "<field>: "; the field is reported on its own.
  static std::string WithoutFieldPrefix(std::string_view message, std::string_view field) {
    const std::string prefix = absl::StrCat(Av(field), ": ");
    if (message.starts_with(prefix)) {
      message.remove_prefix(prefix.size());
    }
    return std::string(message);
  }

  const csv::Header& header_;
  const csv::Record& record_;
  std::vector<v1::RowError>* errors_;
  bool ok_ = true;
};

struct SourceColumns {
  std::string_view name;  // as written in the water_sources column
  v1::WaterSourceKind kind;
  std::string_view permit;
  std::string_view permitted_m3;
};

// In the order of WaterSourceKind, which is the order the sources are sent in.
constexpr std::array<SourceColumns, 4> kSources = {{
    {"municipal_tap", v1::WATER_SOURCE_KIND_MUNICIPAL_TAP, "municipal_tap_permit",
     "municipal_tap_permitted_m3"},
    {"self_supplied_surface", v1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE, "surface_permit",
     "surface_permitted_m3"},
    {"self_supplied_ground", v1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND, "ground_permit",
     "ground_permitted_m3"},
    {"reclaimed", v1::WATER_SOURCE_KIND_RECLAIMED, "reclaimed_permit", "reclaimed_permitted_m3"},
}};

void MapWaterSources(RowReader& reader, v1::Enterprise* out) {
  std::array<bool, kSources.size()> present{};
  std::string_view list = reader.Cell("water_sources");
  while (!list.empty()) {
    const std::size_t end = std::min(list.find(';'), list.size());
    const std::string item = Lower(Trim(list.substr(0, end)));
    list.remove_prefix(end == list.size() ? end : end + 1);
    if (item.empty()) {
      continue;
    }
    bool found = false;
    for (std::size_t i = 0; i < kSources.size(); ++i) {
      if (item == kSources[i].name) {
        present[i] = true;
        found = true;
      }
    }
    if (!found) {
      reader.Fail("water_sources",
                  absl::StrCat("unknown source \"", item,
                               "\" (expected municipal_tap, self_supplied_surface, "
                               "self_supplied_ground or reclaimed, separated by ';')"));
    }
  }
  for (std::size_t i = 0; i < kSources.size(); ++i) {
    const SourceColumns& source = kSources[i];
    if (!present[i] && !reader.AnySet({source.permit, source.permitted_m3})) {
      continue;
    }
    v1::WaterSource* water_source = out->add_water_sources();
    water_source->set_kind(source.kind);
    reader.String(source.permit, water_source->mutable_intake_permit_number());
    if (!reader.Cell(source.permitted_m3).empty()) {
      reader.VolumeM3(source.permitted_m3, water_source->mutable_permitted_annual_volume());
    }
  }
}

constexpr std::array<std::pair<std::string_view, v1::MeterLevel>, 3> kLevels = {{
    {"1", v1::METER_LEVEL_1},
    {"2", v1::METER_LEVEL_2},
    {"3", v1::METER_LEVEL_3},
}};

constexpr std::array<std::pair<std::string_view, v1::MeasuredFlow>, 7> kFlows = {{
    {"intake_municipal_tap", v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP},
    {"intake_self_supplied_surface", v1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE},
    {"intake_self_supplied_ground", v1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND},
    {"intake_reclaimed", v1::MEASURED_FLOW_INTAKE_RECLAIMED},
    {"recirculated_cooling", v1::MEASURED_FLOW_RECIRCULATED_COOLING},
    {"reused_process", v1::MEASURED_FLOW_REUSED_PROCESS},
    {"discharge", v1::MEASURED_FLOW_DISCHARGE},
}};

constexpr std::array<std::pair<std::string_view, v1::MeterUnit>, 4> kUnits = {{
    {"m3", v1::METER_UNIT_CUBIC_METRE},
    {"cubic_metre", v1::METER_UNIT_CUBIC_METRE},
    {"l", v1::METER_UNIT_LITRE},
    {"litre", v1::METER_UNIT_LITRE},
}};

// RETIRED is set only by RetireMeter, so an import cannot ask for it.
constexpr std::array<std::pair<std::string_view, v1::MeterStatus>, 2> kStatuses = {{
    {"active", v1::METER_STATUS_ACTIVE},
    {"suspended", v1::METER_STATUS_SUSPENDED},
}};

// Checks the file and its header, then maps every record with `map_record`.
template <typename ImportRow, typename MapRecord, typename MutableMessage>
absl::StatusOr<MappedFile<ImportRow>> MapFile(std::string_view text, const csv::ColumnSpec& spec,
                                              MapRecord map_record,
                                              MutableMessage mutable_message) {
  if (std::optional<int64_t> line = FirstNonUtf8Line(text); line.has_value()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "line ", *line,
        ": the file is not UTF-8 text (in Excel, save it as \"CSV UTF-8 (comma delimited)\")"));
  }
  csv::Reader reader(text);
  absl::StatusOr<csv::Header> header = csv::Header::Read(reader, spec);
  if (!header.ok()) {
    return header.status();
  }
  MappedFile<ImportRow> mapped;
  while (true) {
    absl::StatusOr<std::optional<csv::Record>> next = reader.Next();
    if (!next.ok()) {
      return next.status();
    }
    if (!next->has_value()) {
      break;
    }
    const csv::Record& record = **next;
    ++mapped.records;
    ImportRow row;
    row.set_row(record.line);
    bool ok = true;
    if (record.fields.size() > header->size()) {
      v1::RowError& error = mapped.errors.emplace_back();
      error.set_row(record.line);
      error.set_field("columns");
      error.set_reason(absl::StrCat("the row has ", record.fields.size(),
                                    " cells but the header only ", header->size()));
      error.set_code("INVALID_ARGUMENT");
      ok = false;
    }
    if (!map_record(*header, record, mutable_message(row), &mapped.errors) || !ok) {
      ++mapped.rejected;
      continue;
    }
    mapped.rows.push_back(std::move(row));
  }
  return mapped;
}

}  // namespace

bool MapEnterpriseRecord(const csv::Header& header, const csv::Record& record, v1::Enterprise* out,
                         std::vector<v1::RowError>* errors) {
  RowReader reader(header, record, errors);
  for (std::string_view column : kEnterpriseRequiredColumns) {
    reader.Require(column);
  }
  if (std::string_view uscc = reader.Cell("uscc"); !uscc.empty()) {
    out->mutable_uscc()->set_value(std::string(uscc));
  }
  reader.String("name", out->mutable_name());
  reader.String("address", out->mutable_address());
  reader.String("town", out->mutable_town());
  reader.String("park_id", out->mutable_park_id());
  if (std::string_view code = reader.Cell("industry_code"); !code.empty()) {
    out->mutable_industry_code()->set_value(std::string(code));
  }

  bool flag = false;
  reader.Bool("above_scale", &flag);
  out->set_above_scale(std::exchange(flag, false));
  reader.Bool("key_monitored", &flag);
  out->set_key_monitored(std::exchange(flag, false));
  reader.Bool("high_water_use_high_pollution", &flag);
  out->set_high_water_use_high_pollution(std::exchange(flag, false));

  if (!reader.Cell("latest_annual_intake_m3").empty()) {
    reader.VolumeM3("latest_annual_intake_m3", out->mutable_latest_annual_intake());
  }
  int32_t number = 0;
  if (reader.Int32("latest_annual_intake_year", 1900, 9999, &number)) {
    out->set_latest_annual_intake_year(number);
  }

  if (reader.AnySet({"contact_name", "contact_phone", "contact_email"})) {
    v1::Contact* contact = out->mutable_contact();
    reader.String("contact_name", contact->mutable_name());
    reader.String("contact_phone", contact->mutable_phone());
    reader.String("contact_email", contact->mutable_email());
  }

  if (reader.AnySet({"specialist_name", "specialist_phone", "specialist_appointed_on",
                     "specialist_certificate"})) {
    v1::WaterSavingSpecialist* specialist = out->mutable_specialist();
    reader.String("specialist_name", specialist->mutable_name());
    reader.String("specialist_phone", specialist->mutable_phone());
    reader.Date("specialist_appointed_on", [&] { return specialist->mutable_appointed_on(); });
    reader.String("specialist_certificate", specialist->mutable_training_certificate());
  }

  if (reader.AnySet(
          {"metering_points_level1", "metering_points_level2", "metering_points_level3"})) {
    constexpr int32_t kMax = std::numeric_limits<int32_t>::max();
    v1::MeteringPoints* points = out->mutable_metering_points();
    if (reader.Int32("metering_points_level1", 0, kMax, &number)) {
      points->set_level1(number);
    }
    if (reader.Int32("metering_points_level2", 0, kMax, &number)) {
      points->set_level2(number);
    }
    if (reader.Int32("metering_points_level3", 0, kMax, &number)) {
      points->set_level3(number);
    }
  }

  MapWaterSources(reader, out);
  return reader.ok();
}

bool MapMeterRecord(const csv::Header& header, const csv::Record& record, v1::Meter* out,
                    std::vector<v1::RowError>* errors) {
  RowReader reader(header, record, errors);
  for (std::string_view column : kMeterRequiredColumns) {
    reader.Require(column);
  }
  reader.String("meter_id", out->mutable_meter_id());
  if (std::string_view uscc = reader.Cell("uscc"); !uscc.empty()) {
    out->mutable_uscc()->set_value(std::string(uscc));
  }
  reader.String("description", out->mutable_description());

  v1::MeterLevel level = v1::METER_LEVEL_UNSPECIFIED;
  if (reader.Choice("level", kLevels, "1, 2 or 3", &level)) {
    out->set_level(level);
  }
  v1::MeasuredFlow flow = v1::MEASURED_FLOW_UNSPECIFIED;
  if (reader.Choice("measures", kFlows,
                    "intake_municipal_tap, intake_self_supplied_surface, "
                    "intake_self_supplied_ground, intake_reclaimed, recirculated_cooling, "
                    "reused_process or discharge",
                    &flow)) {
    out->set_measures(flow);
  }
  v1::MeterUnit unit = v1::METER_UNIT_UNSPECIFIED;
  if (reader.Choice("unit", kUnits, "m3, cubic_metre, l or litre", &unit)) {
    out->set_unit(unit);
  }
  // The registry checks the decimal itself (at most 6 fraction digits, positive).
  reader.String("multiplier", out->mutable_multiplier());
  int32_t digits = 0;
  if (reader.Int32("register_digits", 0, std::numeric_limits<int32_t>::max(), &digits)) {
    out->set_register_digits(digits);
  }
  reader.String("accuracy_class", out->mutable_accuracy_class());
  reader.Date("calibration_due_on", [&] { return out->mutable_calibration_due_on(); });
  reader.Date("installed_on", [&] { return out->mutable_installed_on(); });
  reader.String("serial_number", out->mutable_serial_number());
  if (reader.AnySet({"hj212_mn", "hj212_data_code"})) {
    reader.String("hj212_mn", out->mutable_hj212()->mutable_mn());
    reader.String("hj212_data_code", out->mutable_hj212()->mutable_data_code());
  }
  v1::MeterStatus status = v1::METER_STATUS_ACTIVE;
  reader.Choice("status", kStatuses, "active or suspended", &status);
  out->set_status(status);
  return reader.ok();
}

absl::StatusOr<MappedFile<v1::ImportEnterpriseRow>> MapEnterpriseFile(std::string_view text) {
  return MapFile<v1::ImportEnterpriseRow>(
      text, csv::ColumnSpec{kEnterpriseColumns, kEnterpriseRequiredColumns}, MapEnterpriseRecord,
      [](v1::ImportEnterpriseRow& row) { return row.mutable_enterprise(); });
}

absl::StatusOr<MappedFile<v1::ImportMeterRow>> MapMeterFile(std::string_view text) {
  return MapFile<v1::ImportMeterRow>(text, csv::ColumnSpec{kMeterColumns, kMeterRequiredColumns},
                                     MapMeterRecord,
                                     [](v1::ImportMeterRow& row) { return row.mutable_meter(); });
}

}  // namespace jieshui::registry_cli
