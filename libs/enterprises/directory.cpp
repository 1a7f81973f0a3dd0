#include "enterprises/directory.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::enterprises {

std::string TableSql(const std::string& schema) {
  return absl::StrCat("CREATE TABLE IF NOT EXISTS \"", schema,
                      "\".enterprises ("
                      "uscc text PRIMARY KEY CHECK (length(uscc) = 18), "
                      "name text NOT NULL, "
                      "industry_code text NOT NULL, "
                      "deregistered boolean NOT NULL, "
                      "version bigint NOT NULL); "
                      // Added after quota's 0001 created the first five columns.
                      "ALTER TABLE \"",
                      schema,
                      "\".enterprises "
                      "ADD COLUMN IF NOT EXISTS town text NOT NULL DEFAULT '', "
                      "ADD COLUMN IF NOT EXISTS park_id text NOT NULL DEFAULT '', "
                      "ADD COLUMN IF NOT EXISTS above_scale boolean NOT NULL DEFAULT false, "
                      "ADD COLUMN IF NOT EXISTS record bytea");
}

Directory::Directory(db::ConnectionPool* pool, DirectoryOptions options)
    : pool_(pool),
      options_(std::move(options)),
      follower_({.name = "enterprise directory",
                 .bootstrap_servers = options_.bootstrap_servers,
                 .topic = options_.topic},
                [this](const kafka::Message& m) { return ApplyEvent(m.value); }) {}

absl::Status Directory::Start(std::chrono::milliseconds timeout) {
  absl::Status s = pool_->InTransaction([this](pqxx::work& tx) {
    tx.exec(TableSql(options_.schema));
    return absl::OkStatus();
  });
  if (!s.ok()) {
    return s;
  }
  return follower_.Start(timeout);
}

absl::Status Directory::ApplyEvent(const std::string& value) {
  auto envelope = kafka::DecodeEnvelope(value);
  if (!envelope.ok()) {
    return envelope.status();
  }
  auto event = kafka::UnpackPayload<events::v1::EnterpriseChanged>(*envelope);
  if (!event.ok()) {
    return event.status();
  }
  const registry::v1::Enterprise& e = event->enterprise();
  if (e.uscc().value().size() != 18) {
    return absl::InvalidArgumentError(
        absl::StrCat("enterprise event ", envelope->event_id(), ": no valid USCC"));
  }
  const bool deregistered = e.status() == registry::v1::ENTERPRISE_STATUS_DEREGISTERED;
  return pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO enterprises (uscc, name, industry_code, deregistered, version, town, "
        "park_id, above_scale, record) "
        "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9) ON CONFLICT (uscc) DO UPDATE SET "
        "name = EXCLUDED.name, industry_code = EXCLUDED.industry_code, "
        "deregistered = EXCLUDED.deregistered, version = EXCLUDED.version, "
        "town = EXCLUDED.town, park_id = EXCLUDED.park_id, above_scale = EXCLUDED.above_scale, "
        "record = EXCLUDED.record "
        // A row the older table shape left without its record takes the same version again.
        "WHERE enterprises.version < EXCLUDED.version OR enterprises.record IS NULL",
        e.uscc().value(), e.name(), e.industry_code().value(), deregistered, e.version(), e.town(),
        e.park_id(), e.above_scale(), pqxx::binarystring(e.SerializeAsString()));
    return absl::OkStatus();
  });
}

}  // namespace jieshui::enterprises
