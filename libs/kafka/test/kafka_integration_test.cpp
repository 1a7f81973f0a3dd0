// Against the real local Kafka broker (deploy/local/stack.sh start).
#include <atomic>
#include <map>
#include <mutex>
#include <set>

#include "gtest/gtest.h"
#include "jieshui/common/v1/types.pb.h"
#include "kafka/admin.hpp"
#include "kafka/consumer.hpp"
#include "kafka/consumer_loop.hpp"
#include "kafka/envelope.hpp"
#include "kafka/producer.hpp"
#include "testing/stack.hpp"

namespace jieshui::kafka {
namespace {

using jieshui::testing::KafkaBootstrap;
using jieshui::testing::UniqueName;
using jieshui::testing::WaitFor;

class KafkaIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto admin = Admin::Create(KafkaBootstrap());
    ASSERT_TRUE(admin.ok()) << admin.status();
    admin_ = std::move(*admin);
    ProducerOptions options;
    options.bootstrap_servers = KafkaBootstrap();
    auto producer = Producer::Create(options);
    ASSERT_TRUE(producer.ok()) << producer.status();
    producer_ = std::move(*producer);
  }

  std::string NewTopic(int partitions = 3, std::map<std::string, std::string> configs = {}) {
    std::string name = UniqueName("test.kafka");
    absl::Status created = admin_->EnsureTopics({{name, partitions, 1, configs}});
    EXPECT_TRUE(created.ok()) << created;
    return name;
  }

  std::unique_ptr<Consumer> NewConsumer(const std::string& topic, const std::string& group) {
    ConsumerOptions options;
    options.bootstrap_servers = KafkaBootstrap();
    options.group_id = group;
    options.topics = {topic};
    auto consumer = Consumer::Create(options);
    EXPECT_TRUE(consumer.ok()) << consumer.status();
    return consumer.ok() ? std::move(*consumer) : nullptr;
  }

  std::unique_ptr<Admin> admin_;
  std::unique_ptr<Producer> producer_;
};

TEST_F(KafkaIntegrationTest, TenThousandEventsEachConfirmedAndConsumedExactlyOnce) {
  const std::string topic = NewTopic(3);
  constexpr int kEvents = 10000;
  std::vector<std::string> ids;
  std::atomic<int> confirmed{0};
  std::atomic<int> failed{0};
  for (int i = 0; i < kEvents; ++i) {
    common::v1::Volume v;
    v.set_litres(i);
    EventEnvelope envelope =
        Wrap(v, {"test", "key-" + std::to_string(i % 50), absl::FromUnixSeconds(1700000000), ""});
    ids.push_back(envelope.event_id());
    absl::Status enqueued = producer_->Produce(
        topic, envelope.subject_key(), envelope.SerializeAsString(), [&](const DeliveryResult& r) {
          if (r.status.ok() && r.offset >= 0) {
            confirmed.fetch_add(1);
          } else {
            failed.fetch_add(1);
          }
        });
    ASSERT_TRUE(enqueued.ok()) << enqueued;
  }
  ASSERT_TRUE(producer_->Flush(std::chrono::seconds(60)).ok());
  EXPECT_EQ(confirmed.load(), kEvents);
  EXPECT_EQ(failed.load(), 0);

  auto consumer = NewConsumer(topic, UniqueName("group"));
  ASSERT_NE(consumer, nullptr);
  std::map<std::string, int> seen;
  std::map<std::string, int64_t> last_litres_per_key;
  bool in_order = true;
  ASSERT_TRUE(WaitFor(
      [&] {
        auto m = consumer->Poll(std::chrono::milliseconds(200));
        if (m.ok() && m->has_value()) {
          auto envelope = DecodeEnvelope((*m)->value);
          if (envelope.ok()) {
            ++seen[envelope->event_id()];
            auto v = UnpackPayload<common::v1::Volume>(*envelope);
            auto [it, fresh] = last_litres_per_key.try_emplace((*m)->key, v->litres());
            if (!fresh) {
              in_order = in_order && v->litres() > it->second;
              it->second = v->litres();
            }
          }
        }
        return seen.size() >= static_cast<size_t>(kEvents);
      },
      std::chrono::seconds(60), std::chrono::milliseconds(0)));
  // Drain a little longer: nothing more may arrive.
  for (int i = 0; i < 5; ++i) {
    auto m = consumer->Poll(std::chrono::milliseconds(100));
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m->has_value()) << "unexpected extra message";
  }
  EXPECT_EQ(seen.size(), static_cast<size_t>(kEvents));
  for (const auto& id : ids) {
    EXPECT_EQ(seen[id], 1) << id;
  }
  EXPECT_TRUE(in_order) << "events of one key arrived out of order";
}

