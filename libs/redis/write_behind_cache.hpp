// A Redis cache in front of PostgreSQL that never serves a figure older than the database's: after
// a commit changes what a key holds, the key is marked dirty; readers skip the cache for a dirty
// key (and read PostgreSQL) until the one writer thread has reloaded it from PostgreSQL and
// written it. One writer, always writing what it read after the dirtying commit, so an older value
// never overwrites a newer one. A miss schedules the key to be written. While Redis is down keys
// stay dirty and the writer retries: an outage slows reads, it never stops or falsifies them.
// Entries expire after a TTL, and every key carries the process's generation, so an entry left
// by an earlier run (which may have died between a commit and its write) is never read.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "redis/client.hpp"

namespace jieshui::redis {

class WriteBehindCache {
 public:
  // The value of `key` as PostgreSQL has it now (NOT_FOUND: nothing to cache).
  using Loader = std::function<absl::StatusOr<std::string>(const std::string& key)>;

  // `client` may be null (no Redis): Get then always answers "read the database".
  // Keys are "<prefix><generation>:<key>".
  WriteBehindCache(Client* client, const std::string& prefix, absl::Duration ttl, Loader loader);
  ~WriteBehindCache();
  WriteBehindCache(const WriteBehindCache&) = delete;
  WriteBehindCache& operator=(const WriteBehindCache&) = delete;

  void Start();  // the writer thread
  void Stop();

  // What `key` holds changed in PostgreSQL (call after the commit).
  void Invalidate(const std::string& key);
  // Everything cached may be stale (a rule every value depends on changed): a new generation of
  // keys, so none written before is read again.
  void Reset();
  // The cached value; nullopt on a miss (then scheduled) or while the key is dirty; an error when
  // Redis fails. Either way but a value, the caller reads PostgreSQL.
  absl::StatusOr<std::optional<std::string>> Get(const std::string& key);

  // The Redis key of `key`.
  std::string RedisKey(const std::string& key) const;
  size_t dirty() const;  // keys waiting for the writer
  int64_t written() const;

 private:
  void RunWriter();

  Client* client_;
  std::string base_prefix_;
  std::string prefix_;  // base_prefix_ and the generation; guarded by mu_ after construction
  absl::Duration ttl_;
  Loader loader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Dirty keys and the generation of their latest invalidation: the writer clears a key only if
  // no invalidation came in while it was reloading it.
  std::map<std::string, uint64_t> dirty_;
  uint64_t generation_ = 0;
  int64_t written_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace jieshui::redis
