// Settings of a Redis connection pool: where the server is, how many connections to keep, how long
// to wait for a connection, a reply or a free slot, credentials, and how gently to reconnect.
#pragma once

#include <optional>
#include <string>

#include "absl/status/status.h"
#include "absl/time/time.h"

namespace jieshui::redis {

struct Options {
  // Loopback by default: the local stack binds Redis to 127.0.0.1 only.
  std::string host = "127.0.0.1";
  int port = 6379;
  // Maximum number of connections open at once (and of concurrent leases).
  int pool_size = 4;
  // TCP connect (and AUTH/SELECT) budget for dialling one connection.
  absl::Duration connect_timeout = absl::Milliseconds(500);
  // Read/write timeout of every command (redisSetTimeout); a pipeline gets it per socket call.
  absl::Duration command_timeout = absl::Seconds(1);
  // How long Borrow() waits for a free slot when every connection is leased.
  absl::Duration borrow_timeout = absl::Milliseconds(500);
  // Sent as AUTH [username] password right after connecting; username needs Redis 6 ACLs.
  std::optional<std::string> username;
  std::optional<std::string> password;
  // Logical database, selected right after connecting when not 0.
  int db = 0;
  // After a failed dial, the next one waits initial * 2^(failures-1), capped at max.
  absl::Duration reconnect_backoff_initial = absl::Milliseconds(50);
  absl::Duration reconnect_backoff_max = absl::Seconds(2);
};

// INVALID_ARGUMENT naming the first field that is out of range.
absl::Status ValidateOptions(const Options& options);

// Wait before the next dial after `consecutive_failures` failed dials in a row (0 means none).
absl::Duration ReconnectBackoff(const Options& options, int consecutive_failures);

}  // namespace jieshui::redis