TEST_F(KafkaIntegrationTest, DeliveryToAnUnreachableBrokerReportsFailure) {
  // Port 9 (discard) on loopback: nothing listens, so no broker ever acknowledges.
  ProducerOptions options;
  options.bootstrap_servers = "127.0.0.1:9";
  options.delivery_timeout_ms = 1500;
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  DeliveryResult result = (*producer)->Produce("any.topic", "k", "v").get();
  EXPECT_FALSE(result.status.ok());
  EXPECT_EQ(result.status.code(), absl::StatusCode::kUnavailable);
}

TEST_F(KafkaIntegrationTest, AFullLocalQueueAppliesBackPressureInsteadOfFailing) {
  const std::string topic = NewTopic(1);
  ProducerOptions options;
  options.bootstrap_servers = KafkaBootstrap();
  options.extra["queue.buffering.max.messages"] = "10";  // full after ten messages
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok()) << producer.status();
  std::atomic<int> confirmed{0};
  for (int i = 0; i < 2000; ++i) {
    absl::Status enqueued =
        (*producer)->Produce(topic, "k", std::to_string(i), [&](const DeliveryResult& r) {
          if (r.status.ok()) {
            confirmed.fetch_add(1);
          }
        });
    ASSERT_TRUE(enqueued.ok()) << "message " << i << ": " << enqueued;
  }
  ASSERT_TRUE((*producer)->Flush(std::chrono::seconds(60)).ok());
  EXPECT_EQ(confirmed.load(), 2000);
  EXPECT_EQ((*producer)->InFlight(), 0);
}

TEST_F(KafkaIntegrationTest, AQueueThatStaysFullIsReportedAsResourceExhausted) {
  ProducerOptions options;
  options.bootstrap_servers = "127.0.0.1:9";  // nothing listens: the queue never drains
  options.delivery_timeout_ms = 3000;
  options.extra["queue.buffering.max.messages"] = "1";
  auto producer = Producer::Create(options);
  ASSERT_TRUE(producer.ok());
  std::atomic<int> reports{0};
  auto count = [&](const DeliveryResult&) { reports.fetch_add(1); };
  ASSERT_TRUE(
      (*producer)->Produce("t", "k", "first", count, {}, std::chrono::milliseconds(100)).ok());
  absl::Status second =
      (*producer)->Produce("t", "k", "second", count, {}, std::chrono::milliseconds(100));
  EXPECT_EQ(second.code(), absl::StatusCode::kResourceExhausted) << second;
  // Only the enqueued message gets a delivery report (a failure, after the delivery timeout).
  EXPECT_TRUE(WaitFor([&] { return reports.load() == 1; }, std::chrono::seconds(20)));
}

TEST_F(KafkaIntegrationTest, TopicsAreCreatedOnceWithTheirConfigs) {
  const std::string name = UniqueName("test.compacted");
  TopicSpec spec{name, 4, 1, {{"cleanup.policy", "compact"}}};
  ASSERT_TRUE(admin_->EnsureTopics({spec}).ok());
  // A second creation is not an error and changes nothing.
  ASSERT_TRUE(admin_->EnsureTopics({spec}).ok());
  auto partitions = admin_->PartitionCount(name);
  ASSERT_TRUE(partitions.ok()) << partitions.status();
  EXPECT_EQ(*partitions, 4);
  auto configs = admin_->DescribeTopicConfigs(name);
  ASSERT_TRUE(configs.ok()) << configs.status();
  EXPECT_EQ(configs->at("cleanup.policy"), "compact");
  EXPECT_EQ(admin_->PartitionCount(UniqueName("test.absent")).status().code(),
            absl::StatusCode::kNotFound);
}

TEST_F(KafkaIntegrationTest, WaitForLeadersReturnsOnceATopicJustCreatedCanBeWritten) {
  const std::string topic = NewTopic(6);
  ASSERT_TRUE(producer_->WaitForLeaders({topic}, std::chrono::seconds(30)).ok());
  DeliveryResult result = producer_->Produce(topic, "k", "v").get();
  EXPECT_TRUE(result.status.ok()) << result.status;
}

