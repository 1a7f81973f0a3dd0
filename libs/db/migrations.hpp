// Migration runner: numbered SQL files (0001_create_enterprises.sql ...) applied in order in one
// transaction, recorded in <schema>.schema_migrations; running it again changes nothing.
#pragma once

#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"

namespace jieshui::db {

struct Migration {
  int version = 0;
  std::string name;  // file name without the number, for the record
  std::string sql;
};

// Turns (file name, SQL) pairs named NNNN_name.sql into migrations sorted by number; used for
// migrations embedded in a service binary (cmake/JieshuiMigrations.cmake). INVALID_ARGUMENT on a
// malformed name or a duplicate number.
absl::StatusOr<std::vector<Migration>> ParseMigrations(
    const std::vector<std::pair<std::string, std::string>>& files);

// Reads <dir>/NNNN_name.sql; INVALID_ARGUMENT on a malformed name or a duplicate number.
absl::StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir);

struct MigrationReport {
  std::vector<int> applied;  // versions applied by this run
  int current_version = 0;
};

// Creates `schema` if missing and applies the migrations not yet recorded there. The SQL runs with
// search_path = schema, so files need not name it. Concurrent runners (two replicas starting) are
// serialised by an advisory lock. All pending files apply in one transaction (PostgreSQL DDL is
// transactional), so a failing file leaves the schema exactly as it was; for that reason a file
// cannot use CREATE INDEX CONCURRENTLY. An applied migration whose SQL changed since is refused
// (FAILED_PRECONDITION): migrations are append-only.
absl::StatusOr<MigrationReport> ApplyMigrations(ConnectionPool& pool, const std::string& schema,
                                                const std::vector<Migration>& migrations);

}  // namespace jieshui::db
