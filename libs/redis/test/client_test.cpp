// Integration tests against the local stack's Redis: commands, binary safety, pipelines, the pool's
// bounded wait and concurrent use. Every test works on its own keys (UniqueName).
#include "redis/client.hpp"

#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "testing/stack.hpp"

namespace jieshui::redis {

void PrintTo(const Reply& reply, std::ostream* out) { *out << reply.DebugString(); }

namespace {

using jieshui::testing::UniqueName;

Options StackOptions() {
  Options options;
  options.host = jieshui::testing::RedisHost();
  options.port = jieshui::testing::RedisPort();
  options.pool_size = 4;
  options.command_timeout = absl::Seconds(5);
  options.borrow_timeout = absl::Seconds(5);
  return options;
}

class ClientTest : public ::testing::Test {
 protected:
  void SetUp() override {
    absl::StatusOr<Client> client = Client::Create(StackOptions());
    ASSERT_TRUE(client.ok()) << client.status();
    client_.emplace(*std::move(client));
    ASSERT_TRUE(client_->Ping().ok()) << "is the local stack's Redis up? " << client_->Ping();
  }

  void TearDown() override {
    if (client_.has_value() && !keys_.empty()) {
      EXPECT_TRUE(client_->Del(keys_).ok());
    }
  }

  // A fresh key, deleted after the test.
  std::string Key(const std::string& what) {
    keys_.push_back(UniqueName(absl::StrCat("jieshui_redis_test_", what)));
    return keys_.back();
  }

