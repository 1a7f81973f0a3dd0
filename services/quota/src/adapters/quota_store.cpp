#include "adapters/quota_store.hpp"

#include <algorithm>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "core/alerts.hpp"
#include "core/plan.hpp"
#include "db/idempotent.hpp"
#include "db/outbox.hpp"
#include "domain/fixed_decimal.hpp"
#include "domain/period.hpp"
#include "google/protobuf/util/json_util.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::quota {
namespace {

namespace v1 = ::jieshui::quota::v1;
namespace ev = ::jieshui::events::v1;

constexpr char kConsumer[] = "quota-usage";
// Columns of the usage tables in Flow order.
constexpr char kFlowColumns[] = "tap, surface, ground, reclaimed, recirculated, reused, discharge";
constexpr std::array<const char*, kFlowCount> kFlowColumn = {
    "tap", "surface", "ground", "reclaimed", "recirculated", "reused", "discharge"};
constexpr int kOrderOpen = v1::ORDER_STATUS_OPEN;
constexpr int kOrderClosed = v1::ORDER_STATUS_CLOSED;

std::string ArrayText(const int64_t* values, size_t n) {
  std::vector<int64_t> v(values, values + n);
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
}

template <size_t N>
std::array<int64_t, N> ParseArray(const pqxx::field& f) {
  std::array<int64_t, N> out{};
  std::string text = f.c_str();
  text.erase(std::remove(text.begin(), text.end(), '{'), text.end());
  text.erase(std::remove(text.begin(), text.end(), '}'), text.end());
  size_t i = 0;
  for (absl::string_view part : absl::StrSplit(text, ',')) {
    if (i < N && absl::SimpleAtoi(part, &out[i])) {
      ++i;
    }
  }
  return out;
}

common::v1::Volume Litres(int64_t litres) {
  common::v1::Volume v;
  v.set_litres(litres);
  return v;
}

std::string MilliText(int64_t milli) { return domain::internal::FormatFixedDecimal(milli, 3); }

// The SQL giving one enterprise's period sums in Flow order.
std::string UsageSql(const PeriodKey& period) {
  std::vector<std::string> sums;
  sums.reserve(kFlowColumn.size());
  for (const char* c : kFlowColumn) {
    sums.push_back(absl::StrCat("COALESCE(sum(", c, "), 0)::bigint"));
  }
  return absl::StrCat("SELECT ", absl::StrJoin(sums, ", "),
                      " FROM usage_monthly WHERE uscc = $1 AND year = $2",
                      period.month == 0 ? "" : " AND month = $3");
}

// "tap = <table>.tap + EXCLUDED.tap, ...": the SET list of an upsert that adds to the sums.
std::string AddToSumsSql(const std::string& table) {
  std::vector<std::string> sets;
  sets.reserve(kFlowColumn.size());
  for (const char* c : kFlowColumn) {
    sets.push_back(absl::StrCat(c, " = ", table, ".", c, " + EXCLUDED.", c));
  }
  return absl::StrJoin(sets, ", ");
}

v1::PlanVersion VersionToProto(const PlanRow& row) {
  v1::PlanVersion v;
  v.set_version(row.version);
  v.set_change(static_cast<v1::PlanChangeKind>(row.change));
  *v.mutable_total() = Litres(row.total);
  if (row.by_source.has_value()) {
    for (size_t s = 0; s < 4; ++s) {
      v1::SourceVolume* sv = v.add_by_source();
      sv->set_source(static_cast<v1::WaterSource>(s + 1));
      *sv->mutable_volume() = Litres((*row.by_source)[s]);
    }
  }
  for (int64_t m : row.monthly) {
    *v.add_monthly() = Litres(m);
  }
  v.set_split_filed(row.split_filed);
  v.set_reason(row.reason);
  v.set_water_balance_test_ref(row.water_balance_test_ref);
  v.set_order_id(row.order_id);
  v.set_changed_by(row.changed_by);
  v.set_changed_at_unix_ms(row.changed_at_ms);
  return v;
}

PlanRow PlanFromRow(const pqxx::row& r) {
  PlanRow p;
  p.version = r["version"].as<int>();
  p.change = r["change"].as<int>();
  p.total = r["total_litres"].as<int64_t>();
  if (!r["by_source_litres"].is_null()) {
    p.by_source = ParseArray<4>(r["by_source_litres"]);
  }
  p.monthly = ParseArray<12>(r["monthly_litres"]);
  p.split_filed = r["split_filed"].as<bool>();
  p.reason = r["reason"].as<std::string>();
  p.water_balance_test_ref = r["water_balance_test_ref"].as<std::string>();
  p.order_id = r["order_id"].as<std::string>();
  p.changed_by = r["changed_by"].as<std::string>();
  p.changed_at_ms = r["changed_at_ms"].as<int64_t>();
  return p;
}

constexpr char kPlanColumns[] =
    "version, change, total_litres, by_source_litres, monthly_litres, split_filed, reason, "
    "water_balance_test_ref, order_id, changed_by, "
    "(extract(epoch from changed_at) * 1000)::bigint AS changed_at_ms";

v1::Alert AlertFromRow(const pqxx::row& r) {
  v1::Alert a;
  a.set_alert_id(r["alert_id"].as<std::string>());
  a.mutable_uscc()->set_value(r["uscc"].as<std::string>());
  a.set_kind(static_cast<v1::AlertKind>(r["kind"].as<int>()));
  *a.mutable_period() =
      PeriodToProto(PeriodKey{.year = r["year"].as<int>(), .month = r["month"].as<int>()});
  a.set_threshold_percent(r["threshold"].as<int>());
  *a.mutable_used() = Litres(r["used_litres"].as<int64_t>());
  *a.mutable_limit() = Litres(r["limit_litres"].as<int64_t>());
  a.set_product(r["product"].as<std::string>());
  a.set_status(static_cast<v1::AlertStatus>(r["status"].as<int>()));
  a.set_raised_at_unix_ms(r["raised_at_ms"].as<int64_t>());
  a.set_acknowledged_by(r["acknowledged_by"].as<std::string>());
  a.set_note(r["note"].as<std::string>());
  return a;
}

constexpr char kAlertColumns[] =
    "alert_id, uscc, kind, year, month, threshold, product, used_litres, limit_litres, status, "
    "(extract(epoch from raised_at) * 1000)::bigint AS raised_at_ms, acknowledged_by, note";

v1::RectificationOrder OrderFromRow(const pqxx::row& r) {
  v1::RectificationOrder o;
  o.set_order_id(r["order_id"].as<std::string>());
  o.mutable_uscc()->set_value(r["uscc"].as<std::string>());
  *o.mutable_period() =
      PeriodToProto(PeriodKey{.year = r["year"].as<int>(), .month = r["month"].as<int>()});
  o.set_reason(r["reason"].as<std::string>());
  o.mutable_deadline()->set_year(r["dy"].as<int>());
  o.mutable_deadline()->set_month(r["dm"].as<int>());
  o.mutable_deadline()->set_day(r["dd"].as<int>());
  o.set_status(static_cast<v1::OrderStatus>(r["status"].as<int>()));
  o.set_issued_by(r["issued_by"].as<std::string>());
  o.set_issued_at_unix_ms(r["issued_at_ms"].as<int64_t>());
  o.set_resolution(r["resolution"].as<std::string>());
  o.set_closed_by(r["closed_by"].as<std::string>());
  if (!r["closed_at_ms"].is_null()) {
    o.set_closed_at_unix_ms(r["closed_at_ms"].as<int64_t>());
  }
  return o;
}

constexpr char kOrderColumns[] =
    "order_id, uscc, year, month, reason, extract(year from deadline)::int AS dy, "
    "extract(month from deadline)::int AS dm, extract(day from deadline)::int AS dd, status, "
    "issued_by, (extract(epoch from issued_at) * 1000)::bigint AS issued_at_ms, resolution, "
    "closed_by, (extract(epoch from closed_at) * 1000)::bigint AS closed_at_ms";

// The stored alert kind and the notice kind announcing it.
std::pair<int, int> AlertKinds(AlertKind kind) {
  switch (kind) {
    case AlertKind::kMonthlyPlan:
      return {v1::ALERT_KIND_MONTHLY_PLAN, ev::QUOTA_NOTICE_KIND_MONTHLY_PLAN_THRESHOLD};
    case AlertKind::kAnnualPlan:
      return {v1::ALERT_KIND_ANNUAL_PLAN, ev::QUOTA_NOTICE_KIND_ANNUAL_PLAN_THRESHOLD};
    case AlertKind::kOverQuota:
      return {v1::ALERT_KIND_OVER_QUOTA, ev::QUOTA_NOTICE_KIND_OVER_QUOTA};
  }
  return {v1::ALERT_KIND_OVER_QUOTA, ev::QUOTA_NOTICE_KIND_OVER_QUOTA};  // unreachable
}

// Applies `work` and maps the outcome; `work` may return a status to roll back.
template <typename T, typename Work>
absl::StatusOr<T> Transact(db::ConnectionPool* pool, Work work) {
  T out;
  absl::Status s = pool->InTransaction([&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<T> r = work(tx);
    if (!r.ok()) {
      return r.status();
    }
    out = *std::move(r);
    return absl::OkStatus();
  });
  if (!s.ok()) {
    return s;
  }
  return out;
}

}  // namespace

