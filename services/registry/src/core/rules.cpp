#include "core/rules.hpp"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/fixed_decimal.hpp"
#include "domain/industry_code.hpp"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "errors/field_error.hpp"
#include "google/protobuf/util/field_mask_util.h"
#include "google/protobuf/util/message_differencer.h"

namespace jieshui::registry {
namespace {

using errors::InvalidArgument;
using google::protobuf::FieldMask;
using google::protobuf::util::FieldMaskUtil;

constexpr size_t kMaxNameChars = 200;
constexpr size_t kMaxTextChars = 500;
constexpr int kMaxMeteringPoints = 100000;

// A domain library error reads "<its field name>: <reason>"; keep the reason, name our field.
absl::Status Reframe(const absl::Status& status, std::string_view field) {
  std::string message(status.message());
  const size_t colon = message.find(": ");
  if (colon != std::string::npos) {
    message.erase(0, colon + 2);
  }
  return InvalidArgument(field, message);
}

size_t Utf8Length(std::string_view text) {
  return static_cast<size_t>(std::count_if(text.begin(), text.end(), [](char c) {
    return (static_cast<unsigned char>(c) & 0xC0U) != 0x80U;
  }));
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

// A set date must be a real calendar date; `required` says whether it may be unset (all zero).
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

void Stamp(const Actor& actor, v1::AuditStamp* stamp) {
  stamp->set_principal(actor.principal);
  stamp->mutable_at()->set_seconds(actor.unix_seconds);
  stamp->mutable_at()->set_nanos(actor.nanos);
}

// --- enterprises ---------------------------------------------------------------------------

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

const std::set<std::string>& MeterSettableFields() {
  static const auto* fields = new std::set<std::string>{
      "description",  "level",           "measures",       "unit",
      "multiplier",   "register_digits", "accuracy_class", "calibration_due_on",
      "installed_on", "serial_number",   "hj212",          "status"};
  return *fields;
}

// The caller-settable part of a record: the record with the server-kept fields cleared.
v1::Enterprise SettablePart(v1::Enterprise e) {
  e.clear_status();
  e.clear_deregistration();
  e.clear_version();
  e.clear_created();
  e.clear_updated();
  return e;
}

v1::Meter SettablePart(v1::Meter m) {
  m.clear_retirement();
  m.clear_version();
  m.clear_created();
  m.clear_updated();
  return m;
}

template <typename Message>
bool SameMessage(const Message& a, const Message& b) {
  return google::protobuf::util::MessageDifferencer::Equals(a, b);
}

// Copies the masked top-level fields of `request` onto `base`. INVALID_ARGUMENT for a path that is
// unknown or not settable.
template <typename Message>
absl::StatusOr<Message> Merge(const Message& base, const Message& request, const FieldMask& mask,
                              const std::set<std::string>& settable) {
  Message out = base;
  if (mask.paths_size() == 0) {
    for (const std::string& name : settable) {
      const auto* field = Message::descriptor()->FindFieldByName(name);
      FieldMask one;
      one.add_paths(field->name());
      FieldMaskUtil::MergeOptions options;
      options.set_replace_message_fields(true);
      options.set_replace_repeated_fields(true);
      out.GetReflection()->ClearField(&out, field);
      FieldMaskUtil::MergeMessageTo(request, one, options, &out);
    }
    return out;
  }
  for (int i = 0; i < mask.paths_size(); ++i) {
    const std::string& path = mask.paths(i);
    if (!settable.contains(path)) {
      return InvalidArgument(absl::StrCat("update_mask.paths[", i, "]"),
                             absl::StrCat("'", path, "' is not a field that can be updated (",
                                          absl::StrJoin(settable, ", "), ")"));
    }
    const auto* field = Message::descriptor()->FindFieldByName(path);
    out.GetReflection()->ClearField(&out, field);
  }
  FieldMaskUtil::MergeOptions options;
  options.set_replace_message_fields(true);
  options.set_replace_repeated_fields(true);
  FieldMaskUtil::MergeMessageTo(request, mask, options, &out);
  return out;
}

}  // namespace

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
    return InvalidArgument("version", "required: the version of the record you read");
  }
  if (requested != current) {
    return absl::AbortedError(absl::StrCat(std::string(what), ": stale version ", requested,
                                           ", the record is at version ", current,
                                           "; read it again and reapply the change"));
  }
  return absl::OkStatus();
}

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
      domain::IndustryCode::Parse(e.industry_code().value(), "industry_code");
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

