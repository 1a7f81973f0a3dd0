// Reporting's facts store against the real PostgreSQL: each event moves exactly the sums it should
// (its enterprise's scopes, the periods its month is in), an enterprise that moves town moves its
// sums with it, and applying the same events again into a fresh schema (a rebuild) gives the same
// sums, row for row. Figures worked by hand.
#include "reporting/src/adapters/facts_store.hpp"

#include <map>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "absl/strings/str_cat.h"
#include "db/migrations.hpp"
#include "db/pool.hpp"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/events/v1/reporting_events.pb.h"
#include "reporting/src/core/periods.hpp"
#include "testing/stack.hpp"

namespace jieshui::reporting {

std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

namespace {

namespace ev = ::jieshui::events::v1;
namespace reg = ::jieshui::registry::v1;
namespace cert = ::jieshui::certification::v1;

constexpr char kA[] = "91350200776049653A";
constexpr char kB[] = "91440101MA5CJQ4N59";

kafka::EventEnvelope Envelope(const google::protobuf::Message& payload, const std::string& key) {
  return kafka::Wrap(payload, {.producer = "test",
                               .subject_key = key,
                               .occurred_at = absl::FromUnixMillis(1'767'225'600'000),
                               .correlation_id = ""});
}

ev::EnterpriseChanged Enterprise(const char* uscc, const char* town, int64_t version,
                                 bool above_scale) {
  ev::EnterpriseChanged e;
  reg::Enterprise& x = *e.mutable_enterprise();
  x.mutable_uscc()->set_value(uscc);
  x.set_name(uscc);
  x.set_town(town);
  x.mutable_industry_code()->set_value("C1713");
  x.set_above_scale(above_scale);
  x.set_version(version);
  return e;
}

ev::UsageChanged Usage(const char* uscc, int month, int64_t tap, int64_t recirculated) {
  ev::UsageChanged u;
  u.mutable_uscc()->set_value(uscc);
  u.mutable_month()->set_year(2025);
  u.mutable_month()->set_month(month);
  u.mutable_intake_municipal_tap()->set_litres(tap);
  u.mutable_recirculated()->set_litres(recirculated);
  return u;
}

class FactsStoreTest : public ::testing::Test {
 protected:
  // A fresh schema with reporting's migrations.
  std::string NewSchema() {
    const std::string schema = jieshui::testing::UniqueName("reporting_facts");
    db::PoolOptions options;
    options.uri = jieshui::testing::PostgresUri();
    options.size = 2;
    options.search_path = schema;
    auto pool = db::ConnectionPool::Create(options);
    EXPECT_TRUE(pool.ok()) << pool.status();
    auto migrations = db::ParseMigrations(EmbeddedMigrationFiles());
    EXPECT_TRUE(migrations.ok()) << migrations.status();
    auto applied = db::ApplyMigrations(**pool, schema, *migrations);
    EXPECT_TRUE(applied.ok()) << applied.status();
    pools_[schema] = *std::move(pool);
    schemas_.push_back(schema);
    return schema;
  }

  void TearDown() override {
    for (const std::string& s : schemas_) {
      (void)pools_[s]->InTransaction([&s](pqxx::work& tx) {
        tx.exec(absl::StrCat("DROP SCHEMA IF EXISTS \"", s, "\" CASCADE"));
        return absl::OkStatus();
      });
    }
  }

  // Applies one event in its own transaction and returns the sums it moved.
  std::set<SumsKey> Apply(const std::string& schema, const google::protobuf::Message& payload,
                          const std::string& key) {
    FactsStore store(schema, Rules{});
    std::set<SumsKey> moved;
    kafka::Message message;
    message.timestamp_ms = 1;
    const kafka::EventEnvelope envelope = Envelope(payload, key);
    absl::Status s = pools_[schema]->InTransaction(
        [&](pqxx::work& tx) { return store.ApplyEvent(tx, message, envelope, &moved); });
    EXPECT_TRUE(s.ok()) << s;
    return moved;
  }