absl::StatusOr<PeriodKey> PeriodFromProto(const common::v1::Period& period,
                                          const std::string& field) {
  if (period.has_month()) {
    auto ym = domain::YearMonth::Create(period.month().year(), period.month().month());
    if (!ym.ok() || period.month().year() < 2000 || period.month().year() > 2100) {
      return absl::InvalidArgumentError(absl::StrCat(field, ".month: not a month of 2000-2100 (",
                                                     period.month().year(), "-",
                                                     period.month().month(), ")"));
    }
    return PeriodKey{.year = period.month().year(), .month = period.month().month()};
  }
  if (period.kind_case() == common::v1::Period::kYear) {
    if (period.year() < 2000 || period.year() > 2100) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".year: must be 2000-2100, got ", period.year()));
    }
    return PeriodKey{.year = period.year(), .month = 0};
  }
  return absl::InvalidArgumentError(absl::StrCat(field, ": a year or a month is required"));
}

common::v1::Period PeriodToProto(const PeriodKey& period) {
  common::v1::Period p;
  if (period.month == 0) {
    p.set_year(period.year);
  } else {
    p.mutable_month()->set_year(period.year);
    p.mutable_month()->set_month(period.month);
  }
  return p;
}

QuotaStore::QuotaStore(db::ConnectionPool* pool, StoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::Status QuotaStore::EnsureConsumerTables() {
  return db::EnsureConsumerTables(*pool_, options_.schema);
}

absl::Status QuotaStore::RequireEnterprise(pqxx::work& tx, const std::string& uscc) {
  pqxx::result r =
      tx.exec_params("SELECT deregistered FROM enterprises WHERE uscc = $1 FOR SHARE", uscc);
  if (r.empty()) {
    return absl::NotFoundError(
        absl::StrCat("uscc: no enterprise ", uscc, " in the registry (as announced on Kafka)"));
  }
  if (r[0][0].as<bool>()) {
    return absl::FailedPreconditionError(
        absl::StrCat("uscc: enterprise ", uscc, " is deregistered"));
  }
  return absl::OkStatus();
}

absl::Status QuotaStore::RequireOpenYear(pqxx::work& tx, int year) {
  if (!tx.exec_params("SELECT 1 FROM closed_years WHERE year = $1", year).empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("year: plan year ", year, " is closed (settled); it can no longer change"));
  }
  return absl::OkStatus();
}

absl::Status QuotaStore::RequireChangeable(pqxx::work& tx, const std::string& uscc, int year) {
  if (absl::Status s = RequireEnterprise(tx, uscc); !s.ok()) {
    return s;
  }
  return RequireOpenYear(tx, year);
}

absl::StatusOr<PlanRow> QuotaStore::PlanToChange(pqxx::work& tx, const std::string& uscc, int year,
                                                 const std::string& what) {
  if (absl::Status s = RequireChangeable(tx, uscc, year); !s.ok()) {
    return s;
  }
  std::optional<PlanRow> current = CurrentPlan(tx, uscc, year);
  if (!current.has_value()) {
    return absl::NotFoundError(
        absl::StrCat("year: ", uscc, " has no plan for ", year, " to ", what));
  }
  return *std::move(current);
}

std::optional<PlanRow> QuotaStore::CurrentPlan(pqxx::work& tx, const std::string& uscc, int year) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT ", kPlanColumns,
                   " FROM plan_versions WHERE uscc = $1 AND year = $2 ORDER BY version DESC "
                   "LIMIT 1"),
      uscc, year);
  if (r.empty()) {
    return std::nullopt;
  }
  return PlanFromRow(r[0]);
}

v1::AnnualPlan QuotaStore::InsertPlan(pqxx::work& tx, const std::string& uscc, int year,
                                      PlanRow row) {
  std::optional<PlanRow> current = CurrentPlan(tx, uscc, year);
  row.version = current.has_value() ? current->version + 1 : 1;
  pqxx::result r = tx.exec_params(
      "INSERT INTO plan_versions (uscc, year, version, change, total_litres, by_source_litres, "
      "monthly_litres, split_filed, reason, water_balance_test_ref, order_id, changed_by, "
      "changed_at) VALUES ($1, $2, $3, $4, $5, $6::bigint[], $7::bigint[], $8, $9, $10, $11, $12, "
      "now()) RETURNING (extract(epoch from changed_at) * 1000)::bigint",
      uscc, year, row.version, row.change, row.total,
      row.by_source.has_value() ? std::optional<std::string>(ArrayText(row.by_source->data(), 4))
                                : std::nullopt,
      ArrayText(row.monthly.data(), 12), row.split_filed, row.reason, row.water_balance_test_ref,
      row.order_id, row.changed_by);
  row.changed_at_ms = r[0][0].as<int64_t>();
  // A plan change can put usage already counted over a threshold (a cut, most of all).
  std::set<int> months;
  for (const pqxx::row& m : tx.exec_params(
           "SELECT month FROM usage_monthly WHERE uscc = $1 AND year = $2", uscc, year)) {
    months.insert(m[0].as<int>());
  }
  EvaluateAlerts(tx, uscc, year, months);
  v1::AnnualPlan plan;
  plan.mutable_uscc()->set_value(uscc);
  plan.set_year(year);
  *plan.mutable_current() = VersionToProto(row);
  return plan;
}

