#include "certification/src/adapters/certification_store.hpp"

#include <algorithm>
#include <array>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "certification/src/core/lifecycle.hpp"
#include "certification/src/core/records.hpp"
#include "db/outbox.hpp"
#include "db/proto_column.hpp"
#include "errors/field_error.hpp"
#include "jieshui/events/v1/certification_events.pb.h"
#include "jieshui/events/v1/quota_events.pb.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "jieshui/registry/v1/resources.pb.h"

namespace jieshui::certification {
namespace {

namespace ev = ::jieshui::events::v1;
namespace reg = ::jieshui::registry::v1;

template <typename T>
absl::StatusOr<T> Parse(const pqxx::field& field, const char* what) {
  return db::ParseColumn<T>(field, what);
}

using db::Bytes;

std::string DateText(const common::v1::Date& d) { return FromProto(d).ToString(); }

domain::Date DateFromField(const pqxx::field& f) {
  auto d = domain::Date::Parse(f.as<std::string>());
  return d.ok() ? *d : *domain::Date::Create(1970, 1, 1);
}

int64_t OccurredMs(const kafka::EventEnvelope& e) {
  return e.occurred_at().seconds() * 1000 + e.occurred_at().nanos() / 1'000'000;
}

// The balance test's period end, or NULL for other kinds.
std::optional<std::string> PeriodEnd(const v1::Record& r) {
  if (r.has_balance_test()) {
    return DateText(r.balance_test().period_end());
  }
  return std::nullopt;
}

// Every row's message in `column`, in order.
template <typename T>
absl::StatusOr<std::vector<T>> ParseAll(const pqxx::result& r, int column, const char* what) {
  std::vector<T> out;
  out.reserve(r.size());
  for (const pqxx::row& row : r) {
    auto m = Parse<T>(row[column], what);
    if (!m.ok()) {
      return m.status();
    }
    out.push_back(*std::move(m));
  }
  return out;
}

template <typename T>
Page<T> PageOf(std::vector<T> rows, std::vector<int64_t> ids, int limit) {
  Page<T> page;
  if (static_cast<int>(rows.size()) > limit) {
    rows.resize(limit);
    page.last_id = ids[limit - 1];
  }
  page.rows = std::move(rows);
  return page;
}

// A page of the rows (id, message) asked for with LIMIT limit + 1.
template <typename T>
absl::StatusOr<Page<T>> PageOfRows(const pqxx::result& r, const char* what, int limit) {
  auto rows = ParseAll<T>(r, 1, what);
  if (!rows.ok()) {
    return rows.status();
  }
  std::vector<int64_t> ids;
  ids.reserve(r.size());
  for (const pqxx::row& row : r) {
    ids.push_back(row[0].as<int64_t>());
  }
  return PageOf(*std::move(rows), std::move(ids), limit);
}

}  // namespace

CertificationStore::CertificationStore(db::ConnectionPool* pool, StoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::Status CertificationStore::Read(const std::function<absl::Status(pqxx::work&)>& work) {
  return pool_->InTransaction(work);
}

void CertificationStore::Announce(pqxx::work& tx, const std::string& topic, const std::string& key,
                                  const google::protobuf::Message& payload) {
  db::EnqueueEvent(tx, options_.schema, topic, key,
                   kafka::EncodeEvent(payload, {.producer = options_.producer,
                                                .subject_key = key,
                                                .occurred_at = absl::Now(),
                                                .correlation_id = ""}));
}

void CertificationStore::AnnounceStatus(pqxx::work& tx, const std::string& uscc) {
  ev::CertificationStatus status;
  status.mutable_uscc()->set_value(uscc);
  pqxx::result r =
      tx.exec_params("SELECT record FROM titles WHERE uscc = $1 ORDER BY title_id", uscc);
  for (const pqxx::row& row : r) {
    auto t = Parse<v1::Title>(row[0], "title");
    if (t.ok()) {
      *status.add_titles() = *std::move(t);
    }
  }
  Announce(tx, options_.status_topic, uscc, status);
}

// ---- enterprises and facts ----

absl::StatusOr<EnterpriseFacts> CertificationStore::Enterprise(pqxx::work& tx,
                                                               const std::string& uscc,
                                                               const std::string& field) {
  pqxx::result r = tx.exec_params(
      "SELECT name, industry_code, deregistered FROM enterprises WHERE uscc = $1", uscc);
  if (r.empty()) {
    return errors::WithFieldViolation(
        absl::NotFoundError(absl::StrCat("enterprise ", uscc,
                                         " is not in the registry (or not yet announced by it)")),
        field, "unknown enterprise");
  }
  EnterpriseFacts e{.uscc = uscc,
                    .name = r[0][0].as<std::string>(),
                    .industry_code = r[0][1].is_null() ? "" : r[0][1].as<std::string>(),
                    .deregistered = r[0][2].as<bool>()};
  if (e.deregistered) {
    return absl::FailedPreconditionError(
        absl::StrCat("enterprise ", uscc, " is deregistered in the registry"));
  }
  return e;
}

absl::StatusOr<std::vector<v1::Title>> CertificationStore::ValidTitles(pqxx::work& tx,
                                                                       const std::string& uscc,
                                                                       const domain::Date& on) {
  pqxx::result r = tx.exec_params(
      "SELECT record FROM titles WHERE uscc = $1 AND valid_from <= $2::date AND "
      "valid_until >= $2::date ORDER BY title_id",
      uscc, on.ToString());
  std::vector<v1::Title> out;
  for (const pqxx::row& row : r) {
    auto t = Parse<v1::Title>(row[0], "title");
    if (!t.ok()) {
      return t.status();
    }
    if (ValidOn(*t, on)) {
      out.push_back(*std::move(t));
    }
  }
  return out;
}

absl::StatusOr<GateFacts> CertificationStore::LoadFacts(pqxx::work& tx, const std::string& uscc,
                                                        const domain::Date& on) {
  GateFacts facts;
  for (const pqxx::row& row :
       tx.exec_params("SELECT year FROM over_plan_years WHERE uscc = $1", uscc)) {
    facts.over_plan_years.insert(row[0].as<int>());
  }
  // Metering per GB/T 24789: the registry's declared points against its announced meters.
  pqxx::result e = tx.exec_params("SELECT record FROM enterprises WHERE uscc = $1", uscc);
  reg::Enterprise enterprise;
  if (!e.empty() && !e[0][0].is_null()) {
    auto parsed = Parse<reg::Enterprise>(e[0][0], "enterprise");
    if (!parsed.ok()) {
      return parsed.status();
    }
    enterprise = *std::move(parsed);
  }
  std::vector<domain::MeterForCoverage> meters;
  for (const pqxx::row& row :
       tx.exec_params("SELECT level, active FROM meters WHERE uscc = $1", uscc)) {
    meters.push_back({.level = row[0].as<int>(), .active = row[1].as<bool>()});
  }
  const reg::MeteringPoints& points = enterprise.metering_points();
  const domain::Coverage coverage = domain::ComputeCoverage(
      {points.level1(), points.level2(), points.level3()}, meters, options_.coverage);
  facts.metering_met = coverage.all_levels_met;
  for (const domain::LevelCoverage& level : coverage.levels) {
    absl::StrAppend(&facts.metering_evidence, facts.metering_evidence.empty() ? "" : "; ", "level ",
                    level.level, ": ", level.installed_meters, "/", level.required_points, " (",
                    level.rate_bp / 100, ".", absl::StrCat(level.rate_bp % 100 + 100).substr(1),
                    "% ", level.met ? ">=" : "<", " ", level.required_rate_bp / 100, ".",
                    absl::StrCat(level.required_rate_bp % 100 + 100).substr(1), "%)");
  }
  facts.specialist = enterprise.specialist().name();
  for (const pqxx::row& row : tx.exec_params(
           "SELECT period_end::text, record_id FROM records WHERE uscc = $1 AND kind = $2 AND "
           "status = $3 AND period_end IS NOT NULL",
           uscc, static_cast<int>(v1::RECORD_KIND_BALANCE_TEST),
           static_cast<int>(v1::RECORD_STATUS_ACCEPTED))) {
    facts.accepted_balance_tests[DateFromField(row[0])] = row[1].as<std::string>();
  }
  facts.open_rectification_orders =
      tx.exec_params("SELECT count(*) FROM open_orders WHERE uscc = $1", uscc)[0][0].as<int>();
  std::vector<MonthUsage> usage;
  for (const pqxx::row& row : tx.exec_params(
           "SELECT year, month, new_water FROM usage_months WHERE uscc = $1 AND year = $2", uscc,
           on.year() - 1)) {
    usage.push_back(
        {.year = row[0].as<int>(), .month = row[1].as<int>(), .new_water = row[2].as<int64_t>()});
  }
  facts.last_year_new_water = YearNewWater(usage, on.year() - 1);
  auto titles = ValidTitles(tx, uscc, on);
  if (!titles.ok()) {
    return titles.status();
  }
  for (const v1::Title& t : *titles) {
    if (t.level() != v1::LEVEL_LEADER) {
      facts.valid_titles.push_back(absl::StrCat(LevelName(t.level()), " ", t.certificate_number(),
                                                " until ", DateText(t.valid_until())));
    }
  }
  for (const pqxx::row& row : tx.exec_params(
           "SELECT occurred_on::text FROM violations WHERE uscc = $1 ORDER BY occurred_on", uscc)) {
    facts.violations.push_back(DateFromField(row[0]));
  }
  return facts;
}

absl::StatusOr<std::map<std::string, std::string>> CertificationStore::OpenApplicationDocuments(
    pqxx::work& tx, const std::string& uscc, v1::Level level) {
  pqxx::result r = tx.exec_params(
      "SELECT record FROM applications WHERE uscc = $1 AND level = $2 AND state NOT IN (6, 7, 8)",
      uscc, static_cast<int>(level));
  if (r.empty()) {
    return std::map<std::string, std::string>();
  }
  auto app = Parse<v1::Application>(r[0][0], "application");
  if (!app.ok()) {
    return app.status();
  }
  return std::map<std::string, std::string>(app->documents().begin(), app->documents().end());
}

absl::StatusOr<Figures> CertificationStore::LoadFigures(pqxx::work& tx, const std::string& uscc) {
  pqxx::result r = tx.exec_params(
      "SELECT record FROM records WHERE uscc = $1 AND kind = $2 AND status = $3 "
      "ORDER BY period_end DESC, record_id DESC LIMIT 1",
      uscc, static_cast<int>(v1::RECORD_KIND_BALANCE_TEST),
      static_cast<int>(v1::RECORD_STATUS_ACCEPTED));
  if (r.empty()) {
    return Figures{};
  }
  auto record = Parse<v1::Record>(r[0][0], "record");
  if (!record.ok()) {
    return record.status();
  }
  return FiguresOf(*record);
}

// ---- records ----

absl::StatusOr<v1::Record> CertificationStore::InsertRecord(v1::Record record) {
  return db::Transact<v1::Record>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Record> {
    if (auto e = Enterprise(tx, record.uscc().value(), "record.uscc"); !e.ok()) {
      return e.status();
    }
    const int64_t id =
        tx.exec("SELECT nextval(pg_get_serial_sequence('records', 'record_id'))")[0][0]
            .as<int64_t>();
    record.set_record_id(absl::StrCat(id));
    tx.exec_params(
        "INSERT INTO records (record_id, uscc, kind, year, status, period_end, record) "
        "VALUES ($1, $2, $3, $4, $5, $6::date, $7)",
        id, record.uscc().value(), static_cast<int>(record.kind()), record.year(),
        static_cast<int>(record.status()), PeriodEnd(record), Bytes(record));
    ev::RecordChanged changed;
    *changed.mutable_record() = record;
    Announce(tx, options_.activity_topic, record.uscc().value(), changed);
    return record;
  });
}

absl::StatusOr<v1::Record> CertificationStore::GetRecord(int64_t record_id) {
  return db::Transact<v1::Record>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Record> {
    pqxx::result r = tx.exec_params("SELECT record FROM records WHERE record_id = $1", record_id);
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("no record ", record_id));
    }
    return Parse<v1::Record>(r[0][0], "record");
  });
}

