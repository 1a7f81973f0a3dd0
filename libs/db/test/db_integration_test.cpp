// Against the real local PostgreSQL (and Kafka for the outbox): deploy/local/stack.sh start.
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <set>

#include "db/idempotent.hpp"
#include "db/migrations.hpp"
#include "db/outbox.hpp"
#include "db/pool.hpp"
#include "gtest/gtest.h"
#include "jieshui/common/v1/types.pb.h"
#include "kafka/admin.hpp"
#include "kafka/consumer.hpp"
#include "kafka/consumer_loop.hpp"
#include "kafka/envelope.hpp"
#include "testing/child_process.hpp"
#include "testing/stack.hpp"

namespace jieshui::db {
namespace {

using jieshui::testing::ChildProcess;
using jieshui::testing::PostgresUri;
using jieshui::testing::UniqueName;
using jieshui::testing::WaitFor;

class DbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    PoolOptions options;
    options.uri = PostgresUri();
    options.size = 4;
    options.acquire_timeout = std::chrono::milliseconds(500);
    // A name of its own, so a test that kills its pool's backends never kills another test's
    // (ctest runs them side by side).
    options.application_name = UniqueName("jieshui_test");
    auto pool = ConnectionPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = std::move(*pool);
    schema_ = UniqueName("test_db");
  }

  void TearDown() override {
    if (pool_) {
      (void)pool_->InTransaction([&](pqxx::work& tx) {
        tx.exec("DROP SCHEMA IF EXISTS " + QuoteIdent(schema_) + " CASCADE");
        return absl::OkStatus();
      });
    }
  }

  int64_t Count(const std::string& sql) {
    int64_t n = -1;
    EXPECT_TRUE(pool_
                    ->InTransaction([&](pqxx::work& tx) {
                      n = tx.exec(sql)[0][0].as<int64_t>();
                      return absl::OkStatus();
                    })
                    .ok());
    return n;
  }

  std::string T(const std::string& table) { return QuoteIdent(schema_) + "." + table; }

  std::unique_ptr<ConnectionPool> pool_;
  std::string schema_;
};

std::vector<Migration> TwoMigrations() {
  return {{1, "create_enterprises",
           "CREATE TABLE enterprises (uscc text PRIMARY KEY, name text NOT NULL);"},
          {2, "add_town", "ALTER TABLE enterprises ADD COLUMN town text;"}};
}

TEST_F(DbTest, MigrationsApplyOnceAndASecondRunChangesNothing) {
  auto first = ApplyMigrations(*pool_, schema_, TwoMigrations());
  ASSERT_TRUE(first.ok()) << first.status();
  EXPECT_EQ(first->applied, (std::vector<int>{1, 2}));
  EXPECT_EQ(first->current_version, 2);
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec("INSERT INTO " + T("enterprises") +
                            " VALUES ('91350200776049653A', 'Test', 'Mudu')");
                    return absl::OkStatus();
                  })
                  .ok());

  auto second = ApplyMigrations(*pool_, schema_, TwoMigrations());
  ASSERT_TRUE(second.ok()) << second.status();
  EXPECT_TRUE(second->applied.empty());
  EXPECT_EQ(second->current_version, 2);
  EXPECT_EQ(Count("SELECT count(*) FROM " + T("schema_migrations")), 2);
  EXPECT_EQ(Count("SELECT count(*) FROM " + T("enterprises")), 1);
}

TEST_F(DbTest, AChangedMigrationIsRefused) {
  ASSERT_TRUE(ApplyMigrations(*pool_, schema_, TwoMigrations()).ok());
  auto changed = TwoMigrations();
  changed[1].sql = "ALTER TABLE enterprises ADD COLUMN street text;";
  auto result = ApplyMigrations(*pool_, schema_, changed);
  EXPECT_EQ(result.status().code(), absl::StatusCode::kFailedPrecondition);
  EXPECT_NE(result.status().message().find("2_add_town"), std::string::npos);
}

TEST_F(DbTest, AFailingMigrationLeavesTheSchemaAsItWas) {
  ASSERT_TRUE(ApplyMigrations(*pool_, schema_, {TwoMigrations()[0]}).ok());
  auto broken = TwoMigrations();
  broken.push_back({3, "broken", "ALTER TABLE no_such_table ADD COLUMN x int;"});
  EXPECT_FALSE(ApplyMigrations(*pool_, schema_, broken).ok());
  // Neither 2 nor 3 was recorded, and 2's column does not exist.
  EXPECT_EQ(Count("SELECT max(version) FROM " + T("schema_migrations")), 1);
  EXPECT_EQ(Count("SELECT count(*) FROM information_schema.columns WHERE table_schema = '" +
                  schema_ + "' AND column_name = 'town'"),
            0);
}

