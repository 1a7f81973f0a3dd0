#include "reporting/src/adapters/reporting_store.hpp"

#include <optional>
#include <set>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "db/outbox.hpp"
#include "db/proto_column.hpp"
#include "domain/period.hpp"
#include "domain/ratio.hpp"
#include "errors/field_error.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "jieshui/events/v1/reporting_events.pb.h"
#include "kafka/envelope.hpp"
#include "reporting/src/adapters/indicator_log.hpp"
#include "reporting/src/core/periods.hpp"

namespace jieshui::reporting {
namespace {

namespace ev = ::jieshui::events::v1;

template <typename T>
absl::StatusOr<T> Parse(const pqxx::field& field, const char* what) {
  return db::ParseColumn<T>(field, what);
}

}  // namespace

ReportingStore::ReportingStore(db::ConnectionPool* pool, ReportingStoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::StatusOr<ScopeSums> ReportingStore::Sums(const std::string& scope_key,
                                               const std::string& period_key) {
  return db::Transact<ScopeSums>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<ScopeSums> {
    constexpr char kEnterprise[] = "enterprise:";
    if (scope_key.rfind(kEnterprise, 0) != 0) {
      return FactsStore::LoadSums(tx, scope_key, period_key);
    }
    ScopeSums out;
    pqxx::result r =
        tx.exec_params(absl::StrCat("SELECT ", SumsColumns(),
                                    " FROM contributions WHERE uscc = $1 AND period = $2"),
                       scope_key.substr(sizeof(kEnterprise) - 1), period_key);
    if (!r.empty()) {
      out.sums = SumsFromRow(r[0], 0);
    }
    // The district's as-of: the latest event reflected in the figures it belongs to.
    out.as_of_ms = FactsStore::LoadSums(tx, "district", period_key).as_of_ms;
    return out;
  });
}

namespace {

common::v1::Volume Litres(int64_t litres) {
  common::v1::Volume v;
  v.set_litres(litres);
  return v;
}

common::v1::Date DateOfText(const std::string& text) {
  common::v1::Date d;
  if (auto date = domain::Date::Parse(text); date.ok()) {
    d.set_year(date->year());
    d.set_month(date->month());
    d.set_day(date->day());
  }
  return d;
}

// One enterprise's own figures over the period's months, and its titles.
v1::EnterpriseFigures EnterpriseFiguresOf(pqxx::work& tx, const std::string& uscc,
                                          const v1::IndicatorPeriod& period) {
  const std::vector<int> months = MonthsOf(period);
  const int first_month = months.front();
  const int last_month = months.back();
  v1::EnterpriseFigures f;
  const pqxx::row m = tx.exec_params1(
      "SELECT count(*), coalesce(sum(new_water), 0), coalesce(sum(recirculated + reused), 0), "
      "coalesce(sum(plan) FILTER (WHERE plan_known), 0), "
      "coalesce(sum(new_water) FILTER (WHERE plan_known), 0), coalesce(sum(over_plan), 0), "
      "coalesce(sum(surcharge_fen), 0) FROM enterprise_months WHERE uscc = $1 AND year = $2 AND "
      "month BETWEEN $3 AND $4",
      uscc, period.year(), first_month, last_month);
  const int64_t new_water = m[1].as<int64_t>();
  const int64_t repeated = m[2].as<int64_t>();
  const int64_t plan = m[3].as<int64_t>();
  const int64_t planned_new_water = m[4].as<int64_t>();
  f.set_months_reported(m[0].as<int>());
  *f.mutable_new_water() = Litres(new_water);
  *f.mutable_repeated() = Litres(repeated);
  *f.mutable_repeat_utilisation() =
      RatioMessage(domain::Ratio(repeated, absl::int128(repeated) + new_water));
  *f.mutable_plan() = Litres(plan);
  *f.mutable_new_water_in_planned_months() = Litres(planned_new_water);
  *f.mutable_plan_use() = RatioMessage(domain::Ratio(planned_new_water, plan));
  *f.mutable_over_plan() = Litres(m[5].as<int64_t>());
  f.mutable_surcharge_due()->set_fen(m[6].as<int64_t>());
  for (const pqxx::row& t : tx.exec_params(
           "SELECT title_id, level, valid_from::text, valid_until::text, standing, standing AND "
           "valid_from <= d AND d <= valid_until FROM titles, (SELECT (make_date($2, $3, 1) + "
           "interval '1 month' - interval '1 day')::date AS d) AS last_day WHERE uscc = $1 "
           "ORDER BY valid_from, title_id",
           uscc, period.year(), last_month)) {
    v1::HeldTitle* h = f.add_titles();
    h->set_title_id(t[0].as<std::string>());
    std::string level = certification::v1::Level_Name(t[1].as<int>());
    level = absl::AsciiStrToLower(level.substr(level.find('_') + 1));
    h->set_level(level);
    *h->mutable_valid_from() = DateOfText(t[2].as<std::string>());
    *h->mutable_valid_until() = DateOfText(t[3].as<std::string>());
    h->set_standing(t[4].as<bool>());
    h->set_valid_on_last_day(t[5].as<bool>());
  }
  return f;
}

}  // namespace

absl::StatusOr<v1::IndicatorSet> ReportingStore::Indicators(const v1::Scope& scope,
                                                            const v1::IndicatorPeriod& period,
                                                            const std::vector<std::string>& codes) {
  auto sums = Sums(ScopeKey(scope), PeriodKey(period));
  if (!sums.ok()) {
    return sums.status();
  }
  // An enterprise's figures carry its share in the district's.
  std::optional<ScopeSums> district;
  if (scope.kind() == v1::SCOPE_KIND_ENTERPRISE) {
    auto d = Sums("district", PeriodKey(period));
    if (!d.ok()) {
      return d.status();
    }
    district = *std::move(d);
  }
  return db::Transact<v1::IndicatorSet>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::IndicatorSet> {
        auto targets = LoadTargets(tx);
        auto base = LoadBaseline(tx);
        if (!targets.ok() || !base.ok()) {
          return !targets.ok() ? targets.status() : base.status();
        }
        v1::IndicatorSet set;
        *set.mutable_scope() = scope;
        *set.mutable_period() = period;
        set.set_as_of_unix_ms(sums->as_of_ms);
        set.set_served_from(v1::SERVED_FROM_DATABASE);
        if (district.has_value()) {
          *set.mutable_enterprise() = EnterpriseFiguresOf(tx, scope.value(), period);
        }
        for (v1::Indicator& i : WorkOut(*sums, period.year(), codes, *targets, *base)) {
          if (district.has_value()) {
            const Parts own = PartsOf(i.code(), sums->sums);
            const Parts all = PartsOf(i.code(), district->sums);
            *i.mutable_share_of_numerator() =
                RatioMessage(domain::Ratio(own.numerator, all.numerator));
            if (all.denominator != 0) {
              *i.mutable_share_of_denominator() =
                  RatioMessage(domain::Ratio(own.denominator, all.denominator));
            }
          }
          *set.add_indicators() = std::move(i);
        }
        return set;
      });
}

