// The checks every handler makes of a request before its rules run, the same in every service:
// a USCC and a year as fields, an enterprise caller limited to its own records, a list's scope, a
// numeric id, and how an actor is written into a record ("water_affairs:区水务局"). Errors are
// INVALID_ARGUMENT naming the field, or PERMISSION_DENIED naming what was asked.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcserver/auth.hpp"
#include "jieshui/common/v1/types.pb.h"

namespace jieshui::grpcserver {

// "<kind>:<name>", the enterprise's USCC when the key carries no name.
std::string ActorLabel(const Principal& principal);

// The caller may act for `uscc`: departments and partners for any, an enterprise only for itself.
// Call it after the request is validated, so a bad request is told what is wrong with it.
absl::Status ActFor(const Principal& principal, const std::string& uscc, const std::string& what);

// The USCC in its canonical (upper-case) form; INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<std::string> RequireUscc(const common::v1::Uscc& uscc,
                                        const std::string& field = "uscc");
absl::Status CheckUscc(const common::v1::Uscc& uscc, const std::string& field = "uscc");

// 2000..2100.
absl::Status CheckYear(int year, const std::string& field = "year");

// Whose records a list shows: the USCC asked for (checked, canonical, and only its own for an
// enterprise), or when none is asked for every enterprise ("") for departments and partners and
// its own for an enterprise.
absl::StatusOr<std::string> ListScope(const Principal& principal, const common::v1::Uscc& requested,
                                      const std::string& what);

// A positive decimal id ("alert_id", "record_id"); INVALID_ARGUMENT naming the field with
// `reason` otherwise.
absl::StatusOr<int64_t> ParseId(const std::string& text, const std::string& field,
                                const std::string& reason);

}  // namespace jieshui::grpcserver
