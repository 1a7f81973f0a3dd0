// What quota's PostgreSQL stores share inside a transaction: the stores' options, the checks a
// change needs (a known enterprise, an open plan year), the current plan, a period's usage sums, a
// month's production against its quotas, and notices to the outbox. Each store (plans,
// production, usage, alerts, surcharges, orders) keeps its own tables; these are the reads and
// writes several of them make in their own transactions.
#pragma once

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "domain/money.hpp"
#include "jieshui/common/v1/types.pb.h"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "quota/src/adapters/usage_cache.hpp"
#include "quota/src/core/alerts.hpp"
#include "quota/src/core/surcharge.hpp"
#include "quota/src/core/usage.hpp"

namespace jieshui::quota {

struct StoreOptions {
  std::string schema = "quota";
  std::string usage_topic = "jieshui.quota.usage.v1";
  std::string alert_topic = "jieshui.quota.alert.v1";
  std::string producer = "quota";
  // Alert thresholds in percent of a period's plan (config quota.alert_thresholds_percent).
  std::vector<int> thresholds_percent = {80, 100};
  // The schedule of a year that has none of its own (config quota.surcharge.*).
  std::vector<SurchargeBand> default_bands;
  std::map<int, domain::Money> default_prices;  // v1::WaterSource value → fen per m³
};

// "2026-03" month or "2026" year from a common.v1.Period; INVALID_ARGUMENT naming `field`.
absl::StatusOr<PeriodKey> PeriodFromProto(const common::v1::Period& period,
                                          const std::string& field);
common::v1::Period PeriodToProto(const PeriodKey& period);

common::v1::Volume Litres(int64_t litres);
// Thousandths as decimal text ("1.250").
std::string MilliText(int64_t milli);

using db::Transact;

// Columns of the usage tables in Flow order.
inline constexpr char kFlowColumns[] =
    "tap, surface, ground, reclaimed, recirculated, reused, discharge";
inline constexpr std::array<const char*, kFlowCount> kFlowColumn = {
    "tap", "surface", "ground", "reclaimed", "recirculated", "reused", "discharge"};
// kFlowCount bigint columns of `row` from `first` on, in Flow order.
FlowTotals FlowTotalsOf(const pqxx::row& row, int first);

// NOT_FOUND for an enterprise the registry never announced, FAILED_PRECONDITION for a
// deregistered one (the row is locked FOR SHARE until the transaction ends).
absl::Status RequireEnterprise(pqxx::work& tx, const std::string& uscc);
// NOT_FOUND naming `uscc` when the registry never announced the enterprise (a deregistered one is
// known: its figures stay readable).
absl::Status RequireKnownEnterprise(pqxx::work& tx, const std::string& uscc);
// FAILED_PRECONDITION once the plan year is closed (settled).
absl::Status RequireOpenYear(pqxx::work& tx, int year);
// Both of the above.
absl::Status RequireChangeable(pqxx::work& tx, const std::string& uscc, int year);

// A plan version as the stores keep it.
struct PlanRow {
  int version = 0;
  int change = 0;
  int64_t total = 0;
  std::optional<std::array<int64_t, 4>> by_source;  // tap, surface, ground, reclaimed
  std::array<int64_t, 12> monthly{};
  bool split_filed = false;
  std::string reason;
  std::string water_balance_test_ref;
  std::string order_id;
  std::string changed_by;
  int64_t changed_at_ms = 0;
};
// The columns PlanFromRow reads.
extern const char kPlanColumns[];
PlanRow PlanFromRow(const pqxx::row& r);
std::optional<PlanRow> CurrentPlan(pqxx::work& tx, const std::string& uscc, int year);

// A period's sums and the plan it is held to (month 0: the year).
UsageFigures UsageIn(pqxx::work& tx, const std::string& uscc, const PeriodKey& period);

// Everything the alert rules need of one enterprise's year, in three queries: the current plan,
// the sums of every month, and the months with production reported.
struct YearState {
  std::optional<PlanRow> plan;
  std::map<int, FlowTotals> months;
  FlowTotals year;
  std::set<int> months_with_output;
  UsageFigures Figures(int month) const;  // month 0: the year
};
YearState LoadYear(pqxx::work& tx, const std::string& uscc, int year);

// A month's production report of one product, with the quota covering it: that of the
// enterprise's industry code or of the closest broader code.
struct ReportedProduct {
  ProductOutput output;
  std::string unit;  // the quota's unit, when there is one
};
std::vector<ReportedProduct> ProductionIn(pqxx::work& tx, const std::string& uscc, int year,
                                          int month);
// The same as quota checks (CheckProductQuota per product), as the API shows them.
std::vector<quota::v1::QuotaCheck> QuotaChecks(pqxx::work& tx, const std::string& uscc, int year,
                                               int month);

// A QuotaNotice on the alert topic, through the outbox in `tx`.
struct Notice {
  int kind = 0;  // events.v1.QuotaNoticeKind
  PeriodKey period;
  std::string reference_id;
  int threshold = 0;
  int64_t used = 0;
  int64_t limit = 0;
  std::string product;
  std::string detail;
  int64_t amount_fen = 0;
  int64_t crossed_at_ms = 0;  // a plan alert's crossing (Unix ms); 0: none
};
void EnqueueNotice(pqxx::work& tx, const StoreOptions& options, const std::string& uscc,
                   const Notice& notice);

}  // namespace jieshui::quota
