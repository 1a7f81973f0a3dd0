// A compacted topic kept as a table (the registry's enterprises or meters): read from the beginning
// to its end before the service serves, then followed on a thread, so what the topic says later
// reaches the table within a poll. Every replica reads the whole topic; nothing is committed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "kafka/topic_reader.hpp"

namespace jieshui::kafka {

struct TableFollowerOptions {
  std::string name = "table";  // in logs: "meter directory"
  std::string bootstrap_servers;
  std::string topic;
  std::chrono::milliseconds poll_timeout{200};
  std::chrono::milliseconds backoff_initial{100};
  std::chrono::milliseconds backoff_max{5000};
};

class TableFollower {
 public:
  // Applies one message to the table. Classify() decides on a failure: poison (a message that is
  // not what the topic carries) is logged with its offset and skipped, as every replica would
  // skip it alike; retryable (the database) is tried again, in place, after a back-off.
  using Apply = std::function<absl::Status(const Message&)>;

  TableFollower(TableFollowerOptions options, Apply apply);
  ~TableFollower();
  TableFollower(const TableFollower&) = delete;
  TableFollower& operator=(const TableFollower&) = delete;

  // Reads the topic up to its end as of now (UNAVAILABLE naming the topic after `timeout`; a
  // retryable failure then ends start-up too), then follows it on a background thread.
  absl::Status Start(std::chrono::milliseconds timeout);
  void Stop();

  int64_t applied() const { return applied_.load(); }
  int64_t skipped() const { return skipped_.load(); }

 private:
  void Follow();
  // Applies with retries until it succeeds, is poison, or the follower stops.
  void ApplyWithRetry(const Message& message);
  // Poison: logged and counted. Returns OK.
  absl::Status Skip(const Message& message, const absl::Status& why);

  const TableFollowerOptions options_;
  Apply apply_;
  std::unique_ptr<TopicReader> reader_;
  std::atomic<int64_t> applied_{0};
  std::atomic<int64_t> skipped_{0};
  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace jieshui::kafka
