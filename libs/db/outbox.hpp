// Transactional outbox: a service writes its state change and the event announcing it in one
// PostgreSQL transaction; a relay publishes committed rows to Kafka and marks a row sent only
// after the broker's delivery report, so no event is lost and none is announced before it is true.
#pragma once

#include <atomic>
#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <thread>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "kafka/producer.hpp"

namespace jieshui::db {

// DDL of the outbox table in `schema` (idempotent). Services apply it as one of their migrations,
// or call EnsureOutboxTable.
std::string OutboxTableSql(const std::string& schema);
absl::Status EnsureOutboxTable(ConnectionPool& pool, const std::string& schema);

// Adds an event to the outbox inside the caller's transaction: it becomes visible to the relay
// only if that transaction commits.
void EnqueueEvent(pqxx::work& tx, const std::string& schema, const std::string& topic,
                  const std::string& key, const std::string& value);

struct OutboxRelayOptions {
  std::string schema;
  int batch_size = 500;
  std::chrono::milliseconds idle_poll{100};  // wait when the outbox is empty
  std::chrono::milliseconds delivery_timeout{30000};
  std::chrono::milliseconds batch_pause{0};  // pause between batches (throttling, tests)
  // Called after a batch's deliveries are confirmed and before its rows are marked sent: the
  // window in which a crash makes the relay send those rows again. Fault-injection tests use it.
  std::function<void()> before_mark;
};

// Publishes unsent outbox rows in id order. Only one relay per schema works at a time (advisory
// lock), so per-key order is kept even with several replicas running.
class OutboxRelay {
 public:
  OutboxRelay(ConnectionPool* pool, kafka::Producer* producer, OutboxRelayOptions options);
  ~OutboxRelay();

  // Relays one batch: returns how many rows were confirmed and marked sent (0 when idle or when
  // another relay holds the lock). Rows whose delivery failed stay unsent and are retried.
  absl::StatusOr<int> RelayOnce();

  void Start();  // background thread calling RelayOnce
  void Stop();   // finishes the batch in hand

  int64_t relayed() const { return relayed_.load(); }

 private:
  void Run();
  ConnectionPool* pool_;
  kafka::Producer* producer_;
  OutboxRelayOptions options_;
  std::atomic<bool> stop_{false};
  std::atomic<int64_t> relayed_{0};
  std::thread thread_;
};

}  // namespace jieshui::db
