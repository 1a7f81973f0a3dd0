// Quota's surcharges in PostgreSQL: each year's schedule (bands and base prices, or the configured
// default), the statement of a period as core/surcharge.hpp computes it from the stored usage and
// production, and the surcharge notices issued (the statement as of the day, announced once). The
// usage store puts each changed month's statement total in its UsageChanged, from the same code.
#pragma once

#include <map>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "domain/money.hpp"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "quota/src/adapters/quota_tables.hpp"
#include "quota/src/core/surcharge.hpp"

namespace jieshui::quota {

struct Schedule {
  int year = 0;
  std::vector<SurchargeBand> bands;
  std::map<int, domain::Money> prices;  // v1::WaterSource value → fen per m³
  bool is_default = false;
};

// The statement of `period` from what it is worked out of, loaded in one transaction: the year's
// schedule, the period's usage and plan (UsageIn), and the quota checks of its months (QuotaChecks
// of the month, or of each month of a year). Over plan when there is a plan; over quota per product
// with a quota, a year's months added up per product; the total is their sum. Errors are those of
// core ComputeSurcharge (a negative volume, an amount out of range).
absl::StatusOr<quota::v1::SurchargeStatement> SurchargeStatementOf(
    const std::string& uscc, const PeriodKey& period, const Schedule& schedule,
    const UsageFigures& usage, const std::vector<quota::v1::QuotaCheck>& checks);

class SurchargeStore {
 public:
  SurchargeStore(db::ConnectionPool* pool, StoreOptions options);

  absl::Status SetSchedule(const Schedule& schedule);
  absl::StatusOr<Schedule> GetSchedule(int year);
  absl::StatusOr<quota::v1::SurchargeStatement> ComputeSurcharge(const std::string& uscc,
                                                                 const PeriodKey& period);
  // The period must have ended (the handler checks, it has the clock).
  absl::StatusOr<quota::v1::SurchargeNotice> IssueSurchargeNotice(const std::string& uscc,
                                                                  const PeriodKey& period,
                                                                  const std::string& actor);
  // uscc "" = every enterprise; year 0 = every year.
  absl::StatusOr<std::vector<quota::v1::SurchargeNotice>> ListSurchargeNotices(
      const std::string& uscc, int year);

  // In the caller's transaction: the year's schedule, its own or the configured default.
  Schedule ScheduleIn(pqxx::work& tx, int year) const;
  // In the caller's transaction: what ComputeSurcharge answers (the enterprise is known).
  absl::StatusOr<quota::v1::SurchargeStatement> StatementIn(pqxx::work& tx, const std::string& uscc,
                                                            const PeriodKey& period) const;

 private:
  db::ConnectionPool* pool_;
  StoreOptions options_;
};

}  // namespace jieshui::quota