absl::StatusOr<v1::AnnualPlan> QuotaStore::SetPlan(const v1::SetAnnualPlanRequest& req,
                                                   const std::string& actor) {
  return Transact<v1::AnnualPlan>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualPlan> {
    const std::string& uscc = req.uscc().value();
    if (absl::Status s = RequireChangeable(tx, uscc, req.year()); !s.ok()) {
      return s;
    }
    PlanRow row;
    row.change = v1::PLAN_CHANGE_KIND_SET;
    row.total = req.total().litres();
    if (req.by_source_size() > 0) {
      std::array<int64_t, 4> by{};
      for (const v1::SourceVolume& sv : req.by_source()) {
        by[static_cast<size_t>(sv.source() - 1)] = sv.volume().litres();
      }
      row.by_source = by;
    }
    // A new total makes a filed split meaningless: back to the even split until re-filed.
    row.monthly = *EvenMonthlySplit(row.total);
    row.reason = req.reason();
    row.changed_by = actor;
    return InsertPlan(tx, uscc, req.year(), std::move(row));
  });
}

absl::StatusOr<v1::AnnualPlan> QuotaStore::FileSplit(const v1::FileMonthlySplitRequest& req,
                                                     const std::string& actor) {
  return Transact<v1::AnnualPlan>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualPlan> {
    const std::string& uscc = req.uscc().value();
    absl::StatusOr<PlanRow> current = PlanToChange(tx, uscc, req.year(), "split");
    if (!current.ok()) {
      return current.status();
    }
    std::vector<int64_t> monthly;
    for (const common::v1::Volume& v : req.monthly()) {
      monthly.push_back(v.litres());
    }
    auto split = ValidateMonthlySplit(monthly, current->total, "monthly");
    if (!split.ok()) {
      return split.status();
    }
    PlanRow row = *current;
    row.change = v1::PLAN_CHANGE_KIND_SPLIT_FILED;
    row.monthly = *split;
    row.split_filed = true;
    row.reason = "monthly split filed";
    row.water_balance_test_ref.clear();
    row.order_id.clear();
    row.changed_by = actor;
    return InsertPlan(tx, uscc, req.year(), std::move(row));
  });
}

absl::StatusOr<v1::AnnualPlan> QuotaStore::AdjustPlan(const v1::AdjustPlanRequest& req,
                                                      const std::string& actor) {
  return Transact<v1::AnnualPlan>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualPlan> {
    const std::string& uscc = req.uscc().value();
    absl::StatusOr<PlanRow> current = PlanToChange(tx, uscc, req.year(), "adjust");
    if (!current.ok()) {
      return current.status();
    }
    const int64_t total = req.new_total().litres();
    // DOMAIN.md "Plans": an increase needs a water balance test (水平衡测试).
    if (total > current->total && req.water_balance_test_ref().empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat("water_balance_test_ref: an increase of the plan (", current->total,
                       " L to ", total, " L) must name the water balance test that supports it"));
    }
    PlanRow row = *current;
    row.change = v1::PLAN_CHANGE_KIND_ADJUSTED;
    row.total = total;
    row.by_source.reset();  // per-source volumes no longer add up to the new total
    if (total != current->total) {
      row.monthly = *EvenMonthlySplit(total);
      row.split_filed = false;
    }
    row.reason = req.reason();
    row.water_balance_test_ref = req.water_balance_test_ref();
    row.order_id.clear();
    row.changed_by = actor;
    return InsertPlan(tx, uscc, req.year(), std::move(row));
  });
}

absl::StatusOr<v1::AnnualPlan> QuotaStore::CutPlan(const v1::CutPlanRequest& req,
                                                   const std::string& actor) {
  return Transact<v1::AnnualPlan>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualPlan> {
    const std::string& uscc = req.uscc().value();
    absl::StatusOr<PlanRow> current = PlanToChange(tx, uscc, req.year(), "cut");
    if (!current.ok()) {
      return current.status();
    }
    const int64_t cut = req.cut().litres();
    if (cut > current->total) {
      return absl::InvalidArgumentError(
          absl::StrCat("cut: ", cut, " L is more than the plan's ", current->total, " L"));
    }
    if (!req.order_id().empty()) {
      int64_t id = 0;
      if (!absl::SimpleAtoi(req.order_id(), &id) ||
          tx.exec_params("SELECT 1 FROM rectification_orders WHERE order_id = $1 AND uscc = $2", id,
                         uscc)
              .empty()) {
        return absl::NotFoundError(
            absl::StrCat("order_id: no rectification order ", req.order_id(), " of ", uscc));
      }
    }
    PlanRow row = *current;
    row.change = v1::PLAN_CHANGE_KIND_CUT;
    row.total = current->total - cut;
    row.by_source.reset();
    row.monthly = *EvenMonthlySplit(row.total);
    row.split_filed = false;
    row.reason = req.reason();
    row.water_balance_test_ref.clear();
    row.order_id = req.order_id();
    row.changed_by = actor;
    v1::AnnualPlan plan = InsertPlan(tx, uscc, req.year(), std::move(row));
    EnqueueNotice(tx, uscc, ev::QUOTA_NOTICE_KIND_PLAN_CUT, PeriodKey{.year = req.year()},
                  absl::StrCat(plan.current().version()), 0, cut, plan.current().total().litres(),
                  "", req.reason());
    return plan;
  });
}

absl::StatusOr<v1::AnnualPlan> QuotaStore::GetPlan(const std::string& uscc, int year) {
  return Transact<v1::AnnualPlan>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualPlan> {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kPlanColumns,
                     " FROM plan_versions WHERE uscc = $1 AND year = $2 ORDER BY version DESC"),
        uscc, year);
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("uscc: no plan of ", uscc, " for ", year));
    }
    v1::AnnualPlan plan;
    plan.mutable_uscc()->set_value(uscc);
    plan.set_year(year);
    for (const pqxx::row& row : r) {
      *plan.add_history() = VersionToProto(PlanFromRow(row));
    }
    *plan.mutable_current() = plan.history(0);
    plan.set_year_closed(
        !tx.exec_params("SELECT 1 FROM closed_years WHERE year = $1", year).empty());
    return plan;
  });
}

absl::StatusOr<v1::ProductQuota> QuotaStore::SetProductQuota(const v1::ProductQuota& quota,
                                                             const ProductQuotaValues& values,
                                                             const std::string& actor) {
  return Transact<v1::ProductQuota>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ProductQuota> {
    tx.exec_params(
        "INSERT INTO product_quotas (year, industry_code, product, unit, general_ml, advanced_ml, "
        "source_standard, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) "
        "ON CONFLICT (year, industry_code, product) DO UPDATE SET unit = EXCLUDED.unit, "
        "general_ml = EXCLUDED.general_ml, advanced_ml = EXCLUDED.advanced_ml, source_standard = "
        "EXCLUDED.source_standard, updated_by = EXCLUDED.updated_by, updated_at = now()",
        quota.year(), quota.industry_code().value(), quota.product(), quota.unit(),
        values.general_ml_per_unit, values.advanced_ml_per_unit, quota.source_standard(), actor);
    v1::ProductQuota out = quota;
    out.set_general_litres_per_unit(MilliText(values.general_ml_per_unit));
    out.set_advanced_litres_per_unit(MilliText(values.advanced_ml_per_unit));
    return out;
  });
}

