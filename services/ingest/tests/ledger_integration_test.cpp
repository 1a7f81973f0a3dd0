// Integration tests of the raw ledger against the real local Kafka and PostgreSQL: records that
// the VEE core produced for 50 meters across a month boundary (Asia/Shanghai) go through the
// reading topic into monthly partitions exactly once, survive a restart and a re-publication,
// page back in order, and leave meter states equal to applying the records in memory.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <iostream>
#include <map>
#include <set>
#include <thread>

#include "absl/strings/str_format.h"
#include "db/idempotent.hpp"
#include "db/migrations.hpp"
#include "google/protobuf/util/message_differencer.h"
#include "ingest/src/adapters/ledger_query.hpp"
#include "ingest/src/adapters/ledger_writer.hpp"
#include "ingest/src/adapters/record_codec.hpp"
#include "ingest/src/adapters/state_codec.hpp"
#include "jieshui/common/v1/types.pb.h"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "testing/stack.hpp"

namespace jieshui::ingest {
namespace {

using google::protobuf::util::MessageDifferencer;
using jieshui::testing::KafkaBootstrap;
using jieshui::testing::PostgresUri;
using jieshui::testing::UniqueName;
using jieshui::testing::WaitFor;

constexpr int64_t kMin = 60LL * 1000;
// 2026-11-01 00:00:00+08: the Shanghai month boundary the readings cross.
constexpr int64_t kMonthBoundary = 1'793'462'400'000;
// First reading 12 hours before it (2026-10-31 12:00:00+08), then every 15 minutes.
constexpr int64_t kT0 = kMonthBoundary - 48LL * 15 * kMin;
constexpr int kPartitions = 3;
constexpr std::chrono::seconds kCatchUpTimeout{120};

// One envelope as intake published it.
struct Message {
  std::string key;
  std::string value;
  std::string event_id;
  v1::ReadingAccepted accepted;
};

// What the topic will hold, and what a correct ledger makes of it.
struct Feed {
  std::vector<Message> messages;
  std::map<std::string, MeterState> states;  // Apply() of every record in memory
  std::map<std::string, int64_t> litres;     // sum of deltas per meter
};

std::string UsccOf(int enterprise) { return absl::StrFormat("9132050600000%04dX", enterprise); }

// Readings of `meters` meters (5 per enterprise) every 15 minutes; every fifth meter loses 12
// readings in a row (a gap, estimated) and a third of them arrive late (estimates superseded).
Feed MakeFeed(int meters, int readings) {
  Feed feed;
  const VeeConfig config;
  for (int i = 0; i < meters; ++i) {
    MeterInfo info;
    info.meter_id = absl::StrFormat("WZ-M-%04d", i);
    info.uscc = UsccOf(i / 5);
    info.measures = 1;
    info.level = 1 + i % 3;
    info.litres_numerator = LitresNumerator(1000, 1'000'000);  // m³, multiplier 1
    MeterState& state = feed.states[info.meter_id];
    auto read = [&](int64_t ts, int64_t milli, int64_t now) {
      RawReading raw;
      raw.ts_ms = ts;
      raw.register_milli = milli;
      const Evaluation e = Evaluate(state, &info, raw, now, config);
      ASSERT_EQ(e.outcome, Outcome::kAccepted) << e.detail;
      for (const Record& record : e.records) {
        Message m;
        m.key = info.uscc;
        m.accepted = ToProto(record, info, "grpc", now);
        m.value = kafka::EncodeEvent(
            m.accepted, {"ingest", info.uscc, absl::FromUnixMillis(now), "ledger-test"});
        m.event_id = kafka::DecodeEnvelope(m.value)->event_id();
        feed.messages.push_back(std::move(m));
        Apply(state, record, config);
        feed.litres[info.meter_id] += record.delta_litres;
      }
    };
    int64_t reg = 100'000LL * (i + 1);
    std::vector<std::pair<int64_t, int64_t>> late;
    for (int k = 0; k < readings; ++k) {
      const int64_t ts = kT0 + int64_t{k} * 15 * kMin;
      reg += 500 + 37 * ((i + k) % 11);  // litres: the register counts m³ × 1000
      if (i % 5 == 0 && k >= 20 && k < 32) {
        if (k % 3 == 0) {
          late.emplace_back(ts, reg);
        }
        continue;
      }
      read(ts, reg, ts + kMin);
      if (k == 32) {  // the gateway catches up right after the gap closed
        for (const auto& [late_ts, milli] : late) {
          read(late_ts, milli, ts + 2 * kMin);
        }
      }
    }
  }
  return feed;
}

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = UniqueName("ingest_ledger");
    topic_ = UniqueName("ingest_reading");
    auto admin = kafka::Admin::Create(KafkaBootstrap());
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = *std::move(admin);
    ASSERT_TRUE(admin_->EnsureTopics({{topic_, kPartitions, 1, {}}}).ok());
    kafka::ProducerOptions producer_options;
    producer_options.bootstrap_servers = KafkaBootstrap();
    producer_options.client_id = "ledger-test";
    auto producer = kafka::Producer::Create(producer_options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);

