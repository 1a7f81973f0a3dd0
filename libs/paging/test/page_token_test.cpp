// Unit tests of page tokens and page sizes.
#include "paging/page_token.hpp"

#include <gtest/gtest.h>

namespace jieshui::paging {
namespace {

TEST(PageToken, RoundTripsTheLastKey) {
  const std::string token = EncodePageToken("town=木渎镇", "91350200776049653A");
  auto key = DecodePageToken(token, "town=木渎镇");
  ASSERT_TRUE(key.ok());
  EXPECT_EQ(*key, "91350200776049653A");
  EXPECT_EQ(*DecodePageToken("", "anything"), "");
}

TEST(PageToken, RefusesATokenOfAnotherQueryOrGarbage) {
  const std::string token = EncodePageToken("town=木渎镇", "91350200776049653A");
  auto other = DecodePageToken(token, "town=甪直镇");
  EXPECT_EQ(other.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_NE(other.status().message().find("page.page_token"), std::string::npos);
  EXPECT_EQ(DecodePageToken("not a token!", "q").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(DecodePageToken("cDIKYWJjCg", "q").status().code(), absl::StatusCode::kInvalidArgument);
}

TEST(PageSize, DefaultsAndBounds) {
  EXPECT_EQ(*PageSize(0, 50, 500), 50);
  EXPECT_EQ(*PageSize(500, 50, 500), 500);
  EXPECT_EQ(PageSize(501, 50, 500).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(PageSize(-1, 50, 500).status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jieshui::paging
