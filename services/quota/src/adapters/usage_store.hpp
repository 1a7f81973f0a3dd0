// Quota's usage in PostgreSQL: reading-topic messages applied exactly once (the sums per day and
// month, the consumed offsets, the alerts they make due and each changed month's UsageChanged with
// its over-plan volume and surcharge due, in one transaction), and the sums read back per day,
// month and year.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/ingest/v1/readings.pb.h"
#include "quota/src/adapters/alert_store.hpp"
#include "quota/src/adapters/quota_tables.hpp"
#include "quota/src/adapters/surcharge_store.hpp"
#include "quota/src/core/usage.hpp"

namespace jieshui::quota {

// One consumed message of the reading topic, decoded.
struct ReadingMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  ingest::v1::ReadingRecords records;  // empty for a message that was dead-lettered
};

struct ApplyResult {
  int messages_applied = 0;  // not seen before
  int records_counted = 0;
  // The enterprise-periods (months and their years) whose figures changed (for the cache).
  std::set<std::pair<std::string, PeriodKey>> changed;
};

class UsageStore {
 public:
  // `alerts` checks the enterprise-months a batch touched, and `surcharges` works out their
  // surcharge due for UsageChanged, both in the batch's transaction.
  UsageStore(db::ConnectionPool* pool, StoreOptions options, AlertStore* alerts,
             const SurchargeStore* surcharges);

  // Applies the messages not applied before, in one transaction with their offsets.
  absl::StatusOr<ApplyResult> ApplyReadings(const std::vector<ReadingMessage>& messages);
  absl::StatusOr<UsageFigures> LoadUsage(const std::string& uscc, const PeriodKey& period);
  // Months of `year` with usage of `uscc` (to refresh the cache after a plan change).
  absl::StatusOr<std::vector<int>> MonthsWithUsage(const std::string& uscc, int year);
  // One Shanghai day's sums (no plan); `day` is "YYYY-MM-DD".
  absl::StatusOr<FlowTotals> LoadDailyUsage(const std::string& uscc, const std::string& day);

 private:
  db::ConnectionPool* pool_;
  StoreOptions options_;
  AlertStore* alerts_;
  const SurchargeStore* surcharges_;
};

}  // namespace jieshui::quota
