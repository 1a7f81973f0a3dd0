// The registry's rules for what a valid enterprise, park or meter record is, and how a create,
// update, import, deregistration or retirement turns the stored record into the next one.
//
// The registry's records are its API contract (jieshui.registry.v1 resources), so these rules work
// on those messages directly instead of on a parallel set of structs that would only be copied
// field by field; they stay pure: no I/O, no clock (the audit stamp is passed in), no logging.
// registry_core links no grpc++ or pqxx of its own: grpc++ comes in only because the generated
// jieshui_proto_registry library also holds the RegistryService stubs; the rules use none of them.
// Field errors come from errors/field_error.hpp (no gRPC); the handlers turn them into ErrorDetail.
#pragma once

#include <array>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "google/protobuf/field_mask.pb.h"
#include "jieshui/registry/v1/resources.pb.h"

namespace jieshui::registry {

// District settings the rules depend on (registry.yaml, section registry).
struct RegistryRules {
  // 镇/街道 an enterprise or park may be placed in; empty accepts any non-empty name.
  std::vector<std::string> towns;
};

// Validates the fields a caller sets on an enterprise and puts them in canonical form (USCC and
// industry code upper-case, text trimmed). Server-kept fields (status, version, stamps) are not
// looked at. The first violation is returned as INVALID_ARGUMENT naming the field, e.g.
// "uscc: check character expected 9, got B" or "water_sources[1].intake_permit_number: required
// for self-supplied ground water".
absl::Status NormalizeEnterprise(v1::Enterprise& enterprise, const RegistryRules& rules);
absl::Status NormalizePark(v1::Park& park, const RegistryRules& rules);
// Also fills defaults: multiplier "1", status ACTIVE.
absl::Status NormalizeMeter(v1::Meter& meter);

// The canonical USCC of a request field; INVALID_ARGUMENT naming `field` ("required", "check
// character expected 9, got B", ...).
absl::StatusOr<std::string> ParseUsccField(const jieshui::common::v1::Uscc& uscc,
                                           std::string_view field);
// A calendar date of a request; INVALID_ARGUMENT naming `field` when it is not one.
absl::Status CheckDateField(const jieshui::common::v1::Date& date, std::string_view field);

// What a change does to a stored record.
template <typename Record>
struct Decision {
  enum class Outcome { kWrite, kUnchanged };
  Outcome outcome = Outcome::kWrite;
  Record record;  // the record after the change (the current one when unchanged)
  v1::ChangeKind change = v1::CHANGE_KIND_UNSPECIFIED;
  bool created = false;  // the record did not exist before
};

// Who is making a change, and when (stamped on the record as created/updated).
struct Actor {
  std::string principal;  // "<kind>:<name>"
  int64_t unix_seconds = 0;
  int32_t nanos = 0;
};

// Each Decide* takes the stored record (nullptr when there is none) and the caller's request, and
// returns the record to store or a status: NOT_FOUND (no record), ALREADY_EXISTS (create of a
// known key), ABORTED (the request's version is not the stored one), FAILED_PRECONDITION (a
// deregistered enterprise or retired meter cannot change), INVALID_ARGUMENT (bad fields).
// Requests are normalised inside; the returned record has version, status and stamps set.
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

absl::StatusOr<Decision<v1::Park>> DecideCreatePark(const v1::Park* current, v1::Park request,
                                                    const RegistryRules& rules, const Actor& actor);
absl::StatusOr<Decision<v1::Park>> DecideUpdatePark(const v1::Park* current, v1::Park request,
                                                    const RegistryRules& rules, const Actor& actor);

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

// "Enterprise 9135...: stale version 3, the record is at version 4; read it again" etc. Exposed
// for tests.
absl::Status CheckVersion(std::string_view what, int64_t requested, int64_t current);

}  // namespace jieshui::registry
