#include "call.hpp"

#include <gtest/gtest.h>

namespace jieshui::tools {
namespace {

TEST(DescribeCallFailureTest, NamesCodeMessageTargetAndHint) {
  EXPECT_EQ(DescribeCallFailure(grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "missing API key"),
                                "127.0.0.1:50051"),
            "UNAUTHENTICATED: missing API key (target 127.0.0.1:50051); is JIESHUI_API_KEY set to "
            "a valid key?");
  EXPECT_EQ(
      DescribeCallFailure(grpc::Status(grpc::StatusCode::PERMISSION_DENIED, "read only"), "h:1"),
      "PERMISSION_DENIED: read only (target h:1); the key's principal may not make this call "
      "(see the service's README)");
  EXPECT_EQ(DescribeCallFailure(grpc::Status(grpc::StatusCode::NOT_FOUND, "no such meter"), "h:1"),
            "NOT_FOUND: no such meter (target h:1)");
}

TEST(MakeCallContextTest, RefusesAKeyThatCannotBeAHeaderValue) {
  auto context = MakeCallContext("bad key", std::chrono::seconds(5));
  ASSERT_FALSE(context.ok());
  EXPECT_EQ(context.status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_TRUE(MakeCallContext("good-key", std::chrono::seconds(5)).ok());
  EXPECT_TRUE(MakeCallContext("", std::chrono::seconds(5)).ok());
}

TEST(ReadWholeFileTest, MissingFileIsNotFoundAndNamesThePath) {
  auto text = ReadWholeFile("/nonexistent/jieshui/file.csv");
  ASSERT_FALSE(text.ok());
  EXPECT_EQ(text.status().code(), absl::StatusCode::kNotFound);
  EXPECT_NE(text.status().message().find("/nonexistent/jieshui/file.csv"), std::string::npos);
}

}  // namespace
}  // namespace jieshui::tools