absl::Status NormalizeMeter(v1::Meter& m) {
  if (absl::Status s = CheckIdentifier(m.mutable_meter_id(), "meter_id", 64, "._-"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckUscc(m.mutable_uscc(), "uscc"); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(m.mutable_description(), "description", false, kMaxTextChars);
      !s.ok()) {
    return s;
  }
  if (m.level() == v1::METER_LEVEL_UNSPECIFIED || !v1::MeterLevel_IsValid(m.level())) {
    return InvalidArgument("level",
                           "required: 1 (enterprise boundary), 2 (sub-unit) or 3 "
                           "(equipment), GB/T 24789-2022");
  }
  if (m.measures() == v1::MEASURED_FLOW_UNSPECIFIED || !v1::MeasuredFlow_IsValid(m.measures())) {
    return InvalidArgument("measures", "required: which intake, internal or discharge flow");
  }
  if (m.unit() == v1::METER_UNIT_UNSPECIFIED || !v1::MeterUnit_IsValid(m.unit())) {
    return InvalidArgument("unit", "required: cubic metre or litre");
  }
  m.set_multiplier(Trimmed(m.multiplier()));
  if (m.multiplier().empty()) {
    m.set_multiplier("1");
  }
  absl::StatusOr<int64_t> micro =
      domain::internal::ParseFixedDecimal(m.multiplier(), 6, "multiplier", "a multiplier");
  if (!micro.ok()) {
    return Reframe(micro.status(), "multiplier");
  }
  if (*micro <= 0) {
    return InvalidArgument("multiplier", "must be greater than zero");
  }
  if (m.register_digits() < 4 || m.register_digits() > 12) {
    return InvalidArgument("register_digits",
                           m.register_digits() == 0
                               ? std::string("required: integer digits of the register (4 to 12), "
                                             "it rolls over at 10^digits")
                               : absl::StrCat(m.register_digits(), " is not between 4 and 12"));
  }
  m.set_accuracy_class(Trimmed(m.accuracy_class()));
  static const std::set<std::string> kClasses = {"0.2", "0.5", "1", "1.5", "2", "2.5"};
  if (!m.accuracy_class().empty() && !kClasses.contains(m.accuracy_class())) {
    return InvalidArgument(
        "accuracy_class",
        absl::StrCat("'", m.accuracy_class(), "' is not one of ", absl::StrJoin(kClasses, ", ")));
  }
  // GB/T 24789-2022 requires meters to be verified or calibrated on schedule; the due date is
  // what the overdue list is built from.
  if (absl::Status s = CheckDate(m.calibration_due_on(), "calibration_due_on", true); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDate(m.installed_on(), "installed_on", false); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(m.mutable_serial_number(), "serial_number", false, 64); !s.ok()) {
    return s;
  }
  if (m.has_hj212()) {
    v1::Hj212Identity* id = m.mutable_hj212();
    id->set_mn(Trimmed(id->mn()));
    id->set_data_code(Trimmed(id->data_code()));
    if (id->mn().empty() && id->data_code().empty()) {
      m.clear_hj212();
    } else {
      // HJ 212-2017 6.3.2: MN is up to 24 characters (letters and digits).
      if (absl::Status s = CheckIdentifier(id->mutable_mn(), "hj212.mn", 24, ""); !s.ok()) {
        return s;
      }
      if (absl::Status s = CheckIdentifier(id->mutable_data_code(), "hj212.data_code", 16, "-");
          !s.ok()) {
        return s;
      }
    }
  }
  if (m.status() == v1::METER_STATUS_UNSPECIFIED) {
    m.set_status(v1::METER_STATUS_ACTIVE);
  }
  if (m.status() == v1::METER_STATUS_RETIRED) {
    return InvalidArgument("status", "a meter is retired with RetireMeter, which records why");
  }
  if (!v1::MeterStatus_IsValid(m.status())) {
    return InvalidArgument("status", "must be ACTIVE or SUSPENDED");
  }
  return absl::OkStatus();
}

// --- decisions ----------------------------------------------------------------------------

namespace {

template <typename Record>
Decision<Record> Write(Record record, v1::ChangeKind change, bool created) {
  Decision<Record> d;
  d.outcome = Decision<Record>::Outcome::kWrite;
  d.record = std::move(record);
  d.change = change;
  d.created = created;
  return d;
}

template <typename Record>
Decision<Record> Unchanged(const Record& current) {
  Decision<Record> d;
  d.outcome = Decision<Record>::Outcome::kUnchanged;
  d.record = current;
  return d;
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

std::string MeterWhat(const v1::Meter& m) { return absl::StrCat("meter ", m.meter_id()); }

absl::Status OwnerMustBeActive(const v1::Enterprise* owner, const v1::Meter& meter) {
  if (owner == nullptr) {
    return errors::WithFieldViolation(
        absl::NotFoundError(
            absl::StrCat("uscc: no enterprise ", meter.uscc().value(), " is registered")),
        "uscc", "no such enterprise");
  }
  if (owner->status() == v1::ENTERPRISE_STATUS_DEREGISTERED) {
    return absl::FailedPreconditionError(
        absl::StrCat("uscc: enterprise ", owner->uscc().value(),
                     " is deregistered; its meters cannot be registered or changed"));
  }
  return absl::OkStatus();
}

absl::Status MeterMustBeLive(const v1::Meter& m) {
  if (m.status() == v1::METER_STATUS_RETIRED) {
    return absl::FailedPreconditionError(absl::StrCat(
        MeterWhat(m), " is retired (", m.retirement().reason(), "); it can no longer change"));
  }
  return absl::OkStatus();
}

v1::Meter NewMeter(v1::Meter request, const Actor& actor) {
  request.clear_retirement();
  request.set_version(1);
  Stamp(actor, request.mutable_created());
  Stamp(actor, request.mutable_updated());
  return request;
}

v1::Meter NextMeterVersion(v1::Meter next, const v1::Meter& current, const Actor& actor) {
  next.clear_retirement();
  if (current.has_retirement()) {
    *next.mutable_retirement() = current.retirement();
  }
  next.set_version(current.version() + 1);
  *next.mutable_created() = current.created();
  Stamp(actor, next.mutable_updated());
  return next;
}

absl::Status MeterKeepsOwner(const v1::Meter& current, const v1::Meter& next) {
  if (current.uscc().value() != next.uscc().value()) {
    return InvalidArgument("uscc",
                           absl::StrCat(MeterWhat(current), " belongs to ", current.uscc().value(),
                                        "; a meter cannot move to another enterprise "
                                        "(retire it and register a new one)"));
  }
  return absl::OkStatus();
}

}  // namespace

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

absl::StatusOr<Decision<v1::Enterprise>> DecideUpdateEnterprise(const v1::Enterprise* current,
                                                                const v1::Enterprise& request,
                                                                const FieldMask& mask,
                                                                const RegistryRules& rules,
                                                                const Actor& actor) {
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

absl::StatusOr<Decision<v1::Meter>> DecideRegisterMeter(const v1::Meter* current,
                                                        const v1::Enterprise* owner,
                                                        v1::Meter request, const Actor& actor) {
  if (absl::Status s = NormalizeMeter(request); !s.ok()) {
    return s;
  }
  if (current != nullptr) {
    return absl::AlreadyExistsError(
        absl::StrCat(MeterWhat(*current), " is already registered to ", current->uscc().value()));
  }
  if (absl::Status s = OwnerMustBeActive(owner, request); !s.ok()) {
    return s;
  }
  return Write(NewMeter(SettablePart(std::move(request)), actor), v1::CHANGE_KIND_CREATED, true);
}

absl::StatusOr<Decision<v1::Meter>> DecideUpdateMeter(const v1::Meter* current,
                                                      const v1::Enterprise* owner,
                                                      const v1::Meter& request,
                                                      const FieldMask& mask, const Actor& actor) {
  if (current == nullptr) {
    return absl::NotFoundError(absl::StrCat("meter ", request.meter_id(), " not found"));
  }
  if (absl::Status s = CheckVersion(MeterWhat(*current), request.version(), current->version());
      !s.ok()) {
    return s;
  }
  if (absl::Status s = MeterMustBeLive(*current); !s.ok()) {
    return s;
  }
  if (!request.uscc().value().empty() && mask.paths_size() == 0) {
    v1::Meter probe = request;
    if (absl::Status s = CheckUscc(probe.mutable_uscc(), "uscc"); !s.ok()) {
      return s;
    }
    if (absl::Status s = MeterKeepsOwner(*current, probe); !s.ok()) {
      return s;
    }
  }
  absl::StatusOr<v1::Meter> merged =
      Merge(SettablePart(*current), SettablePart(request), mask, MeterSettableFields());
  if (!merged.ok()) {
    return merged.status();
  }
  if (absl::Status s = NormalizeMeter(*merged); !s.ok()) {
    return s;
  }
  if (absl::Status s = OwnerMustBeActive(owner, *merged); !s.ok()) {
    return s;
  }
  if (SameMessage(*merged, SettablePart(*current))) {
    return Unchanged(*current);
  }
  return Write(NextMeterVersion(*std::move(merged), *current, actor), v1::CHANGE_KIND_UPDATED,
               false);
}

absl::StatusOr<Decision<v1::Meter>> DecideImportMeter(const v1::Meter* current,
                                                      const v1::Enterprise* owner, v1::Meter row,
                                                      const Actor& actor) {
  if (absl::Status s = NormalizeMeter(row); !s.ok()) {
    return s;
  }
  v1::Meter settable = SettablePart(std::move(row));
  if (current == nullptr) {
    if (absl::Status s = OwnerMustBeActive(owner, settable); !s.ok()) {
      return s;
    }
    return Write(NewMeter(std::move(settable), actor), v1::CHANGE_KIND_IMPORTED, true);
  }
  if (absl::Status s = MeterKeepsOwner(*current, settable); !s.ok()) {
    return s;
  }
  if (SameMessage(settable, SettablePart(*current))) {
    return Unchanged(*current);
  }
  if (absl::Status s = MeterMustBeLive(*current); !s.ok()) {
    return s;
  }
  if (absl::Status s = OwnerMustBeActive(owner, settable); !s.ok()) {
    return s;
  }
  return Write(NextMeterVersion(std::move(settable), *current, actor), v1::CHANGE_KIND_IMPORTED,
               false);
}

absl::StatusOr<Decision<v1::Meter>> DecideRetireMeter(const v1::Meter* current, int64_t version,
                                                      std::string reason,
                                                      const common::v1::Date& retired_on,
                                                      const Actor& actor) {
  if (current == nullptr) {
    return absl::NotFoundError("meter not found");
  }
  if (absl::Status s = CheckVersion(MeterWhat(*current), version, current->version()); !s.ok()) {
    return s;
  }
  if (absl::Status s = MeterMustBeLive(*current); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckText(&reason, "reason", true, kMaxTextChars); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckDate(retired_on, "retired_on", true); !s.ok()) {
    return s;
  }
  v1::Meter next = *current;
  next.set_status(v1::METER_STATUS_RETIRED);
  next.mutable_retirement()->set_reason(reason);
  *next.mutable_retirement()->mutable_retired_on() = retired_on;
  next.set_version(current->version() + 1);
  Stamp(actor, next.mutable_updated());
  return Write(std::move(next), v1::CHANGE_KIND_RETIRED, false);
}

}  // namespace jieshui::registry
