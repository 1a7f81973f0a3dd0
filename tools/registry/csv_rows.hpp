// jieshui-registry-cli: turns the CSV files operators keep in spreadsheets into the registry's
// Enterprise and Meter messages, one import row per CSV record, and reports bad cells by file line.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "csv/csv.hpp"
#include "jieshui/registry/v1/registry_service.pb.h"

namespace jieshui::registry_cli {

// Column names of the enterprise file (tools/registry/README.md), in the order the example uses.
inline constexpr std::array<std::string_view, 30> kEnterpriseColumns = {
    "uscc",
    "name",
    "address",
    "town",
    "park_id",
    "industry_code",
    "above_scale",
    "key_monitored",
    "high_water_use_high_pollution",
    "latest_annual_intake_m3",
    "latest_annual_intake_year",
    "contact_name",
    "contact_phone",
    "contact_email",
    "specialist_name",
    "specialist_phone",
    "specialist_appointed_on",
    "specialist_certificate",
    "metering_points_level1",
    "metering_points_level2",
    "metering_points_level3",
    "municipal_tap_permit",
    "municipal_tap_permitted_m3",
    "surface_permit",
    "surface_permitted_m3",
    "ground_permit",
    "ground_permitted_m3",
    "reclaimed_permit",
    "reclaimed_permitted_m3",
    "water_sources",
};
inline constexpr std::array<std::string_view, 4> kEnterpriseRequiredColumns = {
    "uscc", "name", "town", "industry_code"};

// Column names of the meter file.
inline constexpr std::array<std::string_view, 15> kMeterColumns = {
    "meter_id",     "uscc",          "description",     "level",           "measures",
    "unit",         "multiplier",    "register_digits", "accuracy_class",  "calibration_due_on",
    "installed_on", "serial_number", "hj212_mn",        "hj212_data_code", "status",
};
inline constexpr std::array<std::string_view, 5> kMeterRequiredColumns = {
    "meter_id", "uscc", "level", "measures", "unit"};

// What a file turned into. Rows with any bad cell are left out of `rows` and described in
// `errors` (code INVALID_ARGUMENT, field = the column name, row = the record's file line), one
// error per bad cell, in row order.
template <typename ImportRow>
struct MappedFile {
  std::vector<ImportRow> rows;
  std::vector<jieshui::registry::v1::RowError> errors;
  // Data records in the file (header excluded), sent or not.
  int64_t records = 0;
  // Records left out because of errors.
  int64_t rejected = 0;
};

// Maps a whole enterprise or meter file: header row first, then one record per row. Cells are
// trimmed; an empty cell leaves its field unset. Problems with the file as a whole (not UTF-8,
// malformed CSV, no header, unknown/duplicate/missing columns) are INVALID_ARGUMENT and nothing
// is mapped.
absl::StatusOr<MappedFile<jieshui::registry::v1::ImportEnterpriseRow>> MapEnterpriseFile(
    std::string_view text);
absl::StatusOr<MappedFile<jieshui::registry::v1::ImportMeterRow>> MapMeterFile(
    std::string_view text);

// One record of a file whose header has been checked against kEnterpriseColumns (or
// kMeterColumns). Returns false, with one error per bad cell appended to `errors`, if any cell is
// bad; `out` is then incomplete.
bool MapEnterpriseRecord(const csv::Header& header, const csv::Record& record,
                         jieshui::registry::v1::Enterprise* out,
                         std::vector<jieshui::registry::v1::RowError>* errors);
bool MapMeterRecord(const csv::Header& header, const csv::Record& record,
                    jieshui::registry::v1::Meter* out,
                    std::vector<jieshui::registry::v1::RowError>* errors);

}  // namespace jieshui::registry_cli
