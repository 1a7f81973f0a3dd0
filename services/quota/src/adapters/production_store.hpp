// Quota's product water quotas (用水定额) and the enterprises' production reports in PostgreSQL,
// and the quota checks of a month (unit-product intake against the quota). A report re-checks the
// month's over-quota alerts in its own transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "quota/src/adapters/alert_store.hpp"
#include "quota/src/adapters/quota_tables.hpp"
#include "quota/src/core/surcharge.hpp"

namespace jieshui::quota {

class ProductionStore {
 public:
  // `alerts` re-checks a month after a production report.
  ProductionStore(db::ConnectionPool* pool, AlertStore* alerts);

  absl::StatusOr<quota::v1::ProductQuota> SetProductQuota(const quota::v1::ProductQuota& quota,
                                                          const ProductQuotaValues& values,
                                                          const std::string& actor);
  // industry_code "" = every code.
  absl::StatusOr<std::vector<quota::v1::ProductQuota>> ListProductQuotas(
      int year, const std::string& industry_code);
  absl::StatusOr<quota::v1::ProductionReport> ReportProduction(
      const quota::v1::ProductionReport& report, int64_t output_milli, const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::QuotaCheck>> CheckProductQuotas(const std::string& uscc,
                                                                        int year, int month);

 private:
  db::ConnectionPool* pool_;
  AlertStore* alerts_;
};

}  // namespace jieshui::quota