TEST_F(KafkaIntegrationTest, WaitForLeadersNamesATopicThatCannotBeWritten) {
  // A name Kafka refuses ("!" is not allowed), so no amount of waiting gives it a leader.
  const absl::Status s =
      producer_->WaitForLeaders({"jieshui.not!a.topic"}, std::chrono::milliseconds(500));
  EXPECT_EQ(s.code(), absl::StatusCode::kUnavailable);
  EXPECT_NE(s.message().find("jieshui.not!a.topic"), std::string::npos) << s;
}

TEST_F(KafkaIntegrationTest, PoisonGoesToTheDlqAndTheLoopMovesOn) {
  const std::string topic = NewTopic(1);
  const std::string dlq_topic = NewTopic(1);
  const std::string group = UniqueName("group");
  for (std::string value : {"good-1", "bad", "good-2"}) {
    ASSERT_TRUE(producer_->Produce(topic, "k", value).get().status.ok());
  }
  DeadLetterQueue dlq(producer_.get(), group, dlq_topic);
  std::mutex mu;
  std::vector<std::string> applied;
  ConsumerLoop loop(
      NewConsumer(topic, group),
      [&](const Message& m) {
        if (m.value == "bad") {
          return HandlerResult::Poison("value is not a reading");
        }
        std::lock_guard<std::mutex> lock(mu);
        applied.push_back(m.value);
        return HandlerResult::Processed();
      },
      &dlq);
  loop.Start();
  ASSERT_TRUE(WaitFor([&] { return loop.processed() == 3; }));
  loop.Stop();
  EXPECT_EQ(applied, (std::vector<std::string>{"good-1", "good-2"}));
  EXPECT_EQ(loop.dead_lettered(), 1);

  auto reader = NewConsumer(dlq_topic, UniqueName("reader"));
  std::optional<events::v1::DeadLetter> letter;
  ASSERT_TRUE(WaitFor([&] {
    auto m = reader->Poll(std::chrono::milliseconds(200));
    if (m.ok() && m->has_value()) {
      auto envelope = DecodeEnvelope((*m)->value);
      if (envelope.ok()) {
        auto l = UnpackPayload<events::v1::DeadLetter>(*envelope);
        if (l.ok()) {
          letter = *l;
        }
      }
    }
    return letter.has_value();
  }));
  EXPECT_EQ(letter->source_topic(), topic);
  EXPECT_EQ(letter->source_offset(), 1);
  EXPECT_EQ(letter->original_value(), "bad");
  EXPECT_EQ(letter->error(), "value is not a reading");
  EXPECT_EQ(letter->consumer_group(), group);

  // The group's committed position is past all three: a new member of the group reads nothing.
  auto again = NewConsumer(topic, group);
  for (int i = 0; i < 10; ++i) {
    auto m = again->Poll(std::chrono::milliseconds(200));
    ASSERT_TRUE(m.ok());
    EXPECT_FALSE(m->has_value()) << "committed offsets did not cover " << (*m)->value;
  }
}

TEST_F(KafkaIntegrationTest, RetryReReadsTheSameMessageBeforeLaterOnes) {
  const std::string topic = NewTopic(1);
  for (std::string value : {"a", "b"}) {
    ASSERT_TRUE(producer_->Produce(topic, "k", value).get().status.ok());
  }
  std::mutex mu;
  std::vector<std::string> calls;
  int failures_left = 2;
  ConsumerLoopOptions fast_retry;
  fast_retry.retry_backoff_initial = std::chrono::milliseconds(10);
  ConsumerLoop loop(
      NewConsumer(topic, UniqueName("group")),
      [&](const Message& m) {
        std::lock_guard<std::mutex> lock(mu);
        calls.push_back(m.value);
        if (m.value == "a" && failures_left > 0) {
          --failures_left;
          return HandlerResult::Retry("database unavailable");
        }
        return HandlerResult::Processed();
      },
      nullptr, fast_retry);
  loop.Start();
  ASSERT_TRUE(WaitFor([&] { return loop.processed() == 2; }));
  loop.Stop();
  EXPECT_EQ(calls, (std::vector<std::string>{"a", "a", "a", "b"}));
  EXPECT_EQ(loop.retries(), 2);
}

}  // namespace
}  // namespace jieshui::kafka