    db::PoolOptions options;
    options.uri = PostgresUri();
    options.size = 4;
    options.search_path = db::QuoteIdent(schema_);
    auto pool = db::ConnectionPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    auto migrations = db::LoadMigrations(JIESHUI_SOURCE_DIR "/services/ingest/migrations");
    ASSERT_TRUE(migrations.ok()) << migrations.status();
    auto applied = db::ApplyMigrations(*pool_, schema_, *migrations);
    ASSERT_TRUE(applied.ok()) << applied.status();
  }

  void TearDown() override {
    if (pool_) {
      (void)pool_->InTransaction([&](pqxx::work& tx) {
        tx.exec("DROP SCHEMA IF EXISTS " + db::QuoteIdent(schema_) + " CASCADE");
        return absl::OkStatus();
      });
    }
    if (admin_) {
      (void)admin_->DeleteTopics({topic_});
    }
  }

  LedgerOptions Options(int max_batch = 5000) const {
    LedgerOptions options;
    options.state_interval = std::chrono::milliseconds(0);
    options.bootstrap_servers = KafkaBootstrap();
    options.schema = schema_;
    options.reading_topic = topic_;
    options.max_batch = max_batch;
    return options;
  }

  std::unique_ptr<LedgerWriter> NewWriter(int max_batch = 5000) {
    auto writer = LedgerWriter::Create(pool_.get(), Options(max_batch));
    EXPECT_TRUE(writer.ok()) << writer.status();
    return writer.ok() ? *std::move(writer) : nullptr;
  }

  // A writer that holds back for a stand-in intake whose count is `intake_count` (more than
  // 50,000 readings a second counts as busy), at most `max_yield` at a time.
  std::unique_ptr<LedgerWriter> NewYieldingWriter(std::function<int64_t()> intake_count,
                                                  std::chrono::milliseconds max_yield,
                                                  int max_batch = 5000) {
    LedgerOptions options = Options(max_batch);
    options.intake_count = std::move(intake_count);
    options.yield_above = 50'000;
    options.max_yield = max_yield;
    auto writer = LedgerWriter::Create(pool_.get(), options);
    EXPECT_TRUE(writer.ok()) << writer.status();
    return writer.ok() ? *std::move(writer) : nullptr;
  }

  // Publishes the values in order, keyed by USCC; returns the topic's end offsets afterwards.
  std::map<int32_t, int64_t> Produce(const std::vector<std::pair<std::string, std::string>>& kv) {
    std::vector<std::future<kafka::DeliveryResult>> results;
    results.reserve(kv.size());
    for (const auto& [key, value] : kv) {
      results.push_back(producer_->Produce(topic_, key, value));
    }
    for (auto& result : results) {
      const kafka::DeliveryResult r = result.get();
      EXPECT_TRUE(r.status.ok()) << r.status;
      ends_[r.partition] = std::max(ends_[r.partition], r.offset + 1);
    }
    return ends_;
  }

