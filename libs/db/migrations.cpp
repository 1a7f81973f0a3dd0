#include "db/migrations.hpp"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <regex>
#include <set>
#include <sstream>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace jieshui::db {
namespace {

// FNV-1a 64: a stable fingerprint of a migration's text (not security relevant).
std::string Fingerprint(const std::string& text) {
  uint64_t hash = 1469598103934665603ULL;
  for (unsigned char c : text) {
    hash ^= c;
    hash *= 1099511628211ULL;
  }
  std::ostringstream out;
  out << std::hex << hash;
  return out.str();
}

}  // namespace

absl::StatusOr<std::vector<Migration>> ParseMigrations(
    const std::vector<std::pair<std::string, std::string>>& files) {
  static const std::regex kName(R"(^(\d+)_([A-Za-z0-9_\-]+)\.sql$)");
  std::vector<Migration> out;
  std::set<int> versions;
  for (const auto& [file, sql] : files) {
    std::smatch m;
    if (!std::regex_match(file, m, kName)) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", file, ": name must be NNNN_description.sql"));
    }
    Migration migration;
    if (!absl::SimpleAtoi(m[1].str(), &migration.version) || migration.version <= 0) {
      return absl::InvalidArgumentError(absl::StrCat("migration ", file, ": bad number"));
    }
    if (!versions.insert(migration.version).second) {
      return absl::InvalidArgumentError(
          absl::StrCat("migration ", file, ": number ", migration.version, " used twice"));
    }
    migration.name = m[2].str();
    migration.sql = sql;
    out.push_back(std::move(migration));
  }
  std::sort(out.begin(), out.end(),
            [](const Migration& a, const Migration& b) { return a.version < b.version; });
  return out;
}

absl::StatusOr<std::vector<Migration>> LoadMigrations(const std::string& dir) {
  std::error_code ec;
  if (!std::filesystem::is_directory(dir, ec)) {
    return absl::NotFoundError(absl::StrCat("migrations folder ", dir, " does not exist"));
  }
  std::vector<std::pair<std::string, std::string>> files;
  for (const auto& entry : std::filesystem::directory_iterator(dir)) {
    if (entry.path().extension() != ".sql") {
      continue;
    }
    std::ifstream in(entry.path());
    std::stringstream text;
    text << in.rdbuf();
    files.emplace_back(entry.path().filename().string(), text.str());
  }
  return ParseMigrations(files);
}

absl::StatusOr<MigrationReport> ApplyMigrations(ConnectionPool& pool, const std::string& schema,
                                                const std::vector<Migration>& migrations) {
  const std::string s = QuoteIdent(schema);
  MigrationReport report;
  absl::Status status = pool.InTransaction([&](pqxx::work& tx) -> absl::Status {
    // One runner per schema at a time; the lock ends with the transaction.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", "jieshui.migrate." + schema);
    tx.exec(absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", s));
    tx.exec(
        absl::StrCat("CREATE TABLE IF NOT EXISTS ", s,
                     ".schema_migrations (version integer PRIMARY KEY, name text NOT NULL, "
                     "fingerprint text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())"));
    std::map<int, std::string> applied;
    for (const auto& row :
         tx.exec(absl::StrCat("SELECT version, fingerprint FROM ", s, ".schema_migrations"))) {
      applied[row[0].as<int>()] = row[1].as<std::string>();
    }
    tx.exec(absl::StrCat("SET LOCAL search_path = ", s, ", public"));
    for (const auto& migration : migrations) {
      const std::string fingerprint = Fingerprint(migration.sql);
      auto it = applied.find(migration.version);
      if (it != applied.end()) {
        if (it->second != fingerprint) {
          return absl::FailedPreconditionError(
              absl::StrCat("migration ", migration.version, "_", migration.name, " in schema ",
                           schema, " was changed after it was applied; add a new migration"));
        }
        continue;
      }
      // A savepoint per file would not help: any failure rolls the whole run back, so the schema
      // is never left half-migrated.
      tx.exec(migration.sql);
      tx.exec_params(absl::StrCat("INSERT INTO ", s,
                                  ".schema_migrations (version, name, fingerprint) "
                                  "VALUES ($1, $2, $3)"),
                     migration.version, migration.name, fingerprint);
      report.applied.push_back(migration.version);
    }
    report.current_version = applied.empty() ? 0 : applied.rbegin()->first;
    if (!migrations.empty()) {
      report.current_version = std::max(report.current_version, migrations.back().version);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return absl::Status(status.code(),
                        absl::StrCat("migrating schema ", schema, ": ", status.message()));
  }
  return report;
}

}  // namespace jieshui::db
