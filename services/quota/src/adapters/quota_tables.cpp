#include "quota/src/adapters/quota_tables.hpp"

#include <algorithm>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "db/outbox.hpp"
#include "domain/fixed_decimal.hpp"
#include "domain/period.hpp"
#include "jieshui/events/v1/quota_events.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::quota {
namespace {

namespace ev = ::jieshui::events::v1;

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

common::v1::Volume Litres(int64_t litres) {
  common::v1::Volume v;
  v.set_litres(litres);
  return v;
}

std::string MilliText(int64_t milli) { return domain::internal::FormatFixedDecimal(milli, 3); }

FlowTotals FlowTotalsOf(const pqxx::row& row, int first) {
  FlowTotals totals;
  for (int i = 0; i < kFlowCount; ++i) {
    totals.litres[static_cast<size_t>(i)] = row[first + i].as<int64_t>();
  }
  return totals;
}

namespace {

absl::Status NoSuchEnterprise(const std::string& uscc) {
  return absl::NotFoundError(
      absl::StrCat("uscc: no enterprise ", uscc, " in the registry (as announced on Kafka)"));
}

}  // namespace

absl::Status RequireKnownEnterprise(pqxx::work& tx, const std::string& uscc) {
  if (tx.exec_params("SELECT 1 FROM enterprises WHERE uscc = $1", uscc).empty()) {
    return NoSuchEnterprise(uscc);
  }
  return absl::OkStatus();
}

absl::Status RequireEnterprise(pqxx::work& tx, const std::string& uscc) {
  pqxx::result r =
      tx.exec_params("SELECT deregistered FROM enterprises WHERE uscc = $1 FOR SHARE", uscc);
  if (r.empty()) {
    return NoSuchEnterprise(uscc);
  }
  if (r[0][0].as<bool>()) {
    return absl::FailedPreconditionError(
        absl::StrCat("uscc: enterprise ", uscc, " is deregistered"));
  }
  return absl::OkStatus();
}

absl::Status RequireOpenYear(pqxx::work& tx, int year) {
  if (!tx.exec_params("SELECT 1 FROM closed_years WHERE year = $1", year).empty()) {
    return absl::FailedPreconditionError(
        absl::StrCat("year: plan year ", year, " is closed (settled); it can no longer change"));
  }
  return absl::OkStatus();
}

absl::Status RequireChangeable(pqxx::work& tx, const std::string& uscc, int year) {
  if (absl::Status s = RequireEnterprise(tx, uscc); !s.ok()) {
    return s;
  }
  return RequireOpenYear(tx, year);
}

const char kPlanColumns[] =
    "version, change, total_litres, by_source_litres, monthly_litres, split_filed, reason, "
    "water_balance_test_ref, order_id, changed_by, "
    "(extract(epoch from changed_at) * 1000)::bigint AS changed_at_ms";

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

std::optional<PlanRow> CurrentPlan(pqxx::work& tx, const std::string& uscc, int year) {
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

UsageFigures UsageIn(pqxx::work& tx, const std::string& uscc, const PeriodKey& period) {
  UsageFigures f;
  pqxx::result r = period.month == 0
                       ? tx.exec_params(UsageSql(period), uscc, period.year)
                       : tx.exec_params(UsageSql(period), uscc, period.year, period.month);
  f.totals = FlowTotalsOf(r[0], 0);
  std::optional<PlanRow> plan = CurrentPlan(tx, uscc, period.year);
  if (plan.has_value()) {
    f.has_plan = true;
    f.plan = period.month == 0 ? plan->total : plan->monthly[static_cast<size_t>(period.month - 1)];
  }
  return f;
}

UsageFigures YearState::Figures(int month) const {
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

YearState LoadYear(pqxx::work& tx, const std::string& uscc, int year) {
  YearState state;
  state.plan = CurrentPlan(tx, uscc, year);
  for (const pqxx::row& r :
       tx.exec_params(absl::StrCat("SELECT month, ", kFlowColumns,
                                   " FROM usage_monthly WHERE uscc = $1 AND year = $2"),
                      uscc, year)) {
    FlowTotals& totals = state.months[r[0].as<int>()];
    totals = FlowTotalsOf(r, 1);
    state.year += totals;
  }
  for (const pqxx::row& r :
       tx.exec_params("SELECT DISTINCT month FROM production_reports WHERE uscc = $1 AND year = $2",
                      uscc, year)) {
    state.months_with_output.insert(r[0].as<int>());
  }
  return state;
}

std::vector<ReportedProduct> ProductionIn(pqxx::work& tx, const std::string& uscc, int year,
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

std::vector<quota::v1::QuotaCheck> QuotaChecks(pqxx::work& tx, const std::string& uscc, int year,
                                               int month) {
  std::vector<quota::v1::QuotaCheck> out;
  for (const ReportedProduct& p : ProductionIn(tx, uscc, year, month)) {
    quota::v1::QuotaCheck c;
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

void EnqueueNotice(pqxx::work& tx, const StoreOptions& options, const std::string& uscc,
                   const Notice& n) {
  ev::QuotaNotice notice;
  notice.set_kind(static_cast<ev::QuotaNoticeKind>(n.kind));
  notice.mutable_uscc()->set_value(uscc);
  *notice.mutable_period() = PeriodToProto(n.period);
  notice.set_reference_id(n.reference_id);
  notice.set_threshold_percent(n.threshold);
  *notice.mutable_used() = Litres(n.used);
  *notice.mutable_limit() = Litres(n.limit);
  notice.set_product(n.product);
  notice.set_detail(n.detail);
  notice.mutable_amount()->set_fen(n.amount_fen);
  notice.set_crossed_at_unix_ms(n.crossed_at_ms);
  db::EnqueueEvent(tx, options.schema, options.alert_topic, uscc,
                   kafka::EncodeEvent(notice, {.producer = options.producer,
                                               .subject_key = uscc,
                                               .occurred_at = absl::Now(),
                                               .correlation_id = ""}));
}

}  // namespace jieshui::quota