absl::StatusOr<std::vector<v1::ProductQuota>> QuotaStore::ListProductQuotas(
    int year, const std::string& industry_code) {
  using Out = std::vector<v1::ProductQuota>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT industry_code, product, unit, general_ml, advanced_ml, source_standard FROM "
             "product_quotas WHERE year = $1 AND ($2 = '' OR industry_code = $2) ORDER BY "
             "industry_code, product",
             year, industry_code)) {
      v1::ProductQuota q;
      q.set_year(year);
      q.mutable_industry_code()->set_value(r[0].as<std::string>());
      q.set_product(r[1].as<std::string>());
      q.set_unit(r[2].as<std::string>());
      q.set_general_litres_per_unit(MilliText(r[3].as<int64_t>()));
      q.set_advanced_litres_per_unit(MilliText(r[4].as<int64_t>()));
      q.set_source_standard(r[5].as<std::string>());
      out.push_back(std::move(q));
    }
    return out;
  });
}

absl::StatusOr<v1::ProductionReport> QuotaStore::ReportProduction(
    const v1::ProductionReport& report, int64_t output_milli, const std::string& actor) {
  return Transact<v1::ProductionReport>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ProductionReport> {
        const std::string& uscc = report.uscc().value();
        const int year = report.month().year();
        const int month = report.month().month();
        if (absl::Status s = RequireChangeable(tx, uscc, year); !s.ok()) {
          return s;
        }
        pqxx::result r = tx.exec_params(
            "INSERT INTO production_reports (uscc, year, month, product, output_milli, "
            "production_intake, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
            "now()) ON CONFLICT (uscc, year, month, product) DO UPDATE SET output_milli = "
            "EXCLUDED.output_milli, production_intake = EXCLUDED.production_intake, reported_by = "
            "EXCLUDED.reported_by, reported_at = now() RETURNING (extract(epoch from "
            "reported_at) * 1000)::bigint",
            uscc, year, month, report.product(), output_milli,
            report.production_intake_set()
                ? std::optional<int64_t>(report.production_intake().litres())
                : std::nullopt,
            actor);
        EvaluateAlerts(tx, uscc, year, {month});
        v1::ProductionReport out = report;
        out.set_output(MilliText(output_milli));
        out.set_reported_by(actor);
        out.set_reported_at_unix_ms(r[0][0].as<int64_t>());
        return out;
      });
}

std::vector<QuotaStore::ReportedProduct> QuotaStore::ProductionIn(pqxx::work& tx,
                                                                  const std::string& uscc, int year,
                                                                  int month) {
  std::vector<ReportedProduct> out;
  pqxx::result ent = tx.exec_params("SELECT industry_code FROM enterprises WHERE uscc = $1", uscc);
  const std::string industry = ent.empty() ? "" : ent[0][0].as<std::string>();
  const int64_t new_water = UsageIn(tx, uscc, PeriodKey{year, month}).totals.NewWater();
  // The quota of the enterprise's industry code, or of the closest broader code (C2614 → C261 →
  // C26): quota standards are set at whatever level of GB/T 4754 they cover.
  for (const pqxx::row& r : tx.exec_params(
           "SELECT p.product, p.output_milli, p.production_intake, q.unit, q.general_ml, "
           "q.advanced_ml FROM production_reports p LEFT JOIN LATERAL (SELECT unit, general_ml, "
           "advanced_ml FROM product_quotas WHERE year = p.year AND product = p.product AND $4 "
           "LIKE industry_code || '%' ORDER BY length(industry_code) DESC LIMIT 1) q ON true "
           "WHERE p.uscc = $1 AND p.year = $2 AND p.month = $3 ORDER BY p.product",
           uscc, year, month, industry)) {
    ReportedProduct p;
    p.output.product = r[0].as<std::string>();
    p.output.output_milli = r[1].as<int64_t>();
    p.output.intake = r[2].is_null() ? new_water : r[2].as<int64_t>();
    if (!r[3].is_null()) {
      p.unit = r[3].as<std::string>();
      p.output.quota = ProductQuotaValues{.general_ml_per_unit = r[4].as<int64_t>(),
                                          .advanced_ml_per_unit = r[5].as<int64_t>()};
    }
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<v1::QuotaCheck> QuotaStore::QuotaChecks(pqxx::work& tx, const std::string& uscc,
                                                    int year, int month) {
  std::vector<v1::QuotaCheck> out;
  for (const ReportedProduct& p : ProductionIn(tx, uscc, year, month)) {
    v1::QuotaCheck c;
    c.set_product(p.output.product);
    c.set_output(MilliText(p.output.output_milli));
    *c.mutable_intake() = Litres(p.output.intake);
    c.set_quota_found(p.output.quota.has_value());
    if (!c.quota_found()) {
      out.push_back(std::move(c));
      continue;
    }
    const ProductQuotaValues& values = *p.output.quota;
    c.set_unit(p.unit);
    c.set_general_litres_per_unit(MilliText(values.general_ml_per_unit));
    c.set_advanced_litres_per_unit(MilliText(values.advanced_ml_per_unit));
    QuotaCheckResult result = CheckProductQuota(p.output.intake, p.output.output_milli, values);
    if (result.unit_intake_ml.has_value()) {
      c.set_unit_intake_litres_per_unit(MilliText(*result.unit_intake_ml));
    }
    *c.mutable_allowed() = Litres(result.allowed);
    *c.mutable_over() = Litres(result.over);
    c.set_over_quota(result.over_quota);
    c.set_meets_advanced(result.meets_advanced);
    out.push_back(std::move(c));
  }
  return out;
}

absl::StatusOr<std::vector<v1::QuotaCheck>> QuotaStore::CheckProductQuotas(const std::string& uscc,
                                                                           int year, int month) {
  using Out = std::vector<v1::QuotaCheck>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    return QuotaChecks(tx, uscc, year, month);
  });
}

UsageFigures QuotaStore::UsageIn(pqxx::work& tx, const std::string& uscc, const PeriodKey& period) {
  UsageFigures f;
  pqxx::result r = period.month == 0
                       ? tx.exec_params(UsageSql(period), uscc, period.year)
                       : tx.exec_params(UsageSql(period), uscc, period.year, period.month);
  for (int i = 0; i < kFlowCount; ++i) {
    f.totals.litres[static_cast<size_t>(i)] = r[0][i].as<int64_t>();
  }
  std::optional<PlanRow> plan = CurrentPlan(tx, uscc, period.year);
  if (plan.has_value()) {
    f.has_plan = true;
    f.plan = period.month == 0 ? plan->total : plan->monthly[static_cast<size_t>(period.month - 1)];
  }
  return f;
}

absl::StatusOr<UsageFigures> QuotaStore::LoadUsage(const std::string& uscc,
                                                   const PeriodKey& period) {
  return Transact<UsageFigures>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<UsageFigures> {
    return UsageIn(tx, uscc, period);
  });
}