TEST_F(DbTest, MigrationsLoadFromNumberedFilesInOrder) {
  auto dir = std::filesystem::temp_directory_path() / UniqueName("migrations");
  std::filesystem::create_directories(dir);
  std::ofstream(dir / "0002_add_town.sql") << "ALTER TABLE enterprises ADD COLUMN town text;";
  std::ofstream(dir / "0001_create.sql") << "CREATE TABLE enterprises (uscc text PRIMARY KEY);";
  std::ofstream(dir / "README.txt") << "not a migration";
  auto loaded = LoadMigrations(dir.string());
  ASSERT_TRUE(loaded.ok()) << loaded.status();
  ASSERT_EQ(loaded->size(), 2u);
  EXPECT_EQ((*loaded)[0].version, 1);
  EXPECT_EQ((*loaded)[1].name, "add_town");
  std::ofstream(dir / "0002_again.sql") << "SELECT 1;";
  EXPECT_EQ(LoadMigrations(dir.string()).status().code(), absl::StatusCode::kInvalidArgument);
  std::filesystem::remove_all(dir);
}

TEST_F(DbTest, TransactionsCommitOnOkAndRollBackOtherwiseWithMappedErrors) {
  ASSERT_TRUE(ApplyMigrations(*pool_, schema_, TwoMigrations()).ok());
  const std::string insert = "INSERT INTO " + T("enterprises") + " (uscc, name) VALUES ";
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec(insert + "('A', 'a')");
                    return absl::OkStatus();
                  })
                  .ok());
  absl::Status refused = pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec(insert + "('B', 'b')");
    return absl::InvalidArgumentError("name: too short");
  });
  EXPECT_EQ(refused.code(), absl::StatusCode::kInvalidArgument);
  absl::Status duplicate = pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec(insert + "('C', 'c')");
    tx.exec(insert + "('A', 'again')");
    return absl::OkStatus();
  });
  EXPECT_EQ(duplicate.code(), absl::StatusCode::kAlreadyExists);
  absl::Status not_null = pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec(insert + "('D', NULL)");
    return absl::OkStatus();
  });
  EXPECT_EQ(not_null.code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(Count("SELECT count(*) FROM " + T("enterprises")), 1);
}

TEST_F(DbTest, PoolWaitsThenReportsExhaustionAndHealsAfterAKilledConnection) {
  std::vector<Lease> held;
  for (int i = 0; i < 4; ++i) {
    auto lease = pool_->Acquire();
    ASSERT_TRUE(lease.ok()) << lease.status();
    held.push_back(std::move(*lease));
  }
  EXPECT_EQ(pool_->Acquire().status().code(), absl::StatusCode::kResourceExhausted);
  // Kill every other backend of this pool from one held connection: the pool must heal.
  {
    pqxx::nontransaction tx(*held[0]);
    tx.exec(
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE application_name = "
        "current_setting('application_name') AND pid <> pg_backend_pid() AND "
        "datname = current_database() AND state = 'idle'");
  }
  held.clear();
  int ok = 0;
  for (int i = 0; i < 8; ++i) {
    absl::Status s = pool_->InTransaction([](pqxx::work& tx) {
      tx.exec("SELECT 1");
      return absl::OkStatus();
    });
    if (s.ok()) {
      ++ok;
    } else {
      EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable) << s;
    }
  }
  // Each killed connection fails at most once, then is replaced.
  EXPECT_GE(ok, 4);
  EXPECT_TRUE(pool_
                  ->InTransaction([](pqxx::work& tx) {
                    tx.exec("SELECT 1");
                    return absl::OkStatus();
                  })
                  .ok());
}

