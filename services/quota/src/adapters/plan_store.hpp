// Quota's annual plans in PostgreSQL: every version of a plan (set, split filed, adjusted, cut),
// the closed plan years, and the district's over-plan list. A plan change re-checks the year's
// alerts in its own transaction (a cut can put usage already counted over a threshold).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "quota/src/adapters/alert_store.hpp"
#include "quota/src/adapters/quota_tables.hpp"

namespace jieshui::quota {

class PlanStore {
 public:
  // `alerts` re-checks the year after a change.
  PlanStore(db::ConnectionPool* pool, StoreOptions options, AlertStore* alerts);

  // The returned plan carries only its current version (GetPlan adds the history).
  absl::StatusOr<quota::v1::AnnualPlan> SetPlan(const quota::v1::SetAnnualPlanRequest& req,
                                                const std::string& actor);
  absl::StatusOr<quota::v1::AnnualPlan> FileSplit(const quota::v1::FileMonthlySplitRequest& req,
                                                  const std::string& actor);
  // An increase must name a water balance test of the enterprise that the certification service
  // accepted (RequireAcceptedBalanceTest, in the same transaction); a decrease needs none.
  absl::StatusOr<quota::v1::AnnualPlan> AdjustPlan(const quota::v1::AdjustPlanRequest& req,
                                                   const std::string& actor);
  // Also announces the cut on the alert topic.
  absl::StatusOr<quota::v1::AnnualPlan> CutPlan(const quota::v1::CutPlanRequest& req,
                                                const std::string& actor);
  absl::StatusOr<quota::v1::AnnualPlan> GetPlan(const std::string& uscc, int year);

  // The close time in Unix ms; FAILED_PRECONDITION when it was closed before.
  absl::StatusOr<int64_t> ClosePlanYear(int year, const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::OverPlanEntry>> ListOverPlan(const PeriodKey& period,
                                                                     int limit);

 private:
  // RequireChangeable plus the current plan; NOT_FOUND naming `what` when there is none.
  absl::StatusOr<PlanRow> PlanToChange(pqxx::work& tx, const std::string& uscc, int year,
                                       const std::string& what);
  // Appends `row` as the next version and re-checks the year's alerts; returns the plan as stored.
  quota::v1::AnnualPlan InsertPlan(pqxx::work& tx, const std::string& uscc, int year, PlanRow row);

  db::ConnectionPool* pool_;
  StoreOptions options_;
  AlertStore* alerts_;
};

}  // namespace jieshui::quota
