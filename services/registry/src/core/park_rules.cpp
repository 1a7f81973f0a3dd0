#include "registry/src/core/park_rules.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "registry/src/core/rules_internal.hpp"

namespace jieshui::registry {
namespace {

using internal::CheckIdentifier;
using internal::CheckText;
using internal::CheckTown;
using internal::kMaxNameChars;
using internal::kMaxTextChars;
using internal::SameMessage;
using internal::Stamp;
using internal::Unchanged;
using internal::Write;

}  // namespace

absl::Status NormalizePark(v1::Park& park, const RegistryRules& rules) {
  if (absl::Status s = CheckIdentifier(park.mutable_park_id(), "park_id", 32, "-_"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(park.mutable_name(), "name", true, kMaxNameChars); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckTown(park.mutable_town(), "town", rules); !s.ok()) {
    return s;
  }
  return CheckText(park.mutable_address(), "address", false, kMaxTextChars);
}

absl::StatusOr<Decision<v1::Park>> DecideCreatePark(const v1::Park* current, v1::Park request,
                                                    const RegistryRules& rules,
                                                    const Actor& actor) {
  if (absl::Status s = NormalizePark(request, rules); !s.ok()) {
    return s;
  }
  if (current != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("park ", current->park_id(), " already exists"));
  }
  request.set_version(1);
  Stamp(actor, request.mutable_created());
  Stamp(actor, request.mutable_updated());
  return Write(std::move(request), v1::CHANGE_KIND_CREATED, true);
}

absl::StatusOr<Decision<v1::Park>> DecideUpdatePark(const v1::Park* current, v1::Park request,
                                                    const RegistryRules& rules,
                                                    const Actor& actor) {
  if (current == nullptr) {
    return absl::NotFoundError(absl::StrCat("park ", request.park_id(), " not found"));
  }
  if (absl::Status s = CheckVersion(absl::StrCat("park ", current->park_id()), request.version(),
                                    current->version());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = NormalizePark(request, rules); !s.ok()) {
    return s;
  }
  request.set_version(current->version());
  *request.mutable_created() = current->created();
  *request.mutable_updated() = current->updated();
  if (SameMessage(request, *current)) {
    return Unchanged(*current);
  }
  request.set_version(current->version() + 1);
  Stamp(actor, request.mutable_updated());
  return Write(std::move(request), v1::CHANGE_KIND_UPDATED, false);
}

}  // namespace jieshui::registry