  std::map<int32_t, int64_t> Produce(const Feed& feed) {
    std::vector<std::pair<std::string, std::string>> kv;
    for (const Message& m : feed.messages) {
      kv.emplace_back(m.key, m.value);
    }
    return Produce(kv);
  }

  std::map<int32_t, int64_t> StoredOffsets() {
    auto offsets = db::LoadNextOffsets(*pool_, schema_, kLedgerConsumer, topic_);
    EXPECT_TRUE(offsets.ok()) << offsets.status();
    return offsets.ok() ? *offsets : std::map<int32_t, int64_t>();
  }

  // Runs RunOnce until the stored offsets reach `ends`.
  void CatchUp(LedgerWriter& writer, const std::map<int32_t, int64_t>& ends) {
    ASSERT_TRUE(WaitFor(
        [&] {
          absl::StatusOr<int> n = writer.RunOnce();
          EXPECT_TRUE(n.ok()) << n.status();
          return StoredOffsets() == ends;
        },
        kCatchUpTimeout));
  }

  template <typename T>
  T Scalar(const std::string& sql) {
    T out{};
    absl::Status s = pool_->InTransaction([&](pqxx::work& tx) {
      out = tx.exec(sql)[0][0].as<T>();
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::vector<std::vector<std::string>> Rows(const std::string& sql) {
    std::vector<std::vector<std::string>> out;
    absl::Status s = pool_->InTransaction([&](pqxx::work& tx) {
      for (const auto& row : tx.exec(sql)) {
        auto& r = out.emplace_back();
        for (const auto& field : row) {
          r.push_back(field.is_null() ? "NULL" : field.as<std::string>());
        }
      }
      return absl::OkStatus();
    });
    EXPECT_TRUE(s.ok()) << s;
    return out;
  }

  std::string Table(const std::string& name) const { return db::QuoteIdent(schema_) + "." + name; }

  // Every page of `query`, checking each page's size and cursor on the way.
  std::vector<v1::LedgerRecord> AllPages(LedgerQuery query) {
    std::vector<v1::LedgerRecord> out;
    for (int page = 0; page < 10000; ++page) {
      absl::StatusOr<LedgerPage> p = QueryLedger(*pool_, schema_, query);
      EXPECT_TRUE(p.ok()) << p.status();
      if (!p.ok()) {
        break;
      }
      EXPECT_LE(static_cast<int>(p->records.size()), query.limit);
      if (p->more) {
        EXPECT_EQ(static_cast<int>(p->records.size()), query.limit);
      }
      out.insert(out.end(), p->records.begin(), p->records.end());
      if (!p->more) {
        break;
      }
      query.after_cursor = p->last_cursor;
    }
    return out;
  }

  void ExpectSnapshotMatches(const Feed& feed, const std::map<int32_t, int64_t>& ends) {
    absl::StatusOr<StateSnapshot> snapshot = LoadStateSnapshot(*pool_, schema_, topic_);
    ASSERT_TRUE(snapshot.ok()) << snapshot.status();
    EXPECT_EQ(snapshot->next_offsets, ends);
    ASSERT_EQ(snapshot->meters.size(), feed.states.size());
    for (const auto& [meter, expected] : feed.states) {
      auto it = snapshot->meters.find(meter);
      ASSERT_NE(it, snapshot->meters.end()) << meter;
      const MeterState& got = it->second;
      EXPECT_EQ(got.last_ms, expected.last_ms) << meter;
      EXPECT_EQ(got.cumulative_litres, expected.cumulative_litres) << meter;
      EXPECT_EQ(got.recent.size(), expected.recent.size()) << meter;
      EXPECT_EQ(got.real_accepted, expected.real_accepted) << meter;
      EXPECT_EQ(got.gaps.size(), expected.gaps.size()) << meter;
      // And every other field: the encodings are equal exactly when the states are.
      EXPECT_EQ(EncodeMeterState(got), EncodeMeterState(expected)) << meter;
    }
  }

  std::string schema_;
  std::string topic_;
  std::unique_ptr<kafka::Admin> admin_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::map<int32_t, int64_t> ends_;
};

TEST_F(LedgerTest, StoresEveryRecordOnceInMonthlyPartitionsAndResumesAfterARestart) {
  const Feed feed = MakeFeed(50, 64);
  const auto n = static_cast<int64_t>(feed.messages.size());
  ASSERT_GT(n, 3000);
  const std::map<int32_t, int64_t> ends = Produce(feed);

  std::unique_ptr<LedgerWriter> writer = NewWriter();
  ASSERT_NE(writer, nullptr);
  const auto started = std::chrono::steady_clock::now();
  writer->Start();
  ASSERT_TRUE(WaitFor([&] { return writer->records_written() == n; }, kCatchUpTimeout))
      << writer->records_written() << " of " << n;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  writer->Stop();
  std::cout << "[ledger] " << n << " records written in " << seconds
            << " s: " << static_cast<int64_t>(static_cast<double>(n) / seconds) << " rows/s\n";
  EXPECT_EQ(writer->undecodable(), 0);

  // Every record once, and each meter's deltas add up to what flowed.
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), n);
  EXPECT_EQ(Scalar<int64_t>("SELECT count(DISTINCT event_id) FROM " + Table("readings")), n);
  std::map<std::string, int64_t> litres;
  for (const auto& row : Rows("SELECT meter_id, sum(delta_litres) FROM " + Table("readings") +
                              " GROUP BY meter_id")) {
    litres[row[0]] = std::stoll(row[1]);
  }
  EXPECT_EQ(litres, feed.litres);

  // Two Shanghai months, split at 2026-11-01 00:00 +08: the reading at that instant is November's.
  const auto partitions = Rows(absl::StrCat(
      "SELECT c.relname, count(r.*) FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid"
      " LEFT JOIN ",
      Table("readings"), " r ON r.tableoid = c.oid WHERE i.inhparent = '", Table("readings"),
      "'::regclass GROUP BY c.relname ORDER BY c.relname"));
  ASSERT_EQ(partitions.size(), 2U);
  EXPECT_EQ(partitions[0][0], "readings_202610");
  EXPECT_EQ(partitions[1][0], "readings_202611");
  EXPECT_EQ(std::stoll(partitions[0][1]) + std::stoll(partitions[1][1]), n);
  EXPECT_EQ(Scalar<int64_t>(absl::StrCat("SELECT count(*) FROM ", Table("readings_202611"),
                                         " WHERE interval_end = '2026-11-01 00:00:00+08'")),
            50);
  EXPECT_EQ(Scalar<int64_t>(absl::StrCat("SELECT count(*) FROM ", Table("readings_202610"),
                                         " WHERE interval_end >= '2026-11-01 00:00:00+08'")),
            0);

  // One meter's rows page back in order, each as published.
  std::map<std::string, const Message*> by_event;
  for (const Message& m : feed.messages) {
    by_event[m.event_id] = &m;
  }
  const std::string meter = "WZ-M-0000";  // the one with a gap and late readings
  LedgerQuery query;
  query.meter_id = meter;
  query.start_ms = kT0;
  query.end_ms = kT0 + 24LL * 60 * kMin;
  query.limit = 7;
  const std::vector<v1::LedgerRecord> rows = AllPages(query);
  std::set<std::string> seen;
  int64_t previous_end = 0;
  for (const v1::LedgerRecord& r : rows) {
    EXPECT_TRUE(seen.insert(r.event_id()).second) << "twice: " << r.event_id();
    EXPECT_GE(r.record().interval_end_unix_ms(), previous_end);
    previous_end = r.record().interval_end_unix_ms();
    auto published = by_event.find(r.event_id());
    ASSERT_NE(published, by_event.end());
    EXPECT_TRUE(MessageDifferencer::Equals(r.record(), published->second->accepted))
        << r.record().ShortDebugString() << "\nvs\n"
        << published->second->accepted.ShortDebugString();
  }
  std::map<v1::RecordKind, int> kinds;
  for (const v1::LedgerRecord& r : rows) {
    ++kinds[r.record().kind()];
  }
  int64_t meter_records = 0;
  for (const Message& m : feed.messages) {
    meter_records += m.accepted.meter_id() == meter ? 1 : 0;
  }
  EXPECT_EQ(static_cast<int64_t>(rows.size()), meter_records);
  EXPECT_EQ(kinds[v1::RECORD_KIND_REAL], 64 - 12 + 4);
  EXPECT_GT(kinds[v1::RECORD_KIND_ESTIMATE], 0);
  EXPECT_GT(kinds[v1::RECORD_KIND_REVERSAL], 0);

  // An enterprise's November, in large pages.
  LedgerQuery november;
  november.uscc = UsccOf(3);
  november.start_ms = kMonthBoundary;
  november.limit = 100;
  int64_t expected_november = 0;
  for (const Message& m : feed.messages) {
    expected_november +=
        m.key == november.uscc && m.accepted.interval_end_unix_ms() >= kMonthBoundary ? 1 : 0;
  }
  EXPECT_EQ(static_cast<int64_t>(AllPages(november).size()), expected_november);

  // A cursor belongs to its query; one subject only.
  LedgerQuery other = query;
  other.meter_id = "WZ-M-0001";
  other.after_cursor = QueryLedger(*pool_, schema_, query)->last_cursor;
  EXPECT_EQ(QueryLedger(*pool_, schema_, other).status().code(),
            absl::StatusCode::kInvalidArgument);
  LedgerQuery both = query;
  both.uscc = UsccOf(0);
  EXPECT_EQ(QueryLedger(*pool_, schema_, both).status().code(), absl::StatusCode::kInvalidArgument);

  // A restarted writer resumes at the stored offsets: nothing new.
  writer.reset();
  std::unique_ptr<LedgerWriter> restarted = NewWriter();
  ASSERT_NE(restarted, nullptr);
  absl::StatusOr<int> again = restarted->RunOnce();
  ASSERT_TRUE(again.ok()) << again.status();
  EXPECT_EQ(*again, 0);
  EXPECT_EQ(StoredOffsets(), ends);

  // The same envelopes published again (same event ids): no row and no state moves.
  const std::map<int32_t, int64_t> ends_twice = Produce(feed);
  ASSERT_NE(ends_twice, ends);
  CatchUp(*restarted, ends_twice);
  EXPECT_EQ(restarted->records_written(), 0);
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), n);

  ExpectSnapshotMatches(feed, ends_twice);
}