absl::StatusOr<Page<v1::Record>> CertificationStore::ListRecords(const RecordFilter& f,
                                                                 int64_t after_id, int limit) {
  using Out = Page<v1::Record>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    pqxx::result r = tx.exec_params(
        "SELECT record_id, record FROM records WHERE record_id > $1 AND ($2 = '' OR uscc = $2) "
        "AND ($3 = 0 OR kind = $3) AND ($4 = 0 OR year = $4) AND ($5 = 0 OR status = $5) "
        "ORDER BY record_id LIMIT $6",
        after_id, f.uscc, static_cast<int>(f.kind), f.year, static_cast<int>(f.status), limit + 1);
    return PageOfRows<v1::Record>(r, "record", limit);
  });
}

absl::StatusOr<v1::Record> CertificationStore::UpdateRecord(
    int64_t record_id, const std::function<absl::Status(v1::Record&)>& change) {
  return db::Transact<v1::Record>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Record> {
    pqxx::result r =
        tx.exec_params("SELECT record FROM records WHERE record_id = $1 FOR UPDATE", record_id);
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("no record ", record_id));
    }
    auto record = Parse<v1::Record>(r[0][0], "record");
    if (!record.ok()) {
      return record.status();
    }
    if (absl::Status s = change(*record); !s.ok()) {
      return s;
    }
    tx.exec_params(
        "UPDATE records SET status = $2, year = $3, period_end = $4::date, record = $5 "
        "WHERE record_id = $1",
        record_id, static_cast<int>(record->status()), record->year(), PeriodEnd(*record),
        Bytes(*record));
    ev::RecordChanged changed;
    *changed.mutable_record() = *record;
    Announce(tx, options_.activity_topic, record->uscc().value(), changed);
    return record;
  });
}

