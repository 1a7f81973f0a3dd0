// service::EventConsumer against the real Kafka and PostgreSQL: events from two topics applied
// once each with their offsets, what is no envelope and what the service calls poison sent to the
// dead-letter topic, and a consumer reading everything again (a new group: Kafka's offsets gone)
// applying nothing twice.
#include "service/event_consumer.hpp"

#include <chrono>
#include <memory>
#include <string>

#include <gtest/gtest.h>

#include "jieshui/common/v1/types.pb.h"
#include "kafka/admin.hpp"
#include "kafka/producer.hpp"
#include "testing/stack.hpp"

namespace jieshui::service {
namespace {

using jieshui::testing::KafkaBootstrap;
using jieshui::testing::PostgresUri;
using jieshui::testing::UniqueName;
using jieshui::testing::WaitFor;

class EventConsumerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = UniqueName("test_events");
    a_ = UniqueName("test.events.a");
    b_ = UniqueName("test.events.b");
    dlq_topic_ = UniqueName("test.events.dlq");
    auto admin = kafka::Admin::Create(KafkaBootstrap());
    ASSERT_TRUE(admin.ok()) << admin.status();
    ASSERT_TRUE(
        (*admin)
            ->EnsureTopics(
                {{.name = a_, .partitions = 2, .replication_factor = 1, .configs = {}},
                 {.name = b_, .partitions = 1, .replication_factor = 1, .configs = {}},
                 {.name = dlq_topic_, .partitions = 1, .replication_factor = 1, .configs = {}}})
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
                      // A second apply of one event would violate the key and fail the batch.
                      tx.exec("CREATE TABLE \"" + schema_ +
                              "\".seen (event_id text PRIMARY KEY, topic text NOT NULL)");
                      return absl::OkStatus();
                    })
                    .ok());
    auto producer = kafka::Producer::Create({.bootstrap_servers = KafkaBootstrap(),
                                             .client_id = "event-consumer-test",
                                             .linger_ms = 0,
                                             .delivery_timeout_ms = 30000,
                                             .extra = {}});
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = *std::move(producer);
    dlq_ = std::make_unique<kafka::DeadLetterQueue>(producer_.get(), "test", dlq_topic_);
  }

  void TearDown() override {
    if (pool_ != nullptr) {
      (void)pool_->InTransaction([this](pqxx::work& tx) {
        tx.exec("DROP SCHEMA IF EXISTS \"" + schema_ + "\" CASCADE");
        return absl::OkStatus();
      });
    }
  }

  void Send(const std::string& topic, const std::string& key) {
    common::v1::Uscc payload;
    payload.set_value(key);
    const std::string value = kafka::EncodeEvent(
        payload,
        {.producer = "test", .subject_key = key, .occurred_at = absl::Now(), .correlation_id = ""});
    ASSERT_TRUE(producer_->Produce(topic, key, value).get().status.ok());
  }

  std::unique_ptr<EventConsumer> Consumer(const std::string& group) {
    return std::make_unique<EventConsumer>(
        pool_.get(), dlq_.get(),
        EventConsumerOptions{.name = "seen",
                             .bootstrap_servers = KafkaBootstrap(),
                             .group_id = group,
                             .client_id = "event-consumer-test",
                             .topics = {a_, b_},
                             .schema = schema_,
                             .max_batch = 500,
                             .poll_timeout = std::chrono::milliseconds(100)},
        [](pqxx::work& tx, const kafka::Message& m, const kafka::EventEnvelope& e) {
          if (e.subject_key() == "poison") {
            return absl::InvalidArgumentError("this event can never apply");
          }
          tx.exec_params("INSERT INTO seen (event_id, topic) VALUES ($1, $2)", e.event_id(),
                         m.topic);
          return absl::OkStatus();
        });
  }

  int64_t Seen() {
    int64_t n = -1;
    (void)pool_->InTransaction([&n](pqxx::work& tx) {
      n = tx.exec1("SELECT count(*) FROM seen")[0].as<int64_t>();
      return absl::OkStatus();
    });
    return n;
  }

  std::string schema_, a_, b_, dlq_topic_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<kafka::DeadLetterQueue> dlq_;
};

TEST_F(EventConsumerTest, EachEventAppliesOnceAndPoisonGoesToTheDeadLetterTopic) {
  for (const char* key : {"k1", "k2", "k3"}) {
    Send(a_, key);
  }
  Send(b_, "k4");
  Send(b_, "poison");
  ASSERT_TRUE(producer_->Produce(a_, "k5", "not an envelope").get().status.ok());
  Send(b_, "k6");

  auto first = Consumer(UniqueName("group"));
  ASSERT_TRUE(first->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return first->applied() == 5 && first->dead_lettered() == 2; },
                      std::chrono::seconds(60)))
      << "applied " << first->applied() << ", dead-lettered " << first->dead_lettered();
  EXPECT_EQ(Seen(), 5);
  first->Stop();

  // A new group starts from the beginning in Kafka; the offsets stored with the effects skip
  // all seven messages, and nothing is dead-lettered again.
  auto again = Consumer(UniqueName("group"));
  ASSERT_TRUE(again->Start().ok());
  ASSERT_TRUE(WaitFor([&] { return again->replayed() == 7; }, std::chrono::seconds(60)))
      << "replayed " << again->replayed();
  EXPECT_EQ(again->applied(), 0);
  EXPECT_EQ(again->dead_lettered(), 0);
  EXPECT_EQ(Seen(), 5);
  // A later event still applies.
  Send(a_, "k7");
  ASSERT_TRUE(WaitFor([&] { return again->applied() == 1; }, std::chrono::seconds(60)));
  EXPECT_EQ(Seen(), 6);
  again->Stop();
}

}  // namespace
}  // namespace jieshui::service