  std::optional<Client> client_;
  std::vector<std::string> keys_;
};

TEST_F(ClientTest, SetThenGetReturnsTheValue) {
  const std::string key = Key("plain");
  ASSERT_TRUE(client_->Set(key, "1250 L").ok());
  absl::StatusOr<std::optional<std::string>> value = client_->Get(key);
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_EQ(*value, std::optional<std::string>("1250 L"));

  ASSERT_TRUE(client_->Set(key, "1300 L").ok());
  EXPECT_EQ(client_->Get(key).value(), std::optional<std::string>("1300 L"));
}

TEST_F(ClientTest, GetOfMissingKeyIsNullopt) {
  absl::StatusOr<std::optional<std::string>> value = client_->Get(Key("missing"));
  ASSERT_TRUE(value.ok()) << value.status();
  EXPECT_FALSE(value->has_value());
}

TEST_F(ClientTest, KeysAndValuesAreBinarySafe) {
  // Protocol-looking bytes in a key must not become a second command.
  static constexpr char kTail[] = "\r\n*1\r\n$8\r\nFLUSHALL\r\n\0 x";
  const std::string key = Key("bin") + std::string(kTail, sizeof(kTail) - 1);
  keys_.push_back(key);
  std::string value(70000, '\0');
  for (size_t i = 0; i < value.size(); ++i) {
    value[i] = static_cast<char>(i % 256);
  }
  ASSERT_TRUE(client_->Set(key, value).ok());
  EXPECT_EQ(client_->Get(key).value(), std::optional<std::string>(value));
  absl::StatusOr<Reply> strlen = client_->Command({"STRLEN", key});
  ASSERT_TRUE(strlen.ok());
  EXPECT_EQ(strlen->integer(), 70000);
}

TEST_F(ClientTest, SetWithTtlExpires) {
  const std::string key = Key("ttl");
  ASSERT_TRUE(client_->Set(key, "v", absl::Milliseconds(300)).ok());
  absl::StatusOr<Reply> pttl = client_->Command({"PTTL", key});
  ASSERT_TRUE(pttl.ok());
  EXPECT_GT(pttl->integer(), 0);
  EXPECT_LE(pttl->integer(), 300);
  EXPECT_TRUE(jieshui::testing::WaitFor([&] { return client_->Get(key).value() == std::nullopt; },
                                        std::chrono::seconds(5)));
}

TEST_F(ClientTest, InvalidTtlIsRejectedBeforeSending) {
  EXPECT_EQ(client_->Set(Key("badttl"), "v", absl::ZeroDuration()).code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Expire(Key("badttl"), absl::Microseconds(10)).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, DelCountsTheKeysThatExisted) {
  const std::string a = Key("del_a");
  const std::string b = Key("del_b");
  const std::string missing = Key("del_missing");
  ASSERT_TRUE(client_->Set(a, "1").ok());
  ASSERT_TRUE(client_->Set(b, "2").ok());
  EXPECT_EQ(client_->Del({a, b, missing}).value(), 2);
  EXPECT_EQ(client_->Del(a).value(), 0);
  EXPECT_EQ(client_->Get(b).value(), std::nullopt);
}

TEST_F(ClientTest, HSetAndHGetAllRoundTripTheMap) {
  const std::string key = Key("hash");
  const std::map<std::string, std::string> first = {
      {"plan_litres", "1200000"}, {"used_litres", "250000"}, {std::string("b\0in", 4), "\r\n"}};
  EXPECT_EQ(client_->HSet(key, first).value(), 3);
  // One field updated, one new: HSET counts only the new one.
  EXPECT_EQ(client_->HSet(key, {{"used_litres", "260000"}, {"alerts", "1"}}).value(), 1);

  std::map<std::string, std::string> expected = first;
  expected["used_litres"] = "260000";
  expected["alerts"] = "1";
  absl::StatusOr<std::map<std::string, std::string>> all = client_->HGetAll(key);
  ASSERT_TRUE(all.ok()) << all.status();
  EXPECT_EQ(*all, expected);
}

TEST_F(ClientTest, HGetAllOfMissingKeyIsEmptyAndEmptyHSetIsRejected) {
  EXPECT_TRUE(client_->HGetAll(Key("nohash")).value().empty());
  EXPECT_EQ(client_->HSet(Key("nohash"), {}).status().code(), absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, IncrCountsFromZero) {
  const std::string key = Key("counter");
  EXPECT_EQ(client_->Incr(key).value(), 1);
  EXPECT_EQ(client_->Incr(key).value(), 2);
  EXPECT_EQ(client_->Get(key).value(), std::optional<std::string>("2"));
}

TEST_F(ClientTest, ErrorRepliesMapToStatusCodes) {
  const std::string hash = Key("wrongtype");
  ASSERT_TRUE(client_->HSet(hash, {{"f", "v"}}).ok());
  absl::StatusOr<int64_t> wrong_type = client_->Incr(hash);
  EXPECT_EQ(wrong_type.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(wrong_type.status().message().find("WRONGTYPE"), absl::string_view::npos);

  const std::string text = Key("notanumber");
  ASSERT_TRUE(client_->Set(text, "abc").ok());
  EXPECT_EQ(client_->Incr(text).status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(client_->Get(hash).status().code(), absl::StatusCode::kFailedPrecondition);
}

TEST_F(ClientTest, ExpireReportsWhetherTheKeyExists) {
  const std::string key = Key("expire");
  EXPECT_FALSE(client_->Expire(key, absl::Seconds(10)).value());
  ASSERT_TRUE(client_->Set(key, "v").ok());
  EXPECT_TRUE(client_->Expire(key, absl::Seconds(10)).value());
  absl::StatusOr<Reply> ttl = client_->Command({"PTTL", key});
  ASSERT_TRUE(ttl.ok());
  EXPECT_GT(ttl->integer(), 9000);
  EXPECT_LE(ttl->integer(), 10000);
}

TEST_F(ClientTest, GenericCommandReturnsErrorRepliesAsValues) {
  absl::StatusOr<Reply> reply = client_->Command({"NO_SUCH_COMMAND", "x"});
  ASSERT_TRUE(reply.ok()) << reply.status();
  ASSERT_TRUE(reply->is_error());
  EXPECT_EQ(reply->str().rfind("ERR unknown command", 0), 0u) << reply->str();
  // The connection stays usable after an error reply.
  EXPECT_TRUE(client_->Ping().ok());
  EXPECT_EQ(client_->Command(std::vector<std::string>{}).status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST_F(ClientTest, PipelineOf10000CommandsKeepsOrder) {
  const std::string list = Key("pipe_list");
  const std::string counter = Key("pipe_counter");
  std::vector<Argv> commands;
  for (int i = 0; i < 10000; ++i) {
    if (i % 2 == 0) {
      commands.push_back({"RPUSH", list, absl::StrCat(i)});
    } else {
      commands.push_back({"INCR", counter});
    }
  }
  absl::StatusOr<std::vector<Reply>> replies = client_->Pipeline(commands);
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 10000u);
  for (int i = 0; i < 10000; ++i) {
    // RPUSH answers the new list length, INCR the new count: both i/2 + 1 at position i.
    ASSERT_EQ((*replies)[i], Reply::Integer(i / 2 + 1)) << "reply " << i;
  }
  absl::StatusOr<Reply> range = client_->Command({"LRANGE", list, "0", "-1"});
  ASSERT_TRUE(range.ok());
  ASSERT_EQ(range->elements().size(), 5000u);
  for (int i = 0; i < 5000; ++i) {
    ASSERT_EQ(range->elements()[i].str(), absl::StrCat(2 * i)) << "element " << i;
  }
}

TEST_F(ClientTest, PipelineKeepsErrorRepliesInPlace) {
  const std::string key = Key("pipe_err");
  const std::string hash = Key("pipe_hash");
  ASSERT_TRUE(client_->HSet(hash, {{"f", "v"}}).ok());
  absl::StatusOr<std::vector<Reply>> replies = client_->Pipeline(
      {{"SET", key, "7"}, {"INCR", hash}, {"GET", key}, {"GET", Key("pipe_missing")}});
  ASSERT_TRUE(replies.ok()) << replies.status();
  ASSERT_EQ(replies->size(), 4u);
  EXPECT_EQ((*replies)[0], Reply::Status("OK"));
  ASSERT_TRUE((*replies)[1].is_error());
  EXPECT_EQ((*replies)[1].str().rfind("WRONGTYPE", 0), 0u);
  EXPECT_EQ((*replies)[2], Reply::String("7"));
  EXPECT_EQ((*replies)[3], Reply::Nil());
  EXPECT_TRUE(client_->Pipeline({}).value().empty());
}

TEST_F(ClientTest, LeaseKeepsOneConnectionAndThePoolReusesIt) {
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(StackOptions());
  ASSERT_TRUE(pool.ok());
  int64_t first_id = 0;
  {
    absl::StatusOr<Lease> lease = (*pool)->Borrow();
    ASSERT_TRUE(lease.ok()) << lease.status();
    first_id = lease->Command({"CLIENT", "ID"}).value().integer();
    EXPECT_EQ(lease->Command({"CLIENT", "ID"}).value().integer(), first_id);
  }
  absl::StatusOr<Lease> again = (*pool)->Borrow();
  ASSERT_TRUE(again.ok());
  EXPECT_EQ(again->Command({"CLIENT", "ID"}).value().integer(), first_id);
  EXPECT_EQ((*pool)->stats().dial_attempts, 1);
}

TEST_F(ClientTest, BorrowTimesOutWhenEveryConnectionIsLeased) {
  Options options = StackOptions();
  options.pool_size = 2;
  options.borrow_timeout = absl::Milliseconds(150);
  absl::StatusOr<std::unique_ptr<ConnectionPool>> pool = ConnectionPool::Create(options);
  ASSERT_TRUE(pool.ok());
  absl::StatusOr<Lease> a = (*pool)->Borrow();
  absl::StatusOr<Lease> b = (*pool)->Borrow();
  ASSERT_TRUE(a.ok() && b.ok());

  const absl::Time start = absl::Now();
  absl::StatusOr<Lease> c = (*pool)->Borrow();
  const absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(c.status().code(), absl::StatusCode::kResourceExhausted) << c.status();
  EXPECT_GE(waited, absl::Milliseconds(150));
  EXPECT_LT(waited, absl::Seconds(2));
  EXPECT_EQ((*pool)->stats().leased, 2);

  // A borrower waiting in another thread gets the connection as soon as one lease ends.
  std::atomic<bool> borrowed{false};
  std::thread waiter([&] {
    absl::StatusOr<Lease> d = (*pool)->Borrow(absl::Seconds(10));
    borrowed = d.ok() && d->Command({"PING"}).ok();
  });
  { Lease released = *std::move(a); }
  waiter.join();
  EXPECT_TRUE(borrowed);
  EXPECT_EQ((*pool)->stats().leased, 1);
}

TEST_F(ClientTest, EightThreadsShareAPoolOfFour) {
  const std::string counter = Key("shared_counter");
  constexpr int kThreads = 8;
  constexpr int kRounds = 250;
  std::vector<std::string> own_keys;
  own_keys.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    own_keys.push_back(Key(absl::StrCat("thread_", t)));
  }
  std::atomic<int> failures{0};
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kRounds; ++i) {
        const std::string value = absl::StrCat(t, ":", i);
        if (!client_->Incr(counter).ok() || !client_->Set(own_keys[t], value).ok() ||
            client_->Get(own_keys[t]).value_or(std::nullopt) != value) {
          ++failures;
        }
      }
    });
  }
  for (std::thread& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(client_->Get(counter).value(),
            std::optional<std::string>(absl::StrCat(kThreads * kRounds)));
  const PoolStats stats = client_->pool().stats();
  EXPECT_LE(stats.dial_attempts, 4);  // never more connections than the pool holds
  EXPECT_EQ(stats.discarded, 0);
  EXPECT_EQ(stats.leased, 0);
}

}  // namespace
}  // namespace jieshui::redis
