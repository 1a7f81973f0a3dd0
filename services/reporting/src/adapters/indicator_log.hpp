// The indicators as they change: after an event moved some scopes' sums (facts_store.hpp), each
// moved scope and period has its indicators worked out again, in the same transaction; those
// whose figure changed are appended to indicator_history (ListIndicatorHistory, WatchIndicators)
// and announced on jieshui.reporting.indicator.v1 through the outbox (key
// "<scope>|<period>|<code>").
#pragma once

#include <cstdint>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "reporting/src/adapters/facts_store.hpp"

namespace jieshui::reporting {

// Every target in force or not: the defaults (version 0) and the stored versions.
absl::StatusOr<std::vector<v1::Target>> LoadTargets(pqxx::work& tx);
// The latest 2020 baseline, if entered.
absl::StatusOr<std::optional<BaselineSums>> LoadBaseline(pqxx::work& tx);

// The indicators of one scope and period from its sums (every code when `codes` is empty).
std::vector<v1::Indicator> WorkOut(const ScopeSums& sums, int year,
                                   const std::vector<std::string>& codes,
                                   const std::vector<v1::Target>& targets,
                                   const std::optional<BaselineSums>& base);

struct IndicatorLogOptions {
  std::string schema;
  std::string indicator_topic;
  std::string producer = "reporting";
};

class IndicatorLog {
 public:
  explicit IndicatorLog(IndicatorLogOptions options);
  // Records the indicators of `moved` whose figure changed; returns how many.
  absl::StatusOr<int> RecordChanges(pqxx::work& tx, const std::set<SumsKey>& moved);

 private:
  IndicatorLogOptions options_;
};

// Whether two answers of one indicator say the same: its figures and target, not its as-of.
bool SameFigure(const v1::Indicator& a, const v1::Indicator& b);

}  // namespace jieshui::reporting