  ScopeSums Sums(const std::string& schema, const std::string& scope, const std::string& period) {
    ScopeSums out;
    EXPECT_TRUE(pools_[schema]
                    ->InTransaction([&](pqxx::work& tx) {
                      out = FactsStore::LoadSums(tx, scope, period);
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  // Every scope_sums row as text, for comparing two schemas.
  std::map<std::string, std::string> AllSums(const std::string& schema) {
    std::map<std::string, std::string> out;
    EXPECT_TRUE(pools_[schema]
                    ->InTransaction([&](pqxx::work& tx) {
                      for (const pqxx::row& row : tx.exec(
                               "SELECT scope, period, row_to_json(s)::text FROM scope_sums s")) {
                        out[absl::StrCat(row[0].c_str(), "|", row[1].c_str())] = row[2].c_str();
                      }
                      return absl::OkStatus();
                    })
                    .ok());
    return out;
  }

  std::map<std::string, std::unique_ptr<db::ConnectionPool>> pools_;
  std::vector<std::string> schemas_;
};

TEST_F(FactsStoreTest, AnEventMovesItsEnterprisesScopesInThePeriodsItsMonthIsIn) {
  const std::string schema = NewSchema();
  Apply(schema, Enterprise(kA, "甪直镇", 1, true), kA);
  Apply(schema, Enterprise(kB, "木渎镇", 1, false), kB);
  // A's November: 20,000 m³ tap and 180,000 m³ recirculated.
  const std::set<SumsKey> moved = Apply(schema, Usage(kA, 11, 20'000'000, 180'000'000), kA);
  // The district, 甪直镇 and C17, each in 2025, YTD11, YTD12, Q4 and November: 15 pairs.
  EXPECT_EQ(moved.size(), 15u);
  EXPECT_TRUE(moved.contains({"town:甪直镇", "2025-Q4"}));
  EXPECT_FALSE(moved.contains({"town:木渎镇", "2025-Q4"}));
  EXPECT_FALSE(moved.contains({"district", "2025-YTD10"}));
  EXPECT_EQ(Sums(schema, "district", "2025").sums.new_water, 20'000'000);
  // A is above scale: R's sums are its own.
  EXPECT_EQ(Sums(schema, "district", "2025-11").sums.above_scale_reused, 180'000'000);
  EXPECT_EQ(Sums(schema, "district", "2025-10").sums.new_water, 0);
  // B (not above scale) adds to new water, not to R.
  Apply(schema, Usage(kB, 11, 5'000'000, 1'000'000), kB);
  const ScopeSums nov = Sums(schema, "district", "2025-11");
  EXPECT_EQ(nov.sums.new_water, 25'000'000);
  EXPECT_EQ(nov.sums.above_scale_new_water, 20'000'000);
  EXPECT_EQ(nov.sums.above_scale_reused, 180'000'000);
  EXPECT_EQ(Sums(schema, "town:木渎镇", "2025-11").sums.new_water, 5'000'000);
  // A later figure for the same month replaces the first: the sums move by the difference.
  Apply(schema, Usage(kA, 11, 22'000'000, 180'000'000), kA);
  EXPECT_EQ(Sums(schema, "district", "2025-11").sums.new_water, 27'000'000);
  EXPECT_EQ(Sums(schema, "industry:C17", "2025").sums.new_water, 27'000'000);
  // The same event again moves nothing.
  EXPECT_TRUE(Apply(schema, Usage(kA, 11, 22'000'000, 180'000'000), kA).empty());
}

TEST_F(FactsStoreTest, AnEnterpriseThatMovesTownTakesItsSumsAlong) {
  const std::string schema = NewSchema();
  Apply(schema, Enterprise(kA, "甪直镇", 1, true), kA);
  Apply(schema, Usage(kA, 3, 10'000'000, 0), kA);
  EXPECT_EQ(Sums(schema, "town:甪直镇", "2025-Q1").sums.new_water, 10'000'000);
  Apply(schema, Enterprise(kA, "胥口镇", 2, true), kA);
  EXPECT_EQ(Sums(schema, "town:甪直镇", "2025-Q1").sums.new_water, 0);
  EXPECT_EQ(Sums(schema, "town:胥口镇", "2025-Q1").sums.new_water, 10'000'000);
  EXPECT_EQ(Sums(schema, "district", "2025-Q1").sums.new_water, 10'000'000);
  // An older version of the enterprise changes nothing.
  EXPECT_TRUE(Apply(schema, Enterprise(kA, "甪直镇", 1, true), kA).empty());
}

TEST_F(FactsStoreTest, CarriersCountedOnThePeriodsLastDayAndARebuildIsIdentical) {
  std::vector<std::pair<std::string, std::unique_ptr<google::protobuf::Message>>> events;
  auto add = [&events](const std::string& key, const google::protobuf::Message& m) {
    events.emplace_back(key, std::unique_ptr<google::protobuf::Message>(m.New()));
    events.back().second->CopyFrom(m);
  };
  add(kA, Enterprise(kA, "甪直镇", 1, true));
  add(kB, Enterprise(kB, "甪直镇", 1, true));
  // A takes 20,000 m³ a month (240,000 m³: in the carrier set), B 10,000 (120,000 m³: not).
  for (int m = 1; m <= 12; ++m) {
    add(kA, Usage(kA, m, 20'000'000, 0));
    add(kB, Usage(kB, m, 10'000'000, 0));
  }
  // A's district title is valid until 2025-06-30; B, outside the set, has an accepted test.
  ev::CertificationStatus a_status;
  a_status.mutable_uscc()->set_value(kA);
  cert::Title* t = a_status.add_titles();
  t->set_title_id("1");
  t->set_level(cert::LEVEL_DISTRICT);
  t->set_status(cert::TITLE_STATUS_ACTIVE);
  t->mutable_valid_from()->set_year(2021);
  t->mutable_valid_from()->set_month(7);
  t->mutable_valid_from()->set_day(1);
  t->mutable_valid_until()->set_year(2025);
  t->mutable_valid_until()->set_month(6);
  t->mutable_valid_until()->set_day(30);
  add(kA, a_status);
  ev::RecordChanged test;
  test.mutable_record()->set_record_id("7");
  test.mutable_record()->mutable_uscc()->set_value(kB);
  test.mutable_record()->set_kind(cert::RECORD_KIND_BALANCE_TEST);
  test.mutable_record()->set_year(2025);
  test.mutable_record()->set_status(cert::RECORD_STATUS_ACCEPTED);
  add(kB, test);

  const std::string schema = NewSchema();
  for (const auto& [key, event] : events) {
    Apply(schema, *event, key);
  }
  // Q2 ends 2025-06-30, A's last valid day: 1 of 1 certified. Q3 and the year: 0 of 1.
  EXPECT_EQ(Sums(schema, "district", "2025-Q2").sums.carrier_set, 1);
  EXPECT_EQ(Sums(schema, "district", "2025-Q2").sums.carrier_certified, 1);
  EXPECT_EQ(Sums(schema, "district", "2025-Q3").sums.carrier_certified, 0);
  EXPECT_EQ(Sums(schema, "district", "2025").sums.carrier_set, 1);
  EXPECT_EQ(Sums(schema, "district", "2025").sums.carrier_certified, 0);
  EXPECT_EQ(Sums(schema, "district", "2025").sums.balance_tests, 1);
  EXPECT_EQ(Sums(schema, "district", "2025").sums.new_water, 360'000'000);

  // A rebuild: the same events into a fresh schema give the same sums, row for row.
  const std::string rebuilt = NewSchema();
  for (const auto& [key, event] : events) {
    Apply(rebuilt, *event, key);
  }
  const auto first = AllSums(schema);
  EXPECT_FALSE(first.empty());
  EXPECT_EQ(first, AllSums(rebuilt));
}

}  // namespace
}  // namespace jieshui::reporting
