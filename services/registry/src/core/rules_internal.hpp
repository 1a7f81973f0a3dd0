// What the enterprise, park and meter rules share and nothing else uses: the field checks every
// record is held to (trimmed text with a length, identifiers, towns, USCCs, dates), the audit
// stamp, and the merge, compare and decision steps of a change. Not for adapters: they use the
// rules' headers.
#pragma once

#include <cstddef>
#include <set>
#include <string>
#include <string_view>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "errors/field_error.hpp"
#include "google/protobuf/field_mask.pb.h"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"
#include "jieshui/registry/v1/resources.pb.h"
#include "registry/src/core/rules.hpp"

namespace jieshui::registry::internal {

inline constexpr size_t kMaxNameChars = 200;
inline constexpr size_t kMaxTextChars = 500;

// A domain library error reads "<its field name>: <reason>"; keep the reason, name our field.
absl::Status Reframe(const absl::Status& status, std::string_view field);
std::string Trimmed(std::string_view text);
// Trims `*text`; INVALID_ARGUMENT when required and empty, or longer than `max_chars`.
absl::Status CheckText(std::string* text, std::string_view field, bool required, size_t max_chars);
// A set date must be a real calendar date; `required` says whether it may be unset (all zero).
absl::Status CheckDate(const common::v1::Date& date, std::string_view field, bool required);
// Trims `*id`: required, at most `max_len` bytes of letters, digits and the `extra` characters.
absl::Status CheckIdentifier(std::string* id, std::string_view field, size_t max_len,
                             std::string_view extra);
// Required, and one of `rules.towns` when that list is not empty.
absl::Status CheckTown(std::string* town, std::string_view field, const RegistryRules& rules);
// Required and valid (GB 32100); puts it in canonical form.
absl::Status CheckUscc(common::v1::Uscc* uscc, std::string_view field);
void Stamp(const Actor& actor, v1::AuditStamp* stamp);

// Field-by-field equality of two records (what "unchanged" means).
template <typename Message>
bool SameMessage(const Message& a, const Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Copies the masked top-level fields of `request` onto `base`. INVALID_ARGUMENT for a path that is
// unknown or not settable.
template <typename Message>
absl::StatusOr<Message> Merge(const Message& base, const Message& request,
                              const google::protobuf::FieldMask& mask,
                              const std::set<std::string>& settable) {
  Message out = base;
  if (mask.paths_size() == 0) {
    for (const std::string& name : settable) {
      const auto* field = Message::descriptor()->FindFieldByName(name);
      google::protobuf::FieldMask one;
      one.add_paths(field->name());
      google::protobuf::util::FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      options.set_replace_repeated_fields(true);
      out.GetReflection()->ClearField(&out, field);
      google::protobuf::util::FieldMaskUtil::MergeMessageTo(request, one, options, &out);
    }
    return out;
  }
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    if (!settable.contains(path)) {
      return errors::InvalidArgument(
          absl::StrCat("update_mask.paths[", i, "]"),
          absl::StrCat("'", path, "' is not a field that can be updated (",
                       absl::StrJoin(settable, ", "), ")"));
    }
    const auto* field = Message::descriptor()->FindFieldByName(path);
    out.GetReflection()->ClearField(&out, field);
  }
  google::protobuf::util::FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  google::protobuf::util::FieldMaskUtil::MergeMessageTo(request, mask, options, &out);
  return out;
}

// Store `record` (created: there was none before).
template <typename Record>
Decision<Record> Write(Record record, v1::ChangeKind change, bool created) {
  Decision<Record> d;
  d.outcome = Decision<Record>::Outcome::kWrite;
  d.record = std::move(record);
  d.change = change;
  d.created = created;
  return d;
}

// Nothing to store: the request equals `current`, so no new version and no event.
template <typename Record>
Decision<Record> Unchanged(const Record& current) {
  Decision<Record> d;
  d.outcome = Decision<Record>::Outcome::kUnchanged;
  d.record = current;
  return d;
}

}  // namespace jieshui::registry::internal