absl::StatusOr<std::vector<std::pair<int64_t, v1::IndicatorSnapshot>>> ReportingStore::History(
    const std::string& scope_key, const std::string& period_key, const std::string& code,
    int64_t from_ms, int64_t to_ms, int64_t after_id, int limit) {
  using Out = std::vector<std::pair<int64_t, v1::IndicatorSnapshot>>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& row : tx.exec_params(
             "SELECT id, changed_ms, indicator FROM indicator_history WHERE scope = $1 AND "
             "period = $2 AND code = $3 AND id > $4 AND changed_ms >= $5::bigint AND ($6::bigint = "
             "0 OR "
             "changed_ms < $6) ORDER BY id LIMIT $7",
             scope_key, period_key, code, after_id, from_ms, to_ms, limit + 1)) {
      v1::IndicatorSnapshot snap;
      if (!snap.mutable_indicator()->ParseFromString(pqxx::binarystring(row[2]).str())) {
        return absl::DataLossError("a stored indicator does not parse");
      }
      snap.set_changed_at_unix_ms(row[1].as<int64_t>());
      out.emplace_back(row[0].as<int64_t>(), std::move(snap));
    }
    return out;
  });
}

absl::StatusOr<int64_t> ReportingStore::LatestChange(const std::string& scope_key,
                                                     const std::string& period_key) {
  return db::Transact<int64_t>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<int64_t> {
    return tx
        .exec_params(
            "SELECT coalesce(max(id), 0) FROM indicator_history WHERE scope = $1 "
            "AND period = $2",
            scope_key, period_key)[0][0]
        .as<int64_t>();
  });
}

