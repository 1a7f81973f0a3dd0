// The meter rules: what a valid meter record is (level, what it measures, unit, multiplier,
// register digits, calibration, HJ 212 identity), and how a registration, update, import or
// retirement turns the stored record into the next one. A meter belongs to one active enterprise
// for life.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "jieshui/registry/v1/resources.pb.h"
#include "registry/src/core/rules.hpp"

namespace jieshui::registry {

// Validates the fields a caller sets on a meter and puts them in canonical form, the first
// violation as INVALID_ARGUMENT naming the field; fills defaults: multiplier "1", status ACTIVE.
absl::Status NormalizeMeter(v1::Meter& meter);

// `owner` is the enterprise the meter belongs to (nullptr when unknown): it must exist and be
// active for a meter to be registered, updated or imported.
absl::StatusOr<Decision<v1::Meter>> DecideRegisterMeter(const v1::Meter* current,
                                                        const v1::Enterprise* owner,
                                                        v1::Meter request, const Actor& actor);
absl::StatusOr<Decision<v1::Meter>> DecideUpdateMeter(const v1::Meter* current,
                                                      const v1::Enterprise* owner,
                                                      const v1::Meter& request,
                                                      const google::protobuf::FieldMask& mask,
                                                      const Actor& actor);
absl::StatusOr<Decision<v1::Meter>> DecideImportMeter(const v1::Meter* current,
                                                      const v1::Enterprise* owner, v1::Meter row,
                                                      const Actor& actor);
absl::StatusOr<Decision<v1::Meter>> DecideRetireMeter(const v1::Meter* current, int64_t version,
                                                      std::string reason,
                                                      const jieshui::common::v1::Date& retired_on,
                                                      const Actor& actor);

}  // namespace jieshui::registry
