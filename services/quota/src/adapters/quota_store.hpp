// The quota service's PostgreSQL store: plans and their versions, product quotas and production,
// usage sums per day and month with the consumed offsets (exactly-once), alerts, surcharge
// schedules and rectification orders. Every change that announces itself on Kafka writes its
// event to the outbox in the same transaction. Requests arrive validated by the handlers; the store
// checks what needs the database (unknown enterprise, closed year, current plan) in the
// transaction that writes, so nothing partial is ever stored.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "adapters/usage_cache.hpp"
#include "core/alerts.hpp"
#include "core/surcharge.hpp"
#include "db/pool.hpp"
#include "domain/money.hpp"
#include "jieshui/ingest/v1/readings.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"

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

// A plan version as the store keeps it.
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

// One consumed message of the reading topic, decoded.
struct ReadingMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  ingest::v1::ReadingRecords records;  // empty for a message that was dead-lettered
};

struct ApplyResult {
  int messages_applied = 0;  // not seen before
  int records_counted = 0;
  // The enterprise-periods (months and their years) whose figures changed (for the cache).
  std::set<std::pair<std::string, PeriodKey>> changed;
};

struct Schedule {
  int year = 0;
  std::vector<SurchargeBand> bands;
  std::map<int, domain::Money> prices;
  bool is_default = false;
};

class QuotaStore {
 public:
  QuotaStore(db::ConnectionPool* pool, StoreOptions options);

  absl::Status EnsureConsumerTables();

  // Plans. The returned plan carries only its current version (GetPlan adds the history).
  absl::StatusOr<quota::v1::AnnualPlan> SetPlan(const quota::v1::SetAnnualPlanRequest& req,
                                                const std::string& actor);
  absl::StatusOr<quota::v1::AnnualPlan> FileSplit(const quota::v1::FileMonthlySplitRequest& req,
                                                  const std::string& actor);
  absl::StatusOr<quota::v1::AnnualPlan> AdjustPlan(const quota::v1::AdjustPlanRequest& req,
                                                   const std::string& actor);
  absl::StatusOr<quota::v1::AnnualPlan> CutPlan(const quota::v1::CutPlanRequest& req,
                                                const std::string& actor);
  absl::StatusOr<quota::v1::AnnualPlan> GetPlan(const std::string& uscc, int year);

