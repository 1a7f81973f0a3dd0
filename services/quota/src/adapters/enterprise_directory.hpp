// The enterprises the registry announced (compacted topic jieshui.registry.enterprise.v1), copied
// into the quota schema so plans, reports and orders can refuse an unknown enterprise in the same
// transaction that stores them, and quota checks find the enterprise's industry code. Read from
// the beginning at start (up to the end before the service serves) and followed afterwards. Every
// replica copies the topic; an upsert only moves a row to a newer version, so that is harmless.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <string>
#include <thread>

#include "absl/status/status.h"
#include "db/pool.hpp"
#include "kafka/topic_reader.hpp"

namespace jieshui::quota {

class EnterpriseDirectory {
 public:
  EnterpriseDirectory(db::ConnectionPool* pool, std::string bootstrap_servers, std::string topic);
  ~EnterpriseDirectory();
  EnterpriseDirectory(const EnterpriseDirectory&) = delete;
  EnterpriseDirectory& operator=(const EnterpriseDirectory&) = delete;

  // Copies the topic up to its end as of now (UNAVAILABLE after `timeout`), then follows it on a
  // background thread.
  absl::Status Start(std::chrono::milliseconds timeout);
  void Stop();

  // Applies one registry enterprise event (the topic's value). INVALID_ARGUMENT when it is not
  // one (logged and skipped by the follower); a database error otherwise (retried).
  absl::Status ApplyEvent(const std::string& value);

  int64_t events_applied() const { return events_applied_.load(); }

 private:
  void Follow();
  // Applies, retrying database errors until it succeeds or the directory stops.
  void ApplyWithRetry(const std::string& value);

  db::ConnectionPool* pool_;
  std::string bootstrap_servers_;
  std::string topic_;
  std::unique_ptr<kafka::TopicReader> reader_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> events_applied_{0};
  std::thread thread_;
};

}  // namespace jieshui::quota