// ---- applications ----

absl::StatusOr<v1::Application> CertificationStore::InsertApplication(v1::Application app) {
  return db::Transact<v1::Application>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Application> {
        const std::string uscc = app.uscc().value();
        if (auto e = Enterprise(tx, uscc, "uscc"); !e.ok()) {
          return e.status();
        }
        pqxx::result open = tx.exec_params(
            "SELECT application_id FROM applications WHERE uscc = $1 AND level = $2 AND "
            "state NOT IN (6, 7, 8)",
            uscc, static_cast<int>(app.level()));
        if (!open.empty()) {
          return errors::WithFieldViolation(
              absl::AlreadyExistsError(absl::StrCat(
                  "enterprise ", uscc, " already has open application ",
                  open[0][0].as<std::string>(), " for level ", LevelName(app.level()))),
              "level", "an open application exists");
        }
        const int64_t id =
            tx.exec(
                  "SELECT nextval(pg_get_serial_sequence('applications', 'application_id'))")[0][0]
                .as<int64_t>();
        app.set_application_id(absl::StrCat(id));
        tx.exec_params(
            "INSERT INTO applications (application_id, uscc, level, state, record) "
            "VALUES ($1, $2, $3, $4, $5)",
            id, uscc, static_cast<int>(app.level()), static_cast<int>(app.state()), Bytes(app));
        ev::ApplicationChanged changed;
        *changed.mutable_application() = app;
        if (app.history_size() > 0) {
          *changed.mutable_transition() = app.history(app.history_size() - 1);
        }
        Announce(tx, options_.activity_topic, uscc, changed);
        return app;
      });
}

