#include "registry/src/adapters/registry_store.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "db/outbox.hpp"
#include "google/protobuf/util/json_util.h"
#include "grpcserver/status.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::registry {
namespace {

std::string ChangeName(v1::ChangeKind change) {
  std::string name = v1::ChangeKind_Name(change);
  constexpr std::string_view kPrefix = "CHANGE_KIND_";
  if (name.rfind(kPrefix, 0) == 0) {
    name.erase(0, kPrefix.size());
  }
  for (char& c : name) {
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  }
  return name;
}

v1::ChangeKind ChangeFromName(const std::string& name) {
  std::string upper = "CHANGE_KIND_";
  for (char c : name) {
    upper.push_back(static_cast<char>(std::toupper(static_cast<unsigned char>(c))));
  }
  v1::ChangeKind kind = v1::CHANGE_KIND_UNSPECIFIED;
  v1::ChangeKind_Parse(upper, &kind);
  return kind;
}

absl::Time StampTime(const v1::AuditStamp& stamp) {
  return absl::FromUnixSeconds(stamp.at().seconds()) + absl::Nanoseconds(stamp.at().nanos());
}

std::string StampText(const v1::AuditStamp& stamp) {
  return absl::FormatTime("%Y-%m-%dT%H:%M:%E6SZ", StampTime(stamp), absl::UTCTimeZone());
}

std::string MeterStatusText(v1::MeterStatus status) {
  switch (status) {
    case v1::METER_STATUS_SUSPENDED:
      return "suspended";
    case v1::METER_STATUS_RETIRED:
      return "retired";
    default:
      return "active";
  }
}

template <typename Message>
absl::StatusOr<Message> FromRow(const pqxx::row& row, const char* column = "record") {
  Message m;
  if (absl::Status s = ParseRecordJson(row[column].c_str(), &m); !s.ok()) {
    return s;
  }
  return m;
}

}  // namespace

std::string RecordJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  std::string out;
  // Serialising a message we built cannot fail: every field has a JSON form.
  (void)google::protobuf::util::MessageToJsonString(message, &out, options);
  return out;
}

absl::Status ParseRecordJson(const std::string& json, google::protobuf::Message* message) {
  google::protobuf::util::JsonParseOptions options;
  options.ignore_unknown_fields = true;
  auto status = google::protobuf::util::JsonStringToMessage(json, message, options);
  if (!status.ok()) {
    return absl::DataLossError(absl::StrCat("stored record does not parse as ",
                                            message->GetTypeName(), ": ",
                                            std::string(status.message())));
  }
  return absl::OkStatus();
}

std::string DateText(const common::v1::Date& date) {
  return absl::StrFormat("%04d-%02d-%02d", date.year(), date.month(), date.day());
}

