#include "registry/src/core/rules.hpp"

#include <algorithm>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "errors/field_error.hpp"
#include "registry/src/core/rules_internal.hpp"

namespace jieshui::registry {
namespace internal {
namespace {

using errors::InvalidArgument;

size_t Utf8Length(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
}

// "-_" -> "- _" (for messages).
std::string Spaced(std::string_view chars) {
  std::string out;
  for (char c : chars) {
    if (!out.empty()) {
      out.push_back(' ');
    }
    out.push_back(c);
  }
  return out;
}

bool IdChar(char c, std::string_view extra) {
  return absl::ascii_isalnum(static_cast<unsigned char>(c)) || extra.find(c) != std::string::npos;
}

}  // namespace

absl::Status Reframe(const absl::Status& status, std::string_view field) {
  std::string message(status.message());
  const size_t colon = message.find(": ");
  if (colon != std::string::npos) {
    message.erase(0, colon + 2);
  }
  return InvalidArgument(field, message);
}

std::string Trimmed(std::string_view text) {
  return std::string(absl::StripAsciiWhitespace(absl::string_view(text.data(), text.size())));
}

// Trims `*text`; INVALID_ARGUMENT when required and empty, or longer than `max_chars`.
absl::Status CheckText(std::string* text, std::string_view field, bool required, size_t max_chars) {
  *text = Trimmed(*text);
  if (required && text->empty()) {
    return InvalidArgument(field, "required");
  }
  if (Utf8Length(*text) > max_chars) {
    return InvalidArgument(field, absl::StrCat("at most ", max_chars, " characters"));
  }
  return absl::OkStatus();
}

absl::Status CheckDate(const common::v1::Date& date, std::string_view field, bool required) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return required ? InvalidArgument(field, "required") : absl::OkStatus();
  }
  absl::StatusOr<domain::Date> parsed = domain::Date::Create(date.year(), date.month(), date.day());
  if (!parsed.ok()) {
    return Reframe(parsed.status(), field);
  }
  if (date.year() < 1900 || date.year() > 2200) {
    return InvalidArgument(field, absl::StrCat("year ", date.year(), " is out of range"));
  }
  return absl::OkStatus();
}

absl::Status CheckIdentifier(std::string* id, std::string_view field, size_t max_len,
                             std::string_view extra) {
  *id = Trimmed(*id);
  if (id->empty()) {
    return InvalidArgument(field, "required");
  }
  if (id->size() > max_len) {
    return InvalidArgument(field, absl::StrCat("at most ", max_len, " characters"));
  }
  for (char c : *id) {
    if (!IdChar(c, extra)) {
      return InvalidArgument(
          field, absl::StrCat("'", *id, "' may contain only letters, digits and ", Spaced(extra),
                              " characters"));
    }
  }
  return absl::OkStatus();
}

absl::Status CheckTown(std::string* town, std::string_view field, const RegistryRules& rules) {
  if (absl::Status s = CheckText(town, field, true, kMaxNameChars); !s.ok()) {
    return s;
  }
  if (!rules.towns.empty() &&
      std::find(rules.towns.begin(), rules.towns.end(), *town) == rules.towns.end()) {
    return InvalidArgument(field, absl::StrCat("'", *town,
                                               "' is not a town or street of the district "
                                               "(configured in registry.towns)"));
  }
  return absl::OkStatus();
}

absl::Status CheckUscc(common::v1::Uscc* uscc, std::string_view field) {
  absl::StatusOr<domain::Uscc> parsed = domain::Uscc::Parse(uscc->value(), field);
  if (!parsed.ok()) {
    if (uscc->value().empty()) {
      return InvalidArgument(field, "required");
    }
    return Reframe(parsed.status(), field);
  }
  uscc->set_value(parsed->value());
  return absl::OkStatus();
}

void Stamp(const Actor& actor, v1::AuditStamp* stamp) {
  stamp->set_principal(actor.principal);
  stamp->mutable_at()->set_seconds(actor.unix_seconds);
  stamp->mutable_at()->set_nanos(actor.nanos);
}

}  // namespace internal

using internal::CheckDate;
using internal::CheckUscc;

absl::StatusOr<std::string> ParseUsccField(const common::v1::Uscc& uscc, std::string_view field) {
  common::v1::Uscc copy = uscc;
  if (absl::Status s = CheckUscc(&copy, field); !s.ok()) {
    return s;
  }
  return copy.value();
}

absl::Status CheckDateField(const common::v1::Date& date, std::string_view field) {
  return CheckDate(date, field, true);
}

absl::Status CheckVersion(std::string_view what, int64_t requested, int64_t current) {
  if (requested <= 0) {
    return errors::InvalidArgument("version", "required: the version of the record you read");
  }
  if (requested != current) {
    return absl::AbortedError(absl::StrCat(std::string(what), ": stale version ", requested,
                                           ", the record is at version ", current,
                                           "; read it again and reapply the change"));
  }
  return absl::OkStatus();
}

}  // namespace jieshui::registry