absl::StatusOr<v1::Application> CertificationStore::GetApplication(int64_t application_id) {
  return db::Transact<v1::Application>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Application> {
        pqxx::result r = tx.exec_params("SELECT record FROM applications WHERE application_id = $1",
                                        application_id);
        if (r.empty()) {
          return absl::NotFoundError(absl::StrCat("no application ", application_id));
        }
        return Parse<v1::Application>(r[0][0], "application");
      });
}

absl::StatusOr<Page<v1::Application>> CertificationStore::ListApplications(
    const ApplicationFilter& f, int64_t after_id, int limit) {
  using Out = Page<v1::Application>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    pqxx::result r = tx.exec_params(
        "SELECT application_id, record FROM applications WHERE application_id > $1 AND "
        "($2 = '' OR uscc = $2) AND ($3 = 0 OR level = $3) AND ($4 = 0 OR state = $4) "
        "ORDER BY application_id LIMIT $5",
        after_id, f.uscc, static_cast<int>(f.level), static_cast<int>(f.state), limit + 1);
    return PageOfRows<v1::Application>(r, "application", limit);
  });
}

absl::StatusOr<v1::Application> CertificationStore::UpdateApplication(
    int64_t application_id,
    const std::function<absl::Status(pqxx::work&, v1::Application&, ApplicationEffects&)>& change) {
  return db::Transact<v1::Application>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Application> {
        pqxx::result r = tx.exec_params(
            "SELECT record FROM applications WHERE application_id = $1 FOR UPDATE", application_id);
        if (r.empty()) {
          return absl::NotFoundError(absl::StrCat("no application ", application_id));
        }
        auto app = Parse<v1::Application>(r[0][0], "application");
        if (!app.ok()) {
          return app.status();
        }
        const int history_before = app->history_size();
        ApplicationEffects effects;
        if (absl::Status s = change(tx, *app, effects); !s.ok()) {
          return s;
        }
        const std::string uscc = app->uscc().value();
        if (effects.grant.has_value()) {
          effects.grant->set_application_id(app->application_id());
          if (absl::Status s = InsertTitleIn(tx, *effects.grant); !s.ok()) {
            return s;
          }
          app->set_title_id(effects.grant->title_id());
        }
        tx.exec_params("UPDATE applications SET state = $2, record = $3 WHERE application_id = $1",
                       application_id, static_cast<int>(app->state()), Bytes(*app));
        ev::ApplicationChanged changed;
        *changed.mutable_application() = *app;
        if (app->history_size() > history_before) {
          *changed.mutable_transition() = app->history(app->history_size() - 1);
        }
        Announce(tx, options_.activity_topic, uscc, changed);
        if (effects.grant.has_value()) {
          AnnounceStatus(tx, uscc);
        }
        return app;
      });
}

// ---- titles, reviews, violations ----

