// A thread-safe pool of blocking hiredis connections to one Redis server: bounded wait for a free
// connection, RAII leases, lazy redial with backoff after I/O errors, commands and pipelines.
#pragma once

#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "absl/types/span.h"
#include "redis/options.hpp"
#include "redis/reply.hpp"

struct redisContext;  // hiredis

namespace jieshui::redis {

// One command as its arguments, e.g. {"SET", key, value}. Arguments are sent as bulk strings with
// their length (redisCommandArgv), so any bytes are safe; nothing is ever formatted into a string.
using Argv = std::vector<std::string>;

// Whether a command may be sent once more, on a freshly dialled connection, when a reused
// connection failed with a connection error (reset, EOF) before its reply arrived. Such a failure
// leaves unknown whether Redis ran the command, so only commands whose repetition is harmless
// (GET, SET, DEL, HSET, EXPIRE, ...) may say kIdempotent; INCR, LPUSH and friends may not.
// Timeouts are never retried: the server is alive but slow, and a retry would double the wait.
enum class Idempotency { kNotIdempotent, kIdempotent };

// Counters for tests and metrics.
struct PoolStats {
  int64_t dial_attempts = 0;  // connects tried (including failures)
  int64_t dial_failures = 0;  // connects, AUTH or SELECT that failed
  int64_t discarded = 0;      // connections dropped after an I/O or protocol error
  int idle = 0;               // open connections waiting in the pool
  int leased = 0;             // slots held by leases
};

class ConnectionPool;

// Exclusive use of one pool slot, returned to the pool when the lease is destroyed. A lease holds
// at most one connection; after an I/O error it drops it and dials a new one on its next command.
// Not thread-safe: one lease belongs to one thread at a time. The pool must outlive its leases.
class Lease {
 public:
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&& other) noexcept;
  Lease(const Lease&) = delete;
  Lease& operator=(const Lease&) = delete;
  ~Lease();

  // Sends one command and returns its reply. An error reply from Redis (e.g. WRONGTYPE) is an OK
  // result holding a Reply of type kError. Non-OK: INVALID_ARGUMENT for an empty argv, UNAVAILABLE
  // when Redis cannot be reached, the connection broke or the command timed out, INTERNAL for a
  // protocol error.
  absl::StatusOr<Reply> Command(absl::Span<const std::string> argv,
                                Idempotency idempotency = Idempotency::kNotIdempotent);

  // Sends all commands in one write, then reads one reply per command, in order. If the
  // connection fails at any point the whole batch fails with UNAVAILABLE (some commands may have
  // run); with kIdempotent the whole batch is sent once more on a fresh connection, as Command.
  absl::StatusOr<std::vector<Reply>> Pipeline(
      absl::Span<const Argv> commands, Idempotency idempotency = Idempotency::kNotIdempotent);

 private:
  friend class ConnectionPool;

  struct ContextDeleter {
    void operator()(redisContext* context) const;
  };
  using ContextPtr = std::unique_ptr<redisContext, ContextDeleter>;

  Lease(ConnectionPool* pool, ContextPtr context);

  // Makes sure the lease holds a live connection: drops one the server has closed, dials when
  // there is none.
  absl::Status Connect();
  // Drops the connection after an error; the next command dials again.
  void Discard();
  // Runs attempt(bool* retryable) on a live connection, once more on a fresh one when allowed.
  template <typename Attempt>
  auto WithRetry(Idempotency idempotency, Attempt attempt) -> decltype(attempt(nullptr));

  ConnectionPool* pool_ = nullptr;
  ContextPtr context_;
  // The connection was dialled for this lease and has not yet completed a command.
  bool fresh_ = false;
};

class ConnectionPool {
 public:
  // Checks the options; dials nothing yet, so a service starts even while Redis is down (reads
  // degrade to PostgreSQL). Connections are dialled on first use.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(Options options);

  ConnectionPool(const ConnectionPool&) = delete;
  ConnectionPool& operator=(const ConnectionPool&) = delete;
  // Every lease must have been returned; a lease outliving its pool aborts the process.
  ~ConnectionPool();

  // Waits up to options().borrow_timeout for a free slot (RESOURCE_EXHAUSTED when none frees up),
  // then hands out an open connection or dials one (UNAVAILABLE when that fails or the reconnect
  // backoff has not yet passed).
  absl::StatusOr<Lease> Borrow();
  absl::StatusOr<Lease> Borrow(absl::Duration wait);

  PoolStats stats() const;
  const Options& options() const { return options_; }

 private:
  friend class Lease;
  using ContextPtr = Lease::ContextPtr;

  explicit ConnectionPool(Options options);

  // Opens, authenticates and selects a connection, unless a recent dial failed and the backoff
  // has not passed (then UNAVAILABLE without touching the network).
  absl::StatusOr<ContextPtr> Dial();
  absl::StatusOr<ContextPtr> DialOnce();
  void CountDiscard();
  // Takes back a slot and, when it is still open and healthy, its connection.
  void Return(ContextPtr context);

  const Options options_;
  // std::mutex rather than absl::Mutex: Debian's prebuilt abseil is not instrumented for
  // ThreadSanitizer, which then reports false races through absl::Mutex; pthread-based locks it
  // understands. Everything below is guarded by mu_.
  mutable std::mutex mu_;
  std::condition_variable slot_freed_;
  std::vector<ContextPtr> idle_;
  int leased_ = 0;
  int consecutive_dial_failures_ = 0;
  absl::Time next_dial_allowed_ = absl::InfinitePast();
  absl::Status last_dial_error_;
  PoolStats stats_;
};

}  // namespace jieshui::redis
