// Reporting's facts and sums in PostgreSQL (migrations/0001_reporting.sql). Every event the
// service consumes (the registry's enterprises, quota's usage, certification's status and
// activity, its own submissions) is applied in the consumer's transaction: the fact it states is
// stored, then the enterprise's contribution to each period the fact can move is worked out again
// (core/contribution.hpp) and each of its scopes' sums moves by the difference. So an event costs
// one enterprise's periods, never a scan of every enterprise, and a rebuild from the topics gives
// the same sums. The scope and period pairs whose sums moved are returned, for the cache and the
// indicator topic.
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "kafka/consumer.hpp"
#include "kafka/envelope.hpp"
#include "reporting/src/core/contribution.hpp"
#include "reporting/src/core/indicators.hpp"

namespace jieshui::reporting {

// A scope key and a period key ("town:甪直镇", "2025-Q1").
using SumsKey = std::pair<std::string, std::string>;

// The sums' columns ("new_water, value_added_fen, ..."), each name after `prefix` ("c."), and a
// row's sums read from its column `first` on, in that order.
std::string SumsColumns(const char* prefix = "");
Sums SumsFromRow(const pqxx::row& row, int first);

struct ScopeSums {
  Sums sums;
  int64_t as_of_ms = 0;  // the latest event time the sums reflect; 0 when none yet
};

class FactsStore {
 public:
  FactsStore(std::string schema, Rules rules);

  // Applies one consumed event (other payload types change nothing) and adds the sums it moved to
  // `moved`. INVALID_ARGUMENT for an event that can never apply (dead-lettered).
  absl::Status ApplyEvent(pqxx::work& tx, const kafka::Message& message,
                          const kafka::EventEnvelope& event, std::set<SumsKey>* moved);

  // One scope's sums for one period (zero sums, as_of 0, when nothing was counted yet).
  static ScopeSums LoadSums(pqxx::work& tx, const std::string& scope_key,
                            const std::string& period_key);
  // What one enterprise knows for one year (for an enterprise's own figures and tests).
  absl::StatusOr<EnterpriseYear> LoadEnterpriseYear(pqxx::work& tx, const std::string& uscc,
                                                    int year);

 private:
  // Works out the enterprise's contributions to `periods` again and moves its scopes' sums.
  absl::Status Recompute(pqxx::work& tx, const std::string& uscc,
                         const std::vector<reporting::v1::IndicatorPeriod>& periods,
                         int64_t as_of_ms, std::set<SumsKey>* moved);
  // Every period of every year the enterprise has facts for (and the years between).
  std::vector<reporting::v1::IndicatorPeriod> AllPeriods(pqxx::work& tx, const std::string& uscc);

  std::string schema_;
  Rules rules_;
};

}  // namespace jieshui::reporting