absl::Status CertificationStore::InsertTitleIn(pqxx::work& tx, v1::Title& t) {
  pqxx::result held =
      tx.exec_params("SELECT title_id FROM titles WHERE level = $1 AND record_certificate = $2",
                     static_cast<int>(t.level()), t.certificate_number());
  if (!held.empty()) {
    return errors::WithFieldViolation(
        absl::AlreadyExistsError(absl::StrCat("certificate ", t.certificate_number(),
                                              " is already held as title ",
                                              held[0][0].as<std::string>())),
        "certificate_number", "already held");
  }
  const int64_t id =
      tx.exec("SELECT nextval(pg_get_serial_sequence('titles', 'title_id'))")[0][0].as<int64_t>();
  t.set_title_id(absl::StrCat(id));
  tx.exec_params(
      "INSERT INTO titles (title_id, uscc, level, status, valid_from, valid_until, granted_year, "
      "record_certificate, record) VALUES ($1, $2, $3, $4, $5::date, $6::date, $7, $8, $9)",
      id, t.uscc().value(), static_cast<int>(t.level()), static_cast<int>(t.status()),
      DateText(t.valid_from()), DateText(t.valid_until()), t.valid_from().year(),
      t.certificate_number(), Bytes(t));
  return absl::OkStatus();
}

absl::StatusOr<v1::Title> CertificationStore::InsertTitle(v1::Title title) {
  return db::Transact<v1::Title>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Title> {
    if (auto e = Enterprise(tx, title.uscc().value(), "uscc"); !e.ok()) {
      return e.status();
    }
    if (absl::Status s = InsertTitleIn(tx, title); !s.ok()) {
      return s;
    }
    AnnounceStatus(tx, title.uscc().value());
    return title;
  });
}

absl::StatusOr<v1::Title> CertificationStore::GetTitle(int64_t title_id) {
  return db::Transact<v1::Title>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Title> {
    pqxx::result r = tx.exec_params("SELECT record FROM titles WHERE title_id = $1", title_id);
    if (r.empty()) {
      return absl::NotFoundError(absl::StrCat("no title ", title_id));
    }
    return Parse<v1::Title>(r[0][0], "title");
  });
}

absl::StatusOr<std::vector<v1::Title>> CertificationStore::ListTitles(const std::string& uscc) {
  using Out = std::vector<v1::Title>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    return ParseAll<v1::Title>(
        tx.exec_params("SELECT record FROM titles WHERE uscc = $1 ORDER BY title_id", uscc), 0,
        "title");
  });
}

absl::StatusOr<Page<v1::CertifiedEnterprise>> CertificationStore::ListCertified(
    const CertifiedFilter& f, int64_t after_id, int limit) {
  using Out = Page<v1::CertifiedEnterprise>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    // One row per enterprise: its highest valid title of the levels asked for (the
    // water-saving-enterprise levels when none is), keyed by that title's id for paging.
    pqxx::result r = tx.exec_params(
        "SELECT * FROM (SELECT DISTINCT ON (t.uscc) t.title_id, t.record, e.name, "
        "coalesce(e.town, '') AS town, coalesce(e.park_id, '') AS park_id, "
        "coalesce(e.industry_code, '') AS industry_code "
        "FROM titles t JOIN enterprises e ON e.uscc = t.uscc "
        "WHERE t.valid_from <= $1::date AND t.valid_until >= $1::date AND t.status IN ($2, $3) "
        "AND (($4 = 0 AND t.level <> $5) OR t.level = $4) "
        "AND ($6 = '' OR e.town = $6) AND ($7 = '' OR e.park_id = $7) "
        "AND ($8 = '' OR e.industry_code LIKE $8 || '%') "
        "ORDER BY t.uscc, t.level DESC, t.title_id) best "
        "WHERE title_id > $9 ORDER BY title_id LIMIT $10",
        f.on.ToString(), static_cast<int>(v1::TITLE_STATUS_ACTIVE),
        static_cast<int>(v1::TITLE_STATUS_UNDER_REVIEW), static_cast<int>(f.level),
        static_cast<int>(v1::LEVEL_LEADER), f.town, f.park_id, f.industry_code, after_id,
        limit + 1);
    std::vector<v1::CertifiedEnterprise> rows;
    std::vector<int64_t> ids;
    for (const pqxx::row& row : r) {
      auto t = Parse<v1::Title>(row["record"], "title");
      if (!t.ok()) {
        return t.status();
      }
      v1::CertifiedEnterprise c;
      *c.mutable_uscc() = t->uscc();
      c.set_name(row["name"].as<std::string>());
      c.set_town(row["town"].as<std::string>());
      c.set_park_id(row["park_id"].as<std::string>());
      c.mutable_industry_code()->set_value(row["industry_code"].as<std::string>());
      c.set_level(t->level());
      c.set_title_id(t->title_id());
      *c.mutable_valid_until() = t->valid_until();
      ids.push_back(row["title_id"].as<int64_t>());
      rows.push_back(std::move(c));
    }
    return PageOf(std::move(rows), std::move(ids), limit);
  });
}