RegistryStore::RegistryStore(db::ConnectionPool* pool, StoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::StatusOr<Decision<v1::Enterprise>> RegistryStore::MutateEnterprise(
    const std::string& uscc, const EnterpriseDecider& decide) {
  Decision<v1::Enterprise> decision;
  absl::Status status = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows =
        tx.exec_params("SELECT record FROM enterprises WHERE uscc = $1 FOR UPDATE", uscc);
    std::optional<v1::Enterprise> current;
    if (!rows.empty()) {
      absl::StatusOr<v1::Enterprise> parsed = FromRow<v1::Enterprise>(rows[0]);
      if (!parsed.ok()) {
        return parsed.status();
      }
      current = *std::move(parsed);
    }
    absl::StatusOr<Decision<v1::Enterprise>> decided = decide(current ? &*current : nullptr);
    if (!decided.ok()) {
      return decided.status();
    }
    decision = *std::move(decided);
    if (decision.outcome == Decision<v1::Enterprise>::Outcome::kUnchanged) {
      return absl::OkStatus();
    }
    const v1::Enterprise& e = decision.record;
    if (!e.park_id().empty() &&
        tx.exec_params("SELECT 1 FROM parks WHERE park_id = $1", e.park_id()).empty()) {
      return grpcserver::WithFieldViolation(
          absl::NotFoundError(absl::StrCat("park_id: no park ", e.park_id(), " is registered")),
          "park_id", "no such park");
    }
    const std::string json = RecordJson(e);
    const std::optional<std::string> park =
        e.park_id().empty() ? std::nullopt : std::optional<std::string>(e.park_id());
    tx.exec_params(
        "INSERT INTO enterprises (uscc, town, park_id, industry_code, above_scale, key_monitored, "
        "high_water_use_high_pollution, latest_annual_intake_litres, has_specialist, deregistered, "
        "version, record, updated_by, updated_at) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12::jsonb, $13, $14::timestamptz) "
        "ON CONFLICT (uscc) DO UPDATE SET town = EXCLUDED.town, park_id = EXCLUDED.park_id, "
        "industry_code = EXCLUDED.industry_code, above_scale = EXCLUDED.above_scale, "
        "key_monitored = EXCLUDED.key_monitored, "
        "high_water_use_high_pollution = EXCLUDED.high_water_use_high_pollution, "
        "latest_annual_intake_litres = EXCLUDED.latest_annual_intake_litres, "
        "has_specialist = EXCLUDED.has_specialist, deregistered = EXCLUDED.deregistered, "
        "version = EXCLUDED.version, record = EXCLUDED.record, updated_by = EXCLUDED.updated_by, "
        "updated_at = EXCLUDED.updated_at",
        e.uscc().value(), e.town(), park, e.industry_code().value(), e.above_scale(),
        e.key_monitored(), e.high_water_use_high_pollution(), e.latest_annual_intake().litres(),
        e.has_specialist(), e.status() == v1::ENTERPRISE_STATUS_DEREGISTERED, e.version(), json,
        e.updated().principal(), StampText(e.updated()));
    tx.exec_params(
        "INSERT INTO enterprise_history (uscc, version, change, record, changed_by, changed_at) "
        "VALUES ($1, $2, $3, $4::jsonb, $5, $6::timestamptz)",
        e.uscc().value(), e.version(), ChangeName(decision.change), json, e.updated().principal(),
        StampText(e.updated()));
    events::v1::EnterpriseChanged event;
    event.set_change(decision.change);
    *event.mutable_enterprise() = e;
    db::EnqueueEvent(tx, options_.schema, options_.enterprise_topic, e.uscc().value(),
                     kafka::EncodeEvent(event, {.producer = options_.producer,
                                                .subject_key = e.uscc().value(),
                                                .occurred_at = StampTime(e.updated()),
                                                .correlation_id = ""}));
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return decision;
}

absl::StatusOr<Decision<v1::Park>> RegistryStore::MutatePark(const std::string& park_id,
                                                             const ParkDecider& decide) {
  Decision<v1::Park> decision;
  absl::Status status = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows =
        tx.exec_params("SELECT record FROM parks WHERE park_id = $1 FOR UPDATE", park_id);
    std::optional<v1::Park> current;
    if (!rows.empty()) {
      absl::StatusOr<v1::Park> parsed = FromRow<v1::Park>(rows[0]);
      if (!parsed.ok()) {
        return parsed.status();
      }
      current = *std::move(parsed);
    }
    absl::StatusOr<Decision<v1::Park>> decided = decide(current ? &*current : nullptr);
    if (!decided.ok()) {
      return decided.status();
    }
    decision = *std::move(decided);
    if (decision.outcome == Decision<v1::Park>::Outcome::kUnchanged) {
      return absl::OkStatus();
    }
    const v1::Park& p = decision.record;
    tx.exec_params(
        "INSERT INTO parks (park_id, town, version, record, updated_by, updated_at) "
        "VALUES ($1, $2, $3, $4::jsonb, $5, $6::timestamptz) "
        "ON CONFLICT (park_id) DO UPDATE SET town = EXCLUDED.town, version = EXCLUDED.version, "
        "record = EXCLUDED.record, updated_by = EXCLUDED.updated_by, "
        "updated_at = EXCLUDED.updated_at",
        p.park_id(), p.town(), p.version(), RecordJson(p), p.updated().principal(),
        StampText(p.updated()));
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return decision;
}

absl::StatusOr<Decision<v1::Meter>> RegistryStore::MutateMeter(const std::string& meter_id,
                                                               const std::string& owner_uscc,
                                                               const MeterDecider& decide) {
  Decision<v1::Meter> decision;
  absl::Status status = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows =
        tx.exec_params("SELECT record FROM meters WHERE meter_id = $1 FOR UPDATE", meter_id);
    std::optional<v1::Meter> current;
    if (!rows.empty()) {
      absl::StatusOr<v1::Meter> parsed = FromRow<v1::Meter>(rows[0]);
      if (!parsed.ok()) {
        return parsed.status();
      }
      current = *std::move(parsed);
    }
    const std::string uscc = current ? current->uscc().value() : owner_uscc;
    std::optional<v1::Enterprise> owner;
    // FOR SHARE: the owner cannot be deregistered while its meter is being changed.
    pqxx::result owners =
        tx.exec_params("SELECT record FROM enterprises WHERE uscc = $1 FOR SHARE", uscc);
    if (!owners.empty()) {
      absl::StatusOr<v1::Enterprise> parsed = FromRow<v1::Enterprise>(owners[0]);
      if (!parsed.ok()) {
        return parsed.status();
      }
      owner = *std::move(parsed);
    }
    absl::StatusOr<Decision<v1::Meter>> decided =
        decide(current ? &*current : nullptr, owner ? &*owner : nullptr);
    if (!decided.ok()) {
      return decided.status();
    }
    decision = *std::move(decided);
    if (decision.outcome == Decision<v1::Meter>::Outcome::kUnchanged) {
      return absl::OkStatus();
    }
    const v1::Meter& m = decision.record;
    if (m.status() != v1::METER_STATUS_RETIRED && !m.hj212().mn().empty()) {
      pqxx::result clash = tx.exec_params(
          "SELECT meter_id FROM meters WHERE hj212_mn = $1 AND hj212_data_code = $2 "
          "AND status <> 'retired' AND meter_id <> $3",
          m.hj212().mn(), m.hj212().data_code(), m.meter_id());
      if (!clash.empty()) {
        return grpcserver::WithFieldViolation(
            absl::AlreadyExistsError(
                absl::StrCat("hj212: MN ", m.hj212().mn(), " data code ", m.hj212().data_code(),
                             " already belongs to meter ", clash[0][0].c_str())),
            "hj212", "MN and data code already used by another meter");
      }
    }
    const std::string json = RecordJson(m);
    tx.exec_params(
        "INSERT INTO meters (meter_id, uscc, level, status, calibration_due_on, hj212_mn, "
        "hj212_data_code, version, record, updated_by, updated_at) "
        "VALUES ($1, $2, $3, $4, $5::date, $6, $7, $8, $9::jsonb, $10, $11::timestamptz) "
        "ON CONFLICT (meter_id) DO UPDATE SET level = EXCLUDED.level, status = EXCLUDED.status, "
        "calibration_due_on = EXCLUDED.calibration_due_on, hj212_mn = EXCLUDED.hj212_mn, "
        "hj212_data_code = EXCLUDED.hj212_data_code, version = EXCLUDED.version, "
        "record = EXCLUDED.record, updated_by = EXCLUDED.updated_by, "
        "updated_at = EXCLUDED.updated_at",
        m.meter_id(), m.uscc().value(), static_cast<int>(m.level()), MeterStatusText(m.status()),
        DateText(m.calibration_due_on()), m.hj212().mn(), m.hj212().data_code(), m.version(), json,
        m.updated().principal(), StampText(m.updated()));
    tx.exec_params(
        "INSERT INTO meter_history (meter_id, version, change, record, changed_by, changed_at) "
        "VALUES ($1, $2, $3, $4::jsonb, $5, $6::timestamptz)",
        m.meter_id(), m.version(), ChangeName(decision.change), json, m.updated().principal(),
        StampText(m.updated()));
    events::v1::MeterChanged event;
    event.set_change(decision.change);
    *event.mutable_meter() = m;
    // DESIGN.md: the meter topic is keyed by meter id.
    db::EnqueueEvent(tx, options_.schema, options_.meter_topic, m.meter_id(),
                     kafka::EncodeEvent(event, {.producer = options_.producer,
                                                .subject_key = m.meter_id(),
                                                .occurred_at = StampTime(m.updated()),
                                                .correlation_id = ""}));
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return decision;
}

namespace {

template <typename Record>
absl::StatusOr<Record> GetOne(db::ConnectionPool* pool, const std::string& sql,
                              const std::string& key, const std::string& what) {
  Record out;
  bool found = false;
  absl::Status status = pool->InTransaction([&](pqxx::work& tx) -> absl::Status {
    pqxx::result rows = tx.exec_params(sql, key);
    if (rows.empty()) {
      return absl::OkStatus();
    }
    absl::StatusOr<Record> parsed = FromRow<Record>(rows[0]);
    if (!parsed.ok()) {
      return parsed.status();
    }
    out = *std::move(parsed);
    found = true;
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (!found) {
    return absl::NotFoundError(absl::StrCat(what, " ", key, " not found"));
  }
  return out;
}

// Runs `where` (a SQL condition built with tx.quote) as a count and a keyset page on `table`
// ordered by `key_column`.
template <typename Record>
absl::StatusOr<Page<Record>> ListPage(db::ConnectionPool* pool, const std::string& table,
                                      const std::string& key_column,
                                      const std::function<std::string(pqxx::work&)>& where,
                                      const std::string& after, int limit) {
  Page<Record> page;
  absl::Status status = pool->InTransaction([&](pqxx::work& tx) -> absl::Status {
    const std::string condition = where(tx);
    page.total_count =
        tx.exec(absl::StrCat("SELECT count(*) FROM ", table, " WHERE ", condition))[0][0]
            .as<int64_t>();
    std::string sql = absl::StrCat("SELECT record FROM ", table, " WHERE ", condition);
    if (!after.empty()) {
      absl::StrAppend(&sql, " AND ", key_column, " > ", tx.quote(after));
    }
    absl::StrAppend(&sql, " ORDER BY ", key_column, " LIMIT ", limit + 1);
    pqxx::result rows = tx.exec(sql);
    for (const pqxx::row& row : rows) {
      if (static_cast<int>(page.records.size()) == limit) {
        page.more = true;
        break;
      }
      absl::StatusOr<Record> parsed = FromRow<Record>(row);
      if (!parsed.ok()) {
        return parsed.status();
      }
      page.records.push_back(*std::move(parsed));
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return page;
}

template <typename Record>
absl::StatusOr<std::vector<Revision<Record>>> History(db::ConnectionPool* pool,
                                                      const std::string& sql,
                                                      const std::string& key,
                                                      const std::string& what) {
  std::vector<Revision<Record>> out;
  absl::Status status = pool->InTransaction([&](pqxx::work& tx) -> absl::Status {
    for (const pqxx::row& row : tx.exec_params(sql, key)) {
      absl::StatusOr<Record> parsed = FromRow<Record>(row);
      if (!parsed.ok()) {
        return parsed.status();
      }
      out.push_back({ChangeFromName(row["change"].c_str()), *std::move(parsed)});
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (out.empty()) {
    return absl::NotFoundError(absl::StrCat(what, " ", key, " not found"));
  }
  return out;
}

}  // namespace

absl::StatusOr<v1::Enterprise> RegistryStore::GetEnterprise(const std::string& uscc) {
  return GetOne<v1::Enterprise>(pool_, "SELECT record FROM enterprises WHERE uscc = $1", uscc,
                                "enterprise");
}

absl::StatusOr<Page<v1::Enterprise>> RegistryStore::ListEnterprises(const EnterpriseFilter& filter,
                                                                    const std::string& after_uscc,
                                                                    int limit) {
  auto where = [&filter](pqxx::work& tx) {
    std::vector<std::string> terms = {"TRUE"};
    if (!filter.include_deregistered) {
      terms.emplace_back("NOT deregistered");
    }
    if (!filter.town.empty()) {
      terms.push_back(absl::StrCat("town = ", tx.quote(filter.town)));
    }
    if (!filter.park_id.empty()) {
      terms.push_back(absl::StrCat("park_id = ", tx.quote(filter.park_id)));
    }
    if (!filter.industry_code_prefix.empty()) {
      // Codes extend their prefix by digits (GB/T 4754-2017), so a text prefix match is exact.
      terms.push_back(absl::StrCat("industry_code LIKE ",
                                   tx.quote(tx.esc_like(filter.industry_code_prefix) + "%")));
    }
    auto flag = [&terms](const char* column, const std::optional<bool>& value) {
      if (value.has_value()) {
        terms.push_back(absl::StrCat(*value ? "" : "NOT ", column));
      }
    };
    flag("above_scale", filter.above_scale);
    flag("key_monitored", filter.key_monitored);
    flag("has_specialist", filter.has_specialist);
    flag("high_water_use_high_pollution", filter.high_water_use_high_pollution);
    if (filter.min_annual_intake_litres > 0) {
      terms.push_back(
          absl::StrCat("latest_annual_intake_litres >= ", filter.min_annual_intake_litres));
    }
    return absl::StrJoin(terms, " AND ");
  };
  return ListPage<v1::Enterprise>(pool_, "enterprises", "uscc", where, after_uscc, limit);
}

absl::StatusOr<std::vector<Revision<v1::Enterprise>>> RegistryStore::EnterpriseHistory(
    const std::string& uscc) {
  return History<v1::Enterprise>(
      pool_, "SELECT change, record FROM enterprise_history WHERE uscc = $1 ORDER BY version DESC",
      uscc, "enterprise");
}

absl::StatusOr<v1::Park> RegistryStore::GetPark(const std::string& park_id) {
  return GetOne<v1::Park>(pool_, "SELECT record FROM parks WHERE park_id = $1", park_id, "park");
}

absl::StatusOr<Page<v1::Park>> RegistryStore::ListParks(const std::string& town,
                                                        const std::string& after_id, int limit) {
  auto where = [&town](pqxx::work& tx) {
    return town.empty() ? std::string("TRUE") : absl::StrCat("town = ", tx.quote(town));
  };
  return ListPage<v1::Park>(pool_, "parks", "park_id", where, after_id, limit);
}

absl::StatusOr<v1::Meter> RegistryStore::GetMeter(const std::string& meter_id) {
  return GetOne<v1::Meter>(pool_, "SELECT record FROM meters WHERE meter_id = $1", meter_id,
                           "meter");
}

absl::StatusOr<Page<v1::Meter>> RegistryStore::ListMeters(const std::string& uscc,
                                                          bool include_retired,
                                                          const std::string& after_id, int limit) {
  auto where = [&](pqxx::work& tx) {
    std::string condition = absl::StrCat("uscc = ", tx.quote(uscc));
    if (!include_retired) {
      absl::StrAppend(&condition, " AND status <> 'retired'");
    }
    return condition;
  };
  return ListPage<v1::Meter>(pool_, "meters", "meter_id", where, after_id, limit);
}

absl::StatusOr<std::vector<Revision<v1::Meter>>> RegistryStore::MeterHistory(
    const std::string& meter_id) {
  return History<v1::Meter>(
      pool_, "SELECT change, record FROM meter_history WHERE meter_id = $1 ORDER BY version DESC",
      meter_id, "meter");
}

absl::StatusOr<Page<v1::Meter>> RegistryStore::ListOverdueCalibrations(const std::string& as_of,
                                                                       const std::string& uscc,
                                                                       const std::string& after_id,
                                                                       int limit) {
  auto where = [&](pqxx::work& tx) {
    std::string condition =
        absl::StrCat("status <> 'retired' AND calibration_due_on < ", tx.quote(as_of), "::date");
    if (!uscc.empty()) {
      absl::StrAppend(&condition, " AND uscc = ", tx.quote(uscc));
    }
    return condition;
  };
  return ListPage<v1::Meter>(pool_, "meters", "meter_id", where, after_id, limit);
}

}  // namespace jieshui::registry
