// The Redis commands the services use (GET, SET with TTL, DEL, HSET, HGETALL, INCR, EXPIRE, PING),
// plus generic commands and pipelines, each on a connection borrowed from a ConnectionPool.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "redis/options.hpp"
#include "redis/pool.hpp"
#include "redis/reply.hpp"

namespace jieshui::redis {

// Thread-safe: every call borrows a connection for its own duration. Keys and values are bytes.
//
// Errors: UNAVAILABLE when Redis is unreachable, the connection broke or a command timed out;
// RESOURCE_EXHAUSTED when no pooled connection freed up within borrow_timeout; INTERNAL for a
// protocol error or a reply of an unexpected type; an error reply from Redis maps through
// ErrorReplyToStatus (WRONGTYPE -> FAILED_PRECONDITION, ERR -> INVALID_ARGUMENT, ...).
//
// Retries: commands whose repetition is harmless (PING, GET, SET, DEL, HSET, HGETALL, EXPIRE) are
// sent once more on a fresh connection when a pooled connection turns out to be dead; INCR never
// is. For DEL and HSET that means the count may under-report in the rare case where the first
// attempt did reach Redis before the connection broke.
class Client {
 public:
  static absl::StatusOr<Client> Create(Options options);
  explicit Client(std::unique_ptr<ConnectionPool> pool);

  ConnectionPool& pool() { return *pool_; }

  // Any command; an error reply is returned as a Reply of type kError, not as a Status.
  absl::StatusOr<Reply> Command(absl::Span<const std::string> argv,
                                Idempotency idempotency = Idempotency::kNotIdempotent);
  // Replies in command order; see Lease::Pipeline.
  absl::StatusOr<std::vector<Reply>> Pipeline(
      absl::Span<const Argv> commands, Idempotency idempotency = Idempotency::kNotIdempotent);

  absl::Status Ping();
  // std::nullopt when the key does not exist.
  absl::StatusOr<std::optional<std::string>> Get(absl::string_view key);
  // With a TTL the key expires after it (millisecond precision, SET ... PX); it must be >= 1ms.
  absl::Status Set(absl::string_view key, absl::string_view value,
                   std::optional<absl::Duration> ttl = std::nullopt);
  // Number of keys that existed and were removed.
  absl::StatusOr<int64_t> Del(absl::string_view key);
  absl::StatusOr<int64_t> Del(absl::Span<const std::string> keys);
  // Sets the given fields (others stay); returns how many fields were new. `fields` must not be
  // empty.
  absl::StatusOr<int64_t> HSet(absl::string_view key,
                               const std::map<std::string, std::string>& fields);
  // All fields; empty when the key does not exist.
  absl::StatusOr<std::map<std::string, std::string>> HGetAll(absl::string_view key);
  // The value after the increment; a missing key counts from 0.
  absl::StatusOr<int64_t> Incr(absl::string_view key);
  // true when the key exists and now expires after `ttl` (PEXPIRE); ttl must be >= 1ms.
  absl::StatusOr<bool> Expire(absl::string_view key, absl::Duration ttl);

 private:
  // Command() that turns an error reply into a Status.
  absl::StatusOr<Reply> Checked(absl::Span<const std::string> argv, Idempotency idempotency);

  std::unique_ptr<ConnectionPool> pool_;
};

}  // namespace jieshui::redis