absl::StatusOr<v1::ListDueResponse> CertificationStore::ListDue(const domain::Date& today,
                                                                int days) {
  using Out = v1::ListDueResponse;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    auto expiring = ParseAll<v1::Title>(
        tx.exec_params("SELECT record FROM titles WHERE valid_until >= $1::date AND "
                       "valid_until < $1::date + $2::int AND status IN ($3, $4) "
                       "ORDER BY valid_until, title_id",
                       today.ToString(), days, static_cast<int>(v1::TITLE_STATUS_ACTIVE),
                       static_cast<int>(v1::TITLE_STATUS_UNDER_REVIEW)),
        0, "title");
    auto open = ParseAll<v1::TitleReview>(
        tx.exec("SELECT record FROM title_reviews WHERE open ORDER BY review_id"), 0,
        "title review");
    if (!expiring.ok() || !open.ok()) {
      return !expiring.ok() ? expiring.status() : open.status();
    }
    Out out;
    out.mutable_expiring()->Assign(expiring->begin(), expiring->end());
    out.mutable_open_reviews()->Assign(open->begin(), open->end());
    return out;
  });
}

absl::StatusOr<std::optional<v1::TitleReview>> CertificationStore::OpenReviewIn(
    pqxx::work& tx, v1::Title title, v1::TitleReview review) {
  pqxx::result existing = tx.exec_params(
      "SELECT review_id FROM title_reviews WHERE title_id = $1 AND (open OR "
      "($2 <> '' AND trigger = $2))",
      title.title_id(), review.trigger());
  if (!existing.empty()) {
    return std::optional<v1::TitleReview>();
  }
  const int64_t id =
      tx.exec("SELECT nextval(pg_get_serial_sequence('title_reviews', 'review_id'))")[0][0]
          .as<int64_t>();
  review.set_review_id(absl::StrCat(id));
  review.set_title_id(title.title_id());
  *review.mutable_uscc() = title.uscc();
  tx.exec_params(
      "INSERT INTO title_reviews (review_id, title_id, uscc, open, trigger, record) "
      "VALUES ($1, $2, $3, true, $4, $5)",
      id, title.title_id(), title.uscc().value(), review.trigger(), Bytes(review));
  title.set_status(v1::TITLE_STATUS_UNDER_REVIEW);
  tx.exec_params("UPDATE titles SET status = $2, record = $3 WHERE title_id = $1", title.title_id(),
                 static_cast<int>(title.status()), Bytes(title));
  ev::TitleReviewChanged changed;
  *changed.mutable_review() = review;
  Announce(tx, options_.activity_topic, title.uscc().value(), changed);
  AnnounceStatus(tx, title.uscc().value());
  return std::optional<v1::TitleReview>(std::move(review));
}

absl::StatusOr<v1::TitleReview> CertificationStore::OpenReview(int64_t title_id,
                                                               v1::TitleReview review,
                                                               const domain::Date& today) {
  return db::Transact<v1::TitleReview>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::TitleReview> {
        pqxx::result r =
            tx.exec_params("SELECT record FROM titles WHERE title_id = $1 FOR UPDATE", title_id);
        if (r.empty()) {
          return errors::WithFieldViolation(
              absl::NotFoundError(absl::StrCat("no title ", title_id)), "title_id",
              "unknown title");
        }
        auto title = Parse<v1::Title>(r[0][0], "title");
        if (!title.ok()) {
          return title.status();
        }
        if (!ValidOn(*title, today)) {
          return absl::FailedPreconditionError(
              absl::StrCat("title ", title_id, " is not valid on ", today.ToString(), " (",
                           v1::TitleStatus_Name(StatusOn(*title, today)), ")"));
        }
        auto opened = OpenReviewIn(tx, *title, std::move(review));
        if (!opened.ok()) {
          return opened.status();
        }
        if (!opened->has_value()) {
          return absl::FailedPreconditionError(
              absl::StrCat("title ", title_id, " already has an open review"));
        }
        return **opened;
      });
}

absl::StatusOr<v1::TitleReview> CertificationStore::DecideReview(int64_t review_id,
                                                                 const ReviewChange& change) {
  return db::Transact<v1::TitleReview>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::TitleReview> {
        pqxx::result r = tx.exec_params(
            "SELECT r.record, t.record FROM title_reviews r JOIN titles t USING (title_id) "
            "WHERE r.review_id = $1 FOR UPDATE",
            review_id);
        if (r.empty()) {
          return errors::WithFieldViolation(
              absl::NotFoundError(absl::StrCat("no title review ", review_id)), "review_id",
              "unknown review");
        }
        auto review = Parse<v1::TitleReview>(r[0][0], "title review");
        auto title = Parse<v1::Title>(r[0][1], "title");
        if (!review.ok() || !title.ok()) {
          return !review.ok() ? review.status() : title.status();
        }
        if (absl::Status s = change(*review, *title); !s.ok()) {
          return s;
        }
        tx.exec_params("UPDATE title_reviews SET open = $2, record = $3 WHERE review_id = $1",
                       review_id, review->outcome() == v1::REVIEW_OUTCOME_UNSPECIFIED,
                       Bytes(*review));
        tx.exec_params(
            "UPDATE titles SET status = $2, valid_until = $3::date, record = $4 "
            "WHERE title_id = $1",
            title->title_id(), static_cast<int>(title->status()), DateText(title->valid_until()),
            Bytes(*title));
        ev::TitleReviewChanged changed;
        *changed.mutable_review() = *review;
        Announce(tx, options_.activity_topic, title->uscc().value(), changed);
        AnnounceStatus(tx, title->uscc().value());
        return review;
      });
}