TEST_F(DbTest, ApplyOnceRunsTheEffectOncePerEventId) {
  ASSERT_TRUE(EnsureConsumerTables(*pool_, schema_).ok());
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec("CREATE TABLE " + T("totals") + " (n bigint NOT NULL)");
                    tx.exec("INSERT INTO " + T("totals") + " VALUES (0)");
                    return absl::OkStatus();
                  })
                  .ok());
  auto add = [&](pqxx::work& tx) {
    tx.exec("UPDATE " + T("totals") + " SET n = n + 5");
    return absl::OkStatus();
  };
  EXPECT_EQ(*ApplyOnce(*pool_, schema_, "c1", "event-1", add), true);
  EXPECT_EQ(*ApplyOnce(*pool_, schema_, "c1", "event-1", add), false);
  EXPECT_EQ(*ApplyOnce(*pool_, schema_, "c2", "event-1", add), true);  // another consumer
  // A failed effect records nothing: the event can be applied later.
  auto failing = [](pqxx::work&) { return absl::UnavailableError("downstream"); };
  EXPECT_FALSE(ApplyOnce(*pool_, schema_, "c1", "event-2", failing).ok());
  EXPECT_EQ(*ApplyOnce(*pool_, schema_, "c1", "event-2", add), true);
  EXPECT_EQ(Count("SELECT n FROM " + T("totals")), 15);
}

TEST_F(DbTest, OffsetsStoredWithTheEffectNeverMoveBack) {
  ASSERT_TRUE(EnsureConsumerTables(*pool_, schema_).ok());
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    EXPECT_FALSE(OffsetApplied(tx, schema_, "c", "t", 0, 0));
                    StoreNextOffset(tx, schema_, "c", "t", 0, 10);
                    StoreNextOffset(tx, schema_, "c", "t", 0, 7);  // a late, older batch
                    StoreNextOffset(tx, schema_, "c", "t", 1, 3);
                    EXPECT_TRUE(OffsetApplied(tx, schema_, "c", "t", 0, 9));
                    EXPECT_FALSE(OffsetApplied(tx, schema_, "c", "t", 0, 10));
                    return absl::OkStatus();
                  })
                  .ok());
  auto offsets = LoadNextOffsets(*pool_, schema_, "c", "t");
  ASSERT_TRUE(offsets.ok());
  EXPECT_EQ(*offsets, (std::map<int32_t, int64_t>{{0, 10}, {1, 3}}));
}

class OutboxTest : public DbTest {
 protected:
  void SetUp() override {
    DbTest::SetUp();
    ASSERT_TRUE(EnsureOutboxTable(*pool_, schema_).ok());
    ASSERT_TRUE(EnsureConsumerTables(*pool_, schema_).ok());
    topic_ = UniqueName("test.outbox");
    auto admin = kafka::Admin::Create(jieshui::testing::KafkaBootstrap());
    ASSERT_TRUE(admin.ok());
    ASSERT_TRUE((*admin)->EnsureTopics({{topic_, 3, 1, {}}}).ok());
    kafka::ProducerOptions options;
    options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
    auto producer = kafka::Producer::Create(options);
    ASSERT_TRUE(producer.ok());
    producer_ = std::move(*producer);
  }

  // Commits (or rolls back) one outbox event carrying `litres`.
  void WriteEvent(int64_t litres, bool commit) {
    absl::Status s = pool_->InTransaction([&](pqxx::work& tx) {
      common::v1::Volume v;
      v.set_litres(litres);
      const std::string key = "k" + std::to_string(litres % 7);
      EnqueueEvent(tx, schema_, topic_, key,
                   kafka::EncodeEvent(v, {"test", key, absl::FromUnixSeconds(1700000000), ""}));
      return commit ? absl::OkStatus() : absl::AbortedError("business rule refused it");
    });
    EXPECT_EQ(s.ok(), commit) << s;
  }

  std::unique_ptr<kafka::Consumer> NewConsumer(const std::string& group) {
    kafka::ConsumerOptions options;
    options.bootstrap_servers = jieshui::testing::KafkaBootstrap();
    options.group_id = group;
    options.topics = {topic_};
    auto consumer = kafka::Consumer::Create(options);
    EXPECT_TRUE(consumer.ok());
    return std::move(*consumer);
  }

