// An enterprise's current usage against its plan, per month and per year, cached in Redis for fast
// reads (DESIGN.md "Storage and cache"). PostgreSQL stays the record: the cache is written after
// each commit, a write that fails (Redis down) leaves the key pending, and a refresher reloads
// pending keys from PostgreSQL and writes them once Redis answers again. Readers fall back to
// PostgreSQL whenever Redis fails, so an outage slows reads but never stops or falsifies them.
// Entries expire after a TTL, which also bounds how stale an entry can be after a restart during
// an outage (the pending list lives in memory).
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <utility>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "core/usage.hpp"
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

  void Start();  // the refresher thread
  void Stop();

  // After a commit: writes the figures; on failure the key waits for the refresher.
  void Put(const std::string& uscc, const PeriodKey& period, const UsageFigures& figures);
  // After a change the caller has not computed figures for (a plan change): reload and write.
  void Refresh(const std::string& uscc, const PeriodKey& period);
  // nullopt on a miss; an error when Redis fails (the caller reads PostgreSQL).
  absl::StatusOr<std::optional<UsageFigures>> Get(const std::string& uscc, const PeriodKey& period);

  std::string KeyOf(const std::string& uscc, const PeriodKey& period) const;
  size_t pending() const;

 private:
  absl::Status Write(const std::string& uscc, const PeriodKey& period, const UsageFigures& figures);
  void MarkPending(const std::string& uscc, const PeriodKey& period);
  void RunRefresher();

  redis::Client* client_;
  std::string prefix_;
  absl::Duration ttl_;
  Loader loader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::set<std::pair<std::string, PeriodKey>> pending_;
  bool stop_ = false;
  std::thread thread_;
};

}  // namespace jieshui::quota
