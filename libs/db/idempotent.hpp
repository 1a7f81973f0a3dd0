// Idempotent consumption: the id of an applied event (or the next offset of a partition) is stored
// in the same transaction as the effect, so replaying a topic, or a crash between the effect and
// the Kafka commit, never applies anything twice.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/statusor.h"
#include "db/pool.hpp"

namespace jieshui::db {

// DDL of the bookkeeping tables in `schema` (idempotent).
std::string ConsumerTablesSql(const std::string& schema);
absl::Status EnsureConsumerTables(ConnectionPool& pool, const std::string& schema);

// Records that `consumer` applied `event_id`, inside the caller's transaction. Returns false when
// it was already recorded: the caller must then apply nothing (and may commit or roll back).
bool MarkEventApplied(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                      const std::string& event_id);

// Runs `effect` and records `event_id` in one transaction, unless the event was applied before.
// Returns true when the effect ran and committed, false when it was a duplicate.
absl::StatusOr<bool> ApplyOnce(ConnectionPool& pool, const std::string& schema,
                               const std::string& consumer, const std::string& event_id,
                               const std::function<absl::Status(pqxx::work&)>& effect);

// Offset-based variant for high-volume topics: whether (topic, partition, offset) is before the
// stored next offset, and storing the next offset in the caller's transaction.
bool OffsetApplied(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                   const std::string& topic, int32_t partition, int64_t offset);
// The stored next offset of one partition (locked until the transaction ends), or -1 when none is
// stored; a batch consumer reads it once per partition instead of calling OffsetApplied per
// message.
int64_t StoredNextOffset(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                         const std::string& topic, int32_t partition);
void StoreNextOffset(pqxx::work& tx, const std::string& schema, const std::string& consumer,
                     const std::string& topic, int32_t partition, int64_t next_offset);
// Next offsets per partition of `topic`, to seek to when partitions are assigned.
absl::StatusOr<std::map<int32_t, int64_t>> LoadNextOffsets(ConnectionPool& pool,
                                                           const std::string& schema,
                                                           const std::string& consumer,
                                                           const std::string& topic);

}  // namespace jieshui::db
