#include "registry/src/core/meter_rules.hpp"

#include <set>
#include <string>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "domain/fixed_decimal.hpp"
#include "errors/field_error.hpp"
#include "registry/src/core/rules_internal.hpp"

namespace jieshui::registry {
namespace {

using errors::InvalidArgument;
using internal::CheckDate;
using internal::CheckIdentifier;
using internal::CheckText;
using internal::CheckUscc;
using internal::kMaxTextChars;
using internal::Merge;
using internal::Reframe;
using internal::SameMessage;
using internal::Stamp;
using internal::Trimmed;
using internal::Unchanged;
using internal::Write;

// Fields a caller may set on a meter (the rest are kept by the server).
const std::set<std::string>& MeterSettableFields() {
  static const auto* fields = new std::set<std::string>{
      "description",  "level",           "measures",       "unit",
      "multiplier",   "register_digits", "accuracy_class", "calibration_due_on",
      "installed_on", "serial_number",   "hj212",          "status"};
  return *fields;
}

// The caller-settable part of a meter: the record with the server-kept fields cleared.
v1::Meter SettablePart(v1::Meter m) {
  m.clear_retirement();
  m.clear_version();
  m.clear_created();
  m.clear_updated();
  return m;
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
                                                      const google::protobuf::FieldMask& mask,
                                                      const Actor& actor) {
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
