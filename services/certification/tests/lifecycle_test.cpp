// The application lifecycle and title validity, worked by hand.
#include "certification/src/core/lifecycle.hpp"

#include <gtest/gtest.h>

#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

domain::Date D(int y, int m, int d) { return *domain::Date::Create(y, m, d); }

ActContext As(Role role, domain::Date today, bool dual = false) {
  return ActContext{.role = role,
                    .actor_label = role == Role::kEnterprise ? "enterprise:e" : "dept:d",
                    .today = today,
                    .now_unix_ms = 1,
                    .pass_mark = 90,
                    .notice_days = 7,
                    .dual_approval = dual};
}

void AddSheet(v1::Application& app, v1::ScoreStage stage, int total) {
  v1::ScoreSheet* s = app.add_scores();
  s->set_stage(stage);
  s->set_total(total);
}

TEST(LifecycleTest, FromDraftToGrantedWithTwoApprovalsAndAnObjection) {
  v1::Application app;
  app.set_state(v1::APPLICATION_STATE_DRAFT);
  const domain::Date day = D(2026, 3, 2);
  // Submitting needs the self-score.
  EXPECT_EQ(ApplyAction(app, v1::ACTION_SUBMIT, {}, As(Role::kEnterprise, day)).code(),
            absl::StatusCode::kFailedPrecondition);
  AddSheet(app, v1::SCORE_STAGE_SELF, 95);
  ASSERT_TRUE(ApplyAction(app, v1::ACTION_SUBMIT, {}, As(Role::kEnterprise, day)).ok());
  // An enterprise cannot start its own review.
  EXPECT_EQ(ApplyAction(app, v1::ACTION_START_REVIEW, {}, As(Role::kEnterprise, day)).code(),
            absl::StatusCode::kPermissionDenied);
  ASSERT_TRUE(ApplyAction(app, v1::ACTION_START_REVIEW, {}, As(Role::kWaterAffairs, day)).ok());
  // A preliminary score of 89 is below the pass mark 90.
  AddSheet(app, v1::SCORE_STAGE_PRELIMINARY, 89);
  EXPECT_EQ(ApplyAction(app, v1::ACTION_PASS_PRELIMINARY, {}, As(Role::kWaterAffairs, day)).code(),
            absl::StatusCode::kFailedPrecondition);
  app.mutable_scores(1)->set_total(90);
  ASSERT_TRUE(ApplyAction(app, v1::ACTION_PASS_PRELIMINARY, {}, As(Role::kWaterAffairs, day)).ok());
  AddSheet(app, v1::SCORE_STAGE_FINAL, 92);
  // Dual approval: water_affairs alone keeps it in the final review.
  ASSERT_TRUE(
      ApplyAction(app, v1::ACTION_APPROVE_FINAL, {}, As(Role::kWaterAffairs, day, true)).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_FINAL_REVIEW);
  ASSERT_TRUE(ApplyAction(app, v1::ACTION_APPROVE_FINAL, {}, As(Role::kIndustry, day, true)).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_PUBLIC_NOTICE);
  // Seven days from 2026-03-02, that day included: the notice's last day is 2026-03-08.
  EXPECT_EQ(FromProto(app.notice_ends_on()), D(2026, 3, 8));
  // An objection reopens the final review and clears the approvals.
  EXPECT_EQ(ApplyAction(app, v1::ACTION_OBJECT, {}, As(Role::kIndustry, D(2026, 3, 4))).code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(
      ApplyAction(app, v1::ACTION_OBJECT, {"举报: 计量不全"}, As(Role::kIndustry, D(2026, 3, 4)))
          .ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_FINAL_REVIEW);
  EXPECT_EQ(app.approvals_size(), 0);
  const domain::Date again = D(2026, 3, 10);
  ASSERT_TRUE(
      ApplyAction(app, v1::ACTION_APPROVE_FINAL, {}, As(Role::kWaterAffairs, again, true)).ok());
  ASSERT_TRUE(
      ApplyAction(app, v1::ACTION_APPROVE_FINAL, {}, As(Role::kIndustry, again, true)).ok());
  EXPECT_EQ(FromProto(app.notice_ends_on()), D(2026, 3, 16));
  // Granting on the notice's last day is too early; the day after it works.
  EXPECT_EQ(ApplyAction(app, v1::ACTION_GRANT, {}, As(Role::kWaterAffairs, D(2026, 3, 16))).code(),
            absl::StatusCode::kFailedPrecondition);
  ASSERT_TRUE(ApplyAction(app, v1::ACTION_GRANT, {}, As(Role::kWaterAffairs, D(2026, 3, 17))).ok());
  EXPECT_EQ(app.state(), v1::APPLICATION_STATE_GRANTED);
  // Every transition is kept with who and when: submit, start, pass, approve (still final),
  // approve, object, approve, approve, grant.
  EXPECT_EQ(app.history_size(), 9);
  EXPECT_EQ(app.history(5).action(), v1::ACTION_OBJECT);
  EXPECT_EQ(app.history(5).reasons(0), "举报: 计量不全");
  // Nothing follows a grant.
  absl::Status late = ApplyAction(app, v1::ACTION_WITHDRAW, {}, As(Role::kEnterprise, again));
  EXPECT_EQ(late.code(), absl::StatusCode::kInvalidArgument);
  ASSERT_EQ(errors::FieldViolationsOf(late).size(), 1u);
  EXPECT_EQ(errors::FieldViolationsOf(late)[0].field, "action");
  EXPECT_EQ(app.history_size(), 9);
}

TEST(LifecycleTest, ScoresAreFiledByTheirOwnStageAndActor) {
  v1::Application app;
  app.set_state(v1::APPLICATION_STATE_DRAFT);
  EXPECT_TRUE(CheckScoreAllowed(app, v1::SCORE_STAGE_SELF, Role::kEnterprise).ok());
  EXPECT_EQ(CheckScoreAllowed(app, v1::SCORE_STAGE_PRELIMINARY, Role::kWaterAffairs).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(CheckScoreAllowed(app, v1::SCORE_STAGE_SELF, Role::kWaterAffairs).code(),
            absl::StatusCode::kPermissionDenied);
  app.set_state(v1::APPLICATION_STATE_FINAL_REVIEW);
  EXPECT_TRUE(CheckScoreAllowed(app, v1::SCORE_STAGE_FINAL, Role::kIndustry).ok());
}

TEST(ValidityTest, TheLastValidDayAndTheDayAfterAcrossAShanghaiMidnight) {
  // Five years from 2024-03-01: the anniversary is 2029-03-01, so the last valid day is
  // 2029-02-28. Two years from 2024-02-29: the anniversary in a common year is 2026-03-01, so
  // 2026-02-28.
  EXPECT_EQ(ValidUntil(D(2024, 3, 1), 5), D(2029, 2, 28));
  EXPECT_EQ(ValidUntil(D(2024, 2, 29), 2), D(2026, 2, 28));
  EXPECT_EQ(ValidUntil(D(2025, 1, 1), 5), D(2029, 12, 31));
  v1::Title t;
  t.set_status(v1::TITLE_STATUS_ACTIVE);
  *t.mutable_valid_from() = ToProto(D(2024, 3, 1));
  *t.mutable_valid_until() = ToProto(D(2029, 2, 28));
  // 2029-02-28T15:59:59Z is 23:59:59 on the 28th in Shanghai: still valid. One second later it is
  // midnight of 1 March in Shanghai (still the 28th in UTC): no longer valid.
  const absl::Time last_second =
      absl::FromCivil(absl::CivilSecond(2029, 2, 28, 15, 59, 59), absl::UTCTimeZone());
  EXPECT_EQ(domain::DateOf(last_second), D(2029, 2, 28));
  EXPECT_TRUE(ValidOn(t, domain::DateOf(last_second)));
  EXPECT_EQ(StatusOn(t, domain::DateOf(last_second)), v1::TITLE_STATUS_ACTIVE);
  const absl::Time midnight = last_second + absl::Seconds(1);
  EXPECT_EQ(domain::DateOf(midnight), D(2029, 3, 1));
  EXPECT_FALSE(ValidOn(t, domain::DateOf(midnight)));
  EXPECT_EQ(StatusOn(t, domain::DateOf(midnight)), v1::TITLE_STATUS_EXPIRED);
  // Before its first day, and once revoked, it is not valid either.
  EXPECT_FALSE(ValidOn(t, D(2024, 2, 29)));
  t.set_status(v1::TITLE_STATUS_REVOKED);
  EXPECT_FALSE(ValidOn(t, D(2025, 1, 1)));
}

}  // namespace
}  // namespace jieshui::certification
