// Kafka producer for Jieshui events: idempotent, acks=all, and a delivery result per message that
// the caller can wait on. Only a delivery report counts as success (flush() alone proves nothing).
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <thread>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace RdKafka {
class Producer;
}

namespace jieshui::kafka {

struct ProducerOptions {
  std::string bootstrap_servers = "127.0.0.1:19092";
  std::string client_id = "jieshui";
  // How long librdkafka may batch before sending; higher trades latency for throughput.
  int linger_ms = 5;
  // A message not acknowledged by the broker within this time fails its delivery report.
  int delivery_timeout_ms = 30000;
  // Any further librdkafka property (CONFIGURATION.md); applied last, so it can override the above
  // except the durability settings (enable.idempotence, acks), which are always on.
  std::map<std::string, std::string> extra;
};

struct DeliveryResult {
  absl::Status status;  // OK only when the broker acknowledged the write to all in-sync replicas.
  std::string topic;
  int32_t partition = -1;
  int64_t offset = -1;
};

using DeliveryCallback = std::function<void(const DeliveryResult&)>;

struct Header {
  std::string key;
  std::string value;
};

class Producer {
 public:
  static absl::StatusOr<std::unique_ptr<Producer>> Create(const ProducerOptions& options);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Hands the message to librdkafka; `on_delivery` runs exactly once on the producer's poll thread
  // with the broker's verdict. When the local queue is full this waits (up to `enqueue_timeout`)
  // instead of failing, so a flood of data applies back-pressure rather than being dropped.
  // A non-OK return means the message was not enqueued and `on_delivery` will not run.
  absl::Status Produce(std::string_view topic, std::string_view key, std::string_view value,
                       DeliveryCallback on_delivery, const std::vector<Header>& headers = {},
                       std::chrono::milliseconds enqueue_timeout = std::chrono::seconds(30));

  // Same, returning a future of the delivery result (an enqueue failure is a ready future).
  std::future<DeliveryResult> Produce(std::string_view topic, std::string_view key,
                                      std::string_view value,
                                      const std::vector<Header>& headers = {});

  // Waits until every enqueued message has its delivery report or `timeout` passes.
  // Returns DEADLINE_EXCEEDED when reports are still outstanding. It does not say whether
  // deliveries succeeded: that is what the delivery results are for.
  absl::Status Flush(std::chrono::milliseconds timeout);

  // Waits until the broker reports a leader for every partition of each topic (and the producer
  // holds that metadata), so the first messages are not held back while a topic just created is
  // still electing leaders. UNAVAILABLE naming the topic and the reason after `timeout`.
  absl::Status WaitForLeaders(const std::vector<std::string>& topics,
                              std::chrono::milliseconds timeout);

  // Messages enqueued whose delivery report has not run yet.
  int64_t InFlight() const { return in_flight_.load(); }

 private:
  class DeliveryReporter;
  Producer() = default;
  void PollLoop();
  void OnDelivered();  // from the delivery report: one message less in flight

  std::unique_ptr<DeliveryReporter> reporter_;
  std::unique_ptr<RdKafka::Producer> producer_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> in_flight_{0};
  // Producers blocked on a full local queue wait here for a delivery report to free a place.
  std::atomic<int> space_waiters_{0};
  std::mutex space_mu_;
  std::condition_variable space_cv_;
  std::thread poller_;
};

}  // namespace jieshui::kafka
