// The enterprise rules: what a valid enterprise record is (USCC, industrial GB/T 4754 code, water
// sources and intake permits, contact, 节水专员, metering points), and how a create, update, import
// or deregistration turns the stored record into the next one.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "jieshui/registry/v1/resources.pb.h"
#include "registry/src/core/rules.hpp"

namespace jieshui::registry {

// Validates the fields a caller sets on an enterprise and puts them in canonical form (USCC and
// industry code upper-case, text trimmed). Server-kept fields (status, version, stamps) are not
// looked at. The first violation is returned as INVALID_ARGUMENT naming the field, e.g.
// "uscc: check character expected 9, got B" or "water_sources[1].intake_permit_number: required
// for self-supplied ground water".
absl::Status NormalizeEnterprise(v1::Enterprise& enterprise, const RegistryRules& rules);

absl::StatusOr<Decision<v1::Enterprise>> DecideCreateEnterprise(const v1::Enterprise* current,
                                                                v1::Enterprise request,
                                                                const RegistryRules& rules,
                                                                const Actor& actor);
// An empty mask replaces every caller-settable field.
absl::StatusOr<Decision<v1::Enterprise>> DecideUpdateEnterprise(
    const v1::Enterprise* current, const v1::Enterprise& request,
    const google::protobuf::FieldMask& mask, const RegistryRules& rules, const Actor& actor);
// Bulk import: creates an unknown enterprise, replaces the caller-settable fields of a known one,
// and leaves a record whose fields already equal the row unchanged (no new version).
absl::StatusOr<Decision<v1::Enterprise>> DecideImportEnterprise(const v1::Enterprise* current,
                                                                v1::Enterprise row,
                                                                const RegistryRules& rules,
                                                                const Actor& actor);
absl::StatusOr<Decision<v1::Enterprise>> DecideDeregisterEnterprise(
    const v1::Enterprise* current, int64_t version, std::string reason,
    const jieshui::common::v1::Date& effective_on, const Actor& actor);

}  // namespace jieshui::registry
