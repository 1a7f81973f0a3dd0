// Integration tests against private redis-server processes: the pool after a server restart, a
// paused server (timeouts), an unreachable port (fail fast, no hammering), AUTH and SELECT.
#include <signal.h>

#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "absl/strings/match.h"
#include "absl/time/clock.h"
#include "gtest/gtest.h"
#include "redis/client.hpp"
#include "redis_server.hpp"
#include "testing/stack.hpp"

namespace jieshui::redis {

void PrintTo(const Reply& reply, std::ostream* out) { *out << reply.DebugString(); }

namespace {

using jieshui::redis::testing::RedisServerProcess;
using jieshui::testing::UniqueName;
using jieshui::testing::WaitFor;

std::unique_ptr<RedisServerProcess> StartServer(std::vector<std::string> args = {}) {
  absl::StatusOr<std::unique_ptr<RedisServerProcess>> server =
      RedisServerProcess::Start(std::move(args));
  EXPECT_TRUE(server.ok()) << server.status();
  return server.ok() ? *std::move(server) : nullptr;
}

Options OptionsFor(int port) {
  Options options;
  options.host = "127.0.0.1";
  options.port = port;
  options.pool_size = 4;
  options.connect_timeout = absl::Milliseconds(500);
  options.command_timeout = absl::Milliseconds(500);
  options.borrow_timeout = absl::Seconds(2);
  options.reconnect_backoff_initial = absl::Milliseconds(20);
  options.reconnect_backoff_max = absl::Milliseconds(200);
  return options;
}

Client MakeClient(const Options& options) {
  absl::StatusOr<Client> client = Client::Create(options);
  if (!client.ok()) {
    ADD_FAILURE() << client.status();
    std::abort();
  }
  return *std::move(client);
}

// Fills the pool with `n` open connections by holding n leases at once.
void OpenConnections(ConnectionPool& pool, int n) {
  std::vector<Lease> leases;
  for (int i = 0; i < n; ++i) {
    absl::StatusOr<Lease> lease = pool.Borrow();
    ASSERT_TRUE(lease.ok()) << lease.status();
    ASSERT_TRUE(lease->Command({"PING"}).ok());
    leases.push_back(*std::move(lease));
  }
}

TEST(ResilienceTest, FirstCommandAfterAQuickRestartSucceeds) {
  std::unique_ptr<RedisServerProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  Client client = MakeClient(OptionsFor(server->port()));
  OpenConnections(client.pool(), 4);
  ASSERT_EQ(client.pool().stats().idle, 4);
  const std::string key = UniqueName("restart_counter");
  ASSERT_EQ(client.Incr(key).value(), 1);

  ASSERT_TRUE(server->Stop().ok());
  ASSERT_TRUE(server->Restart().ok());

  // Every pooled connection belongs to the dead server. The pool sees that before sending (the
  // socket reads EOF) and redials, so even a non-idempotent INCR succeeds on the first try, and
  // counts from 0 again because the new server has no data (persistence is off).
  EXPECT_EQ(client.Incr(key).value(), 1);
  OpenConnections(client.pool(), 4);
  const PoolStats stats = client.pool().stats();
  EXPECT_EQ(stats.discarded, 4);
  EXPECT_EQ(stats.dial_failures, 0);
  EXPECT_EQ(stats.idle, 4);
}

TEST(ResilienceTest, PoolWorksAgainAfterTheServerWasDown) {
  std::unique_ptr<RedisServerProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  Client client = MakeClient(OptionsFor(server->port()));
  OpenConnections(client.pool(), 4);
  const std::string key = UniqueName("restart_key");
  ASSERT_TRUE(client.Set(key, "before").ok());

  ASSERT_TRUE(server->Stop().ok());
  // While the server is down every command fails with UNAVAILABLE, quickly.
  for (int i = 0; i < 5; ++i) {
    const absl::Time start = absl::Now();
    absl::StatusOr<std::optional<std::string>> value = client.Get(key);
    EXPECT_EQ(value.status().code(), absl::StatusCode::kUnavailable) << value.status();
    EXPECT_LT(absl::Now() - start, absl::Seconds(1));
  }
  EXPECT_EQ(client.Set(key, "x").code(), absl::StatusCode::kUnavailable);
  EXPECT_EQ(client.Pipeline({{"PING"}}).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_GE(client.pool().stats().dial_failures, 1);

  ASSERT_TRUE(server->Restart().ok());
  // The reconnect backoff may turn the first calls away; within a bounded time they succeed.
  EXPECT_TRUE(WaitFor([&] { return client.Ping().ok(); }, std::chrono::seconds(5)));
  EXPECT_EQ(client.Get(key).value(), std::nullopt);  // a new, empty server
  ASSERT_TRUE(client.Set(key, "after").ok());
  EXPECT_EQ(client.Get(key).value(), std::optional<std::string>("after"));
  // All four slots work again, concurrently.
  OpenConnections(client.pool(), 4);
}

TEST(ResilienceTest, CommandsTimeOutAgainstAPausedServerAndRecover) {
  std::unique_ptr<RedisServerProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  Options options = OptionsFor(server->port());
  options.command_timeout = absl::Milliseconds(200);
  Client client = MakeClient(options);
  const std::string key = UniqueName("paused");
  ASSERT_TRUE(client.Set(key, "v").ok());

  server->Pause();
  const int64_t dials_before = client.pool().stats().dial_attempts;
  absl::Time start = absl::Now();
  absl::StatusOr<std::optional<std::string>> value = client.Get(key);
  absl::Duration waited = absl::Now() - start;
  EXPECT_EQ(value.status().code(), absl::StatusCode::kUnavailable) << value.status();
  EXPECT_TRUE(absl::StrContains(value.status().message(), "timed out")) << value.status();
  EXPECT_GE(waited, absl::Milliseconds(190));
  EXPECT_LT(waited, absl::Seconds(2));
  // Timeouts are not retried (a retry would have dialled a new connection).
  EXPECT_EQ(client.pool().stats().dial_attempts, dials_before);

  std::vector<Argv> batch(100, Argv{"GET", key});
  start = absl::Now();
  EXPECT_EQ(client.Pipeline(batch).status().code(), absl::StatusCode::kUnavailable);
  EXPECT_LT(absl::Now() - start, absl::Seconds(2));

  server->Resume();
  EXPECT_TRUE(WaitFor([&] { return client.Ping().ok(); }, std::chrono::seconds(5)));
  EXPECT_EQ(client.Get(key).value(), std::optional<std::string>("v"));
  EXPECT_EQ(client.Pipeline(batch).value(), std::vector<Reply>(100, Reply::String("v")));
  EXPECT_GE(client.pool().stats().discarded, 2);  // the timed-out connections were not reused
}

TEST(ResilienceTest, UnreachableServerFailsFastWithoutHammering) {
  // A port nobody listens on: start a server, note its port, stop it.
  std::unique_ptr<RedisServerProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  ASSERT_TRUE(server->Stop().ok());

  Options options = OptionsFor(server->port());
  options.reconnect_backoff_initial = absl::Milliseconds(50);
  options.reconnect_backoff_max = absl::Milliseconds(400);
  // Creating the client dials nothing: a service starts while Redis is down.
  Client client = MakeClient(options);
  EXPECT_EQ(client.pool().stats().dial_attempts, 0);

  int calls = 0;
  const absl::Time start = absl::Now();
  while (absl::Now() - start < absl::Milliseconds(500)) {
    absl::Status status = client.Ping();
    ASSERT_EQ(status.code(), absl::StatusCode::kUnavailable) << status;
    ++calls;
  }
  // Dials at about 0, 50, 150, 350 ms (backoff 50, 100, 200, 400 ms); every other call is turned
  // away without touching the network.
  const PoolStats stats = client.pool().stats();
  EXPECT_GE(stats.dial_attempts, 3);
  EXPECT_LE(stats.dial_attempts, 6);
  EXPECT_EQ(stats.dial_failures, stats.dial_attempts);
  EXPECT_GT(calls, 50);
  EXPECT_EQ(stats.leased, 0);
}

TEST(ResilienceTest, PasswordAndDatabaseAreApplied) {
  std::unique_ptr<RedisServerProcess> server = StartServer({"--requirepass", "s3cret pass"});
  ASSERT_NE(server, nullptr);
  Options options = OptionsFor(server->port());

  Client anonymous = MakeClient(options);
  EXPECT_EQ(anonymous.Ping().code(), absl::StatusCode::kUnauthenticated) << anonymous.Ping();

  options.password = "wrong";
  Client wrong = MakeClient(options);
  absl::Status denied = wrong.Ping();
  EXPECT_EQ(denied.code(), absl::StatusCode::kUnauthenticated) << denied;
  EXPECT_FALSE(absl::StrContains(denied.message(), "wrong")) << "password leaked: " << denied;

  options.password = "s3cret pass";
  options.db = 3;
  Client db3 = MakeClient(options);
  options.db = 0;
  Client db0 = MakeClient(options);
  const std::string key = UniqueName("db_key");
  ASSERT_TRUE(db3.Set(key, "in db 3").ok());
  EXPECT_EQ(db3.Get(key).value(), std::optional<std::string>("in db 3"));
  EXPECT_EQ(db0.Get(key).value(), std::nullopt);

  options.db = 99;
  Client out_of_range = MakeClient(options);
  EXPECT_EQ(out_of_range.Ping().code(), absl::StatusCode::kInvalidArgument);
}

TEST(ResilienceTest, ServerKilledDuringALargePipelineFailsTheBatch) {
  std::unique_ptr<RedisServerProcess> server = StartServer();
  ASSERT_NE(server, nullptr);
  Options options = OptionsFor(server->port());
  options.command_timeout = absl::Seconds(5);
  Client client = MakeClient(options);
  ASSERT_TRUE(client.Ping().ok());

  // 64 MiB of SETs: the server dies while the batch is still being written or read, so hiredis
  // writes into a reset connection (ECONNRESET/EPIPE; a SIGPIPE must not end the process).
  const std::string value(std::size_t{64} * 1024, 'x');
  std::vector<Argv> batch;
  batch.reserve(1024);
  for (int i = 0; i < 1024; ++i) {
    batch.push_back({"SET", absl::StrCat("big_", i), value});
  }
  absl::StatusOr<std::vector<Reply>> result;
  std::thread sender([&] { result = client.Pipeline(batch); });
  // Kill the server (SIGKILL) once it has applied part of the batch, i.e. mid-pipeline.
  Client observer = MakeClient(options);
  EXPECT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<Reply> size = observer.Command({"DBSIZE"});
        return size.ok() && size->is_integer() && size->integer() > 0;
      },
      std::chrono::seconds(10), std::chrono::milliseconds(1)));
  server.reset();
  sender.join();
  if (result.ok()) {
    GTEST_SKIP() << "the pipeline finished before the server died";
  }
  EXPECT_EQ(result.status().code(), absl::StatusCode::kUnavailable) << result.status();
  EXPECT_EQ(client.pool().stats().leased, 0);
}

}  // namespace
}  // namespace jieshui::redis