absl::StatusOr<std::vector<v1::TitleReview>> CertificationStore::ListReviews(
    const std::string& uscc, bool open_only) {
  using Out = std::vector<v1::TitleReview>;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    return ParseAll<v1::TitleReview>(
        tx.exec_params("SELECT record FROM title_reviews WHERE ($1 = '' OR uscc = $1) AND "
                       "(open OR NOT $2) ORDER BY review_id",
                       uscc, open_only),
        0, "title review");
  });
}

absl::StatusOr<v1::Violation> CertificationStore::InsertViolation(v1::Violation violation,
                                                                  const std::string& actor,
                                                                  int64_t now_ms) {
  return db::Transact<v1::Violation>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::Violation> {
    const std::string uscc = violation.uscc().value();
    if (auto e = Enterprise(tx, uscc, "uscc"); !e.ok()) {
      return e.status();
    }
    const int64_t id =
        tx.exec("SELECT nextval(pg_get_serial_sequence('violations', 'violation_id'))")[0][0]
            .as<int64_t>();
    violation.set_violation_id(absl::StrCat(id));
    violation.set_recorded_by(actor);
    violation.set_recorded_at_unix_ms(now_ms);
    const domain::Date day = FromProto(violation.occurred_on());
    auto titles = ValidTitles(tx, uscc, day);
    if (!titles.ok()) {
      return titles.status();
    }
    for (const v1::Title& t : *titles) {
      v1::TitleReview review;
      review.set_cause(v1::REVIEW_CAUSE_VIOLATION);
      review.set_trigger(absl::StrCat("violation ", id));
      review.set_opened_at_unix_ms(now_ms);
      review.set_opened_by(actor);
      review.add_reasons(violation.description());
      auto opened = OpenReviewIn(tx, t, std::move(review));
      if (!opened.ok()) {
        return opened.status();
      }
      if (opened->has_value()) {
        violation.add_review_ids((*opened)->review_id());
      }
    }
    tx.exec_params(
        "INSERT INTO violations (violation_id, uscc, occurred_on, record) "
        "VALUES ($1, $2, $3::date, $4)",
        id, uscc, day.ToString(), Bytes(violation));
    return violation;
  });
}

// ---- counts ----

absl::StatusOr<v1::ActivityCounts> CertificationStore::CountActivity(int year) {
  using Out = v1::ActivityCounts;
  return db::Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    out.set_year(year);
    for (const pqxx::row& row : tx.exec_params(
             "SELECT kind, count(*) FROM records WHERE year = $1 AND status = $2 GROUP BY kind",
             year, static_cast<int>(v1::RECORD_STATUS_ACCEPTED))) {
      const int n = row[1].as<int>();
      switch (static_cast<v1::RecordKind>(row[0].as<int>())) {
        case v1::RECORD_KIND_BALANCE_TEST:
          out.set_balance_tests(n);
          break;
        case v1::RECORD_KIND_AUDIT:
          out.set_audits(n);
          break;
        case v1::RECORD_KIND_RETROFIT_PROJECT:
          out.set_retrofit_projects(n);
          break;
        case v1::RECORD_KIND_CONTRACT_PROJECT:
          out.set_contract_projects(n);
          break;
        case v1::RECORD_KIND_DEMONSTRATION:
          out.set_demonstrations(n);
          break;
        case v1::RECORD_KIND_PARK:
          out.set_parks(n);
          break;
        default:
          break;
      }
    }
    for (const pqxx::row& row : tx.exec_params(
             "SELECT level, count(*) FROM titles WHERE granted_year = $1 GROUP BY level", year)) {
      const int n = row[1].as<int>();
      switch (static_cast<v1::Level>(row[0].as<int>())) {
        case v1::LEVEL_DISTRICT:
          out.set_granted_district(n);
          break;
        case v1::LEVEL_MUNICIPAL:
          out.set_granted_municipal(n);
          break;
        case v1::LEVEL_PROVINCIAL:
          out.set_granted_provincial(n);
          break;
        case v1::LEVEL_LEADER:
          out.set_granted_leader(n);
          break;
        default:
          break;
      }
    }
    return out;
  });
}

// ---- other services' events ----