  absl::StatusOr<quota::v1::ProductQuota> SetProductQuota(const quota::v1::ProductQuota& quota,
                                                          const ProductQuotaValues& values,
                                                          const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::ProductQuota>> ListProductQuotas(
      int year, const std::string& industry_code);
  absl::StatusOr<quota::v1::ProductionReport> ReportProduction(
      const quota::v1::ProductionReport& report, int64_t output_milli, const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::QuotaCheck>> CheckProductQuotas(const std::string& uscc,
                                                                        int year, int month);

  // Usage: applies the messages not applied before, in one transaction with their offsets.
  absl::StatusOr<ApplyResult> ApplyReadings(const std::vector<ReadingMessage>& messages);
  absl::StatusOr<UsageFigures> LoadUsage(const std::string& uscc, const PeriodKey& period);
  // Months of `year` with usage of `uscc` (to refresh the cache after a plan change).
  absl::StatusOr<std::vector<int>> MonthsWithUsage(const std::string& uscc, int year);

  absl::StatusOr<std::vector<quota::v1::Alert>> ListAlerts(const std::string& uscc, int year,
                                                           int month, bool year_only_months,
                                                           int status, int64_t after_id, int limit);
  absl::StatusOr<quota::v1::Alert> AcknowledgeAlert(int64_t alert_id, const std::string& actor,
                                                    const std::string& note,
                                                    const std::string& required_uscc);

  absl::Status SetSchedule(const Schedule& schedule);
  absl::StatusOr<Schedule> GetSchedule(int year);
  absl::StatusOr<quota::v1::SurchargeStatement> ComputeSurcharge(const std::string& uscc,
                                                                 const PeriodKey& period);
  // The period must have ended (the handler checks, it has the clock).
  absl::StatusOr<quota::v1::SurchargeNotice> IssueSurchargeNotice(const std::string& uscc,
                                                                  const PeriodKey& period,
                                                                  const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::SurchargeNotice>> ListSurchargeNotices(
      const std::string& uscc, int year);
  // One Shanghai day's sums (no plan).
  absl::StatusOr<FlowTotals> LoadDailyUsage(const std::string& uscc, const std::string& day);

  absl::StatusOr<quota::v1::RectificationOrder> IssueOrder(
      const quota::v1::IssueRectificationOrderRequest& req, const PeriodKey& period,
      const std::string& actor);
  absl::StatusOr<quota::v1::RectificationOrder> CloseOrder(int64_t order_id,
                                                           const std::string& resolution,
                                                           const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::RectificationOrder>> ListOrders(const std::string& uscc,
                                                                        int status);
  absl::StatusOr<int64_t> ClosePlanYear(int year, const std::string& actor);
  absl::StatusOr<std::vector<quota::v1::OverPlanEntry>> ListOverPlan(const PeriodKey& period,
                                                                     int limit);

  const StoreOptions& options() const { return options_; }

 private:
  // In-transaction helpers.
  absl::Status RequireEnterprise(pqxx::work& tx, const std::string& uscc);
  absl::Status RequireOpenYear(pqxx::work& tx, int year);
  // Both of the above: the enterprise is known and active, and the plan year is open.
  absl::Status RequireChangeable(pqxx::work& tx, const std::string& uscc, int year);
  // RequireChangeable plus the current plan; NOT_FOUND naming `what` when there is none.
  absl::StatusOr<PlanRow> PlanToChange(pqxx::work& tx, const std::string& uscc, int year,
                                       const std::string& what);
  std::optional<PlanRow> CurrentPlan(pqxx::work& tx, const std::string& uscc, int year);
  // Appends `row` as the next version; returns the plan as stored.
  quota::v1::AnnualPlan InsertPlan(pqxx::work& tx, const std::string& uscc, int year, PlanRow row);
  UsageFigures UsageIn(pqxx::work& tx, const std::string& uscc, const PeriodKey& period);
  // Everything alert checks need of one enterprise's year, in three queries: the current plan,
  // the sums of every month, and the months with production reported.
  struct YearState {
    std::optional<PlanRow> plan;
    std::map<int, FlowTotals> months;
    FlowTotals year;
    std::set<int> months_with_output;
    UsageFigures Figures(int month) const;  // month 0: the year
  };
  YearState LoadYear(pqxx::work& tx, const std::string& uscc, int year);
  // Stores (once) the alerts core/alerts.hpp finds due in the given months of `year` and in the
  // year, and enqueues each new one on the alert topic.
  void EvaluateAlerts(pqxx::work& tx, const std::string& uscc, int year,
                      const std::set<int>& months);
  void EvaluateAlerts(pqxx::work& tx, const std::string& uscc, int year,
                      const std::set<int>& months, const YearState& state);
  // A month's production reports with the quota covering each product (the enterprise's industry
  // code or the closest broader one) and the intake it used.
  struct ReportedProduct {
    ProductOutput output;
    std::string unit;  // the quota's unit, when there is one
  };
  std::vector<ReportedProduct> ProductionIn(pqxx::work& tx, const std::string& uscc, int year,
                                            int month);
  std::vector<quota::v1::QuotaCheck> QuotaChecks(pqxx::work& tx, const std::string& uscc, int year,
                                                 int month);
  Schedule ScheduleIn(pqxx::work& tx, int year);
  absl::StatusOr<quota::v1::SurchargeStatement> StatementIn(pqxx::work& tx, const std::string& uscc,
                                                            const PeriodKey& period);
  void EnqueueNotice(pqxx::work& tx, const std::string& uscc, int kind, const PeriodKey& period,
                     const std::string& reference_id, int threshold, int64_t used, int64_t limit,
                     const std::string& product, const std::string& detail, int64_t amount_fen = 0);

  db::ConnectionPool* pool_;
  StoreOptions options_;
};

// "2026-03" month or "2026" year from a common.v1.Period; INVALID_ARGUMENT naming `field`.
absl::StatusOr<PeriodKey> PeriodFromProto(const common::v1::Period& period,
                                          const std::string& field);
common::v1::Period PeriodToProto(const PeriodKey& period);

}  // namespace jieshui::quota
