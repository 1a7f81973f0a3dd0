#include "redis/reply.hpp"

#include <hiredis/hiredis.h>

#include <string>

#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "redis/options.hpp"

namespace jieshui::redis {
namespace {

// Parses RESP bytes with hiredis' own reader (the parser the pool uses), converts the result and
// frees the hiredis reply before returning, so the Reply is checked after its source is gone.
absl::StatusOr<Reply> Parse(const std::string& resp) {
  redisReader* reader = redisReaderCreate();
  EXPECT_EQ(redisReaderFeed(reader, resp.data(), resp.size()), REDIS_OK);
  void* raw = nullptr;
  EXPECT_EQ(redisReaderGetReply(reader, &raw), REDIS_OK) << reader->errstr;
  redisReaderFree(reader);
  if (raw == nullptr) {
    return absl::InternalError("incomplete reply in test input");
  }
  absl::StatusOr<Reply> reply = ConvertReply(static_cast<redisReply*>(raw));
  freeReplyObject(raw);
  return reply;
}

TEST(ConvertReplyTest, NilBulkStringAndNilArrayAreNil) {
  EXPECT_EQ(Parse("$-1\r\n").value(), Reply::Nil());
  EXPECT_EQ(Parse("*-1\r\n").value(), Reply::Nil());
}

TEST(ConvertReplyTest, Integers) {
  EXPECT_EQ(Parse(":-42\r\n")->integer(), -42);
  EXPECT_EQ(Parse(":9223372036854775807\r\n")->integer(), INT64_MAX);
}

TEST(ConvertReplyTest, StatusAndErrorKeepTheirTypeAndText) {
  absl::StatusOr<Reply> ok = Parse("+OK\r\n");
  ASSERT_TRUE(ok.ok());
  EXPECT_TRUE(ok->is_status());
  EXPECT_EQ(ok->str(), "OK");

  absl::StatusOr<Reply> error = Parse("-WRONGTYPE Operation against a key\r\n");
  ASSERT_TRUE(error.ok());
  EXPECT_TRUE(error->is_error());
  EXPECT_EQ(error->str(), "WRONGTYPE Operation against a key");
}

TEST(ConvertReplyTest, BulkStringsAreBinarySafe) {
  const std::string bytes("a\0\r\nb", 5);
  absl::StatusOr<Reply> reply = Parse(std::string("$5\r\n") + bytes + "\r\n");
  ASSERT_TRUE(reply.ok());
  ASSERT_TRUE(reply->is_string());
  EXPECT_EQ(reply->str(), bytes);
  EXPECT_EQ(Parse("$0\r\n\r\n").value(), Reply::String(""));
}

TEST(ConvertReplyTest, NestedArraysKeepOrderAndTypes) {
  absl::StatusOr<Reply> reply = Parse("*4\r\n:1\r\n*2\r\n$1\r\nx\r\n$-1\r\n+OK\r\n*0\r\n");
  ASSERT_TRUE(reply.ok());
  EXPECT_EQ(*reply,
            Reply::Array({Reply::Integer(1), Reply::Array({Reply::String("x"), Reply::Nil()}),
                          Reply::Status("OK"), Reply::Array({})}));
  EXPECT_EQ(reply->DebugString(), "[(integer) 1, [\"x\", (nil)], (status) OK, []]");
}

TEST(ConvertReplyTest, StatusStringAndErrorWithSameTextDiffer) {
  EXPECT_NE(Reply::Status("OK"), Reply::String("OK"));
  EXPECT_NE(Reply::Error("OK"), Reply::String("OK"));
}

TEST(ConvertReplyTest, NullAndUnknownTypesAreInternal) {
  EXPECT_EQ(ConvertReply(nullptr).status().code(), absl::StatusCode::kInternal);
  redisReply odd{};
  odd.type = 99;
  absl::Status status = ConvertReply(&odd).status();
  EXPECT_EQ(status.code(), absl::StatusCode::kInternal);
  EXPECT_NE(status.message().find("99"), absl::string_view::npos) << status;
}

TEST(ReplyDeathTest, AccessorOnWrongTypeAborts) {
  EXPECT_DEATH((void)Reply::Nil().integer(), "integer\\(\\) called on a nil reply");
  EXPECT_DEATH((void)Reply::Integer(1).str(), "str\\(\\) called on a integer reply");
}

TEST(ErrorReplyToStatusTest, MapsRedisErrorPrefixes) {
  struct Case {
    const char* error;
    absl::StatusCode code;
  };
  const Case cases[] = {
      {"WRONGTYPE Operation against a key holding the wrong kind of value",
       absl::StatusCode::kFailedPrecondition},
      {"NOAUTH Authentication required.", absl::StatusCode::kUnauthenticated},
      {"WRONGPASS invalid username-password pair", absl::StatusCode::kUnauthenticated},
      {"NOPERM this user has no permissions", absl::StatusCode::kPermissionDenied},
      {"OOM command not allowed when used memory > 'maxmemory'.",
       absl::StatusCode::kResourceExhausted},
      {"LOADING Redis is loading the dataset in memory", absl::StatusCode::kUnavailable},
      {"BUSY Redis is busy running a script.", absl::StatusCode::kUnavailable},
      {"READONLY You can't write against a read only replica.", absl::StatusCode::kUnavailable},
      {"ERR unknown command 'FOO'", absl::StatusCode::kInvalidArgument},
      {"ERR value is not an integer or out of range", absl::StatusCode::kInvalidArgument},
  };
  for (const Case& c : cases) {
    absl::Status status = ErrorReplyToStatus("CMD", c.error);
    EXPECT_EQ(status.code(), c.code) << c.error;
    EXPECT_EQ(status.message(), std::string("redis CMD: ") + c.error);
  }
}

TEST(OptionsTest, DefaultsAreValid) { EXPECT_TRUE(ValidateOptions(Options{}).ok()); }

TEST(OptionsTest, RejectsOutOfRangeFieldsNamingThem) {
  auto expect_invalid = [](const Options& options, absl::string_view field) {
    absl::Status status = ValidateOptions(options);
    EXPECT_EQ(status.code(), absl::StatusCode::kInvalidArgument) << field;
    EXPECT_NE(status.message().find(field), absl::string_view::npos) << status;
  };
  Options o;
  o.host = "";
  expect_invalid(o, "host");
  o = Options{};
  o.port = 70000;
  expect_invalid(o, "port");
  o = Options{};
  o.pool_size = 0;
  expect_invalid(o, "pool_size");
  o = Options{};
  o.connect_timeout = absl::ZeroDuration();
  expect_invalid(o, "connect_timeout");
  o = Options{};
  o.command_timeout = absl::Milliseconds(-1);
  expect_invalid(o, "command_timeout");
  o = Options{};
  o.db = -1;
  expect_invalid(o, "db");
  o = Options{};
  o.username = "reader";
  expect_invalid(o, "username");
  o = Options{};
  o.reconnect_backoff_max = absl::Milliseconds(1);
  expect_invalid(o, "reconnect_backoff");
}

TEST(ReconnectBackoffTest, DoublesFromInitialUpToMax) {
  Options o;
  o.reconnect_backoff_initial = absl::Milliseconds(50);
  o.reconnect_backoff_max = absl::Seconds(2);
  EXPECT_EQ(ReconnectBackoff(o, 0), absl::ZeroDuration());
  EXPECT_EQ(ReconnectBackoff(o, 1), absl::Milliseconds(50));
  EXPECT_EQ(ReconnectBackoff(o, 2), absl::Milliseconds(100));
  EXPECT_EQ(ReconnectBackoff(o, 3), absl::Milliseconds(200));
  EXPECT_EQ(ReconnectBackoff(o, 6), absl::Milliseconds(1600));
  EXPECT_EQ(ReconnectBackoff(o, 7), absl::Seconds(2));
  EXPECT_EQ(ReconnectBackoff(o, 1000000), absl::Seconds(2));
}

}  // namespace
}  // namespace jieshui::redis
