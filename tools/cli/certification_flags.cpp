#include "certification_flags.hpp"

#include "absl/status/status.h"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "domain/period.hpp"
#include "flag_words.hpp"

namespace jieshui::cli {
namespace {

namespace cert = ::jieshui::certification::v1;

constexpr Word<cert::Level> kLevels[] = {{"district", cert::LEVEL_DISTRICT},
                                         {"municipal", cert::LEVEL_MUNICIPAL},
                                         {"provincial", cert::LEVEL_PROVINCIAL},
                                         {"leader", cert::LEVEL_LEADER}};

constexpr Word<cert::RecordKind> kKinds[] = {{"balance_test", cert::RECORD_KIND_BALANCE_TEST},
                                             {"audit", cert::RECORD_KIND_AUDIT},
                                             {"retrofit", cert::RECORD_KIND_RETROFIT_PROJECT},
                                             {"contract", cert::RECORD_KIND_CONTRACT_PROJECT},
                                             {"demonstration", cert::RECORD_KIND_DEMONSTRATION},
                                             {"park", cert::RECORD_KIND_PARK}};

constexpr Word<cert::RecordStatus> kRecordStatuses[] = {
    {"submitted", cert::RECORD_STATUS_SUBMITTED},
    {"accepted", cert::RECORD_STATUS_ACCEPTED},
    {"returned", cert::RECORD_STATUS_RETURNED}};

constexpr Word<cert::ApplicationState> kStates[] = {
    {"draft", cert::APPLICATION_STATE_DRAFT},
    {"submitted", cert::APPLICATION_STATE_SUBMITTED},
    {"preliminary_review", cert::APPLICATION_STATE_PRELIMINARY_REVIEW},
    {"final_review", cert::APPLICATION_STATE_FINAL_REVIEW},
    {"public_notice", cert::APPLICATION_STATE_PUBLIC_NOTICE},
    {"granted", cert::APPLICATION_STATE_GRANTED},
    {"refused", cert::APPLICATION_STATE_REFUSED},
    {"withdrawn", cert::APPLICATION_STATE_WITHDRAWN}};

}  // namespace

absl::StatusOr<jieshui::common::v1::Date> ParseDateFlag(std::string_view text,
                                                        std::string_view flag) {
  absl::StatusOr<domain::Date> day = domain::Date::Parse(text, flag);
  if (!day.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        Abseil(flag), ": expected YYYY-MM-DD, e.g. 2026-12-02; got \"", Abseil(text), "\""));
  }
  jieshui::common::v1::Date out;
  out.set_year(day->year());
  out.set_month(day->month());
  out.set_day(day->day());
  return out;
}

std::string DateLabel(const jieshui::common::v1::Date& date) {
  if (date.year() == 0 && date.month() == 0 && date.day() == 0) {
    return "";
  }
  absl::StatusOr<domain::Date> day = domain::Date::Create(date.year(), date.month(), date.day());
  return day.ok() ? day->ToString() : absl::StrCat(date.year(), "-", date.month(), "-", date.day());
}

absl::StatusOr<cert::Level> ParseLevelFlag(std::string_view text, std::string_view flag) {
  return Lookup<cert::Level>(kLevels, text, flag);
}
std::string LevelLabel(cert::Level level) { return Label<cert::Level>(kLevels, level); }

absl::StatusOr<cert::RecordKind> ParseRecordKindFlag(std::string_view text, std::string_view flag) {
  return Lookup<cert::RecordKind>(kKinds, text, flag);
}
std::string RecordKindLabel(cert::RecordKind kind) { return Label<cert::RecordKind>(kKinds, kind); }

absl::StatusOr<cert::RecordStatus> ParseRecordStatusFlag(std::string_view text,
                                                         std::string_view flag) {
  return Lookup<cert::RecordStatus>(kRecordStatuses, text, flag);
}
std::string RecordStatusLabel(cert::RecordStatus status) {
  return Label<cert::RecordStatus>(kRecordStatuses, status);
}

absl::StatusOr<cert::ApplicationState> ParseApplicationStateFlag(std::string_view text,
                                                                 std::string_view flag) {
  return Lookup<cert::ApplicationState>(kStates, text, flag);
}
std::string ApplicationStateLabel(cert::ApplicationState state) {
  return Label<cert::ApplicationState>(kStates, state);
}

absl::StatusOr<RecordDecision> ParseRecordDecision(bool accept, bool return_record,
                                                   const std::vector<std::string>& reasons) {
  if (accept && return_record) {
    return absl::InvalidArgumentError("give --accept or --return, not both");
  }
  if (!accept && !return_record) {
    return absl::InvalidArgumentError("one of --accept or --return is required");
  }
  RecordDecision decision{.accept = accept, .reasons = {}};
  for (const std::string& reason : reasons) {
    if (!reason.empty()) {
      decision.reasons.push_back(reason);
    }
  }
  // The service refuses a returned record without a reason (ReviewRecordRequest.reasons): say so
  // before calling.
  if (return_record && decision.reasons.empty()) {
    return absl::InvalidArgumentError("--return needs --reason TEXT: a returned record says why");
  }
  return decision;
}

}  // namespace jieshui::cli
