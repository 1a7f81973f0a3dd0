#include "reporting/src/adapters/facts_store.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "domain/period.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/events/v1/reporting_events.pb.h"
#include "reporting/src/core/periods.hpp"

namespace jieshui::reporting {
namespace {

namespace ev = ::jieshui::events::v1;
namespace cert = ::jieshui::certification::v1;
namespace reg = ::jieshui::registry::v1;

// The plan's first year: leaders, contract projects and demonstrations count from it.
constexpr int kPlanStartYear = 2023;

int64_t OccurredMs(const kafka::Message& message, const kafka::EventEnvelope& e) {
  const int64_t ms = e.occurred_at().seconds() * 1000 + e.occurred_at().nanos() / 1'000'000;
  return ms > 0 ? ms : message.timestamp_ms;
}

// "v1, v2, ..." of the sums as SQL literals (whole numbers: nothing to quote).
std::string ValueList(const Sums& s) {
  std::vector<std::string> values;
  for (const SumsField& f : SumsFields()) {
    values.push_back(absl::StrCat(s.*f.member));
  }
  return absl::StrJoin(values, ", ");
}

bool IsZero(const Sums& s) { return s == Sums{}; }

// Adds `delta` to a scope's sums for a period (creating the row).
void MoveScope(pqxx::work& tx, const std::string& scope, const std::string& period, int year,
               const Sums& delta, int64_t as_of_ms) {
  std::vector<std::string> sets;
  for (const SumsField& f : SumsFields()) {
    sets.push_back(absl::StrCat(f.name, " = scope_sums.", f.name, " + EXCLUDED.", f.name));
  }
  tx.exec_params(
      absl::StrCat("INSERT INTO scope_sums (scope, period, year, as_of_ms, ", SumsColumns(),
                   ") VALUES ($1, $2, $3, $4, ", ValueList(delta),
                   ") ON CONFLICT (scope, period) DO UPDATE SET ", absl::StrJoin(sets, ", "),
                   ", as_of_ms = GREATEST(scope_sums.as_of_ms, EXCLUDED.as_of_ms)"),
      scope, period, year, as_of_ms);
}

// The scopes a contribution was added to, one key per line (keys hold no line breaks: towns,
// park ids and divisions are checked by the registry).
std::string JoinScopes(const std::vector<std::string>& scopes) {
  return absl::StrJoin(scopes, "\n");
}

std::vector<std::string> SplitScopes(const std::string& text) {
  if (text.empty()) {
    return {};
  }
  return absl::StrSplit(text, '\n');
}

}  // namespace

std::string SumsColumns(const char* prefix) {
  std::vector<std::string> names;
  for (const SumsField& f : SumsFields()) {
    names.push_back(absl::StrCat(prefix, f.name));
  }
  return absl::StrJoin(names, ", ");
}

Sums SumsFromRow(const pqxx::row& row, int first) {
  Sums s;
  int i = first;
  for (const SumsField& f : SumsFields()) {
    s.*f.member = row[i++].as<int64_t>();
  }
  return s;
}

FactsStore::FactsStore(std::string schema, Rules rules)
    : schema_(std::move(schema)), rules_(rules) {}

ScopeSums FactsStore::LoadSums(pqxx::work& tx, const std::string& scope_key,
                               const std::string& period_key) {
  pqxx::result r = tx.exec_params(absl::StrCat("SELECT as_of_ms, ", SumsColumns(),
                                               " FROM scope_sums WHERE scope = $1 AND period = $2"),
                                  scope_key, period_key);
  ScopeSums out;
  if (!r.empty()) {
    out.as_of_ms = r[0][0].as<int64_t>();
    out.sums = SumsFromRow(r[0], 1);
  }
  return out;
}

absl::StatusOr<EnterpriseYear> FactsStore::LoadEnterpriseYear(pqxx::work& tx,
                                                              const std::string& uscc, int year) {
  EnterpriseYear e;
  e.year = year;
  pqxx::result f = tx.exec_params(
      "SELECT above_scale, self_supplied, key_monitored, specialist_named FROM enterprise_facts "
      "WHERE uscc = $1",
      uscc);
  if (!f.empty()) {
    e.registry_above_scale = f[0][0].as<bool>();
    e.self_supplied = f[0][1].as<bool>();
    e.key_monitored = f[0][2].as<bool>();
    e.specialist_named = f[0][3].as<bool>();
  }
  int64_t previous = 0;
  bool any_previous = false;
  for (const pqxx::row& row :
       tx.exec_params("SELECT year, month, tap, surface, ground, reclaimed, recirculated, reused "
                      "FROM enterprise_months WHERE uscc = $1 AND year IN ($2, $2 - 1)",
                      uscc, year)) {
    MonthWater w{.tap = row[2].as<int64_t>(),
                 .surface = row[3].as<int64_t>(),
                 .ground = row[4].as<int64_t>(),
                 .reclaimed = row[5].as<int64_t>(),
                 .recirculated = row[6].as<int64_t>(),
                 .reused = row[7].as<int64_t>(),
                 .reported = true};
    if (row[0].as<int>() == year) {
      e.months[row[1].as<int>() - 1] = w;
    } else {
      previous += w.NewWater();
      any_previous = true;
    }
  }
  if (any_previous) {
    e.previous_year_new_water = previous;
  }
  pqxx::result va = tx.exec_params(
      "SELECT value_added_fen, above_scale FROM value_added WHERE uscc = $1 AND year = $2 "
      "ORDER BY version DESC LIMIT 1",
      uscc, year);
  if (!va.empty()) {
    e.value_added_fen = va[0][0].as<int64_t>();
    e.statistics_above_scale = va[0][1].as<bool>();
  }
  for (const pqxx::row& row :
       tx.exec_params("SELECT level, valid_from::text, valid_until::text, standing, granted_year "
                      "FROM titles WHERE uscc = $1",
                      uscc)) {
    auto from = domain::Date::Parse(row[1].as<std::string>());
    auto until = domain::Date::Parse(row[2].as<std::string>());
    if (!from.ok() || !until.ok()) {
      return absl::DataLossError("a stored title has no valid dates");
    }
    TitleFact t{.level = row[0].as<int>(),
                .valid_from = *from,
                .valid_until = *until,
                .standing = row[3].as<bool>(),
                .granted_year = row[4].as<int>()};
    if (t.level == cert::LEVEL_LEADER && t.granted_year >= kPlanStartYear &&
        t.granted_year <= year) {
      ++e.leaders_to_date;
    }
    e.titles.push_back(t);
  }
  for (const pqxx::row& row : tx.exec_params(
           "SELECT kind, year, count(*) FROM records WHERE uscc = $1 AND accepted AND year <= $2 "
           "GROUP BY kind, year",
           uscc, year)) {
    const int kind = row[0].as<int>();
    const int y = row[1].as<int>();
    const int64_t n = row[2].as<int64_t>();
    if (y == year && kind == cert::RECORD_KIND_BALANCE_TEST) {
      e.balance_tests += n;
    } else if (y == year && kind == cert::RECORD_KIND_AUDIT) {
      e.audits += n;
    } else if (y >= kPlanStartYear && kind == cert::RECORD_KIND_CONTRACT_PROJECT) {
      e.contract_projects_to_date += n;
    } else if (y >= kPlanStartYear && kind == cert::RECORD_KIND_DEMONSTRATION) {
      e.demonstrations_to_date += n;
    }
  }
  return e;
}

std::vector<v1::IndicatorPeriod> FactsStore::AllPeriods(pqxx::work& tx, const std::string& uscc) {
  pqxx::result r = tx.exec_params(
      "SELECT min(y), max(y) FROM (SELECT year AS y FROM enterprise_months WHERE uscc = $1 "
      "UNION SELECT year FROM value_added WHERE uscc = $1 "
      "UNION SELECT year FROM records WHERE uscc = $1 "
      "UNION SELECT granted_year FROM titles WHERE uscc = $1 "
      "UNION SELECT year FROM contributions WHERE uscc = $1) years",
      uscc);
  std::vector<v1::IndicatorPeriod> out;
  if (r.empty() || r[0][0].is_null()) {
    return out;
  }
  for (int y = r[0][0].as<int>(); y <= r[0][1].as<int>(); ++y) {
    for (v1::IndicatorPeriod& p : PeriodsOfYear(y)) {
      out.push_back(std::move(p));
    }
  }
  return out;
}

absl::Status FactsStore::Recompute(pqxx::work& tx, const std::string& uscc,
                                   const std::vector<v1::IndicatorPeriod>& periods,
                                   int64_t as_of_ms, std::set<SumsKey>* moved) {
  std::vector<std::string> scopes;
  pqxx::result f = tx.exec_params(
      "SELECT town, park_id, industry_code FROM enterprise_facts WHERE uscc = $1", uscc);
  if (f.empty()) {
    scopes.emplace_back("district");  // not yet announced by the registry: the district only
  } else {
    for (const v1::Scope& s : ScopesOf(f[0][0].as<std::string>(), f[0][1].as<std::string>(),
                                       f[0][2].as<std::string>())) {
      scopes.push_back(ScopeKey(s));
    }
  }
  std::map<int, EnterpriseYear> years;
  for (const v1::IndicatorPeriod& p : periods) {
    auto it = years.find(p.year());
    if (it == years.end()) {
      auto loaded = LoadEnterpriseYear(tx, uscc, p.year());
      if (!loaded.ok()) {
        return loaded.status();
      }
      it = years.emplace(p.year(), *std::move(loaded)).first;
    }
    const Sums now = ContributionOf(it->second, p, rules_);
    const std::string key = PeriodKey(p);
    pqxx::result old = tx.exec_params(
        absl::StrCat("SELECT scopes, ", SumsColumns(),
                     " FROM contributions WHERE uscc = $1 AND period = $2 FOR UPDATE"),
        uscc, key);
    Sums before;
    std::vector<std::string> before_scopes;
    if (!old.empty()) {
      before_scopes = SplitScopes(old[0][0].as<std::string>());
      before = SumsFromRow(old[0], 1);
    }
    if (before == now && before_scopes == scopes) {
      continue;
    }
    if (before_scopes == scopes) {
      const Sums delta = Subtract(now, before);
      for (const std::string& s : scopes) {
        MoveScope(tx, s, key, p.year(), delta, as_of_ms);
        moved->insert({s, key});
      }
    } else {
      // The enterprise moved (another town, park or industry): out of the old scopes, into the new.
      const Sums minus = Subtract(Sums{}, before);
      for (const std::string& s : before_scopes) {
        if (!IsZero(before)) {
          MoveScope(tx, s, key, p.year(), minus, as_of_ms);
          moved->insert({s, key});
        }
      }
      for (const std::string& s : scopes) {
        MoveScope(tx, s, key, p.year(), now, as_of_ms);
        moved->insert({s, key});
      }
    }
    std::vector<std::string> updates = {"scopes = EXCLUDED.scopes"};
    for (const SumsField& field : SumsFields()) {
      updates.push_back(absl::StrCat(field.name, " = EXCLUDED.", field.name));
    }
    tx.exec_params(
        absl::StrCat("INSERT INTO contributions (uscc, period, year, scopes, ", SumsColumns(),
                     ") VALUES ($1, $2, $3, $4, ", ValueList(now),
                     ") ON CONFLICT (uscc, period) DO UPDATE SET ", absl::StrJoin(updates, ", ")),
        uscc, key, p.year(), JoinScopes(scopes));
  }
  return absl::OkStatus();
}

absl::Status FactsStore::ApplyEvent(pqxx::work& tx, const kafka::Message& message,
                                    const kafka::EventEnvelope& event, std::set<SumsKey>* moved) {
  const auto& payload = event.payload();
  const int64_t at = OccurredMs(message, event);
  const auto bad = [&event](const std::string& what) {
    return absl::InvalidArgumentError(absl::StrCat("event ", event.event_id(), ": ", what));
  };
  if (payload.Is<ev::EnterpriseChanged>()) {
    auto changed = kafka::UnpackPayload<ev::EnterpriseChanged>(event);
    if (!changed.ok()) {
      return changed.status();
    }
    const reg::Enterprise& e = changed->enterprise();
    if (e.uscc().value().size() != 18) {
      return bad("an enterprise without its USCC");
    }
    const bool self_supplied = std::any_of(
        e.water_sources().begin(), e.water_sources().end(), [](const reg::WaterSource& s) {
          return s.kind() == reg::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE ||
                 s.kind() == reg::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND;
        });
    pqxx::result r = tx.exec_params(
        "INSERT INTO enterprise_facts (uscc, name, town, park_id, industry_code, above_scale, "
        "self_supplied, key_monitored, specialist_named, deregistered, version) VALUES ($1, $2, "
        "$3, $4, $5, $6, $7, $8, $9, $10, $11) ON CONFLICT (uscc) DO UPDATE SET name = "
        "EXCLUDED.name, town = EXCLUDED.town, park_id = EXCLUDED.park_id, industry_code = "
        "EXCLUDED.industry_code, above_scale = EXCLUDED.above_scale, self_supplied = "
        "EXCLUDED.self_supplied, key_monitored = EXCLUDED.key_monitored, specialist_named = "
        "EXCLUDED.specialist_named, deregistered = EXCLUDED.deregistered, version = "
        "EXCLUDED.version WHERE enterprise_facts.version < EXCLUDED.version RETURNING uscc",
        e.uscc().value(), e.name(), e.town(), e.park_id(), e.industry_code().value(),
        e.above_scale(), self_supplied, e.key_monitored(), !e.specialist().name().empty(),
        e.status() == reg::ENTERPRISE_STATUS_DEREGISTERED, e.version());
    if (r.empty()) {
      return absl::OkStatus();  // an older version than the one held
    }
    return Recompute(tx, e.uscc().value(), AllPeriods(tx, e.uscc().value()), at, moved);
  }
  if (payload.Is<ev::UsageChanged>()) {
    auto usage = kafka::UnpackPayload<ev::UsageChanged>(event);
    if (!usage.ok()) {
      return usage.status();
    }
    const std::string uscc = usage->uscc().value();
    const int year = usage->month().year();
    const int month = usage->month().month();
    if (uscc.size() != 18 || month < 1 || month > 12 || year < 2000 || year > 2100) {
      return bad("usage without its enterprise or month");
    }
    tx.exec_params(
        "INSERT INTO enterprise_months (uscc, year, month, tap, surface, ground, reclaimed, "
        "recirculated, reused, discharge, new_water, plan_known, plan, over_plan, surcharge_fen) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15) "
        "ON CONFLICT (uscc, year, month) DO UPDATE SET "
        "tap = EXCLUDED.tap, surface = EXCLUDED.surface, ground = EXCLUDED.ground, reclaimed = "
        "EXCLUDED.reclaimed, recirculated = EXCLUDED.recirculated, reused = EXCLUDED.reused, "
        "discharge = EXCLUDED.discharge, new_water = EXCLUDED.new_water, plan_known = "
        "EXCLUDED.plan_known, plan = EXCLUDED.plan, over_plan = EXCLUDED.over_plan, "
        "surcharge_fen = EXCLUDED.surcharge_fen",
        uscc, year, month, usage->intake_municipal_tap().litres(),
        usage->intake_self_supplied_surface().litres(),
        usage->intake_self_supplied_ground().litres(), usage->intake_reclaimed().litres(),
        usage->recirculated().litres(), usage->reused().litres(), usage->discharge().litres(),
        usage->new_water().litres(), usage->plan_known(), usage->plan().litres(),
        usage->over_plan().litres(), usage->surcharge_due().fen());
    std::vector<v1::IndicatorPeriod> periods = PeriodsTouchedBy(year, month);
    if (rules_.basis == ThresholdBasis::kPreviousYear) {
      for (v1::IndicatorPeriod& p : PeriodsOfYear(year + 1)) {
        periods.push_back(std::move(p));
      }
    }
    return Recompute(tx, uscc, periods, at, moved);
  }
  if (payload.Is<ev::CertificationStatus>()) {
    auto status = kafka::UnpackPayload<ev::CertificationStatus>(event);
    if (!status.ok()) {
      return status.status();
    }
    const std::string uscc = status->uscc().value();
    if (uscc.size() != 18) {
      return bad("a certification status without its USCC");
    }
    tx.exec_params("DELETE FROM titles WHERE uscc = $1", uscc);
    for (const cert::Title& t : status->titles()) {
      const bool standing =
          t.status() == cert::TITLE_STATUS_ACTIVE || t.status() == cert::TITLE_STATUS_UNDER_REVIEW;
      auto from =
          domain::Date::Create(t.valid_from().year(), t.valid_from().month(), t.valid_from().day());
      auto until = domain::Date::Create(t.valid_until().year(), t.valid_until().month(),
                                        t.valid_until().day());
      if (t.title_id().empty() || !from.ok() || !until.ok()) {
        return bad("a title without its id or validity");
      }
      tx.exec_params(
          "INSERT INTO titles (title_id, uscc, level, valid_from, valid_until, standing, "
          "granted_year) VALUES ($1, $2, $3, $4::date, $5::date, $6, $7)",
          t.title_id(), uscc, static_cast<int>(t.level()), from->ToString(), until->ToString(),
          standing, from->year());
    }
    return Recompute(tx, uscc, AllPeriods(tx, uscc), at, moved);
  }
  if (payload.Is<ev::RecordChanged>()) {
    auto changed = kafka::UnpackPayload<ev::RecordChanged>(event);
    if (!changed.ok()) {
      return changed.status();
    }
    const cert::Record& r = changed->record();
    if (r.record_id().empty() || r.uscc().value().size() != 18) {
      return bad("a record without its id or enterprise");
    }
    tx.exec_params(
        "INSERT INTO records (record_id, uscc, kind, year, accepted) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (record_id) DO UPDATE SET uscc = EXCLUDED.uscc, kind = EXCLUDED.kind, year = "
        "EXCLUDED.year, accepted = EXCLUDED.accepted",
        r.record_id(), r.uscc().value(), static_cast<int>(r.kind()), r.year(),
        r.status() == cert::RECORD_STATUS_ACCEPTED);
    return Recompute(tx, r.uscc().value(), AllPeriods(tx, r.uscc().value()), at, moved);
  }
  if (payload.Is<ev::ValueAddedSubmitted>()) {
    auto submitted = kafka::UnpackPayload<ev::ValueAddedSubmitted>(event);
    if (!submitted.ok()) {
      return submitted.status();
    }
    const v1::ValueAdded& v = submitted->value_added();
    if (v.uscc().value().size() != 18 || v.version() <= 0 || v.value_added().fen() < 0) {
      return bad("value added without its enterprise or version, or negative");
    }
    tx.exec_params(
        "INSERT INTO value_added (uscc, year, version, value_added_fen, above_scale, source, "
        "submitted_at_ms) VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT DO NOTHING",
        v.uscc().value(), v.year(), v.version(), v.value_added().fen(), v.above_scale(), v.source(),
        v.submitted_at_unix_ms());
    return Recompute(tx, v.uscc().value(), PeriodsOfYear(v.year()), at, moved);
  }
  return absl::OkStatus();
}

}  // namespace jieshui::reporting