  std::string topic_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(OutboxTest, RelaysCommittedRowsAndNeverRolledBackOnes) {
  std::set<int64_t> committed;
  for (int i = 1; i <= 120; ++i) {
    bool commit = i % 4 != 0;
    WriteEvent(i, commit);
    if (commit) {
      committed.insert(i);
    }
  }
  OutboxRelayOptions options;
  options.schema = schema_;
  options.batch_size = 50;
  OutboxRelay relay(pool_.get(), producer_.get(), options);
  int total = 0;
  for (int i = 0; i < 10; ++i) {
    auto n = relay.RelayOnce();
    ASSERT_TRUE(n.ok()) << n.status();
    total += *n;
  }
  EXPECT_EQ(total, static_cast<int>(committed.size()));
  EXPECT_EQ(Count("SELECT count(*) FROM " + T("outbox") + " WHERE sent_at IS NULL"), 0);

  auto consumer = NewConsumer(UniqueName("reader"));
  std::multiset<int64_t> seen;
  ASSERT_TRUE(WaitFor([&] {
    auto m = consumer->Poll(std::chrono::milliseconds(200));
    if (m.ok() && m->has_value()) {
      auto envelope = kafka::DecodeEnvelope((*m)->value);
      seen.insert(kafka::UnpackPayload<common::v1::Volume>(*envelope)->litres());
    }
    return seen.size() >= committed.size();
  }));
  for (int i = 0; i < 5; ++i) {
    auto m = consumer->Poll(std::chrono::milliseconds(100));
    ASSERT_TRUE(m.ok());
    ASSERT_FALSE(m->has_value()) << "more events than committed rows";
  }
  EXPECT_EQ(std::set<int64_t>(seen.begin(), seen.end()), committed);
  EXPECT_EQ(seen.size(), committed.size());
}

TEST_F(OutboxTest, ARelayKilledMidWayLeavesTheConsumerEffectExactlyOnce) {
  constexpr int kEvents = 600;
  int64_t expected_sum = 0;
  for (int i = 1; i <= kEvents; ++i) {
    WriteEvent(i, true);
    expected_sum += i;
  }
  const std::string relay_bin = jieshui::testing::SiblingBinary("outbox_relay_test_process");
  // First relay: publishes 100 rows, sees them confirmed by Kafka, and is SIGKILLed before it
  // marks them sent: the worst moment for a crash.
  {
    ChildProcess relay;
    ASSERT_TRUE(relay.Start(
        {relay_bin, PostgresUri(), schema_, jieshui::testing::KafkaBootstrap(), "100", "1"}));
    ASSERT_TRUE(relay.WaitForLine("hanging", std::chrono::seconds(30)).has_value());
    relay.Signal(SIGKILL);
    ASSERT_EQ(relay.Wait(std::chrono::seconds(10)), 128 + SIGKILL);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM " + T("outbox") + " WHERE sent_at IS NULL"), kEvents);
  // Second relay: restarted, relays everything, including the 100 again.
  {
    ChildProcess relay;
    ASSERT_TRUE(relay.Start(
        {relay_bin, PostgresUri(), schema_, jieshui::testing::KafkaBootstrap(), "100", "0"}));
    ASSERT_EQ(relay.Wait(std::chrono::seconds(60)), 0);
  }
  EXPECT_EQ(Count("SELECT count(*) FROM " + T("outbox") + " WHERE sent_at IS NULL"), 0);

  // The consumer's effect: a running total, applied once per event id.
  ASSERT_TRUE(pool_
                  ->InTransaction([&](pqxx::work& tx) {
                    tx.exec("CREATE TABLE " + T("totals") +
                            " (n bigint NOT NULL, events int NOT NULL)");
                    tx.exec("INSERT INTO " + T("totals") + " VALUES (0, 0)");
                    return absl::OkStatus();
                  })
                  .ok());
  std::atomic<int> duplicates{0};
  kafka::ConsumerLoop loop(
      NewConsumer(UniqueName("effect")),
      [&](const kafka::Message& m) {
        auto envelope = kafka::DecodeEnvelope(m.value);
        if (!envelope.ok()) {
          return kafka::HandlerResult::Poison(std::string(envelope.status().message()));
        }
        const int64_t litres = kafka::UnpackPayload<common::v1::Volume>(*envelope)->litres();
        auto applied =
            ApplyOnce(*pool_, schema_, "effect", envelope->event_id(), [&](pqxx::work& tx) {
              tx.exec_params("UPDATE " + T("totals") + " SET n = n + $1, events = events + 1",
                             litres);
              return absl::OkStatus();
            });
        if (!applied.ok()) {
          return kafka::HandlerResult::Retry(std::string(applied.status().message()));
        }
        if (!*applied) {
          duplicates.fetch_add(1);
        }
        return kafka::HandlerResult::Processed();
      },
      nullptr);
  loop.Start();
  ASSERT_TRUE(WaitFor([&] { return loop.processed() >= kEvents + 100; }, std::chrono::seconds(60)));
  loop.Stop();
  EXPECT_EQ(loop.processed(), kEvents + 100)
      << "the topic holds each event once plus the 100 resent";
  EXPECT_EQ(duplicates.load(), 100);
  EXPECT_EQ(Count("SELECT events FROM " + T("totals")), kEvents);
  EXPECT_EQ(Count("SELECT n FROM " + T("totals")), expected_sum);
}

}  // namespace
}  // namespace jieshui::db
