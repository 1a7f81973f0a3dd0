// An enterprise's current usage against its plan, per month and per year, cached in Redis for fast
// reads (DESIGN.md "Storage and cache"). PostgreSQL stays the record. After a commit changes a
// period's figures, its key is marked dirty: from then on readers skip the cache for it and read
// PostgreSQL, until the one writer thread has reloaded the figures from PostgreSQL and written
// them. Because a single thread writes, and always what it read after the dirtying commit, an
// older figure can never overwrite a newer one. While Redis is down the keys stay dirty and the
// writer retries, so an outage slows reads but never stops or falsifies them. Entries expire after
// a TTL, which also bounds how stale an entry can be after a restart during an outage (the dirty
// set lives in memory).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "quota/src/core/usage.hpp"
#include "redis/client.hpp"

namespace jieshui::quota {

// A month (month 1..12) or a whole year (month 0).
struct PeriodKey {
  int year = 0;
  int month = 0;
  // "2026-03" or "2026".
  std::string ToString() const;
  // NOLINTNEXTLINE(modernize-use-nullptr): clang-tidy 14 sees a 0 literal in a defaulted <=>.
  friend auto operator<=>(const PeriodKey&, const PeriodKey&) = default;
};

struct UsageFigures {
  FlowTotals totals;
  bool has_plan = false;
  int64_t plan = 0;
  friend bool operator==(const UsageFigures&, const UsageFigures&) = default;
};

class UsageCache {
 public:
  using Loader =
      std::function<absl::StatusOr<UsageFigures>(const std::string& uscc, const PeriodKey& period)>;

  // `client` may be null (no Redis configured): every read then goes to PostgreSQL.
  UsageCache(redis::Client* client, std::string key_prefix, absl::Duration ttl, Loader loader);
  ~UsageCache();
  UsageCache(const UsageCache&) = delete;
  UsageCache& operator=(const UsageCache&) = delete;

  void Start();  // the writer thread
  void Stop();

  // The figures of (uscc, period) changed in PostgreSQL (call after the commit), or the entry is
  // missing: the writer reloads and writes it.
  void Invalidate(const std::string& uscc, const PeriodKey& period);
  // nullopt on a miss or while the key is dirty; an error when Redis fails. Either way the caller
  // reads PostgreSQL.
  absl::StatusOr<std::optional<UsageFigures>> Get(const std::string& uscc, const PeriodKey& period);

  std::string KeyOf(const std::string& uscc, const PeriodKey& period) const;
  // Keys waiting for the writer.
  size_t dirty() const;

 private:
  using Key = std::pair<std::string, PeriodKey>;
  absl::Status Write(const std::string& uscc, const PeriodKey& period, const UsageFigures& figures);
  void RunWriter();

  redis::Client* client_;
  std::string prefix_;
  absl::Duration ttl_;
  Loader loader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  // Dirty keys and the generation of their latest invalidation: the writer clears a key only if
  // no invalidation came in while it was reloading it.
  std::map<Key, uint64_t> dirty_;
  uint64_t generation_ = 0;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace jieshui::quota
