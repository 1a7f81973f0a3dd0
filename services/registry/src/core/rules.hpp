// The registry's rules (registry_core), split by record: enterprise_rules.hpp, park_rules.hpp,
// meter_rules.hpp. This header holds what they share: the district settings, the decision a change
// comes to, who made it, and the checks a handler also applies to a request's fields.
//
// Why the contract messages: the registry's records are its API contract (jieshui.registry.v1
// resources), so the rules work on those messages instead of on parallel structs copied field by
// field. That generated library also holds the service stubs and so links grpc++; the rules use
// none of it and link no grpc++ or pqxx of their own. Pure: no I/O, no clock (the audit stamp is
// passed in), no logging; field errors come from errors/field_error.hpp, not from gRPC.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jieshui/registry/v1/resources.pb.h"

namespace jieshui::registry {

// District settings the rules depend on (registry.yaml, section registry).
struct RegistryRules {
  // 镇/街道 an enterprise or park may be placed in; empty accepts any non-empty name.
  std::vector<std::string> towns;
};

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

// "Enterprise 9135...: stale version 3, the record is at version 4; read it again" etc. Exposed
// for tests.
absl::Status CheckVersion(std::string_view what, int64_t requested, int64_t current);

}  // namespace jieshui::registry