TEST_F(LedgerTest, StatesStoredOnlyNowAndThenAreRebuiltFromTheTopicAfterACrash) {
  const Feed feed = MakeFeed(20, 64);
  const auto n = static_cast<int64_t>(feed.messages.size());
  const size_t half = feed.messages.size() / 2;
  Feed first;
  first.messages.assign(feed.messages.begin(),
                        feed.messages.begin() + static_cast<std::ptrdiff_t>(half));
  Feed second;
  second.messages.assign(feed.messages.begin() + static_cast<std::ptrdiff_t>(half),
                         feed.messages.end());
  const std::map<int32_t, int64_t> ends_first = Produce(first);

  // A writer that stores states once an hour (so only with its first batch, which has none
  // stored yet) and then "crashes": no states stored at stop.
  LedgerOptions rare = Options(50);
  rare.state_interval = std::chrono::hours(1);
  rare.snapshot_on_stop = false;
  {
    auto crashed = LedgerWriter::Create(pool_.get(), rare);
    ASSERT_TRUE(crashed.ok()) << crashed.status();
    CatchUp(**crashed, ends_first);
    EXPECT_EQ((*crashed)->records_written(), static_cast<int64_t>(half));
  }
  // The rows are all there; the stored states are as of the first batch only, and what intake
  // would load says so: it replays the topic from those offsets, not from the rows' offsets.
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")),
            static_cast<int64_t>(half));
  absl::StatusOr<StateSnapshot> behind = LoadStateSnapshot(*pool_, schema_, topic_);
  ASSERT_TRUE(behind.ok()) << behind.status();
  int64_t behind_total = 0;
  int64_t rows_total = 0;
  for (const auto& [partition, next] : behind->next_offsets) {
    EXPECT_LE(next, ends_first.at(partition));
    behind_total += next;
  }
  for (const auto& [partition, next] : ends_first) {
    rows_total += next;
  }
  EXPECT_GT(behind_total, 0);
  EXPECT_LT(behind_total, rows_total);

  // The next writer reads again from the stored states' offsets: the first half only moves
  // states (no row twice), the second half adds rows, and the states end up exactly as if
  // every record had been applied once.
  const std::map<int32_t, int64_t> ends = Produce(second);
  std::unique_ptr<LedgerWriter> next = NewWriter(200);
  ASSERT_NE(next, nullptr);
  ASSERT_TRUE(WaitFor(
      [&] {
        absl::StatusOr<int> written = next->RunOnce();
        EXPECT_TRUE(written.ok()) << written.status();
        auto states_at = db::LoadNextOffsets(*pool_, schema_, kLedgerStateConsumer, topic_);
        return StoredOffsets() == ends && states_at.ok() && *states_at == ends;
      },
      kCatchUpTimeout));
  next->Stop();
  EXPECT_EQ(next->records_written(), n - static_cast<int64_t>(half));
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), n);
  ExpectSnapshotMatches(feed, ends);
}

