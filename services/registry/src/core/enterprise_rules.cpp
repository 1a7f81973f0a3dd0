#include "registry/src/core/enterprise_rules.hpp"

#include <array>
#include <set>
#include <string>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/industry_catalogue.hpp"
#include "domain/industry_code.hpp"
#include "errors/field_error.hpp"
#include "registry/src/core/rules_internal.hpp"

namespace jieshui::registry {
namespace {

using errors::InvalidArgument;
using internal::CheckDate;
using internal::CheckIdentifier;
using internal::CheckText;
using internal::CheckTown;
using internal::CheckUscc;
using internal::kMaxNameChars;
using internal::kMaxTextChars;
using internal::Merge;
using internal::Reframe;
using internal::SameMessage;
using internal::Stamp;
using internal::Trimmed;
using internal::Unchanged;
using internal::Write;

constexpr int kMaxMeteringPoints = 100000;

// Digits with an optional leading '+', and spaces, '-' or parentheses between: 7 to 15 digits
// (ITU-T E.164 allows at most 15).
absl::Status CheckPhone(std::string* phone, std::string_view field, bool required) {
  *phone = Trimmed(*phone);
  if (phone->empty()) {
    return required ? InvalidArgument(field, "required") : absl::OkStatus();
  }
  int digits = 0;
  for (size_t i = 0; i < phone->size(); ++i) {
    const char c = (*phone)[i];
    if (absl::ascii_isdigit(static_cast<unsigned char>(c))) {
      ++digits;
    } else if (c == '+' && i == 0) {
      continue;
    } else if (c != ' ' && c != '-' && c != '(' && c != ')') {
      return InvalidArgument(field, absl::StrCat("'", *phone, "' is not a phone number"));
    }
  }
  if (digits < 7 || digits > 15) {
    return InvalidArgument(
        field, absl::StrCat("'", *phone, "' has ", digits, " digits; a phone number has 7 to 15"));
  }
  return absl::OkStatus();
}

absl::Status CheckEmail(std::string* email, std::string_view field) {
  *email = Trimmed(*email);
  if (email->empty()) {
    return absl::OkStatus();
  }
  const size_t at = email->find('@');
  if (at == std::string::npos || at == 0 || email->find('.', at) == std::string::npos ||
      email->back() == '.' || email->find(' ') != std::string::npos) {
    return InvalidArgument(field, absl::StrCat("'", *email, "' is not an e-mail address"));
  }
  return absl::OkStatus();
}

const char* SourceName(v1::WaterSourceKind kind) {
  switch (kind) {
    case v1::WATER_SOURCE_KIND_MUNICIPAL_TAP:
      return "municipal tap water";
    case v1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE:
      return "self-supplied surface water";
    case v1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND:
      return "self-supplied ground water";
    case v1::WATER_SOURCE_KIND_RECLAIMED:
      return "reclaimed water";
    default:
      return "unknown";
  }
}

// Fields a caller may set on an enterprise (everything before field 20 in resources.proto).
const std::set<std::string>& EnterpriseSettableFields() {
  static const auto* fields = new std::set<std::string>{"name",
                                                        "address",
                                                        "town",
                                                        "park_id",
                                                        "industry_code",
                                                        "above_scale",
                                                        "water_sources",
                                                        "latest_annual_intake",
                                                        "latest_annual_intake_year",
                                                        "key_monitored",
                                                        "high_water_use_high_pollution",
                                                        "contact",
                                                        "specialist",
                                                        "metering_points"};
  return *fields;
}

// The caller-settable part of an enterprise: the record with the server-kept fields cleared.
v1::Enterprise SettablePart(v1::Enterprise e) {
  e.clear_status();
  e.clear_deregistration();
  e.clear_version();
  e.clear_created();
  e.clear_updated();
  return e;
}

std::string EnterpriseWhat(const v1::Enterprise& e) {
  return absl::StrCat("enterprise ", e.uscc().value());
}

absl::Status EnterpriseMustBeActive(const v1::Enterprise& e) {
  if (e.status() == v1::ENTERPRISE_STATUS_DEREGISTERED) {
    return absl::FailedPreconditionError(absl::StrCat(EnterpriseWhat(e), " is deregistered (",
                                                      e.deregistration().reason(),
                                                      "); its record can no longer change"));
  }
  return absl::OkStatus();
}

v1::Enterprise NewEnterprise(v1::Enterprise request, const Actor& actor) {
  request.set_status(v1::ENTERPRISE_STATUS_ACTIVE);
  request.clear_deregistration();
  request.set_version(1);
  Stamp(actor, request.mutable_created());
  Stamp(actor, request.mutable_updated());
  return request;
}

v1::Enterprise NextVersion(v1::Enterprise next, const v1::Enterprise& current, const Actor& actor) {
  next.set_status(current.status());
  *next.mutable_deregistration() = current.deregistration();
  if (!current.has_deregistration()) {
    next.clear_deregistration();
  }
  next.set_version(current.version() + 1);
  *next.mutable_created() = current.created();
  Stamp(actor, next.mutable_updated());
  return next;
}

}  // namespace

absl::Status NormalizeEnterprise(v1::Enterprise& e, const RegistryRules& rules) {
  if (absl::Status s = CheckUscc(e.mutable_uscc(), "uscc"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(e.mutable_name(), "name", true, kMaxNameChars); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(e.mutable_address(), "address", false, kMaxTextChars); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckTown(e.mutable_town(), "town", rules); !s.ok()) {
    return s;
  }
  if (!Trimmed(e.park_id()).empty()) {
    if (absl::Status s = CheckIdentifier(e.mutable_park_id(), "park_id", 32, "-_"); !s.ok()) {
      return s;
    }
  } else {
    e.clear_park_id();
  }
  if (e.industry_code().value().empty()) {
    return InvalidArgument("industry_code", "required (GB/T 4754-2017 code, e.g. C2614)");
  }
  absl::StatusOr<domain::IndustryCode> code =
      domain::ParseListedIndustryCode(e.industry_code().value(), "industry_code");
  if (!code.ok()) {
    return Reframe(code.status(), "industry_code");
  }
  // 工业 in Chinese statistics is GB/T 4754-2017 sections B (mining), C (manufacturing) and D
  // (electricity, heat, gas and water supply) (国家统计局《三次产业划分规定》).
  if (code->section() != 'B' && code->section() != 'C' && code->section() != 'D') {
    return InvalidArgument(
        "industry_code",
        absl::StrCat(code->value(), " is in section ", std::string(1, code->section()),
                     ", not industry (GB/T 4754-2017 sections B, C, D)"));
  }
  // An enterprise is registered at class level (小类), the finest the standard has.
  if (code->level() != domain::IndustryLevel::kClass) {
    return InvalidArgument(
        "industry_code",
        absl::StrCat(code->value(), " is a ", std::string(domain::IndustryLevelName(code->level())),
                     " (", domain::FindIndustry(*code)->name,
                     "); an enterprise is registered by its class, 4 digits (e.g. C2614)"));
  }
  e.mutable_industry_code()->set_value(code->value());

  std::set<int> kinds;
  for (int i = 0; i < e.water_sources_size(); ++i) {
    v1::WaterSource* source = e.mutable_water_sources(i);
    const std::string field = absl::StrCat("water_sources[", i, "]");
    if (source->kind() == v1::WATER_SOURCE_KIND_UNSPECIFIED ||
        !v1::WaterSourceKind_IsValid(source->kind())) {
      return InvalidArgument(absl::StrCat(field, ".kind"), "required");
    }
    if (!kinds.insert(source->kind()).second) {
      return InvalidArgument(absl::StrCat(field, ".kind"),
                             absl::StrCat(SourceName(source->kind()), " is listed twice"));
    }
    if (absl::Status s = CheckText(source->mutable_intake_permit_number(),
                                   absl::StrCat(field, ".intake_permit_number"), false, 64);
        !s.ok()) {
      return s;
    }
    // 取水许可和水资源费征收管理条例 art. 2: taking water directly from rivers, lakes or
    // underground needs an intake permit.
    const bool self_supplied = source->kind() == v1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE ||
                               source->kind() == v1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND;
    if (self_supplied && source->intake_permit_number().empty()) {
      return InvalidArgument(
          absl::StrCat(field, ".intake_permit_number"),
          absl::StrCat("required for ", SourceName(source->kind()), " (取水许可证)"));
    }
    if (source->permitted_annual_volume().litres() < 0) {
      return InvalidArgument(absl::StrCat(field, ".permitted_annual_volume"),
                             "must not be negative");
    }
  }
  if (e.latest_annual_intake().litres() < 0) {
    return InvalidArgument("latest_annual_intake", "must not be negative");
  }
  if (e.latest_annual_intake().litres() > 0 && e.latest_annual_intake_year() == 0) {
    return InvalidArgument("latest_annual_intake_year",
                           "required when latest_annual_intake is set");
  }
  if (e.latest_annual_intake_year() != 0 &&
      (e.latest_annual_intake_year() < 2000 || e.latest_annual_intake_year() > 2100)) {
    return InvalidArgument("latest_annual_intake_year",
                           absl::StrCat(e.latest_annual_intake_year(), " is out of range"));
  }
  if (e.has_contact()) {
    v1::Contact* c = e.mutable_contact();
    if (absl::Status s = CheckText(c->mutable_name(), "contact.name", false, kMaxNameChars);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckPhone(c->mutable_phone(), "contact.phone", false); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckEmail(c->mutable_email(), "contact.email"); !s.ok()) {
      return s;
    }
    if (c->name().empty() && c->phone().empty() && c->email().empty()) {
      e.clear_contact();
    }
  }
  if (e.has_specialist()) {
    v1::WaterSavingSpecialist* sp = e.mutable_specialist();
    if (absl::Status s = CheckText(sp->mutable_name(), "specialist.name", true, kMaxNameChars);
        !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckPhone(sp->mutable_phone(), "specialist.phone", true); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckDate(sp->appointed_on(), "specialist.appointed_on", true); !s.ok()) {
      return s;
    }
    if (absl::Status s = CheckText(sp->mutable_training_certificate(),
                                   "specialist.training_certificate", false, 64);
        !s.ok()) {
      return s;
    }
  }
  const v1::MeteringPoints& points = e.metering_points();
  const std::array<std::pair<const char*, int>, 3> levels = {
      {{"metering_points.level1", points.level1()},
       {"metering_points.level2", points.level2()},
       {"metering_points.level3", points.level3()}}};
  for (const auto& [field, value] : levels) {
    if (value < 0 || value > kMaxMeteringPoints) {
      return InvalidArgument(field,
                             absl::StrCat(value, " is not between 0 and ", kMaxMeteringPoints));
    }
  }
  if (e.has_metering_points() && points.level1() == 0 && points.level2() == 0 &&
      points.level3() == 0) {
    e.clear_metering_points();
  }
  return absl::OkStatus();
}

absl::StatusOr<Decision<v1::Enterprise>> DecideCreateEnterprise(const v1::Enterprise* current,
                                                                v1::Enterprise request,
                                                                const RegistryRules& rules,
                                                                const Actor& actor) {
  if (absl::Status s = NormalizeEnterprise(request, rules); !s.ok()) {
    return s;
  }
  if (current != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat(
        EnterpriseWhat(*current), " is already registered",
        current->status() == v1::ENTERPRISE_STATUS_DEREGISTERED ? " (deregistered)" : ""));
  }
  return Write(NewEnterprise(SettablePart(std::move(request)), actor), v1::CHANGE_KIND_CREATED,
               true);
}

absl::StatusOr<Decision<v1::Enterprise>> DecideUpdateEnterprise(
    const v1::Enterprise* current, const v1::Enterprise& request,
    const google::protobuf::FieldMask& mask, const RegistryRules& rules, const Actor& actor) {
  if (current == nullptr) {
    return absl::NotFoundError(absl::StrCat("enterprise ", request.uscc().value(), " not found"));
  }
  if (absl::Status s =
          CheckVersion(EnterpriseWhat(*current), request.version(), current->version());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = EnterpriseMustBeActive(*current); !s.ok()) {
    return s;
  }
  absl::StatusOr<v1::Enterprise> merged =
      Merge(SettablePart(*current), SettablePart(request), mask, EnterpriseSettableFields());
  if (!merged.ok()) {
    return merged.status();
  }
  if (absl::Status s = NormalizeEnterprise(*merged, rules); !s.ok()) {
    return s;
  }
  if (SameMessage(*merged, SettablePart(*current))) {
    return Unchanged(*current);
  }
  return Write(NextVersion(*std::move(merged), *current, actor), v1::CHANGE_KIND_UPDATED, false);
}

absl::StatusOr<Decision<v1::Enterprise>> DecideImportEnterprise(const v1::Enterprise* current,
                                                                v1::Enterprise row,
                                                                const RegistryRules& rules,
                                                                const Actor& actor) {
  if (absl::Status s = NormalizeEnterprise(row, rules); !s.ok()) {
    return s;
  }
  v1::Enterprise settable = SettablePart(std::move(row));
  if (current == nullptr) {
    return Write(NewEnterprise(std::move(settable), actor), v1::CHANGE_KIND_IMPORTED, true);
  }
  if (SameMessage(settable, SettablePart(*current))) {
    return Unchanged(*current);
  }
  if (absl::Status s = EnterpriseMustBeActive(*current); !s.ok()) {
    return s;
  }
  return Write(NextVersion(std::move(settable), *current, actor), v1::CHANGE_KIND_IMPORTED, false);
}

absl::StatusOr<Decision<v1::Enterprise>> DecideDeregisterEnterprise(
    const v1::Enterprise* current, int64_t version, std::string reason,
    const common::v1::Date& effective_on, const Actor& actor) {
  if (current == nullptr) {
    return absl::NotFoundError("enterprise not found");
  }
  if (absl::Status s = CheckVersion(EnterpriseWhat(*current), version, current->version());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = EnterpriseMustBeActive(*current); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(&reason, "reason", true, kMaxTextChars); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDate(effective_on, "effective_on", true); !s.ok()) {
    return s;
  }
  v1::Enterprise next = *current;
  next.set_status(v1::ENTERPRISE_STATUS_DEREGISTERED);
  next.mutable_deregistration()->set_reason(reason);
  *next.mutable_deregistration()->mutable_effective_on() = effective_on;
  next.set_version(current->version() + 1);
  Stamp(actor, next.mutable_updated());
  return Write(std::move(next), v1::CHANGE_KIND_DEREGISTERED, false);
}

}  // namespace jieshui::registry
