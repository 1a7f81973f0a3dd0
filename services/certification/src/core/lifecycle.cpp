#include "certification/src/core/lifecycle.hpp"

#include <algorithm>
#include <initializer_list>

#include "absl/strings/str_cat.h"
#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

using S = v1::ApplicationState;

const char* RoleName(Role role) {
  switch (role) {
    case Role::kEnterprise:
      return "enterprise";
    case Role::kWaterAffairs:
      return "water_affairs";
    case Role::kIndustry:
      return "industry";
    case Role::kOtherDepartment:
      break;
  }
  return "department";
}

bool In(S state, std::initializer_list<S> states) {
  return std::find(states.begin(), states.end(), state) != states.end();
}

bool Allowed(Role role, std::initializer_list<Role> roles) {
  return std::find(roles.begin(), roles.end(), role) != roles.end();
}

absl::Status NotAllowed(const v1::Application& app, v1::Action action) {
  return errors::InvalidArgument("action",
                                 absl::StrCat(v1::Action_Name(action), " is not allowed from ",
                                              v1::ApplicationState_Name(app.state())));
}

const v1::ScoreSheet* SheetOf(const v1::Application& app, v1::ScoreStage stage) {
  for (const v1::ScoreSheet& s : app.scores()) {
    if (s.stage() == stage) {
      return &s;
    }
  }
  return nullptr;
}

absl::Status RequirePassed(const v1::Application& app, v1::ScoreStage stage, int pass_mark) {
  const v1::ScoreSheet* sheet = SheetOf(app, stage);
  if (sheet == nullptr) {
    return absl::FailedPreconditionError(
        absl::StrCat("no ", v1::ScoreStage_Name(stage), " score sheet yet"));
  }
  if (sheet->total() < pass_mark) {
    return absl::FailedPreconditionError(absl::StrCat(v1::ScoreStage_Name(stage), " score ",
                                                      sheet->total(), " is below the pass mark ",
                                                      pass_mark));
  }
  return absl::OkStatus();
}

domain::Date AddDays(domain::Date d, int days) {
  for (int i = 0; i < days; ++i) {
    d = d.Next();
  }
  return d;
}

}  // namespace

domain::Date FromProto(const common::v1::Date& d) {
  auto out = domain::Date::Create(d.year(), d.month(), d.day());
  return out.ok() ? *out : *domain::Date::Create(1970, 1, 1);
}

