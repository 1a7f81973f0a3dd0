// Reading the raw ledger (原始记录) back: a meter's or an enterprise's records over a range of
// interval ends, in pages whose tokens are the shared scheme of libs/paging, bound to the query.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/ingest/v1/readings.pb.h"

namespace jieshui::ingest {

struct LedgerQuery {
  // Exactly one of the two.
  std::string meter_id;
  std::string uscc;
  // Interval end in [start_ms, end_ms), Unix ms; end_ms 0 = no upper bound.
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  std::string after_cursor;  // last_cursor of the previous page; "" = first page
  int limit = 100;           // 1 .. 10000
};

struct LedgerPage {
  // Ordered by (interval end, meter id, event id).
  std::vector<v1::LedgerRecord> records;
  std::string last_cursor;  // of the last record returned ("" when none)
  bool more = false;        // further records match
};

// INVALID_ARGUMENT naming the field: not exactly one subject, an empty range, a limit out of
// range, or a cursor that is malformed or was issued for another query (page.page_token).
absl::StatusOr<LedgerPage> QueryLedger(db::ConnectionPool& pool, const std::string& schema,
                                       const LedgerQuery& query);

// Calls `taken(meter_id, ts_ms, value)` for every real reading the ledger holds at or after
// `since_ms`, with history.hpp's SeenValue, so that intake recognises a reading sent again however
// old it is (recovery, before serving). Reads in chunks through a cursor.
absl::Status ForEachTakenReading(
    db::ConnectionPool& pool, const std::string& schema, int64_t since_ms,
    const std::function<void(const std::string& meter_id, int64_t ts_ms, int64_t value)>& taken);

}  // namespace jieshui::ingest
