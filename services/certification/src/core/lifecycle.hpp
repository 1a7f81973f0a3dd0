// An application's lifecycle and a title's validity (issue #16): draft → submitted → preliminary
// review → final review → public notice → granted, with refusal and withdrawal on the way, and the
// days a granted title is valid, counted in Asia/Shanghai. Pure: who acts and when come in.
#pragma once

#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "domain/period.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"

namespace jieshui::certification {

// Who acts, as the lifecycle sees it (the handlers map principals onto it).
enum class Role { kEnterprise, kWaterAffairs, kIndustry, kOtherDepartment };

// Everything a transition depends on besides the application itself.
struct ActContext {
  Role role = Role::kOtherDepartment;
  std::string actor_label;  // "water_affairs:区水务局"
  domain::Date today;       // Shanghai
  int64_t now_unix_ms = 0;
  int pass_mark = 90;
  int notice_days = 7;
  bool dual_approval = false;
};

// Applies `action` to `app` (its state, approvals, notice end, history): INVALID_ARGUMENT naming
// "action" when the action is not allowed from the current state; PERMISSION_DENIED when the
// actor's kind may not take it; FAILED_PRECONDITION when a score it needs is missing or below the
// pass mark, or the public notice has not ended. Reasons are required for REFUSE and OBJECT.
// Gates (SUBMIT) and the title (GRANT) are the caller's: this decides only the state.
absl::Status ApplyAction(v1::Application& app, v1::Action action,
                         const std::vector<std::string>& reasons, const ActContext& ctx);

// Which score sheet stage an actor may file in the application's current state;
// INVALID_ARGUMENT naming "stage" otherwise, PERMISSION_DENIED for the wrong actor.
absl::Status CheckScoreAllowed(const v1::Application& app, v1::ScoreStage stage, Role role);

// The last valid day of a title valid from `from` for `years`: the day before the anniversary
// (an anniversary of 29 February in a common year is 1 March).
domain::Date ValidUntil(const domain::Date& from, int years);

// Whether `title` is valid on `day`: ACTIVE or UNDER_REVIEW and valid_from ≤ day ≤ valid_until. A
// title stops being valid at the end of its last valid day, Shanghai time, so the day an instant
// falls in decides (domain::DateOf).
bool ValidOn(const v1::Title& title, const domain::Date& day);

// The status a caller sees on `day`: a stored ACTIVE or UNDER_REVIEW title past its last valid
// day reads EXPIRED.
v1::TitleStatus StatusOn(const v1::Title& title, const domain::Date& day);

domain::Date FromProto(const common::v1::Date& d);
common::v1::Date ToProto(const domain::Date& d);
// A proto date's domain form; INVALID_ARGUMENT naming `field` when it is not a calendar day.
absl::StatusOr<domain::Date> ParseDate(const common::v1::Date& d, const std::string& field);

}  // namespace jieshui::certification
