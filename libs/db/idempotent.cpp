#include "db/idempotent.hpp"

#include "absl/strings/str_cat.h"

namespace jieshui::db {

std::string ConsumerTablesSql(const std::string& schema) {
  const std::string s = QuoteIdent(schema);
  return absl::StrCat("CREATE TABLE IF NOT EXISTS ", s, ".applied_events (",
                      " consumer text NOT NULL, event_id text NOT NULL,"
                      " applied_at timestamptz NOT NULL DEFAULT now(),"
                      " PRIMARY KEY (consumer, event_id));"
                      " CREATE TABLE IF NOT EXISTS ",
                      s, ".consumer_offsets (",
                      " consumer text NOT NULL, topic text NOT NULL, partition integer NOT NULL,"
                      " next_offset bigint NOT NULL, updated_at timestamptz NOT NULL DEFAULT now(),"
                      " PRIMARY KEY (consumer, topic, partition));");
}

absl::Status EnsureConsumerTables(ConnectionPool& pool, const std::string& schema) {
  return pool.InTransaction([&](pqxx::work& tx) {
    tx.exec(absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", QuoteIdent(schema)));
    tx.exec(ConsumerTablesSql(schema));
    return absl::OkStatus();
  });
}

bool MarkEventApplied(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                      const std::string& event_id) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("INSERT INTO ", QuoteIdent(schema),
                   ".applied_events (consumer, event_id) VALUES ($1, $2) ON CONFLICT DO NOTHING"),
      consumer, event_id);
  return r.affected_rows() == 1;
}

absl::StatusOr<bool> ApplyOnce(ConnectionPool& pool, const std::string& schema,
                               const std::string& consumer, const std::string& event_id,
                               const std::function<absl::Status(pqxx::work&)>& effect) {
  bool applied = false;
  absl::Status status = pool.InTransaction([&](pqxx::work& tx) -> absl::Status {
    if (!MarkEventApplied(tx, schema, consumer, event_id)) {
      return absl::OkStatus();  // a duplicate: nothing to do
    }
    absl::Status s = effect(tx);
    applied = s.ok();
    return s;
  });
  if (!status.ok()) {
    return status;
  }
  return applied;
}

int64_t StoredNextOffset(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                         const std::string& topic, int32_t partition) {
  pqxx::result r = tx.exec_params(
      absl::StrCat("SELECT next_offset FROM ", QuoteIdent(schema),
                   ".consumer_offsets WHERE consumer = $1 AND topic = $2 AND partition = $3"
                   " FOR UPDATE"),
      consumer, topic, partition);
  return r.empty() ? -1 : r[0][0].as<int64_t>();
}

bool OffsetApplied(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                   const std::string& topic, int32_t partition, int64_t offset) {
  return offset < StoredNextOffset(tx, schema, consumer, topic, partition);
}

void StoreNextOffset(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                     const std::string& topic, int32_t partition, int64_t next_offset) {
  tx.exec_params(
      absl::StrCat("INSERT INTO ", QuoteIdent(schema),
                   ".consumer_offsets (consumer, topic, partition, next_offset) VALUES ($1, $2, "
                   "$3, $4) ON CONFLICT (consumer, topic, partition) DO UPDATE SET next_offset = "
                   "GREATEST(EXCLUDED.next_offset, consumer_offsets.next_offset), updated_at = "
                   "now()"),
      consumer, topic, partition, next_offset);
}

absl::StatusOr<std::map<int32_t, int64_t>> LoadNextOffsets(ConnectionPool& pool,
                                                           const std::string& schema,
                                                           const std::string& consumer,
                                                           const std::string& topic) {
  std::map<int32_t, int64_t> out;
  absl::Status status = pool.InTransaction([&](pqxx::work& tx) {
    for (const auto& row :
         tx.exec_params(absl::StrCat("SELECT partition, next_offset FROM ", QuoteIdent(schema),
                                     ".consumer_offsets WHERE consumer = $1 AND topic = $2"),
                        consumer, topic)) {
      out[row[0].as<int32_t>()] = row[1].as<int64_t>();
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return out;
}

}  // namespace jieshui::db
