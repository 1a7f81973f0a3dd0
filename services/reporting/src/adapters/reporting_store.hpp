// What reporting's RPCs read and write in PostgreSQL besides the facts the consumer applies
// (facts_store.hpp): the indicators' sums of a scope and period (a scope's, or one enterprise's
// own contribution), the enterprises behind an indicator, targets and the 2020 baseline as
// versions, and Statistics' value-added imports, stored with the events that carry them to the
// submission topic in one transaction (the outbox).
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/reporting/v1/reporting_service.pb.h"
#include "reporting/src/adapters/facts_store.hpp"

namespace jieshui::reporting {

struct ReportingStoreOptions {
  std::string schema = "reporting";
  std::string submission_topic;
  std::string producer = "reporting";
};

// One enterprise's contribution to a period, with who it is.
struct ContributorRow {
  std::string uscc;
  std::string name;
  std::string town;
  std::string park_id;
  std::string industry_code;
  Sums sums;
};

// One enterprise's month as quota last announced it (litres, fen): a line of the statistical
// ledger (统计台账).
struct LedgerRow {
  std::string uscc;
  std::string name;
  std::string town;
  std::string park_id;
  std::string industry_code;
  int year = 0;
  int month = 0;
  int64_t tap = 0;
  int64_t surface = 0;
  int64_t ground = 0;
  int64_t reclaimed = 0;
  int64_t recirculated = 0;
  int64_t reused = 0;
  int64_t discharge = 0;
  int64_t new_water = 0;
  bool plan_known = false;
  int64_t plan = 0;
  int64_t over_plan = 0;
  int64_t surcharge_fen = 0;
};

// A key-monitored unit (重点监控用水单位) with its usage over a period, summed from its months.
struct KeyMonitoredRow {
  std::string uscc;
  std::string name;
  std::string town;
  std::string park_id;
  std::string industry_code;
  int months_reported = 0;  // months of the period with usage announced
  int64_t new_water = 0;
  int64_t repeated = 0;  // recirculated + reused
  int64_t discharge = 0;
  int64_t plan = 0;  // the months with a plan
  int64_t over_plan = 0;
  int64_t surcharge_fen = 0;
  bool online = false;  // counted as reporting online for the period (key_monitored_online)
};

class ReportingStore {
 public:
  ReportingStore(db::ConnectionPool* pool, ReportingStoreOptions options);

  // A scope's sums ("district", "town:…") or, for "enterprise:<USCC>", that enterprise's own
  // contribution, for a period key.
  absl::StatusOr<ScopeSums> Sums(const std::string& scope_key, const std::string& period_key);
  // The indicators of a scope (or one enterprise) and period, in one transaction with the targets
  // and baseline they are judged against (every code when `codes` is empty).
  absl::StatusOr<v1::IndicatorSet> Indicators(const v1::Scope& scope,
                                              const v1::IndicatorPeriod& period,
                                              const std::vector<std::string>& codes);
  // Snapshots of one indicator after `after_id` within [from_ms, to_ms) (to_ms 0: no end),
  // `limit` + 1 at most, oldest first, each with its row id.
  absl::StatusOr<std::vector<std::pair<int64_t, v1::IndicatorSnapshot>>> History(
      const std::string& scope_key, const std::string& period_key, const std::string& code,
      int64_t from_ms, int64_t to_ms, int64_t after_id, int limit);
  // The latest history row id of a scope and period (0 when none): what a watch waits past.
  absl::StatusOr<int64_t> LatestChange(const std::string& scope_key, const std::string& period_key);
  // The enterprises counted in a scope's period, by USCC after `after_uscc`, `limit` + 1 at most.
  absl::StatusOr<std::vector<ContributorRow>> Contributors(const std::string& scope_key,
                                                           const std::string& period_key,
                                                           const std::string& after_uscc,
                                                           int limit);
  // The ledger's lines of a scope ("district", "town:…", "enterprise:<USCC>"): each enterprise's
  // months `first_month`..`last_month` of `year` with usage announced, by USCC and month.
  absl::StatusOr<std::vector<LedgerRow>> Ledger(const std::string& scope_key, int year,
                                                int first_month, int last_month);
  // The key-monitored units of a scope (deregistered ones left out) with their usage over the
  // months of `period_key`, by USCC.
  absl::StatusOr<std::vector<KeyMonitoredRow>> KeyMonitored(const std::string& scope_key,
                                                            const std::string& period_key);

  // The enterprises the registry announced.
  absl::StatusOr<std::set<std::string>> KnownEnterprises();

  // Targets: the stored versions (version 0, the defaults, are the caller's).
  absl::StatusOr<std::vector<v1::Target>> StoredTargets();
  // Stores `target` as the next version of its code and year.
  absl::StatusOr<v1::Target> AddTarget(v1::Target target);

  // The baseline's versions, oldest first.
  absl::StatusOr<std::vector<v1::Baseline>> Baselines();
  // The next version; FAILED_PRECONDITION naming "reason" when one exists and no reason is given.
  absl::StatusOr<v1::Baseline> AddBaseline(v1::Baseline baseline);

  // The next version of a department's report for a year.
  absl::StatusOr<v1::AnnualReport> AddAnnualReport(v1::AnnualReport report);
  // Each department's latest report for the year.
  absl::StatusOr<std::vector<v1::AnnualReport>> LatestAnnualReports(int year);

  // An import: every row known and valid, or nothing is stored (the caller checked the rows
  // themselves). Unknown enterprises come back as row errors on "uscc". The accepted rows become
  // one version, each stored and announced as a ValueAddedSubmitted on the submission topic.
  absl::StatusOr<v1::ImportValueAddedResponse> ImportValueAdded(
      const std::string& source, const std::vector<v1::ValueAddedRow>& rows,
      const std::string& actor, int64_t now_ms);
  // The latest version of each enterprise's year; enterprises in the registry without one.
  absl::StatusOr<v1::ListValueAddedResponse> ListValueAdded(int year, const std::string& uscc,
                                                            const std::string& after_uscc,
                                                            int limit, std::string* last_uscc);

 private:
  db::ConnectionPool* pool_;
  ReportingStoreOptions options_;
};

}  // namespace jieshui::reporting
