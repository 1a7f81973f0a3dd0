// The park rules: what a valid industrial park record is (id, name, town), and how a create or
// update turns the stored record into the next one.
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "jieshui/registry/v1/resources.pb.h"
#include "registry/src/core/rules.hpp"

namespace jieshui::registry {

// Validates and canonicalises a park (id, name, town, address), the first violation as
// INVALID_ARGUMENT naming the field.
absl::Status NormalizePark(v1::Park& park, const RegistryRules& rules);

absl::StatusOr<Decision<v1::Park>> DecideCreatePark(const v1::Park* current, v1::Park request,
                                                    const RegistryRules& rules, const Actor& actor);
absl::StatusOr<Decision<v1::Park>> DecideUpdatePark(const v1::Park* current, v1::Park request,
                                                    const RegistryRules& rules, const Actor& actor);

}  // namespace jieshui::registry
