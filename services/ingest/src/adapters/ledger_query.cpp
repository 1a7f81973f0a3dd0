#include "ingest/src/adapters/ledger_query.hpp"

#include <optional>
#include <utility>

#include <nlohmann/json.hpp>
#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "db/pool.hpp"
#include "errors/field_error.hpp"
#include "ingest/src/adapters/ledger_sql.hpp"
#include "ingest/src/adapters/record_codec.hpp"
#include "paging/page_token.hpp"

namespace jieshui::ingest {

namespace {

constexpr int kMaxQueryLimit = 10000;

struct CursorKey {
  int64_t end_ms = 0;
  std::string meter_id;
  std::string event_id;
};

// What a page token is bound to: the subject and the range.
std::string QueryText(const LedgerQuery& q) {
  return absl::StrCat(q.meter_id.empty() ? "uscc:" : "meter:",
                      q.meter_id.empty() ? q.uscc : q.meter_id, "\n", q.start_ms, "\n", q.end_ms);
}

// The last key of a page as the token's key: [end_ms, meter_id, event_id] in JSON.
std::string EncodeCursor(const std::string& query_text, const CursorKey& key) {
  return paging::EncodePageToken(
      query_text, nlohmann::json::array({key.end_ms, key.meter_id, key.event_id}).dump());
}

absl::StatusOr<CursorKey> DecodeCursor(const std::string& cursor, const std::string& query_text) {
  absl::StatusOr<std::string> key = paging::DecodePageToken(cursor, query_text);
  if (!key.ok()) {
    return key.status();
  }
  const nlohmann::json doc = nlohmann::json::parse(*key, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_array() || doc.size() != 3 || !doc[0].is_number_integer() ||
      !doc[1].is_string() || !doc[2].is_string()) {
    return errors::InvalidArgument("page.page_token", "not a token this service issued");
  }
  return CursorKey{doc[0].get<int64_t>(), doc[1].get<std::string>(), doc[2].get<std::string>()};
}

}  // namespace

absl::StatusOr<LedgerPage> QueryLedger(db::ConnectionPool& pool, const std::string& schema,
                                       const LedgerQuery& query) {
  if (query.meter_id.empty() == query.uscc.empty()) {
    return errors::InvalidArgument("subject", "exactly one of meter_id and uscc");
  }
  if (query.start_ms < 0 || query.start_ms > kMaxUnixMs || query.end_ms < 0 ||
      query.end_ms > kMaxUnixMs + 1 || (query.end_ms != 0 && query.end_ms <= query.start_ms)) {
    return errors::InvalidArgument("range", "end must be after start, both in 1970..9999");
  }
  if (query.limit < 1 || query.limit > kMaxQueryLimit) {
    return errors::InvalidArgument(
        "page.page_size", absl::StrCat(query.limit, " is not between 1 and ", kMaxQueryLimit));
  }
  const std::string query_text = QueryText(query);
  std::optional<CursorKey> after;
  if (!query.after_cursor.empty()) {
    absl::StatusOr<CursorKey> key = DecodeCursor(query.after_cursor, query_text);
    if (!key.ok()) {
      return key.status();
    }
    after = *std::move(key);
  }
  const int64_t end_ms = query.end_ms == 0 ? kMaxUnixMs + 1 : query.end_ms;
  const std::string sql = absl::StrCat(
      "SELECT event_id, meter_id, uscc, measures, level, kind, ", MsFromTs("interval_start"), ", ",
      MsFromTs("interval_end"),
      ", delta_litres, array_to_string(flags, ','), register_value, cumulative_litres,"
      " data_flag, source, ",
      MsFromTs("received_at"), " FROM ", db::QuoteIdent(schema), ".readings WHERE ",
      query.meter_id.empty() ? "uscc" : "meter_id", " = $1 AND interval_end >= ", TsFromMs("$2"),
      " AND interval_end < ", TsFromMs("$3"),
      after.has_value()
          ? absl::StrCat(" AND (interval_end, meter_id, event_id) > (", TsFromMs("$5"), ", $6, $7)")
          : "",
      " ORDER BY interval_end, meter_id, event_id LIMIT $4");
  const std::string& subject = query.meter_id.empty() ? query.uscc : query.meter_id;
  LedgerPage page;
  absl::Status status = pool.InTransaction([&](pqxx::work& tx) -> absl::Status {
    page = LedgerPage();
    const pqxx::result rows =
        after.has_value() ? tx.exec_params(sql, subject, query.start_ms, end_ms, query.limit + 1,
                                           after->end_ms, after->meter_id, after->event_id)
                          : tx.exec_params(sql, subject, query.start_ms, end_ms, query.limit + 1);
    for (const auto& row : rows) {
      if (static_cast<int>(page.records.size()) == query.limit) {
        page.more = true;
        break;
      }
      v1::LedgerRecord& out = page.records.emplace_back();
      out.set_event_id(row[0].as<std::string>());
      v1::ReadingAccepted& a = *out.mutable_record();
      a.set_meter_id(row[1].as<std::string>());
      a.mutable_uscc()->set_value(row[2].as<std::string>());
      a.set_measures(static_cast<jieshui::registry::v1::MeasuredFlow>(row[3].as<int>()));
      a.set_level(static_cast<jieshui::registry::v1::MeterLevel>(row[4].as<int>()));
      a.set_kind(static_cast<v1::RecordKind>(row[5].as<int>()));
      a.set_interval_start_unix_ms(row[6].as<int64_t>());
      a.set_interval_end_unix_ms(row[7].as<int64_t>());
      a.mutable_delta()->set_litres(row[8].as<int64_t>());
      for (absl::string_view flag :
           absl::StrSplit(row[9].as<std::string>(), ',', absl::SkipEmpty())) {
        int value = 0;
        if (absl::SimpleAtoi(flag, &value)) {
          a.add_flags(static_cast<v1::VeeFlag>(value));
        }
      }
      if (!row[10].is_null()) {
        a.set_register_value(row[10].as<std::string>());
      }
      a.set_cumulative_litres(row[11].as<int64_t>());
      a.set_data_flag(row[12].as<std::string>());
      a.set_source(row[13].as<std::string>());
      a.set_received_unix_ms(row[14].as<int64_t>());
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (!page.records.empty()) {
    const v1::LedgerRecord& last = page.records.back();
    page.last_cursor = EncodeCursor(query_text, {last.record().interval_end_unix_ms(),
                                                 last.record().meter_id(), last.event_id()});
  }
  return page;
}

absl::Status ForEachTakenReading(
    db::ConnectionPool& pool, const std::string& schema, int64_t since_ms,
    const std::function<void(const std::string& meter_id, int64_t ts_ms, int64_t value)>& taken) {
  return pool.InTransaction([&](pqxx::work& tx) -> absl::Status {
    tx.exec("SET TRANSACTION READ ONLY");
    tx.exec(absl::StrCat("DECLARE taken NO SCROLL CURSOR FOR SELECT meter_id, ",
                         MsFromTs("interval_end"), ", register_value, delta_litres FROM ",
                         db::QuoteIdent(schema),
                         ".readings WHERE kind = ", static_cast<int>(v1::RECORD_KIND_REAL),
                         " AND interval_end >= ", TsFromMs(tx.quote(since_ms))));
    for (;;) {
      const pqxx::result rows = tx.exec("FETCH 50000 FROM taken");
      for (const auto& row : rows) {
        const int64_t ts_ms = row[1].as<int64_t>();
        int64_t value = 0;
        if (row[2].is_null()) {
          value = -1 - row[3].as<int64_t>();  // an interval volume
        } else {
          absl::StatusOr<int64_t> milli =
              ParseRegisterMilli(row[2].as<std::string>(), "register_value");
          if (!milli.ok()) {
            return absl::DataLossError(absl::StrCat(
                "ledger: meter ", row[0].as<std::string>(),
                " has a register value that does not parse: ", milli.status().message()));
          }
          value = *milli;
        }
        taken(row[0].as<std::string>(), ts_ms, value);
      }
      if (rows.empty()) {
        return absl::OkStatus();
      }
    }
  });
}

}  // namespace jieshui::ingest