absl::StatusOr<std::vector<ContributorRow>> ReportingStore::Contributors(
    const std::string& scope_key, const std::string& period_key, const std::string& after_uscc,
    int limit) {
  using Out = std::vector<ContributorRow>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    // `scopes` holds one key a line; the district holds every enterprise.
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT c.uscc, coalesce(e.name, ''), coalesce(e.town, ''), "
                     "coalesce(e.park_id, ''), coalesce(e.industry_code, ''), ",
                     SumsColumns("c."),
                     " FROM contributions c LEFT JOIN enterprise_facts e USING (uscc) "
                     "WHERE c.period = $1 AND c.uscc > $2 AND "
                     "($3 = 'district' OR $3 = ANY (string_to_array(c.scopes, E'\\n'))) "
                     "ORDER BY c.uscc LIMIT $4"),
        period_key, after_uscc, scope_key, limit + 1);
    for (const pqxx::row& row : r) {
      out.push_back({.uscc = row[0].as<std::string>(),
                     .name = row[1].as<std::string>(),
                     .town = row[2].as<std::string>(),
                     .park_id = row[3].as<std::string>(),
                     .industry_code = row[4].as<std::string>(),
                     .sums = SumsFromRow(row, 5)});
    }
    return out;
  });
}

namespace {

// The SQL condition that an enterprise_facts row `e` is in the scope given as parameter `$n`: the
// same sets as ScopesOf (core/periods.hpp), and "enterprise:<USCC>" for one enterprise.
std::string InScope(int n) {
  const std::string p = absl::StrCat("$", n);
  return absl::StrCat(
      "(", p, " = 'district' OR ", p, " = 'town:' || e.town OR ", p, " = 'park:' || e.park_id OR ",
      p, " = 'industry:' || left(e.industry_code, 3) OR ", p, " = 'enterprise:' || e.uscc)");
}

}  // namespace

absl::StatusOr<std::vector<LedgerRow>> ReportingStore::Ledger(const std::string& scope_key,
                                                              int year, int first_month,
                                                              int last_month) {
  using Out = std::vector<LedgerRow>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    pqxx::result r = tx.exec_params(
        absl::StrCat("SELECT e.uscc, e.name, e.town, e.park_id, e.industry_code, m.year, m.month, "
                     "m.tap, m.surface, m.ground, m.reclaimed, m.recirculated, m.reused, "
                     "m.discharge, m.new_water, m.plan_known, m.plan, m.over_plan, "
                     "m.surcharge_fen FROM enterprise_months m JOIN enterprise_facts e USING "
                     "(uscc) WHERE m.year = $2 AND m.month BETWEEN $3 AND $4 AND ",
                     InScope(1), " ORDER BY e.uscc, m.month"),
        scope_key, year, first_month, last_month);
    for (const pqxx::row& row : r) {
      out.push_back({.uscc = row[0].as<std::string>(),
                     .name = row[1].as<std::string>(),
                     .town = row[2].as<std::string>(),
                     .park_id = row[3].as<std::string>(),
                     .industry_code = row[4].as<std::string>(),
                     .year = row[5].as<int>(),
                     .month = row[6].as<int>(),
                     .tap = row[7].as<int64_t>(),
                     .surface = row[8].as<int64_t>(),
                     .ground = row[9].as<int64_t>(),
                     .reclaimed = row[10].as<int64_t>(),
                     .recirculated = row[11].as<int64_t>(),
                     .reused = row[12].as<int64_t>(),
                     .discharge = row[13].as<int64_t>(),
                     .new_water = row[14].as<int64_t>(),
                     .plan_known = row[15].as<bool>(),
                     .plan = row[16].as<int64_t>(),
                     .over_plan = row[17].as<int64_t>(),
                     .surcharge_fen = row[18].as<int64_t>()});
    }
    return out;
  });
}