TEST_F(LedgerTest, AMessageThatIsNotAValidRecordIsSkippedAndItsOffsetStored) {
  const Feed feed = MakeFeed(1, 2);
  jieshui::common::v1::Uscc other_payload;
  other_payload.set_value(UsccOf(0));
  v1::ReadingAccepted no_meter = feed.messages[0].accepted;
  no_meter.clear_meter_id();
  const kafka::EventMeta meta{"ingest", UsccOf(0), absl::FromUnixMillis(kT0), ""};
  const auto ends = Produce({
      {UsccOf(0), "not an envelope"},
      {UsccOf(0), kafka::EncodeEvent(other_payload, meta)},
      {UsccOf(0), kafka::EncodeEvent(no_meter, meta)},
      {feed.messages[0].key, feed.messages[0].value},
      {feed.messages[1].key, feed.messages[1].value},
  });

  std::unique_ptr<LedgerWriter> writer = NewWriter();
  ASSERT_NE(writer, nullptr);
  CatchUp(*writer, ends);
  EXPECT_EQ(writer->undecodable(), 3);
  EXPECT_EQ(writer->records_written(), 2);
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), 2);
  ExpectSnapshotMatches(feed, ends);
}

TEST_F(LedgerTest, TwoWritersOnOneSchemaStoreEachRecordOnce) {
  const Feed feed = MakeFeed(10, 40);
  const auto n = static_cast<int64_t>(feed.messages.size());
  const std::map<int32_t, int64_t> ends = Produce(feed);

  // Small batches, so the two take turns many times and each sees the other's offsets.
  std::unique_ptr<LedgerWriter> a = NewWriter(25);
  std::unique_ptr<LedgerWriter> b = NewWriter(25);
  ASSERT_NE(a, nullptr);
  ASSERT_NE(b, nullptr);
  a->Start();
  b->Start();
  ASSERT_TRUE(WaitFor([&] { return StoredOffsets() == ends; }, kCatchUpTimeout));
  a->Stop();
  b->Stop();
  std::cout << "[ledger] two writers: " << a->records_written() << " + " << b->records_written()
            << " rows\n";
  EXPECT_EQ(a->records_written() + b->records_written(), n);
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), n);
  ExpectSnapshotMatches(feed, ends);
}

