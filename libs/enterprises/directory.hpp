// The enterprises the registry announced (compacted topic jieshui.registry.enterprise.v1), copied
// into a consuming service's own schema (quota, certification, reporting), so its records can
// refuse an unknown or deregistered enterprise in the same transaction that stores them.
#pragma once

#include <chrono>
#include <memory>
#include <string>

#include "absl/status/status.h"
#include "db/pool.hpp"
#include "kafka/table_follower.hpp"

namespace jieshui::enterprises {

// DDL of the `enterprises` table in `schema` (idempotent; a service may also create it in its own
// migration with the first five columns, as quota's 0001 does, and this adds the rest): uscc,
// name, industry_code, deregistered, version, town, park_id, above_scale, and `record`, the whole
// registry.v1.Enterprise as the registry announced it (for what a service needs beyond the
// columns: the specialist, metering points, water sources).
std::string TableSql(const std::string& schema);

struct DirectoryOptions {
  std::string bootstrap_servers;
  std::string topic;   // the registry's enterprise topic
  std::string schema;  // the consuming service's schema
};

// Read from the beginning at start (up to the end before the service serves) and followed
// afterwards. Every replica copies the topic; an upsert only moves a row to a newer version, so
// that is harmless.
class Directory {
 public:
  Directory(db::ConnectionPool* pool, DirectoryOptions options);

  // Creates the table if missing, copies the topic up to its end as of now (UNAVAILABLE after
  // `timeout`), then follows it on a background thread.
  absl::Status Start(std::chrono::milliseconds timeout);
  void Stop() { follower_.Stop(); }

  // Applies one registry enterprise event (the topic's value). INVALID_ARGUMENT when it is not
  // one (skipped by the follower); a database error otherwise (retried).
  absl::Status ApplyEvent(const std::string& value);

  int64_t events_applied() const { return follower_.applied(); }

 private:
  db::ConnectionPool* pool_;
  DirectoryOptions options_;
  kafka::TableFollower follower_;
};

}  // namespace jieshui::enterprises
