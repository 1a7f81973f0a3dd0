#include "certification_flags.hpp"

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"

namespace jieshui::cli {
namespace {

namespace cert = ::jieshui::certification::v1;

TEST(CertificationFlagsTest, DatesAreRealDaysWrittenInFull) {
  auto day = ParseDateFlag("2028-02-29", "--on");
  ASSERT_TRUE(day.ok()) << day.status();
  EXPECT_EQ(day->year(), 2028);
  EXPECT_EQ(day->month(), 2);
  EXPECT_EQ(day->day(), 29);
  EXPECT_EQ(DateLabel(*day), "2028-02-29");
  EXPECT_EQ(DateLabel(common::v1::Date()), "");

  // 2026 is a common year; a month 13, a short form and trailing text are not days either.
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-1-05", "2026-01-05x", "", "today"}) {
    EXPECT_EQ(ParseDateFlag(bad, "--on").status().message(),
              absl::StrCat("--on: expected YYYY-MM-DD, e.g. 2026-12-02; got \"", bad, "\""))
        << bad;
  }
}

TEST(CertificationFlagsTest, LevelsByTheirWordsInAnyCase) {
  EXPECT_EQ(*ParseLevelFlag("district", "--level"), cert::LEVEL_DISTRICT);
  EXPECT_EQ(*ParseLevelFlag("municipal", "--level"), cert::LEVEL_MUNICIPAL);
  EXPECT_EQ(*ParseLevelFlag("Provincial", "--level"), cert::LEVEL_PROVINCIAL);
  EXPECT_EQ(*ParseLevelFlag("LEADER", "--level"), cert::LEVEL_LEADER);
  EXPECT_EQ(ParseLevelFlag("national", "--level").status().message(),
            "--level: expected district, municipal, provincial or leader; got \"national\"");
  EXPECT_EQ(ParseLevelFlag("", "--level").status().code(), absl::StatusCode::kInvalidArgument);
  // The enum's own spelling is not the operator's word.
  EXPECT_FALSE(ParseLevelFlag("LEVEL_DISTRICT", "--level").ok());

  EXPECT_EQ(LevelLabel(cert::LEVEL_PROVINCIAL), "provincial");
  EXPECT_EQ(LevelLabel(cert::LEVEL_UNSPECIFIED), "");
  EXPECT_EQ(LevelLabel(static_cast<cert::Level>(9)), "9");  // a value a newer server sends
}

TEST(CertificationFlagsTest, RecordKindsStatusesAndStatesPrintAsTyped) {
  EXPECT_EQ(*ParseRecordKindFlag("retrofit", "--kind"), cert::RECORD_KIND_RETROFIT_PROJECT);
  EXPECT_EQ(*ParseRecordKindFlag("contract", "--kind"), cert::RECORD_KIND_CONTRACT_PROJECT);
  EXPECT_EQ(*ParseRecordKindFlag("balance_test", "--kind"), cert::RECORD_KIND_BALANCE_TEST);
  EXPECT_EQ(RecordKindLabel(cert::RECORD_KIND_RETROFIT_PROJECT), "retrofit");
  EXPECT_EQ(RecordKindLabel(cert::RECORD_KIND_PARK), "park");
  EXPECT_EQ(ParseRecordKindFlag("test", "--kind").status().message(),
            "--kind: expected balance_test, audit, retrofit, contract, demonstration or park; "
            "got \"test\"");

  EXPECT_EQ(*ParseRecordStatusFlag("returned", "--status"), cert::RECORD_STATUS_RETURNED);
  EXPECT_EQ(RecordStatusLabel(cert::RECORD_STATUS_ACCEPTED), "accepted");
  EXPECT_EQ(ParseRecordStatusFlag("open", "--status").status().message(),
            "--status: expected submitted, accepted or returned; got \"open\"");

  EXPECT_EQ(*ParseApplicationStateFlag("public_notice", "--state"),
            cert::APPLICATION_STATE_PUBLIC_NOTICE);
  EXPECT_EQ(ApplicationStateLabel(cert::APPLICATION_STATE_FINAL_REVIEW), "final_review");
  EXPECT_EQ(ParseApplicationStateFlag("approved", "--state").status().message(),
            "--state: expected draft, submitted, preliminary_review, final_review, "
            "public_notice, granted, refused or withdrawn; got \"approved\"");
}

TEST(CertificationFlagsTest, AReviewAcceptsOrReturnsWithAReason) {
  auto accept = ParseRecordDecision(true, false, {});
  ASSERT_TRUE(accept.ok()) << accept.status();
  EXPECT_TRUE(accept->accept);
  EXPECT_TRUE(accept->reasons.empty());

  auto returned = ParseRecordDecision(false, true, {"缺少水平衡图", "", "测试期不足30天"});
  ASSERT_TRUE(returned.ok()) << returned.status();
  EXPECT_FALSE(returned->accept);
  // Empty reasons are dropped: the service counts only a reason with text.
  EXPECT_EQ(returned->reasons, (std::vector<std::string>{"缺少水平衡图", "测试期不足30天"}));

  EXPECT_EQ(ParseRecordDecision(false, false, {}).status().message(),
            "one of --accept or --return is required");
  EXPECT_EQ(ParseRecordDecision(true, true, {"x"}).status().message(),
            "give --accept or --return, not both");
  EXPECT_EQ(ParseRecordDecision(false, true, {}).status().message(),
            "--return needs --reason TEXT: a returned record says why");
  EXPECT_EQ(ParseRecordDecision(false, true, {""}).status().code(),
            absl::StatusCode::kInvalidArgument);
  // An acceptance may carry remarks.
  EXPECT_EQ(ParseRecordDecision(true, false, {"整改已完成"})->reasons.size(), 1u);
}

}  // namespace
}  // namespace jieshui::cli
