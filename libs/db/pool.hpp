// PostgreSQL connection pool (libpqxx) and a transaction helper that turns libpqxx exceptions
// into absl::Status, so no exception leaves the database adapter.
#pragma once

#include <chrono>
#include <condition_variable>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <utility>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jieshui::db {

struct PoolOptions {
  std::string uri;  // libpq URI, e.g. postgresql://jieshui:...@127.0.0.1:15432/jieshui
  int size = 8;
  std::chrono::milliseconds acquire_timeout{5000};
  // Sent as "SET search_path" on every new connection (the service's own schema first).
  std::string search_path;
  std::string application_name = "jieshui";
};

class ConnectionPool;

// A borrowed connection; returned to the pool when destroyed. A connection found broken is
// dropped instead, and the pool dials a new one on demand (PostgreSQL restarts heal themselves).
class Lease {
 public:
  Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn);
  Lease(Lease&& other) noexcept;
  Lease& operator=(Lease&&) = delete;
  ~Lease();
  pqxx::connection& operator*() { return *conn_; }
  pqxx::connection* operator->() { return conn_.get(); }

 private:
  ConnectionPool* pool_;
  std::unique_ptr<pqxx::connection> conn_;
};

class ConnectionPool {
 public:
  // Dials one connection up front so a wrong URI or password fails at start-up.
  static absl::StatusOr<std::unique_ptr<ConnectionPool>> Create(const PoolOptions& options);

  absl::StatusOr<Lease> Acquire();

  // Runs `work` in one transaction and commits when it returns OK; any other status, or an
  // exception, rolls back. Returns `work`'s status, or the database error mapped to a canonical
  // code: UNAVAILABLE (connection lost), ABORTED (serialization failure or deadlock: retry),
  // ALREADY_EXISTS (unique violation), INVALID_ARGUMENT (check/not-null/foreign-key violation),
  // INTERNAL otherwise.
  absl::Status InTransaction(const std::function<absl::Status(pqxx::work&)>& work);

  const PoolOptions& options() const { return options_; }

  // Closes every idle connection; leases still out are closed when returned.
  void Close();

 private:
  friend class Lease;
  explicit ConnectionPool(PoolOptions options) : options_(std::move(options)) {}
  absl::StatusOr<std::unique_ptr<pqxx::connection>> Dial();
  void Return(std::unique_ptr<pqxx::connection> conn);

  PoolOptions options_;
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::unique_ptr<pqxx::connection>> idle_;
  int open_ = 0;  // connections in existence (idle + leased)
  bool closed_ = false;
};

// Maps an exception thrown by libpqxx (or anything else) to a canonical status.
absl::Status StatusFromException(const std::exception& e);

// Quotes an identifier (schema, table) for SQL text.
std::string QuoteIdent(const std::string& ident);

// Runs `work` in one transaction and returns its value; a status from `work` rolls back.
template <typename T, typename Work>
absl::StatusOr<T> Transact(ConnectionPool* pool, Work work) {
  T out;
  absl::Status s = pool->InTransaction([&](pqxx::work& tx) -> absl::Status {
    absl::StatusOr<T> r = work(tx);
    if (!r.ok()) {
      return r.status();
    }
    out = *std::move(r);
    return absl::OkStatus();
  });
  if (!s.ok()) {
    return s;
  }
  return out;
}

}  // namespace jieshui::db
