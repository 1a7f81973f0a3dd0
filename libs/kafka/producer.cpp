#include "kafka/producer.hpp"

#include <librdkafka/rdkafkacpp.h>

#include <algorithm>
#include <thread>

#include "absl/strings/str_cat.h"
#include "kafka/rdkafka_config.hpp"

namespace jieshui::kafka {

namespace {

// Heap-allocated per message and handed to librdkafka as the message opaque.
struct PendingDelivery {
  DeliveryCallback callback;
};

}  // namespace

class Producer::DeliveryReporter : public RdKafka::DeliveryReportCb {
 public:
  explicit DeliveryReporter(Producer* owner) : owner_(owner) {}

  void dr_cb(RdKafka::Message& message) override {
    std::unique_ptr<PendingDelivery> pending(static_cast<PendingDelivery*>(message.msg_opaque()));
    DeliveryResult result;
    result.topic = message.topic_name();
    result.partition = message.partition();
    result.offset = message.offset();
    if (message.err() != RdKafka::ERR_NO_ERROR) {
      result.status = absl::UnavailableError(absl::StrCat(
          "kafka delivery to ", result.topic, " failed: ", RdKafka::err2str(message.err())));
    }
    if (pending && pending->callback) {
      pending->callback(result);
    }
    owner_->OnDelivered();
  }

 private:
  Producer* owner_;
};

absl::StatusOr<std::unique_ptr<Producer>> Producer::Create(const ProducerOptions& options) {
  std::unique_ptr<Producer> self(new Producer());
  self->reporter_ = std::make_unique<DeliveryReporter>(self.get());

  std::map<std::string, std::string> props = {
      {"bootstrap.servers", options.bootstrap_servers},
      {"client.id", options.client_id},
      {"linger.ms", std::to_string(options.linger_ms)},
      {"delivery.timeout.ms", std::to_string(options.delivery_timeout_ms)},
      {"compression.type", "lz4"},
  };
  for (const auto& [key, value] : options.extra) {
    props[key] = value;
  }
  // Durability is not negotiable (DESIGN.md "Rules that make the event flow trustworthy"):
  // idempotence gives exactly-once, in-order writes per partition across retries.
  props["enable.idempotence"] = "true";
  props["acks"] = "all";

  auto conf = BuildConfig(props);
  if (!conf.ok()) {
    return conf.status();
  }
  std::string err;
  if ((*conf)->set("dr_cb", self->reporter_.get(), err) != RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka producer: dr_cb: ", err));
  }
  self->producer_.reset(RdKafka::Producer::create(conf->get(), err));
  if (!self->producer_) {
    return absl::InvalidArgumentError(absl::StrCat("kafka producer: ", err));
  }
  self->poller_ = std::thread([p = self.get()] { p->PollLoop(); });
  return self;
}

Producer::~Producer() {
  if (producer_) {
    // Give outstanding messages a last chance; their callbacks still run (failed on timeout).
    producer_->flush(10000);
  }
  stop_.store(true);
  if (poller_.joinable()) {
    poller_.join();
  }
  if (producer_) {
    // Anything still queued is purged; its delivery callback reports the purge as a failure.
    producer_->purge(RdKafka::Producer::PURGE_QUEUE | RdKafka::Producer::PURGE_INFLIGHT);
    producer_->poll(0);
  }
}

void Producer::OnDelivered() {
  in_flight_.fetch_sub(1);
  if (space_waiters_.load() > 0) {
    std::lock_guard<std::mutex> lock(space_mu_);
    space_cv_.notify_all();
  }
}

void Producer::PollLoop() {
  while (!stop_.load()) {
    producer_->poll(50);
  }
}

absl::Status Producer::Produce(std::string_view topic, std::string_view key, std::string_view value,
                               DeliveryCallback on_delivery, const std::vector<Header>& headers,
                               std::chrono::milliseconds enqueue_timeout) {
  auto pending = std::make_unique<PendingDelivery>(PendingDelivery{std::move(on_delivery)});
  const auto deadline = std::chrono::steady_clock::now() + enqueue_timeout;
  while (true) {
    RdKafka::Headers* rd_headers = nullptr;
    if (!headers.empty()) {
      rd_headers = RdKafka::Headers::create();
      for (const auto& h : headers) {
        rd_headers->add(h.key, h.value.data(), h.value.size());
      }
    }
    in_flight_.fetch_add(1);
    RdKafka::ErrorCode rc =
        producer_->produce(std::string(topic), RdKafka::Topic::PARTITION_UA,
                           RdKafka::Producer::RK_MSG_COPY, const_cast<char*>(value.data()),
                           value.size(), key.data(), key.size(), 0, rd_headers, pending.get());
    if (rc == RdKafka::ERR_NO_ERROR) {
      static_cast<void>(pending.release());  // now owned by the delivery report
      return absl::OkStatus();
    }
    in_flight_.fetch_sub(1);
    delete rd_headers;  // on failure ownership stays with us
    if (rc != RdKafka::ERR__QUEUE_FULL) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka produce to ", std::string(topic), ": ", RdKafka::err2str(rc)));
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::ResourceExhaustedError(absl::StrCat("kafka produce to ", std::string(topic),
                                                       ": local queue full for ",
                                                       enqueue_timeout.count(), " ms"));
    }
    // The poll thread serves delivery reports; wait until one frees a place in the queue.
    space_waiters_.fetch_add(1);
    {
      std::unique_lock<std::mutex> lock(space_mu_);
      space_cv_.wait_for(lock, std::chrono::milliseconds(1));
    }
    space_waiters_.fetch_sub(1);
  }
}

