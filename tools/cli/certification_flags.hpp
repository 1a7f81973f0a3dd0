// jieshui-cli: the options of the certification subcommands (dates YYYY-MM-DD, levels, record
// kinds and statuses, application states, a record's review) checked and turned into the
// certification API's values, and those values' names as the tables print them. The words are the
// ones an operator types: what `--kind retrofit` selects, the KIND column prints as `retrofit`.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "jieshui/common/v1/types.pb.h"

namespace jieshui::cli {

// "2026-12-02" as a calendar date (Asia/Shanghai). INVALID_ARGUMENT naming `flag`
// ("--on: expected YYYY-MM-DD, e.g. 2026-12-02; got \"2026-13-01\"") for anything that is not a
// real day.
absl::StatusOr<jieshui::common::v1::Date> ParseDateFlag(std::string_view text,
                                                        std::string_view flag);
// "2026-12-02"; "" for an unset date.
std::string DateLabel(const jieshui::common::v1::Date& date);

// district | municipal | provincial | leader (ASCII case ignored). INVALID_ARGUMENT naming `flag`
// and listing the words otherwise.
absl::StatusOr<jieshui::certification::v1::Level> ParseLevelFlag(std::string_view text,
                                                                 std::string_view flag);
std::string LevelLabel(jieshui::certification::v1::Level level);

// balance_test | audit | retrofit | contract | demonstration | park.
absl::StatusOr<jieshui::certification::v1::RecordKind> ParseRecordKindFlag(std::string_view text,
                                                                           std::string_view flag);
std::string RecordKindLabel(jieshui::certification::v1::RecordKind kind);

// submitted | accepted | returned.
absl::StatusOr<jieshui::certification::v1::RecordStatus> ParseRecordStatusFlag(
    std::string_view text, std::string_view flag);
std::string RecordStatusLabel(jieshui::certification::v1::RecordStatus status);

// draft | submitted | preliminary_review | final_review | public_notice | granted | refused |
// withdrawn.
absl::StatusOr<jieshui::certification::v1::ApplicationState> ParseApplicationStateFlag(
    std::string_view text, std::string_view flag);
std::string ApplicationStateLabel(jieshui::certification::v1::ApplicationState state);

// `review-record ID (--accept | --return --reason TEXT...)`: what was asked, as ReviewRecord
// takes it. A returned record needs a non-empty reason (the service refuses one without); an
// accepted one may carry remarks. INVALID_ARGUMENT naming the flags otherwise.
struct RecordDecision {
  bool accept = false;
  std::vector<std::string> reasons;
};
absl::StatusOr<RecordDecision> ParseRecordDecision(bool accept, bool return_record,
                                                   const std::vector<std::string>& reasons);

}  // namespace jieshui::cli