TEST_F(LedgerTest, HoldsBackWhileIntakeIsBusyAndCatchesUpAfter) {
  // A stand-in intake count: while `busy`, every look sees a million more readings (far above
  // yield_above); then it stands still.
  std::atomic<bool> busy{true};
  std::atomic<int64_t> count{0};
  std::atomic<int64_t> looks{0};
  std::unique_ptr<LedgerWriter> writer = NewYieldingWriter(
      [&] {
        ++looks;
        return busy ? count += 1'000'000 : count.load();
      },
      std::chrono::hours(1));
  ASSERT_NE(writer, nullptr);
  writer->Start();
  // The first look has no rate to go on; the third is inside a hold-back (the second found
  // intake busy), which lasts while intake stays busy.
  ASSERT_TRUE(WaitFor([&] { return looks >= 3; }, kCatchUpTimeout));
  const Feed feed = MakeFeed(10, 20);
  const auto n = static_cast<int64_t>(feed.messages.size());
  const std::map<int32_t, int64_t> ends = Produce(feed);
  // Time in which an idle writer stores these few records many times over.
  std::this_thread::sleep_for(std::chrono::seconds(2));
  EXPECT_EQ(writer->records_written(), 0);
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), 0);

  busy = false;
  // The writer counts a batch once its transaction has committed, so the stored offsets can show
  // it a moment before the count does: wait for both.
  ASSERT_TRUE(WaitFor([&] { return StoredOffsets() == ends && writer->records_written() == n; },
                      kCatchUpTimeout));
  EXPECT_EQ(writer->records_written(), n);
  EXPECT_GE(writer->yielded_ms(), 2000);
  writer->Stop();
  EXPECT_EQ(Scalar<int64_t>("SELECT count(*) FROM " + Table("readings")), n);
  ExpectSnapshotMatches(feed, ends);
}

