#include "quota/src/adapters/usage_store.hpp"

#include <algorithm>
#include <map>
#include <optional>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "db/idempotent.hpp"
#include "db/outbox.hpp"
#include "domain/period.hpp"
#include "jieshui/events/v1/quota_events.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::quota {
namespace {

namespace ev = ::jieshui::events::v1;

constexpr char kConsumer[] = "quota-usage";

// "tap = <table>.tap + EXCLUDED.tap, ...": the SET list of an upsert that adds to the sums.
std::string AddToSumsSql(const std::string& table) {
  std::vector<std::string> sets;
  sets.reserve(kFlowColumn.size());
  for (const char* c : kFlowColumn) {
    sets.push_back(absl::StrCat(c, " = ", table, ".", c, " + EXCLUDED.", c));
  }
  return absl::StrJoin(sets, ", ");
}

}  // namespace

UsageStore::UsageStore(db::ConnectionPool* pool, StoreOptions options, AlertStore* alerts,
                       const SurchargeStore* surcharges)
    : pool_(pool), options_(std::move(options)), alerts_(alerts), surcharges_(surcharges) {}

absl::StatusOr<UsageFigures> UsageStore::LoadUsage(const std::string& uscc,
                                                   const PeriodKey& period) {
  return Transact<UsageFigures>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<UsageFigures> {
    if (absl::Status s = RequireKnownEnterprise(tx, uscc); !s.ok()) {
      return s;
    }
    return UsageIn(tx, uscc, period);
  });
}

absl::StatusOr<std::vector<int>> UsageStore::MonthsWithUsage(const std::string& uscc, int year) {
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

absl::StatusOr<ApplyResult> UsageStore::ApplyReadings(const std::vector<ReadingMessage>& messages) {
  return Transact<ApplyResult>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<ApplyResult> {
    ApplyResult result;
    std::map<std::pair<std::string, std::string>, FlowTotals> daily;  // (uscc, yyyy-mm-dd)
    std::map<std::pair<std::string, PeriodKey>, FlowTotals> monthly;
    // (uscc, year) → its new-water records in the order applied, for where alerts were crossed.
    std::map<std::pair<std::string, int>, std::vector<UsageStep>> steps;
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
        if (IsNewWater(*flow) && rec.delta().litres() != 0) {
          steps[{uscc, day.year()}].push_back({.month = day.month(),
                                               .litres = rec.delta().litres(),
                                               .end_ms = rec.interval_end_unix_ms()});
        }
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
    std::map<int, Schedule> schedules;  // the surcharge schedule of each year, loaded once
    for (const auto& [key, months] : touched) {
      const auto& [uscc, year] = key;
      const YearState state = LoadYear(tx, uscc, year);
      alerts_->RaiseDue(tx, uscc, year, months, state, steps[key]);
      auto schedule = schedules.find(year);
      if (schedule == schedules.end()) {
        schedule = schedules.emplace(year, surcharges_->ScheduleIn(tx, year)).first;
      }
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
        // What ComputeSurcharge answers for the month now (SurchargeStore::StatementIn), from the
        // year loaded above; only a month with output reported has quota checks to load.
        std::vector<quota::v1::QuotaCheck> checks;
        if (state.months_with_output.contains(month)) {
          checks = QuotaChecks(tx, uscc, year, month);
        }
        absl::StatusOr<quota::v1::SurchargeStatement> statement =
            SurchargeStatementOf(uscc, period, schedule->second, f, checks);
        // Left out when the RPC would answer an error (a negative month, an amount out of range)
        // rather than holding up the readings behind it.
        if (statement.ok()) {
          *changed.mutable_over_plan() =
              Litres(statement->has_over_plan() ? statement->over_plan().over().litres() : 0);
          *changed.mutable_surcharge_due() = statement->total();
        }
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

absl::StatusOr<FlowTotals> UsageStore::LoadDailyUsage(const std::string& uscc,
                                                      const std::string& day) {
  return Transact<FlowTotals>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<FlowTotals> {
    if (absl::Status s = RequireKnownEnterprise(tx, uscc); !s.ok()) {
      return s;
    }
    FlowTotals totals;
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", kFlowColumns,
                                    " FROM usage_daily WHERE uscc = $1 AND day = $2::date"),
                       uscc, day);
    if (!r.empty()) {
      totals = FlowTotalsOf(r[0], 0);
    }
    return totals;
  });
}

}  // namespace jieshui::quota