absl::StatusOr<std::vector<int>> QuotaStore::MonthsWithUsage(const std::string& uscc, int year) {
  using Out = std::vector<int>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r :
         tx.exec_params("SELECT month FROM usage_monthly WHERE uscc = $1 AND year = $2 ORDER BY "
                        "month",
                        uscc, year)) {
      out.push_back(r[0].as<int>());
    }
    return out;
  });
}

void QuotaStore::EnqueueNotice(pqxx::work& tx, const std::string& uscc, int kind,
                               const PeriodKey& period, const std::string& reference_id,
                               int threshold, int64_t used, int64_t limit,
                               const std::string& product, const std::string& detail,
                               int64_t amount_fen) {
  ev::QuotaNotice notice;
  notice.set_kind(static_cast<ev::QuotaNoticeKind>(kind));
  notice.mutable_uscc()->set_value(uscc);
  *notice.mutable_period() = PeriodToProto(period);
  notice.set_reference_id(reference_id);
  notice.set_threshold_percent(threshold);
  *notice.mutable_used() = Litres(used);
  *notice.mutable_limit() = Litres(limit);
  notice.set_product(product);
  notice.set_detail(detail);
  notice.mutable_amount()->set_fen(amount_fen);
  db::EnqueueEvent(tx, options_.schema, options_.alert_topic, uscc,
                   kafka::EncodeEvent(notice, {.producer = options_.producer,
                                               .subject_key = uscc,
                                               .occurred_at = absl::Now(),
                                               .correlation_id = ""}));
}

UsageFigures QuotaStore::YearState::Figures(int month) const {
  UsageFigures f;
  if (month == 0) {
    f.totals = year;
  } else if (auto it = months.find(month); it != months.end()) {
    f.totals = it->second;
  }
  if (plan.has_value()) {
    f.has_plan = true;
    f.plan = month == 0 ? plan->total : plan->monthly[static_cast<size_t>(month - 1)];
  }
  return f;
}

QuotaStore::YearState QuotaStore::LoadYear(pqxx::work& tx, const std::string& uscc, int year) {
  YearState state;
  state.plan = CurrentPlan(tx, uscc, year);
  for (const pqxx::row& r :
       tx.exec_params(absl::StrCat("SELECT month, ", kFlowColumns,
                                   " FROM usage_monthly WHERE uscc = $1 AND year = $2"),
                      uscc, year)) {
    FlowTotals& totals = state.months[r[0].as<int>()];
    for (int i = 0; i < kFlowCount; ++i) {
      totals.litres[static_cast<size_t>(i)] = r[i + 1].as<int64_t>();
    }
    state.year += totals;
  }
  for (const pqxx::row& r :
       tx.exec_params("SELECT DISTINCT month FROM production_reports WHERE uscc = $1 AND year = $2",
                      uscc, year)) {
    state.months_with_output.insert(r[0].as<int>());
  }
  return state;
}

void QuotaStore::EvaluateAlerts(pqxx::work& tx, const std::string& uscc, int year,
                                const std::set<int>& months) {
  EvaluateAlerts(tx, uscc, year, months, LoadYear(tx, uscc, year));
}

void QuotaStore::EvaluateAlerts(pqxx::work& tx, const std::string& uscc, int year,
                                const std::set<int>& months, const YearState& state) {
  // Load what the rules need; core/alerts.hpp decides which alerts are due.
  AlertYear loaded;
  if (state.plan.has_value()) {
    loaded.plan = YearPlan{.total = state.plan->total, .monthly = state.plan->monthly};
  }
  for (const auto& [month, totals] : state.months) {
    loaded.new_water[month] = totals.NewWater();
  }
  for (int month : months) {
    if (state.months_with_output.contains(month)) {
      for (ReportedProduct& p : ProductionIn(tx, uscc, year, month)) {
        loaded.output[month].push_back(std::move(p.output));
      }
    }
  }
  for (const DueAlert& due : AlertsDue(loaded, months, options_.thresholds_percent)) {
    const auto [kind, notice_kind] = AlertKinds(due.kind);
    // The unique key (enterprise, kind, period, threshold, product) raises each alert once.
    pqxx::result r = tx.exec_params(
        "INSERT INTO alerts (uscc, kind, year, month, threshold, product, used_litres, "
        "limit_litres, status, raised_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, now()) "
        "ON CONFLICT (uscc, kind, year, month, threshold, product) DO NOTHING RETURNING alert_id",
        uscc, kind, year, due.month, due.threshold_percent, due.product, due.used, due.limit,
        static_cast<int>(v1::ALERT_STATUS_OPEN));
    if (!r.empty()) {
      EnqueueNotice(tx, uscc, notice_kind, PeriodKey{.year = year, .month = due.month},
                    r[0][0].as<std::string>(), due.threshold_percent, due.used, due.limit,
                    due.product, "");
    }
  }
}