TEST_F(LedgerTest, HoldsBackAtMostMaxYieldAtATime) {
  std::atomic<int64_t> looks{0};
  std::unique_ptr<LedgerWriter> writer = NewYieldingWriter(
      [&] { return ++looks * 1'000'000; }, std::chrono::milliseconds(300), 25);  // busy for ever
  ASSERT_NE(writer, nullptr);
  writer->Start();
  ASSERT_TRUE(WaitFor([&] { return looks >= 3; }, kCatchUpTimeout));  // held back
  const Feed feed = MakeFeed(10, 20);
  const auto n = static_cast<int64_t>(feed.messages.size());
  const std::map<int32_t, int64_t> ends = Produce(feed);
  ASSERT_TRUE(WaitFor([&] { return StoredOffsets() == ends; }, kCatchUpTimeout));
  EXPECT_EQ(writer->records_written(), n);
  EXPECT_GT(writer->yielded_ms(), 0);
  writer->Stop();
  ExpectSnapshotMatches(feed, ends);
}

TEST_F(LedgerTest, StopEndsAHoldBack) {
  std::atomic<int64_t> looks{0};
  std::unique_ptr<LedgerWriter> writer =
      NewYieldingWriter([&] { return ++looks * 1'000'000; }, std::chrono::hours(1));  // busy
  ASSERT_NE(writer, nullptr);
  writer->Start();
  // The third look is inside a hold-back (the second found intake busy).
  ASSERT_TRUE(WaitFor([&] { return looks >= 3; }, kCatchUpTimeout));
  const auto stopping = std::chrono::steady_clock::now();
  writer->Stop();
  EXPECT_LT(std::chrono::steady_clock::now() - stopping, std::chrono::seconds(10));
  EXPECT_GT(writer->yielded_ms(), 0);
}

}  // namespace
}  // namespace jieshui::ingest
