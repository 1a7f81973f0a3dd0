#include "quota/src/adapters/alert_store.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "quota/src/core/alerts.hpp"

namespace jieshui::quota {
namespace {

namespace v1 = ::jieshui::quota::v1;
namespace ev = ::jieshui::events::v1;

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
  a.set_crossed_at_unix_ms(r["crossed_at_ms"].as<int64_t>());
  a.set_acknowledged_by(r["acknowledged_by"].as<std::string>());
  a.set_note(r["note"].as<std::string>());
  return a;
}

constexpr char kAlertColumns[] =
    "alert_id, uscc, kind, year, month, threshold, product, used_litres, limit_litres, status, "
    "(extract(epoch from raised_at) * 1000)::bigint AS raised_at_ms, acknowledged_by, note, "
    "coalesce((extract(epoch from crossed_at) * 1000)::bigint, 0) AS crossed_at_ms";

}  // namespace

AlertStore::AlertStore(db::ConnectionPool* pool, StoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

void AlertStore::RaiseDue(pqxx::work& tx, const std::string& uscc, int year,
                          const std::set<int>& months) {
  RaiseDue(tx, uscc, year, months, LoadYear(tx, uscc, year));
}

void AlertStore::RaiseDue(pqxx::work& tx, const std::string& uscc, int year,
                          const std::set<int>& months, const YearState& state,
                          const std::vector<UsageStep>& steps) {
  // Load what the rules need; core/alerts.hpp decides which alerts are due.
  AlertYear loaded;
  if (state.plan.has_value()) {
    loaded.plan = YearPlan{.total = state.plan->total, .monthly = state.plan->monthly};
  }
  for (const auto& [month, totals] : state.months) {
    loaded.new_water[month] = totals.NewWater();
  }
  loaded.steps = steps;
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
        "limit_litres, status, raised_at, crossed_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, "
        "now(), CASE WHEN $10::bigint = 0 THEN NULL ELSE 'epoch'::timestamptz + $10::bigint * "
        "interval '1 millisecond' END) "
        "ON CONFLICT (uscc, kind, year, month, threshold, product) DO NOTHING RETURNING alert_id",
        uscc, kind, year, due.month, due.threshold_percent, due.product, due.used, due.limit,
        static_cast<int>(v1::ALERT_STATUS_OPEN), due.crossed_at_ms);
    if (!r.empty()) {
      EnqueueNotice(tx, options_, uscc,
                    {.kind = notice_kind,
                     .period = PeriodKey{.year = year, .month = due.month},
                     .reference_id = r[0][0].as<std::string>(),
                     .threshold = due.threshold_percent,
                     .used = due.used,
                     .limit = due.limit,
                     .product = due.product,
                     .detail = "",
                     .amount_fen = 0,
                     .crossed_at_ms = due.crossed_at_ms});
    }
  }
}

absl::StatusOr<std::vector<v1::Alert>> AlertStore::ListAlerts(const std::string& uscc, int year,
                                                              int month, bool any_month, int status,
                                                              int64_t after_id, int limit) {
  using Out = std::vector<v1::Alert>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("SELECT ", kAlertColumns,
                          " FROM alerts WHERE ($1 = '' OR uscc = $1) AND ($2 = 0 OR year = $2) "
                          "AND ($3 OR month = $4) AND ($5 = 0 OR status = $5) AND alert_id > $6 "
                          "ORDER BY alert_id LIMIT $7"),
             uscc, year, any_month, month, status, after_id, limit)) {
      out.push_back(AlertFromRow(r));
    }
    return out;
  });
}

absl::StatusOr<v1::Alert> AlertStore::AcknowledgeAlert(int64_t alert_id, const std::string& actor,
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

}  // namespace jieshui::quota