absl::StatusOr<ApplyResult> QuotaStore::ApplyReadings(const std::vector<ReadingMessage>& messages) {
  return Transact<ApplyResult>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<ApplyResult> {
    ApplyResult result;
    std::map<std::pair<std::string, std::string>, FlowTotals> daily;  // (uscc, yyyy-mm-dd)
    std::map<std::pair<std::string, PeriodKey>, FlowTotals> monthly;
    std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
    std::map<std::pair<std::string, int32_t>, int64_t> stored;  // read once per partition
    for (const ReadingMessage& m : messages) {
      const std::pair<std::string, int32_t> tp{m.topic, m.partition};
      auto& next = next_offsets[tp];
      next = std::max(next, m.offset + 1);
      auto it = stored.find(tp);
      if (it == stored.end()) {
        it = stored
                 .emplace(
                     tp, db::StoredNextOffset(tx, options_.schema, kConsumer, m.topic, m.partition))
                 .first;
      }
      if (m.offset < it->second) {
        continue;  // applied before: a replay
      }
      ++result.messages_applied;
      for (const ingest::v1::ReadingAccepted& rec : m.records.records()) {
        std::optional<Flow> flow = FlowFromMeasured(rec.measures());
        if (!flow.has_value() || rec.uscc().value().empty() ||
            !CountsTowardUsage(*flow, rec.level())) {
          continue;
        }
        // The record's volume belongs to the Shanghai day its interval ends in.
        const domain::Date day = domain::DateOf(absl::FromUnixMillis(rec.interval_end_unix_ms()));
        const std::string& uscc = rec.uscc().value();
        daily[{uscc, day.ToString()}][*flow] += rec.delta().litres();
        monthly[{uscc, PeriodKey{day.year(), day.month()}}][*flow] += rec.delta().litres();
        ++result.records_counted;
      }
    }
    // One statement per table: the batch's rows as arrays, unnested (keys are unique per batch).
    const auto array = [](const std::vector<std::string>& items) {
      return absl::StrCat("{", absl::StrJoin(items, ","), "}");
    };
    if (!daily.empty()) {
      std::vector<std::string> usccs;
      std::vector<std::string> days;
      std::array<std::vector<std::string>, kFlowCount> flows;
      for (const auto& [key, totals] : daily) {
        usccs.push_back(key.first);  // USCC characters and ISO dates need no quoting
        days.push_back(key.second);
        for (size_t f = 0; f < flows.size(); ++f) {
          flows[f].push_back(absl::StrCat(totals.litres[f]));
        }
      }
      tx.exec_params(
          absl::StrCat("INSERT INTO usage_daily (uscc, day, ", kFlowColumns,
                       ") SELECT * FROM unnest($1::text[], $2::date[], $3::bigint[], "
                       "$4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], $8::bigint[], "
                       "$9::bigint[]) ON CONFLICT (uscc, day) DO UPDATE SET ",
                       AddToSumsSql("usage_daily")),
          array(usccs), array(days), array(flows[0]), array(flows[1]), array(flows[2]),
          array(flows[3]), array(flows[4]), array(flows[5]), array(flows[6]));
    }
    std::map<std::pair<std::string, int>, std::set<int>> touched;  // (uscc, year) → months
    if (!monthly.empty()) {
      std::vector<std::string> usccs;
      std::vector<std::string> years;
      std::vector<std::string> months;
      std::array<std::vector<std::string>, kFlowCount> flows;
      for (const auto& [key, totals] : monthly) {
        usccs.push_back(key.first);
        years.push_back(absl::StrCat(key.second.year));
        months.push_back(absl::StrCat(key.second.month));
        for (size_t f = 0; f < flows.size(); ++f) {
          flows[f].push_back(absl::StrCat(totals.litres[f]));
        }
        touched[{key.first, key.second.year}].insert(key.second.month);
      }
      tx.exec_params(
          absl::StrCat("INSERT INTO usage_monthly (uscc, year, month, ", kFlowColumns,
                       ", updated_at) SELECT *, now() FROM unnest($1::text[], $2::int[], "
                       "$3::int[], $4::bigint[], $5::bigint[], $6::bigint[], $7::bigint[], "
                       "$8::bigint[], $9::bigint[], $10::bigint[]) ON CONFLICT (uscc, year, month) "
                       "DO UPDATE SET ",
                       AddToSumsSql("usage_monthly"), ", updated_at = now()"),
          array(usccs), array(years), array(months), array(flows[0]), array(flows[1]),
          array(flows[2]), array(flows[3]), array(flows[4]), array(flows[5]), array(flows[6]));
    }
    for (const auto& [key, months] : touched) {
      const auto& [uscc, year] = key;
      const YearState state = LoadYear(tx, uscc, year);
      EvaluateAlerts(tx, uscc, year, months, state);
      for (int month : months) {
        const PeriodKey period{year, month};
        const UsageFigures f = state.Figures(month);
        result.changed.emplace(uscc, period);
        ev::UsageChanged changed;
        changed.mutable_uscc()->set_value(uscc);
        changed.mutable_month()->set_year(year);
        changed.mutable_month()->set_month(month);
        *changed.mutable_intake_municipal_tap() = Litres(f.totals[Flow::kMunicipalTap]);
        *changed.mutable_intake_self_supplied_surface() =
            Litres(f.totals[Flow::kSelfSuppliedSurface]);
        *changed.mutable_intake_self_supplied_ground() =
            Litres(f.totals[Flow::kSelfSuppliedGround]);
        *changed.mutable_intake_reclaimed() = Litres(f.totals[Flow::kReclaimed]);
        *changed.mutable_recirculated() = Litres(f.totals[Flow::kRecirculated]);
        *changed.mutable_reused() = Litres(f.totals[Flow::kReused]);
        *changed.mutable_discharge() = Litres(f.totals[Flow::kDischarge]);
        *changed.mutable_new_water() = Litres(f.totals.NewWater());
        changed.set_plan_known(f.has_plan);
        *changed.mutable_plan() = Litres(f.plan);
        db::EnqueueEvent(tx, options_.schema, options_.usage_topic, uscc,
                         kafka::EncodeEvent(changed, {.producer = options_.producer,
                                                      .subject_key = uscc,
                                                      .occurred_at = absl::Now(),
                                                      .correlation_id = ""}));
      }
      result.changed.emplace(uscc, PeriodKey{year, 0});
    }
    for (const auto& [tp, next] : next_offsets) {
      db::StoreNextOffset(tx, options_.schema, kConsumer, tp.first, tp.second, next);
    }
    return result;
  });
}

absl::StatusOr<std::vector<v1::Alert>> QuotaStore::ListAlerts(const std::string& uscc, int year,
                                                              int month, bool year_only_months,
                                                              int status, int64_t after_id,
                                                              int limit) {
  using Out = std::vector<v1::Alert>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    // year 0: every period; month -1 with a year: the year and its months.
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("SELECT ", kAlertColumns,
                          " FROM alerts WHERE ($1 = '' OR uscc = $1) AND ($2 = 0 OR year = $2) "
                          "AND ($3 OR month = $4) AND ($5 = 0 OR status = $5) AND alert_id > $6 "
                          "ORDER BY alert_id LIMIT $7"),
             uscc, year, year_only_months, month, status, after_id, limit)) {
      out.push_back(AlertFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<v1::Alert> QuotaStore::AcknowledgeAlert(int64_t alert_id, const std::string& actor,
                                                       const std::string& note,
                                                       const std::string& required_uscc) {
  return Transact<v1::Alert>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Alert> {
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT ", kAlertColumns, " FROM alerts WHERE alert_id = $1 FOR UPDATE"),
        alert_id);
    if (r.empty() || (!required_uscc.empty() && r[0]["uscc"].as<std::string>() != required_uscc)) {
      return absl::NotFoundError(absl::StrCat("alert_id: no alert ", alert_id));
    }
    if (r[0]["status"].as<int>() == v1::ALERT_STATUS_ACKNOWLEDGED) {
      return absl::FailedPreconditionError(
          absl::StrCat("alert_id: alert ", alert_id, " is already acknowledged"));
    }
    pqxx::result u = tx.exec_params(
        absl::StrCat("UPDATE alerts SET status = $2, acknowledged_by = $3, note = $4 WHERE "
                     "alert_id = $1 RETURNING ",
                     kAlertColumns),
        alert_id, static_cast<int>(v1::ALERT_STATUS_ACKNOWLEDGED), actor, note);
    return AlertFromRow(u[0]);
  });
}

absl::Status QuotaStore::SetSchedule(const Schedule& schedule) {
  return pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec_params("DELETE FROM surcharge_bands WHERE year = $1", schedule.year);
    tx.exec_params("DELETE FROM surcharge_prices WHERE year = $1", schedule.year);
    for (size_t i = 0; i < schedule.bands.size(); ++i) {
      const SurchargeBand& b = schedule.bands[i];
      tx.exec_params(
          "INSERT INTO surcharge_bands (year, idx, from_bp, to_bp, mult_num, mult_den) VALUES "
          "($1, $2, $3, $4, $5, $6)",
          schedule.year, static_cast<int>(i), b.from_bp, b.to_bp, b.multiplier.numerator(),
          b.multiplier.denominator());
    }
    for (const auto& [source, price] : schedule.prices) {
      tx.exec_params("INSERT INTO surcharge_prices (year, source, fen) VALUES ($1, $2, $3)",
                     schedule.year, source, price.fen());
    }
    return absl::OkStatus();
  });
}

