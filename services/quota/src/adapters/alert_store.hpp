// Quota's alerts in PostgreSQL: storing the alerts core/alerts.hpp finds due (each once, by the
// table's unique key, and announced on the alert topic in the same transaction), listing and
// acknowledging them.
#pragma once

#include <cstdint>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "quota/src/adapters/quota_tables.hpp"
#include "quota/src/core/alerts.hpp"

namespace jieshui::quota {

class AlertStore {
 public:
  AlertStore(db::ConnectionPool* pool, StoreOptions options);

  // In the caller's transaction: stores the alerts now due in `months` of `year` and in the year
  // (those raised before stay as they are) and enqueues each new one on the alert topic.
  void RaiseDue(pqxx::work& tx, const std::string& uscc, int year, const std::set<int>& months);
  // The same with the year already loaded (LoadYear in this transaction), and the new-water
  // records of the year just applied, in order (core/alerts.hpp UsageStep), which say where each
  // plan threshold was crossed.
  void RaiseDue(pqxx::work& tx, const std::string& uscc, int year, const std::set<int>& months,
                const YearState& state, const std::vector<UsageStep>& steps = {});

  // uscc "" = every enterprise; year 0 = every period; `any_month` with a year: the year and its
  // months, else only period (year, month); status 0 = any. Ordered by id, after `after_id`.
  absl::StatusOr<std::vector<quota::v1::Alert>> ListAlerts(const std::string& uscc, int year,
                                                           int month, bool any_month, int status,
                                                           int64_t after_id, int limit);
  // `required_uscc` non-empty: only an alert of that enterprise (others are NOT_FOUND).
  absl::StatusOr<quota::v1::Alert> AcknowledgeAlert(int64_t alert_id, const std::string& actor,
                                                    const std::string& note,
                                                    const std::string& required_uscc);

 private:
  db::ConnectionPool* pool_;
  StoreOptions options_;
};

}  // namespace jieshui::quota
