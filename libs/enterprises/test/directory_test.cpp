// The enterprise directory against the real Kafka and PostgreSQL: a registry event on a fresh
// topic reaches the consuming schema's table with its town, park, above-scale flag and the whole
// record; an older version never overwrites a newer one; a replay from the start changes nothing.
#include "enterprises/directory.hpp"

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "testing/stack.hpp"

namespace jieshui::enterprises {
namespace {

using jieshui::testing::KafkaBootstrap;
using jieshui::testing::PostgresUri;
using jieshui::testing::UniqueName;
using jieshui::testing::WaitFor;

constexpr char kUscc[] = "91320500MA1N8E6X3K";

class DirectoryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = UniqueName("test_dir");
    topic_ = UniqueName("test.enterprise");
    auto admin = kafka::Admin::Create(KafkaBootstrap());
    ASSERT_TRUE(admin.ok()) << admin.status();
    ASSERT_TRUE((*admin)
                    ->EnsureTopics({kafka::TopicSpec{
                        .name = topic_, .partitions = 1, .replication_factor = 1, .configs = {}}})
                    .ok());
    db::PoolOptions options;
    options.uri = PostgresUri();
    options.size = 2;
    options.search_path = schema_;
    auto pool = db::ConnectionPool::Create(options);
    ASSERT_TRUE(pool.ok()) << pool.status();
    pool_ = *std::move(pool);
    ASSERT_TRUE(pool_
                    ->InTransaction([this](pqxx::work& tx) {
                      tx.exec("CREATE SCHEMA \"" + schema_ + "\"");
                      return absl::OkStatus();
                    })
                    .ok());
    auto producer = kafka::Producer::Create({.bootstrap_servers = KafkaBootstrap(),
                                             .client_id = "directory-test",
                                             .linger_ms = 0,
                                             .delivery_timeout_ms = 30000,
                                             .extra = {}});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
  }

  void TearDown() override {
    if (pool_ != nullptr) {
      (void)pool_->InTransaction([this](pqxx::work& tx) {
        tx.exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
        return absl::OkStatus();
      });
    }
  }

  void Announce(int64_t version, const std::string& town) {
    events::v1::EnterpriseChanged event;
    event.set_change(registry::v1::CHANGE_KIND_UPDATED);
    registry::v1::Enterprise& e = *event.mutable_enterprise();
    e.mutable_uscc()->set_value(kUscc);
    e.set_name("苏州示范印染有限公司");
    e.set_town(town);
    e.set_park_id("WZ-ETDZ");
    e.mutable_industry_code()->set_value("C1713");
    e.set_above_scale(true);
    e.mutable_specialist()->set_name("王工");
    e.set_status(registry::v1::ENTERPRISE_STATUS_ACTIVE);
    e.set_version(version);
    const std::string value = kafka::EncodeEvent(event, {.producer = "test",
                                                         .subject_key = kUscc,
                                                         .occurred_at = absl::Now(),
                                                         .correlation_id = ""});
    ASSERT_TRUE(producer_->Produce(topic_, kUscc, value).get().status.ok());
  }

  // town, park_id, above_scale, version and the record's specialist of the one row.
  std::string Row() {
    std::string out;
    (void)pool_->InTransaction([&out](pqxx::work& tx) {
      pqxx::result r =
          tx.exec("SELECT town, park_id, above_scale, version, record FROM enterprises");
      if (r.size() == 1) {
        registry::v1::Enterprise e;
        pqxx::binarystring bytes(r[0][4]);
        e.ParseFromString(bytes.str());
        out = r[0][0].as<std::string>() + "|" + r[0][1].as<std::string>() + "|" +
              (r[0][2].as<bool>() ? "above" : "below") + "|v" + r[0][3].as<std::string>() + "|" +
              e.specialist().name();
      }
      return absl::OkStatus();
    });
    return out;
  }

  std::string schema_;
  std::string topic_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<kafka::Producer> producer_;
};

TEST_F(DirectoryTest, TheRowCarriesTownParkScaleAndTheWholeRecordAndNeverGoesBack) {
  Announce(1, "胜浦街道");
  Announce(2, "斜塘街道");
  Announce(1, "胜浦街道");  // an older version arriving late
  Directory directory(pool_.get(),
                      {.bootstrap_servers = KafkaBootstrap(), .topic = topic_, .schema = schema_});
  ASSERT_TRUE(directory.Start(std::chrono::seconds(60)).ok());
  EXPECT_EQ(Row(), "斜塘街道|WZ-ETDZ|above|v2|王工");
  Announce(3, "娄葑街道");
  EXPECT_TRUE(
      WaitFor([&] { return Row() == "娄葑街道|WZ-ETDZ|above|v3|王工"; }, std::chrono::seconds(30)))
      << Row();
  directory.Stop();
  // Read again from the start (a restart): the row stays at version 3.
  Directory again(pool_.get(),
                  {.bootstrap_servers = KafkaBootstrap(), .topic = topic_, .schema = schema_});
  ASSERT_TRUE(again.Start(std::chrono::seconds(60)).ok());
  EXPECT_EQ(Row(), "娄葑街道|WZ-ETDZ|above|v3|王工");
  again.Stop();
}

}  // namespace
}  // namespace jieshui::enterprises
