#include "db/pool.hpp"

#include "absl/strings/str_cat.h"

namespace jieshui::db {

Lease::Lease(ConnectionPool* pool, std::unique_ptr<pqxx::connection> conn)
    : pool_(pool), conn_(std::move(conn)) {}

Lease::Lease(Lease&& other) noexcept : pool_(other.pool_), conn_(std::move(other.conn_)) {
  other.pool_ = nullptr;
}

Lease::~Lease() {
  if (pool_ != nullptr && conn_ != nullptr) {
    pool_->Return(std::move(conn_));
  }
}

absl::StatusOr<std::unique_ptr<ConnectionPool>> ConnectionPool::Create(const PoolOptions& options) {
  if (options.size < 1) {
    return absl::InvalidArgumentError("db pool: size must be at least 1");
  }
  std::unique_ptr<ConnectionPool> pool(new ConnectionPool(options));
  auto first = pool->Dial();
  if (!first.ok()) {
    return first.status();
  }
  pool->open_ = 1;
  pool->idle_.push_back(std::move(*first));
  return pool;
}

absl::StatusOr<std::unique_ptr<pqxx::connection>> ConnectionPool::Dial() {
  try {
    auto conn = std::make_unique<pqxx::connection>(options_.uri);
    pqxx::nontransaction setup(*conn);
    setup.exec(absl::StrCat("SET application_name = ", setup.quote(options_.application_name)));
    if (!options_.search_path.empty()) {
      setup.exec(absl::StrCat("SET search_path = ", options_.search_path));
    }
    setup.commit();
    return conn;
  } catch (const std::exception& e) {
    return absl::UnavailableError(absl::StrCat("postgresql: cannot connect: ", e.what()));
  }
}

absl::StatusOr<Lease> ConnectionPool::Acquire() {
  std::unique_lock<std::mutex> lock(mu_);
  const auto deadline = std::chrono::steady_clock::now() + options_.acquire_timeout;
  while (true) {
    if (closed_) {
      return absl::UnavailableError("postgresql pool is closed");
    }
    if (!idle_.empty()) {
      auto conn = std::move(idle_.front());
      idle_.pop_front();
      if (conn->is_open()) {
        return Lease(this, std::move(conn));
      }
      --open_;  // dropped: dial a fresh one below
      continue;
    }
    if (open_ < options_.size) {
      ++open_;
      lock.unlock();
      auto conn = Dial();
      if (!conn.ok()) {
        std::lock_guard<std::mutex> relock(mu_);
        --open_;
        cv_.notify_one();
        return conn.status();
      }
      return Lease(this, std::move(*conn));
    }
    if (cv_.wait_until(lock, deadline) == std::cv_status::timeout && idle_.empty() &&
        open_ >= options_.size) {
      return absl::ResourceExhaustedError(absl::StrCat("postgresql pool: all ", options_.size,
                                                       " connections busy for ",
                                                       options_.acquire_timeout.count(), " ms"));
    }
  }
}

void ConnectionPool::Return(std::unique_ptr<pqxx::connection> conn) {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_ || !conn->is_open()) {
    --open_;
  } else {
    idle_.push_back(std::move(conn));
  }
  cv_.notify_one();
}

void ConnectionPool::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  closed_ = true;
  open_ -= static_cast<int>(idle_.size());
  idle_.clear();
  cv_.notify_all();
}

absl::Status ConnectionPool::InTransaction(const std::function<absl::Status(pqxx::work&)>& work) {
  auto lease = Acquire();
  if (!lease.ok()) {
    return lease.status();
  }
  try {
    pqxx::work tx(**lease);
    absl::Status status = work(tx);
    if (status.ok()) {
      tx.commit();
    }  // else: the destructor rolls back
    return status;
  } catch (const pqxx::in_doubt_error& e) {
    // The commit may or may not have happened: the caller must not report success.
    (**lease).disconnect();
    return absl::UnavailableError(absl::StrCat("postgresql: commit outcome unknown: ", e.what()));
  } catch (const pqxx::broken_connection& e) {
    (**lease).disconnect();
    return absl::UnavailableError(absl::StrCat("postgresql: connection lost: ", e.what()));
  } catch (const std::exception& e) {
    return StatusFromException(e);
  }
}

absl::Status StatusFromException(const std::exception& e) {
  if (dynamic_cast<const pqxx::broken_connection*>(&e) != nullptr) {
    return absl::UnavailableError(absl::StrCat("postgresql: connection lost: ", e.what()));
  }
  if (dynamic_cast<const pqxx::serialization_failure*>(&e) != nullptr ||
      dynamic_cast<const pqxx::deadlock_detected*>(&e) != nullptr) {
    return absl::AbortedError(absl::StrCat("postgresql: ", e.what()));
  }
  if (dynamic_cast<const pqxx::unique_violation*>(&e) != nullptr) {
    return absl::AlreadyExistsError(absl::StrCat("postgresql: ", e.what()));
  }
  if (dynamic_cast<const pqxx::integrity_constraint_violation*>(&e) != nullptr ||
      dynamic_cast<const pqxx::data_exception*>(&e) != nullptr) {
    return absl::InvalidArgumentError(absl::StrCat("postgresql: ", e.what()));
  }
  return absl::InternalError(absl::StrCat("postgresql: ", e.what()));
}

std::string QuoteIdent(const std::string& ident) {
  std::string out = "\"";
  for (char c : ident) {
    if (c == '"') {
      out += '"';
    }
    out += c;
  }
  out += '"';
  return out;
}

}  // namespace jieshui::db
