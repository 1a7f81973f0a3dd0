// Quota's surcharges in PostgreSQL: each year's schedule (bands and base prices, or the configured
// default), the statement of a period as core/surcharge.hpp computes it from the stored usage and
// production, and the surcharge notices issued (the statement as of the day, announced once).
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

 private:
  Schedule ScheduleIn(pqxx::work& tx, int year);
  absl::StatusOr<quota::v1::SurchargeStatement> StatementIn(pqxx::work& tx, const std::string& uscc,
                                                            const PeriodKey& period);

  db::ConnectionPool* pool_;
  StoreOptions options_;
};

}  // namespace jieshui::quota