absl::StatusOr<std::vector<KeyMonitoredRow>> ReportingStore::KeyMonitored(
    const std::string& scope_key, const std::string& period_key) {
  using Out = std::vector<KeyMonitoredRow>;
  const v1::IndicatorPeriod period = PeriodOfKey(period_key);
  const std::vector<int> months = MonthsOf(period);
  const int first_month = months.front();
  const int last_month = months.back();
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    pqxx::result r = tx.exec_params(
        absl::StrCat(
            "SELECT e.uscc, e.name, e.town, e.park_id, e.industry_code, count(m.month), "
            "coalesce(sum(m.new_water), 0), coalesce(sum(m.recirculated + m.reused), 0), "
            "coalesce(sum(m.discharge), 0), coalesce(sum(m.plan) FILTER (WHERE m.plan_known), 0), "
            "coalesce(sum(m.over_plan), 0), coalesce(sum(m.surcharge_fen), 0), "
            "coalesce(max(c.key_monitored_online), 0) FROM enterprise_facts e "
            "LEFT JOIN enterprise_months m ON m.uscc = e.uscc AND m.year = $2 AND m.month "
            "BETWEEN $3 AND $4 LEFT JOIN contributions c ON c.uscc = e.uscc AND c.period = $5 "
            "WHERE e.key_monitored AND NOT e.deregistered AND ",
            InScope(1), " GROUP BY e.uscc, e.name, e.town, e.park_id, e.industry_code ",
            "ORDER BY e.uscc"),
        scope_key, period.year(), first_month, last_month, period_key);
    for (const pqxx::row& row : r) {
      out.push_back({.uscc = row[0].as<std::string>(),
                     .name = row[1].as<std::string>(),
                     .town = row[2].as<std::string>(),
                     .park_id = row[3].as<std::string>(),
                     .industry_code = row[4].as<std::string>(),
                     .months_reported = row[5].as<int>(),
                     .new_water = row[6].as<int64_t>(),
                     .repeated = row[7].as<int64_t>(),
                     .discharge = row[8].as<int64_t>(),
                     .plan = row[9].as<int64_t>(),
                     .over_plan = row[10].as<int64_t>(),
                     .surcharge_fen = row[11].as<int64_t>(),
                     .online = row[12].as<int64_t>() > 0});
    }
    return out;
  });
}

absl::StatusOr<std::set<std::string>> ReportingStore::KnownEnterprises() {
  using Out = std::set<std::string>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& row : tx.exec("SELECT uscc FROM enterprise_facts")) {
      out.insert(row[0].as<std::string>());
    }
    return out;
  });
}

absl::StatusOr<std::vector<v1::Target>> ReportingStore::StoredTargets() {
  using Out = std::vector<v1::Target>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& row :
         tx.exec("SELECT target FROM targets ORDER BY code, year, version")) {
      auto t = Parse<v1::Target>(row[0], "target");
      if (!t.ok()) {
        return t.status();
      }
      out.push_back(*std::move(t));
    }
    return out;
  });
}

absl::StatusOr<v1::Target> ReportingStore::AddTarget(v1::Target target) {
  return db::Transact<v1::Target>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Target> {
    // Serialised per code and year by the primary key: a concurrent edit fails and is retried.
    const int version =
        tx.exec_params(
              "SELECT coalesce(max(version), 0) + 1 FROM targets WHERE code = $1 AND "
              "year = $2",
              target.code(), target.year())[0][0]
            .as<int>();
    target.set_version(version);
    tx.exec_params("INSERT INTO targets (code, year, version, target) VALUES ($1, $2, $3, $4)",
                   target.code(), target.year(), version, db::Bytes(target));
    return target;
  });
}

absl::StatusOr<std::vector<v1::Baseline>> ReportingStore::Baselines() {
  using Out = std::vector<v1::Baseline>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& row : tx.exec("SELECT baseline FROM baselines ORDER BY version")) {
      auto b = Parse<v1::Baseline>(row[0], "baseline");
      if (!b.ok()) {
        return b.status();
      }
      out.push_back(*std::move(b));
    }
    return out;
  });
}

absl::StatusOr<v1::Baseline> ReportingStore::AddBaseline(v1::Baseline baseline) {
  return db::Transact<v1::Baseline>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Baseline> {
    tx.exec("LOCK TABLE baselines IN EXCLUSIVE MODE");
    const int version =
        tx.exec("SELECT coalesce(max(version), 0) + 1 FROM baselines")[0][0].as<int>();
    if (version > 1 && baseline.reason().empty()) {
      return errors::InvalidArgument(
          "reason", "the 2020 baseline is entered once; a change after that states its reason");
    }
    baseline.set_version(version);
    tx.exec_params("INSERT INTO baselines (version, baseline) VALUES ($1, $2)", version,
                   db::Bytes(baseline));
    return baseline;
  });
}

absl::StatusOr<v1::AnnualReport> ReportingStore::AddAnnualReport(v1::AnnualReport report) {
  return db::Transact<v1::AnnualReport>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::AnnualReport> {
        const int version = tx.exec_params(
                                  "SELECT coalesce(max(version), 0) + 1 FROM annual_reports WHERE "
                                  "department = $1 AND year = $2",
                                  report.department(), report.year())[0][0]
                                .as<int>();
        report.set_version(version);
        tx.exec_params(
            "INSERT INTO annual_reports (department, year, version, report) VALUES ($1, $2, $3, "
            "$4)",
            report.department(), report.year(), version, db::Bytes(report));
        return report;
      });
}