absl::Status CertificationStore::ApplyEvent(pqxx::work& tx, const kafka::Message& message,
                                            const kafka::EventEnvelope& event) {
  const auto& payload = event.payload();
  if (payload.Is<ev::MeterChanged>()) {
    auto changed = kafka::UnpackPayload<ev::MeterChanged>(event);
    if (!changed.ok()) {
      return changed.status();
    }
    const reg::Meter& m = changed->meter();
    if (m.meter_id().empty() || m.uscc().value().size() != 18) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", event.event_id(), ": a meter without its id or enterprise"));
    }
    tx.exec_params(
        "INSERT INTO meters (meter_id, uscc, level, active, version) VALUES ($1, $2, $3, $4, $5) "
        "ON CONFLICT (meter_id) DO UPDATE SET uscc = EXCLUDED.uscc, level = EXCLUDED.level, "
        "active = EXCLUDED.active, version = EXCLUDED.version "
        "WHERE meters.version <= EXCLUDED.version",
        m.meter_id(), m.uscc().value(), static_cast<int>(m.level()),
        m.status() == reg::METER_STATUS_ACTIVE, m.version());
    return absl::OkStatus();
  }
  if (payload.Is<ev::UsageChanged>()) {
    auto usage = kafka::UnpackPayload<ev::UsageChanged>(event);
    if (!usage.ok()) {
      return usage.status();
    }
    if (usage->uscc().value().size() != 18 || usage->month().month() < 1 ||
        usage->month().month() > 12) {
      return absl::InvalidArgumentError(
          absl::StrCat("event ", event.event_id(), ": usage without its enterprise or month"));
    }
    // Each event carries the month's figures so far: the latest in offset order stands.
    tx.exec_params(
        "INSERT INTO usage_months (uscc, year, month, new_water) VALUES ($1, $2, $3, $4) "
        "ON CONFLICT (uscc, year, month) DO UPDATE SET new_water = EXCLUDED.new_water",
        usage->uscc().value(), usage->month().year(), usage->month().month(),
        usage->new_water().litres());
    return absl::OkStatus();
  }
  if (!payload.Is<ev::QuotaNotice>()) {
    return absl::OkStatus();
  }
  auto notice = kafka::UnpackPayload<ev::QuotaNotice>(event);
  if (!notice.ok()) {
    return notice.status();
  }
  const std::string uscc = notice->uscc().value();
  switch (notice->kind()) {
    case ev::QUOTA_NOTICE_KIND_ORDER_ISSUED:
      tx.exec_params(
          "INSERT INTO open_orders (order_id, uscc) VALUES ($1, $2) ON CONFLICT DO NOTHING",
          notice->reference_id(), uscc);
      return absl::OkStatus();
    case ev::QUOTA_NOTICE_KIND_ORDER_CLOSED:
      tx.exec_params("DELETE FROM open_orders WHERE order_id = $1", notice->reference_id());
      return absl::OkStatus();
    case ev::QUOTA_NOTICE_KIND_ANNUAL_PLAN_THRESHOLD:
      break;
    default:
      return absl::OkStatus();
  }
  if (notice->threshold_percent() < 100) {
    return absl::OkStatus();
  }
  if (notice->period().kind_case() != common::v1::Period::kYear) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", event.event_id(), ": an annual alert without its year"));
  }
  const int year = notice->period().year();
  tx.exec_params(
      "INSERT INTO over_plan_years (uscc, year, reference_id) VALUES ($1, $2, $3) "
      "ON CONFLICT (uscc, year) DO NOTHING",
      uscc, year, notice->reference_id());
  // The titles valid on the day the plan was crossed (the event's time, so a replay opens the
  // same reviews), each reviewed once for this alert.
  int64_t at_ms =
      notice->crossed_at_unix_ms() > 0 ? notice->crossed_at_unix_ms() : OccurredMs(event);
  if (at_ms <= 0) {
    at_ms = message.timestamp_ms;
  }
  const domain::Date day = domain::DateOf(absl::FromUnixMillis(at_ms));
  auto titles = ValidTitles(tx, uscc, day);
  if (!titles.ok()) {
    return titles.status();
  }
  for (const v1::Title& t : *titles) {
    v1::TitleReview review;
    review.set_cause(v1::REVIEW_CAUSE_OVER_PLAN);
    review.set_trigger(absl::StrCat("quota alert ", notice->reference_id()));
    review.set_opened_at_unix_ms(at_ms);
    review.set_opened_by("quota");
    review.add_reasons(absl::StrCat("annual plan ", year, " used ", notice->threshold_percent(),
                                    "% (", notice->used().litres() / 1000, " of ",
                                    notice->limit().litres() / 1000, " m3)"));
    if (auto opened = OpenReviewIn(tx, t, std::move(review)); !opened.ok()) {
      return opened.status();
    }
  }
  return absl::OkStatus();
}

}  // namespace jieshui::certification
