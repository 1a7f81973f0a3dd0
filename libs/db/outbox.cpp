#include "db/outbox.hpp"

#include <future>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"

namespace jieshui::db {

std::string OutboxTableSql(const std::string& schema) {
  const std::string s = QuoteIdent(schema);
  return absl::StrCat("CREATE TABLE IF NOT EXISTS ", s, ".outbox (",
                      " id bigserial PRIMARY KEY,"
                      " topic text NOT NULL,"
                      " key bytea NOT NULL,"
                      " value bytea NOT NULL,"
                      " created_at timestamptz NOT NULL DEFAULT now(),"
                      " sent_at timestamptz);"
                      " CREATE INDEX IF NOT EXISTS outbox_unsent ON ",
                      s, ".outbox (id) WHERE sent_at IS NULL;");
}

absl::Status EnsureOutboxTable(ConnectionPool& pool, const std::string& schema) {
  return pool.InTransaction([&](pqxx::work& tx) {
    tx.exec(absl::StrCat("CREATE SCHEMA IF NOT EXISTS ", QuoteIdent(schema)));
    tx.exec(OutboxTableSql(schema));
    return absl::OkStatus();
  });
}

void EnqueueEvent(pqxx::work& tx, const std::string& schema, const std::string& topic,
                  const std::string& key, const std::string& value) {
  tx.exec_params(absl::StrCat("INSERT INTO ", QuoteIdent(schema),
                              ".outbox (topic, key, value) VALUES ($1, $2, $3)"),
                 topic, pqxx::binarystring(key), pqxx::binarystring(value));
}

OutboxRelay::OutboxRelay(ConnectionPool* pool, kafka::Producer* producer,
                         OutboxRelayOptions options)
    : pool_(pool), producer_(producer), options_(std::move(options)) {}

OutboxRelay::~OutboxRelay() { Stop(); }

absl::StatusOr<int> OutboxRelay::RelayOnce() {
  const std::string table = absl::StrCat(QuoteIdent(options_.schema), ".outbox");
  int marked = 0;
  absl::Status status = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
    // One relay per schema; a second replica simply finds the lock taken and idles.
    pqxx::result lock = tx.exec_params("SELECT pg_try_advisory_xact_lock(hashtext($1))",
                                       "jieshui.outbox." + options_.schema);
    if (!lock[0][0].as<bool>()) {
      return absl::OkStatus();
    }
    pqxx::result rows = tx.exec_params(absl::StrCat("SELECT id, topic, key, value FROM ", table,
                                                    " WHERE sent_at IS NULL ORDER BY id LIMIT $1"),
                                       options_.batch_size);
    if (rows.empty()) {
      return absl::OkStatus();
    }
    std::vector<std::future<kafka::DeliveryResult>> deliveries;
    std::vector<int64_t> ids;
    deliveries.reserve(rows.size());
    for (const auto& row : rows) {
      ids.push_back(row[0].as<int64_t>());
      pqxx::binarystring key(row[2]);
      pqxx::binarystring value(row[3]);
      deliveries.push_back(producer_->Produce(row[1].as<std::string>(), key.str(), value.str()));
    }
    // Mark only what the broker confirmed. After the first failure nothing more is marked, so a
    // retry re-sends in the original order (duplicates are possible, loss and reordering are not;
    // consumers de-duplicate by event id).
    std::vector<int64_t> confirmed;
    const auto deadline = std::chrono::steady_clock::now() + options_.delivery_timeout;
    bool failed = false;
    absl::Status first_error;
    for (size_t i = 0; i < deliveries.size(); ++i) {
      if (deliveries[i].wait_until(deadline) != std::future_status::ready) {
        failed = true;
        first_error = absl::DeadlineExceededError("outbox: delivery report timed out");
        break;
      }
      kafka::DeliveryResult result = deliveries[i].get();
      if (!result.status.ok()) {
        failed = true;
        first_error = result.status;
        break;
      }
      confirmed.push_back(ids[i]);
    }
    if (!confirmed.empty()) {
      if (options_.before_mark) {
        options_.before_mark();
      }
      tx.exec_params(
          absl::StrCat("UPDATE ", table, " SET sent_at = now() WHERE id = ANY($1::bigint[])"),
          absl::StrCat("{", absl::StrJoin(confirmed, ","), "}"));
      marked = static_cast<int>(confirmed.size());
    }
    if (failed && confirmed.empty()) {
      return first_error;
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  relayed_.fetch_add(marked);
  return marked;
}

void OutboxRelay::Start() {
  thread_ = std::thread([this] { Run(); });
}

void OutboxRelay::Stop() {
  stop_.store(true);
  if (thread_.joinable()) {
    thread_.join();
  }
}

void OutboxRelay::Run() {
  auto pause = [this](std::chrono::milliseconds d) {
    const auto until = std::chrono::steady_clock::now() + d;
    while (!stop_.load() && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(5));
    }
  };
  while (!stop_.load()) {
    auto relayed = RelayOnce();
    if (!relayed.ok() || *relayed == 0) {
      pause(options_.idle_poll);
    } else if (options_.batch_pause.count() > 0) {
      pause(options_.batch_pause);
    }
  }
}

}  // namespace jieshui::db