Schedule QuotaStore::ScheduleIn(pqxx::work& tx, int year) {
  Schedule s;
  s.year = year;
  for (const pqxx::row& r :
       tx.exec_params("SELECT from_bp, to_bp, mult_num, mult_den FROM surcharge_bands WHERE "
                      "year = $1 ORDER BY idx",
                      year)) {
    SurchargeBand b;
    b.from_bp = r[0].as<int64_t>();
    if (!r[1].is_null()) {
      b.to_bp = r[1].as<int64_t>();
    }
    b.multiplier = *domain::Multiplier::Create(r[2].as<int64_t>(), r[3].as<int64_t>());
    s.bands.push_back(b);
  }
  if (s.bands.empty()) {
    s.bands = options_.default_bands;
    s.prices = options_.default_prices;
    s.is_default = true;
    return s;
  }
  for (const pqxx::row& r :
       tx.exec_params("SELECT source, fen FROM surcharge_prices WHERE year = $1", year)) {
    s.prices[r[0].as<int>()] = domain::Money::Fen(r[1].as<int64_t>());
  }
  return s;
}

absl::StatusOr<Schedule> QuotaStore::GetSchedule(int year) {
  return Transact<Schedule>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Schedule> { return ScheduleIn(tx, year); });
}

absl::StatusOr<v1::SurchargeStatement> QuotaStore::StatementIn(pqxx::work& tx,
                                                               const std::string& uscc,
                                                               const PeriodKey& period) {
  const Schedule schedule = ScheduleIn(tx, period.year);
  const UsageFigures usage = UsageIn(tx, uscc, period);
  std::vector<SourceIntake> intakes;
  for (int s = 0; s < 3; ++s) {  // new-water sources: tap, surface, ground
    auto price = schedule.prices.find(s + 1);
    intakes.push_back(SourceIntake{
        .litres = usage.totals.litres[static_cast<size_t>(s)],
        .price_per_cubic_metre = price == schedule.prices.end() ? domain::Money() : price->second});
  }
  auto tap = schedule.prices.find(v1::WATER_SOURCE_MUNICIPAL_TAP);
  const BasePrice base =
      WeightedBasePrice(intakes, tap == schedule.prices.end() ? domain::Money() : tap->second);
  const auto to_proto = [&](const SurchargeWorking& w) {
    v1::SurchargeWorking out;
    *out.mutable_allowed() = Litres(w.allowed);
    *out.mutable_used() = Litres(w.used);
    *out.mutable_over() = Litres(w.over);
    for (const SurchargeLine& line : w.lines) {
      v1::SurchargeLine* l = out.add_lines();
      l->set_from_percent(PercentText(line.band.from_bp));
      if (line.band.to_bp.has_value()) {
        l->set_to_percent(PercentText(*line.band.to_bp));
      }
      *l->mutable_volume() = Litres(line.litres);
      l->set_multiplier(line.band.multiplier.ToString());
      l->set_base_price_yuan_per_cubic_metre(BasePriceYuanText(w.base_price));
      l->mutable_amount()->set_fen(line.amount.fen());
    }
    out.mutable_amount()->set_fen(w.total.fen());
    return out;
  };
  v1::SurchargeStatement st;
  st.mutable_uscc()->set_value(uscc);
  *st.mutable_period() = PeriodToProto(period);
  st.set_schedule_is_default(schedule.is_default);
  int64_t total = 0;
  if (usage.has_plan) {
    auto w = quota::ComputeSurcharge(usage.plan, usage.totals.NewWater(), schedule.bands, base);
    if (!w.ok()) {
      return w.status();
    }
    *st.mutable_over_plan() = to_proto(*w);
    total += w->total.fen();
  }
  std::vector<int> months;
  if (period.month != 0) {
    months.push_back(period.month);
  } else {
    for (int m = 1; m <= 12; ++m) {
      months.push_back(m);
    }
  }
  // Over-quota: per product and month (output is reported monthly); a year adds its months.
  std::map<std::string, std::pair<int64_t, int64_t>> by_product;  // allowed, used
  for (int m : months) {
    for (const v1::QuotaCheck& c : QuotaChecks(tx, uscc, period.year, m)) {
      if (!c.quota_found()) {
        continue;
      }
      auto& [allowed, used] = by_product[c.product()];
      allowed += c.allowed().litres();
      used += c.intake().litres();
    }
  }
  for (const auto& [product, figures] : by_product) {
    auto w = quota::ComputeSurcharge(figures.first, figures.second, schedule.bands, base);
    if (!w.ok()) {
      return w.status();
    }
    v1::SurchargeWorking p = to_proto(*w);
    p.set_product(product);
    total += w->total.fen();
    *st.add_over_quota() = std::move(p);
  }
  st.mutable_total()->set_fen(total);
  return st;
}

absl::StatusOr<v1::SurchargeStatement> QuotaStore::ComputeSurcharge(const std::string& uscc,
                                                                    const PeriodKey& period) {
  return Transact<v1::SurchargeStatement>(
      pool_, [&](pqxx::work& tx) { return StatementIn(tx, uscc, period); });
}

namespace {

v1::SurchargeNotice NoticeFromRow(const pqxx::row& r) {
  v1::SurchargeNotice n;
  n.set_notice_id(r["notice_id"].as<std::string>());
  // Written by this service from the same message type; a parse failure leaves it empty.
  (void)google::protobuf::util::JsonStringToMessage(r["statement"].as<std::string>(),
                                                    n.mutable_statement());
  n.set_issued_by(r["issued_by"].as<std::string>());
  n.set_issued_at_unix_ms(r["issued_at_ms"].as<int64_t>());
  return n;
}

constexpr char kNoticeColumns[] =
    "notice_id, statement::text AS statement, issued_by, "
    "(extract(epoch from issued_at) * 1000)::bigint AS issued_at_ms";

}  // namespace

absl::StatusOr<v1::SurchargeNotice> QuotaStore::IssueSurchargeNotice(const std::string& uscc,
                                                                     const PeriodKey& period,
                                                                     const std::string& actor) {
  return Transact<v1::SurchargeNotice>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::SurchargeNotice> {
        if (absl::Status s = RequireEnterprise(tx, uscc); !s.ok()) {
          return s;
        }
        pqxx::result existing = tx.exec_params(
            "SELECT notice_id FROM surcharge_notices WHERE uscc = $1 AND year = $2 AND month = $3",
            uscc, period.year, period.month);
        if (!existing.empty()) {
          return absl::AlreadyExistsError(
              absl::StrCat("period: the surcharge notice of ", uscc, " for ", period.ToString(),
                           " was issued already (notice ", existing[0][0].as<std::string>(), ")"));
        }
        auto statement = StatementIn(tx, uscc, period);
        if (!statement.ok()) {
          return statement.status();
        }
        if (statement->total().fen() <= 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("period: no surcharge is due from ", uscc, " for ", period.ToString()));
        }
        std::string json;
        if (!google::protobuf::util::MessageToJsonString(*statement, &json).ok()) {
          return absl::InternalError("surcharge notice: statement does not serialise");
        }
        pqxx::result r = tx.exec_params(
            absl::StrCat("INSERT INTO surcharge_notices (uscc, year, month, total_fen, statement, "
                         "issued_by, issued_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, now()) "
                         "RETURNING ",
                         kNoticeColumns),
            uscc, period.year, period.month, statement->total().fen(), json, actor);
        v1::SurchargeNotice notice = NoticeFromRow(r[0]);
        EnqueueNotice(tx, uscc, ev::QUOTA_NOTICE_KIND_SURCHARGE_NOTICE, period, notice.notice_id(),
                      0, 0, 0, "", "surcharge notice", statement->total().fen());
        return notice;
      });
}

