// Quota's rectification orders (限期整改) in PostgreSQL: issued with a deadline, closed with a
// resolution, each announced on the alert topic in the same transaction.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "quota/src/adapters/quota_tables.hpp"

namespace jieshui::quota {

class OrderStore {
 public:
  OrderStore(db::ConnectionPool* pool, StoreOptions options);

  absl::StatusOr<quota::v1::RectificationOrder> IssueOrder(
      const quota::v1::IssueRectificationOrderRequest& req, const PeriodKey& period,
      const std::string& actor);
  absl::StatusOr<quota::v1::RectificationOrder> CloseOrder(int64_t order_id,
                                                           const std::string& resolution,
                                                           const std::string& actor);
  // uscc "" = every enterprise; status 0 = any.
  absl::StatusOr<std::vector<quota::v1::RectificationOrder>> ListOrders(const std::string& uscc,
                                                                        int status);

 private:
  db::ConnectionPool* pool_;
  StoreOptions options_;
};

}  // namespace jieshui::quota
