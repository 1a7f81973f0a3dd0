#include "quota/src/adapters/plan_store.hpp"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "errors/field_error.hpp"
#include "jieshui/events/v1/quota_events.pb.h"
#include "quota/src/adapters/balance_test_store.hpp"
#include "quota/src/core/plan.hpp"

namespace jieshui::quota {
namespace {

namespace v1 = ::jieshui::quota::v1;
namespace ev = ::jieshui::events::v1;

std::string ArrayText(const int64_t* values, size_t n) {
  std::vector<int64_t> v(values, values + n);
  return absl::StrCat("{", absl::StrJoin(v, ","), "}");
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

}  // namespace

PlanStore::PlanStore(db::ConnectionPool* pool, StoreOptions options, AlertStore* alerts)
    : pool_(pool), options_(std::move(options)), alerts_(alerts) {}

absl::StatusOr<PlanRow> PlanStore::PlanToChange(pqxx::work& tx, const std::string& uscc, int year,
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

v1::AnnualPlan PlanStore::InsertPlan(pqxx::work& tx, const std::string& uscc, int year,
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
  alerts_->RaiseDue(tx, uscc, year, months);
  v1::AnnualPlan plan;
  plan.mutable_uscc()->set_value(uscc);
  plan.set_year(year);
  *plan.mutable_current() = VersionToProto(row);
  return plan;
}

absl::StatusOr<v1::AnnualPlan> PlanStore::SetPlan(const v1::SetAnnualPlanRequest& req,
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

absl::StatusOr<v1::AnnualPlan> PlanStore::FileSplit(const v1::FileMonthlySplitRequest& req,
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

absl::StatusOr<v1::AnnualPlan> PlanStore::AdjustPlan(const v1::AdjustPlanRequest& req,
                                                     const std::string& actor) {
  return Transact<v1::AnnualPlan>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualPlan> {
    const std::string& uscc = req.uscc().value();
    absl::StatusOr<PlanRow> current = PlanToChange(tx, uscc, req.year(), "adjust");
    if (!current.ok()) {
      return current.status();
    }
    const int64_t total = req.new_total().litres();
    // DOMAIN.md "Plans": an increase needs a water balance test (水平衡测试), one of this
    // enterprise that the certification service accepted (its activity topic, balance_tests).
    if (total > current->total) {
      if (req.water_balance_test_ref().empty()) {
        return errors::InvalidArgument(
            "water_balance_test_ref",
            absl::StrCat("an increase of the plan (", current->total, " L to ", total,
                         " L) must name the water balance test that supports it"));
      }
      if (absl::Status s = RequireAcceptedBalanceTest(tx, req.water_balance_test_ref(), uscc);
          !s.ok()) {
        return s;
      }
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

absl::StatusOr<v1::AnnualPlan> PlanStore::CutPlan(const v1::CutPlanRequest& req,
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
    EnqueueNotice(tx, options_, uscc,
                  {.kind = ev::QUOTA_NOTICE_KIND_PLAN_CUT,
                   .period = PeriodKey{.year = req.year()},
                   .reference_id = absl::StrCat(plan.current().version()),
                   .threshold = 0,
                   .used = cut,
                   .limit = plan.current().total().litres(),
                   .product = "",
                   .detail = req.reason(),
                   .amount_fen = 0,
                   .crossed_at_ms = 0});
    return plan;
  });
}

absl::StatusOr<v1::AnnualPlan> PlanStore::GetPlan(const std::string& uscc, int year) {
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

absl::StatusOr<int64_t> PlanStore::ClosePlanYear(int year, const std::string& actor) {
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

absl::StatusOr<std::vector<v1::OverPlanEntry>> PlanStore::ListOverPlan(const PeriodKey& period,
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