std::future<DeliveryResult> Producer::Produce(std::string_view topic, std::string_view key,
                                              std::string_view value,
                                              const std::vector<Header>& headers) {
  auto promise = std::make_shared<std::promise<DeliveryResult>>();
  std::future<DeliveryResult> future = promise->get_future();
  absl::Status enqueued = Produce(
      topic, key, value, [promise](const DeliveryResult& r) { promise->set_value(r); }, headers);
  if (!enqueued.ok()) {
    DeliveryResult failed;
    failed.status = enqueued;
    failed.topic = std::string(topic);
    promise->set_value(failed);
  }
  return future;
}

absl::Status Producer::Flush(std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  // flush() serves callbacks too, racing our poll thread harmlessly; the in-flight counter is the
  // real measure because flush() reports success even for timed-out messages.
  producer_->flush(static_cast<int>(timeout.count()));
  while (in_flight_.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) {
      return absl::DeadlineExceededError(
          absl::StrCat("kafka flush: ", in_flight_.load(), " messages still awaiting delivery"));
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return absl::OkStatus();
}

absl::Status Producer::WaitForLeaders(const std::vector<std::string>& topics,
                                      std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  for (const std::string& name : topics) {
    std::string err;
    std::unique_ptr<RdKafka::Topic> topic(
        RdKafka::Topic::create(producer_.get(), name, nullptr, err));
    if (!topic) {
      return absl::InvalidArgumentError(absl::StrCat("kafka topic ", name, ": ", err));
    }
    while (true) {
      const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - std::chrono::steady_clock::now());
      RdKafka::Metadata* raw = nullptr;
      const RdKafka::ErrorCode code = producer_->metadata(
          false, topic.get(), &raw, static_cast<int>(std::max<int64_t>(100, left.count())));
      const std::unique_ptr<RdKafka::Metadata> metadata(raw);
      std::string why;
      if (code != RdKafka::ERR_NO_ERROR) {
        why = RdKafka::err2str(code);
      } else {
        why = "not in the broker's metadata";
        for (const RdKafka::TopicMetadata* t : *metadata->topics()) {
          if (t->topic() != name) {
            continue;
          }
          if (t->err() != RdKafka::ERR_NO_ERROR) {
            why = RdKafka::err2str(t->err());
          } else if (t->partitions()->empty()) {
            why = "no partitions";
          } else {
            why.clear();
            for (const RdKafka::PartitionMetadata* p : *t->partitions()) {
              if (p->err() != RdKafka::ERR_NO_ERROR || p->leader() < 0) {
                why = absl::StrCat("partition ", p->id(), " has no leader");
                break;
              }
            }
          }
        }
      }
      if (why.empty()) {
        break;
      }
      if (std::chrono::steady_clock::now() >= deadline) {
        return absl::UnavailableError(absl::StrCat("kafka topic ", name, ": ", why));
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  return absl::OkStatus();
}

}  // namespace jieshui::kafka