absl::StatusOr<std::vector<v1::SurchargeNotice>> QuotaStore::ListSurchargeNotices(
    const std::string& uscc, int year) {
  using Out = std::vector<v1::SurchargeNotice>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("SELECT ", kNoticeColumns,
                          " FROM surcharge_notices WHERE ($1 = '' OR uscc = $1) AND ($2 = 0 OR "
                          "year = $2) ORDER BY notice_id LIMIT 1000"),
             uscc, year)) {
      out.push_back(NoticeFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<FlowTotals> QuotaStore::LoadDailyUsage(const std::string& uscc,
                                                      const std::string& day) {
  return Transact<FlowTotals>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<FlowTotals> {
    FlowTotals totals;
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kFlowColumns,
                                    " FROM usage_daily WHERE uscc = $1 AND day = $2::date"),
                       uscc, day);
    if (!r.empty()) {
      for (int i = 0; i < kFlowCount; ++i) {
        totals.litres[static_cast<size_t>(i)] = r[0][i].as<int64_t>();
      }
    }
    return totals;
  });
}

absl::StatusOr<v1::RectificationOrder> QuotaStore::IssueOrder(
    const v1::IssueRectificationOrderRequest& req, const PeriodKey& period,
    const std::string& actor) {
  return Transact<v1::RectificationOrder>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::RectificationOrder> {
        const std::string& uscc = req.uscc().value();
        if (absl::Status s = RequireChangeable(tx, uscc, period.year); !s.ok()) {
          return s;
        }
        const auto& d = req.deadline();
        pqxx::result r = tx.exec_params(
            absl::StrCat("INSERT INTO rectification_orders (uscc, year, month, reason, deadline, "
                         "status, issued_by, issued_at) VALUES ($1, $2, $3, $4, make_date($5, $6, "
                         "$7), $8, $9, now()) RETURNING ",
                         kOrderColumns),
            uscc, period.year, period.month, req.reason(), d.year(), d.month(), d.day(), kOrderOpen,
            actor);
        v1::RectificationOrder order = OrderFromRow(r[0]);
        EnqueueNotice(
            tx, uscc, ev::QUOTA_NOTICE_KIND_ORDER_ISSUED, period, order.order_id(), 0, 0, 0, "",
            absl::StrCat(req.reason(), " (deadline ", d.year(), "-", d.month(), "-", d.day(), ")"));
        return order;
      });
}

absl::StatusOr<v1::RectificationOrder> QuotaStore::CloseOrder(int64_t order_id,
                                                              const std::string& resolution,
                                                              const std::string& actor) {
  return Transact<v1::RectificationOrder>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::RectificationOrder> {
        pqxx::result r = tx.exec_params(
            "SELECT status, uscc, year, month FROM rectification_orders WHERE order_id = $1 FOR "
            "UPDATE",
            order_id);
        if (r.empty()) {
          return absl::NotFoundError(absl::StrCat("order_id: no rectification order ", order_id));
        }
        if (r[0][0].as<int>() == kOrderClosed) {
          return absl::FailedPreconditionError(
              absl::StrCat("order_id: order ", order_id, " is already closed"));
        }
        pqxx::result u = tx.exec_params(
            absl::StrCat("UPDATE rectification_orders SET status = $2, resolution = $3, "
                         "closed_by = $4, closed_at = now() WHERE order_id = $1 RETURNING ",
                         kOrderColumns),
            order_id, kOrderClosed, resolution, actor);
        v1::RectificationOrder order = OrderFromRow(u[0]);
        EnqueueNotice(tx, order.uscc().value(), ev::QUOTA_NOTICE_KIND_ORDER_CLOSED,
                      PeriodKey{r[0][2].as<int>(), r[0][3].as<int>()}, order.order_id(), 0, 0, 0,
                      "", resolution);
        return order;
      });
}

absl::StatusOr<std::vector<v1::RectificationOrder>> QuotaStore::ListOrders(const std::string& uscc,
                                                                           int status) {
  using Out = std::vector<v1::RectificationOrder>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("SELECT ", kOrderColumns,
                          " FROM rectification_orders WHERE ($1 = '' OR uscc = $1) AND ($2 = 0 "
                          "OR status = $2) ORDER BY order_id LIMIT 1000"),
             uscc, status)) {
      out.push_back(OrderFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<int64_t> QuotaStore::ClosePlanYear(int year, const std::string& actor) {
  return Transact<int64_t>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
    pqxx::result r = tx.exec_params(
        "INSERT INTO closed_years (year, closed_by, closed_at) VALUES ($1, $2, now()) ON CONFLICT "
        "(year) DO NOTHING RETURNING (extract(epoch from closed_at) * 1000)::bigint",
        year, actor);
    if (r.empty()) {
      return absl::FailedPreconditionError(absl::StrCat("year: ", year, " is already closed"));
    }
    return r[0][0].as<int64_t>();
  });
}

absl::StatusOr<std::vector<v1::OverPlanEntry>> QuotaStore::ListOverPlan(const PeriodKey& period,
                                                                        int limit) {
  using Out = std::vector<v1::OverPlanEntry>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    // Each enterprise's current plan of the year against its new water of the period.
    pqxx::result r = tx.exec_params(
        "SELECT p.uscc, COALESCE(e.name, ''), CASE WHEN $2 = 0 THEN p.total_litres ELSE "
        "p.monthly_litres[$2] END, COALESCE((SELECT sum(tap + surface + ground) FROM usage_monthly "
        "u WHERE u.uscc = p.uscc AND u.year = $1 AND ($2 = 0 OR u.month = $2)), 0)::bigint "
        "FROM (SELECT DISTINCT ON (uscc) uscc, total_litres, monthly_litres FROM plan_versions "
        "WHERE year = $1 ORDER BY uscc, version DESC) p LEFT JOIN enterprises e ON e.uscc = "
        "p.uscc",
        period.year, period.month);
    std::vector<OverPlanCandidate> candidates;
    std::map<std::string, std::string> names;
    for (const pqxx::row& row : r) {
      candidates.push_back(OverPlanCandidate{.uscc = row[0].as<std::string>(),
                                             .plan = row[2].as<int64_t>(),
                                             .used = row[3].as<int64_t>()});
      names[row[0].as<std::string>()] = row[1].as<std::string>();
    }
    Out out;
    for (const OverPlanEntry& e : RankOverPlan(candidates)) {
      if (static_cast<int>(out.size()) >= limit) {
        break;
      }
      v1::OverPlanEntry p;
      p.mutable_uscc()->set_value(e.uscc);
      p.set_enterprise_name(names[e.uscc]);
      *p.mutable_plan() = Litres(e.plan);
      *p.mutable_used() = Litres(e.used);
      *p.mutable_over() = Litres(e.over);
      p.set_over_basis_points(e.over_basis_points);
      p.set_zero_plan(e.zero_plan);
      out.push_back(std::move(p));
    }
    return out;
  });
}

}  // namespace jieshui::quota