absl::StatusOr<std::vector<v1::AnnualReport>> ReportingStore::LatestAnnualReports(int year) {
  using Out = std::vector<v1::AnnualReport>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& row : tx.exec_params(
             "SELECT DISTINCT ON (department) report FROM annual_reports WHERE year = $1 "
             "ORDER BY department, version DESC",
             year)) {
      auto r = Parse<v1::AnnualReport>(row[0], "annual report");
      if (!r.ok()) {
        return r.status();
      }
      out.push_back(*std::move(r));
    }
    return out;
  });
}

absl::StatusOr<v1::ImportValueAddedResponse> ReportingStore::ImportValueAdded(
    const std::string& source, const std::vector<v1::ValueAddedRow>& rows, const std::string& actor,
    int64_t now_ms) {
  using Out = v1::ImportValueAddedResponse;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    // Checked again here, in the transaction that stores them.
    for (const v1::ValueAddedRow& row : rows) {
      if (tx.exec_params("SELECT 1 FROM enterprise_facts WHERE uscc = $1", row.uscc().value())
              .empty()) {
        v1::RowError* e = out.add_errors();
        e->set_line(row.line());
        e->set_column("uscc");
        e->set_reason(absl::StrCat("enterprise ", row.uscc().value(), " is not in the registry"));
      }
    }
    if (out.errors_size() > 0) {
      out.set_rejected(out.errors_size());
      return out;  // nothing stored: the caller rolls back
    }
    const int version = tx.exec_params(
                              "INSERT INTO value_added_imports (source, submitted_by, "
                              "submitted_at_ms) VALUES ($1, $2, $3) RETURNING version",
                              source, actor, now_ms)[0][0]
                            .as<int>();
    for (const v1::ValueAddedRow& row : rows) {
      v1::ValueAdded v;
      *v.mutable_uscc() = row.uscc();
      v.set_year(row.year());
      *v.mutable_value_added() = row.value_added();
      v.set_above_scale(row.above_scale());
      v.set_version(version);
      v.set_source(source);
      v.set_submitted_at_unix_ms(now_ms);
      tx.exec_params(
          "INSERT INTO value_added (uscc, year, version, value_added_fen, above_scale, source, "
          "submitted_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7)",
          v.uscc().value(), v.year(), version, v.value_added().fen(), v.above_scale(), source,
          now_ms);
      ev::ValueAddedSubmitted submitted;
      *submitted.mutable_value_added() = v;
      db::EnqueueEvent(tx, options_.schema, options_.submission_topic, v.uscc().value(),
                       kafka::EncodeEvent(submitted, {.producer = options_.producer,
                                                      .subject_key = v.uscc().value(),
                                                      .occurred_at = absl::FromUnixMillis(now_ms),
                                                      .correlation_id = source}));
    }
    out.set_accepted(static_cast<int32_t>(rows.size()));
    out.set_version(version);
    return out;
  });
}

absl::StatusOr<v1::ListValueAddedResponse> ReportingStore::ListValueAdded(
    int year, const std::string& uscc, const std::string& after_uscc, int limit,
    std::string* last_uscc) {
  using Out = v1::ListValueAddedResponse;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    pqxx::result r = tx.exec_params(
        "SELECT DISTINCT ON (uscc) uscc, value_added_fen, above_scale, version, source, "
        "submitted_at_ms FROM value_added WHERE year = $1 AND ($2 = '' OR uscc = $2) AND "
        "uscc > $3 ORDER BY uscc, version DESC LIMIT $4",
        year, uscc, after_uscc, limit + 1);
    for (const pqxx::row& row : r) {
      if (out.rows_size() == limit) {
        *last_uscc = out.rows(limit - 1).uscc().value();
        break;
      }
      v1::ValueAdded* v = out.add_rows();
      v->mutable_uscc()->set_value(row[0].as<std::string>());
      v->set_year(year);
      v->mutable_value_added()->set_fen(row[1].as<int64_t>());
      v->set_above_scale(row[2].as<bool>());
      v->set_version(row[3].as<int>());
      v->set_source(row[4].as<std::string>());
      v->set_submitted_at_unix_ms(row[5].as<int64_t>());
    }
    out.set_enterprises_without(
        tx.exec_params("SELECT count(*) FROM enterprise_facts e WHERE NOT e.deregistered AND NOT "
                       "EXISTS (SELECT 1 FROM value_added v WHERE v.uscc = e.uscc AND v.year = $1)",
                       year)[0][0]
            .as<int>());
    return out;
  });
}

}  // namespace jieshui::reporting