common::v1::Date ToProto(const domain::Date& d) {
  common::v1::Date out;
  out.set_year(d.year());
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

absl::StatusOr<domain::Date> ParseDate(const common::v1::Date& d, const std::string& field) {
  auto out = domain::Date::Create(d.year(), d.month(), d.day());
  if (!out.ok()) {
    return errors::InvalidArgument(
        field, absl::StrCat("not a calendar day: ", d.year(), "-", d.month(), "-", d.day()));
  }
  return *out;
}

absl::Status ApplyAction(v1::Application& app, v1::Action action,
                         const std::vector<std::string>& reasons, const ActContext& ctx) {
  const S from = app.state();
  S to = from;
  auto need_role = [&](std::initializer_list<Role> roles) -> absl::Status {
    if (!Allowed(ctx.role, roles)) {
      return absl::PermissionDeniedError(
          absl::StrCat("a ", RoleName(ctx.role), " caller may not ", v1::Action_Name(action)));
    }
    return absl::OkStatus();
  };
  absl::Status s;
  switch (action) {
    case v1::ACTION_SUBMIT:
      if (s = need_role({Role::kEnterprise}); !s.ok()) {
        return s;
      }
      if (from != v1::APPLICATION_STATE_DRAFT) {
        return NotAllowed(app, action);
      }
      if (SheetOf(app, v1::SCORE_STAGE_SELF) == nullptr) {
        return absl::FailedPreconditionError("no SCORE_STAGE_SELF score sheet yet: score first");
      }
      to = v1::APPLICATION_STATE_SUBMITTED;
      break;
    case v1::ACTION_START_REVIEW:
      if (s = need_role({Role::kWaterAffairs}); !s.ok()) {
        return s;
      }
      if (from != v1::APPLICATION_STATE_SUBMITTED) {
        return NotAllowed(app, action);
      }
      to = v1::APPLICATION_STATE_PRELIMINARY_REVIEW;
      break;
    case v1::ACTION_PASS_PRELIMINARY:
      if (s = need_role({Role::kWaterAffairs}); !s.ok()) {
        return s;
      }
      if (from != v1::APPLICATION_STATE_PRELIMINARY_REVIEW) {
        return NotAllowed(app, action);
      }
      if (s = RequirePassed(app, v1::SCORE_STAGE_PRELIMINARY, ctx.pass_mark); !s.ok()) {
        return s;
      }
      to = v1::APPLICATION_STATE_FINAL_REVIEW;
      break;
    case v1::ACTION_APPROVE_FINAL: {
      if (s = need_role({Role::kWaterAffairs, Role::kIndustry}); !s.ok()) {
        return s;
      }
      if (from != v1::APPLICATION_STATE_FINAL_REVIEW) {
        return NotAllowed(app, action);
      }
      if (s = RequirePassed(app, v1::SCORE_STAGE_FINAL, ctx.pass_mark); !s.ok()) {
        return s;
      }
      const std::string role = RoleName(ctx.role);
      if (std::find(app.approvals().begin(), app.approvals().end(), role) ==
          app.approvals().end()) {
        app.add_approvals(role);
      }
      auto has = [&app](const char* r) {
        return std::find(app.approvals().begin(), app.approvals().end(), r) !=
               app.approvals().end();
      };
      const bool complete = has("water_affairs") && (!ctx.dual_approval || has("industry"));
      if (complete) {
        to = v1::APPLICATION_STATE_PUBLIC_NOTICE;
        // The notice runs `notice_days` days from today, today included.
        *app.mutable_notice_ends_on() =
            ToProto(AddDays(ctx.today, std::max(0, ctx.notice_days - 1)));
      }
      break;
    }
    case v1::ACTION_OBJECT:
      if (s = need_role({Role::kWaterAffairs, Role::kIndustry, Role::kOtherDepartment}); !s.ok()) {
        return s;
      }
      if (from != v1::APPLICATION_STATE_PUBLIC_NOTICE) {
        return NotAllowed(app, action);
      }
      if (reasons.empty()) {
        return errors::InvalidArgument("reasons", "an objection states its reasons");
      }
      app.clear_approvals();
      app.clear_notice_ends_on();
      to = v1::APPLICATION_STATE_FINAL_REVIEW;
      break;
    case v1::ACTION_GRANT:
      if (s = need_role({Role::kWaterAffairs}); !s.ok()) {
        return s;
      }
      if (from != v1::APPLICATION_STATE_PUBLIC_NOTICE) {
        return NotAllowed(app, action);
      }
      if (!(FromProto(app.notice_ends_on()) < ctx.today)) {
        return absl::FailedPreconditionError(
            absl::StrCat("the public notice runs until ",
                         FromProto(app.notice_ends_on()).ToString(), ": grant from the day after"));
      }
      to = v1::APPLICATION_STATE_GRANTED;
      break;
    case v1::ACTION_REFUSE:
      if (s = need_role({Role::kWaterAffairs, Role::kIndustry}); !s.ok()) {
        return s;
      }
      if (!In(from, {v1::APPLICATION_STATE_SUBMITTED, v1::APPLICATION_STATE_PRELIMINARY_REVIEW,
                     v1::APPLICATION_STATE_FINAL_REVIEW, v1::APPLICATION_STATE_PUBLIC_NOTICE})) {
        return NotAllowed(app, action);
      }
      if (reasons.empty()) {
        return errors::InvalidArgument("reasons", "a refusal states its reasons");
      }
      to = v1::APPLICATION_STATE_REFUSED;
      break;
    case v1::ACTION_WITHDRAW:
      if (s = need_role({Role::kEnterprise}); !s.ok()) {
        return s;
      }
      if (!In(from, {v1::APPLICATION_STATE_DRAFT, v1::APPLICATION_STATE_SUBMITTED,
                     v1::APPLICATION_STATE_PRELIMINARY_REVIEW, v1::APPLICATION_STATE_FINAL_REVIEW,
                     v1::APPLICATION_STATE_PUBLIC_NOTICE})) {
        return NotAllowed(app, action);
      }
      to = v1::APPLICATION_STATE_WITHDRAWN;
      break;
    default:
      return errors::InvalidArgument("action", "not set");
  }
  app.set_state(to);
  v1::Transition* t = app.add_history();
  t->set_from(from);
  t->set_to(to);
  t->set_action(action);
  t->set_by(ctx.actor_label);
  t->set_at_unix_ms(ctx.now_unix_ms);
  for (const std::string& r : reasons) {
    t->add_reasons(r);
  }
  return absl::OkStatus();
}

absl::Status CheckScoreAllowed(const v1::Application& app, v1::ScoreStage stage, Role role) {
  S needed = v1::APPLICATION_STATE_UNSPECIFIED;
  std::vector<Role> roles;
  switch (stage) {
    case v1::SCORE_STAGE_SELF:
      needed = v1::APPLICATION_STATE_DRAFT;
      roles = {Role::kEnterprise};
      break;
    case v1::SCORE_STAGE_PRELIMINARY:
      needed = v1::APPLICATION_STATE_PRELIMINARY_REVIEW;
      roles = {Role::kWaterAffairs};
      break;
    case v1::SCORE_STAGE_FINAL:
      needed = v1::APPLICATION_STATE_FINAL_REVIEW;
      roles = {Role::kWaterAffairs, Role::kIndustry};
      break;
    default:
      return errors::InvalidArgument("stage", "not set");
  }
  if (std::find(roles.begin(), roles.end(), role) == roles.end()) {
    return absl::PermissionDeniedError(absl::StrCat(
        "a ", RoleName(role), " caller may not file the ", v1::ScoreStage_Name(stage), " score"));
  }
  if (app.state() != needed) {
    return errors::InvalidArgument("stage",
                                   absl::StrCat(v1::ScoreStage_Name(stage), " is scored in ",
                                                v1::ApplicationState_Name(needed), ", not in ",
                                                v1::ApplicationState_Name(app.state())));
  }
  return absl::OkStatus();
}

domain::Date ValidUntil(const domain::Date& from, int years) {
  auto anniversary = domain::Date::Create(from.year() + years, from.month(), from.day());
  if (!anniversary.ok()) {  // 29 February in a common year
    anniversary = domain::Date::Create(from.year() + years, 3, 1);
  }
  return anniversary->Prev();
}

bool ValidOn(const v1::Title& title, const domain::Date& day) {
  if (title.status() != v1::TITLE_STATUS_ACTIVE &&
      title.status() != v1::TITLE_STATUS_UNDER_REVIEW) {
    return false;
  }
  return !(day < FromProto(title.valid_from())) && !(FromProto(title.valid_until()) < day);
}

v1::TitleStatus StatusOn(const v1::Title& title, const domain::Date& day) {
  if ((title.status() == v1::TITLE_STATUS_ACTIVE ||
       title.status() == v1::TITLE_STATUS_UNDER_REVIEW) &&
      FromProto(title.valid_until()) < day) {
    return v1::TITLE_STATUS_EXPIRED;
  }
  return title.status();
}

}  // namespace jieshui::certification
