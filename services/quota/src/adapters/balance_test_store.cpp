#include "quota/src/adapters/balance_test_store.hpp"

#include <algorithm>
#include <map>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "db/idempotent.hpp"
#include "errors/field_error.hpp"
#include "quota/src/adapters/quota_tables.hpp"

namespace jieshui::quota {

namespace cert = ::jieshui::certification::v1;

std::string BalanceTestStatusWord(cert::RecordStatus status) {
  switch (status) {
    case cert::RECORD_STATUS_SUBMITTED:
      return "submitted";
    case cert::RECORD_STATUS_ACCEPTED:
      return "accepted";
    case cert::RECORD_STATUS_RETURNED:
      return "returned";
    default:
      return absl::StrCat("status ", static_cast<int>(status));
  }
}

absl::Status RequireAcceptedBalanceTest(pqxx::work& tx, const std::string& ref,
                                        const std::string& uscc) {
  constexpr char kField[] = "water_balance_test_ref";
  pqxx::result r =
      tx.exec_params("SELECT uscc, status FROM balance_tests WHERE record_id = $1 FOR SHARE", ref);
  if (r.empty()) {
    return errors::InvalidArgument(
        kField, absl::StrCat("unknown water balance test \"", ref,
                             "\": the certification service has announced no test by that "
                             "reference"));
  }
  const std::string owner = r[0][0].as<std::string>();
  const std::string status = r[0][1].as<std::string>();
  if (owner != absl::AsciiStrToUpper(uscc)) {
    return errors::InvalidArgument(
        kField, absl::StrCat("water balance test \"", ref, "\" is a test of enterprise ", owner,
                             ", not of ", uscc));
  }
  if (status != BalanceTestStatusWord(cert::RECORD_STATUS_ACCEPTED)) {
    return errors::InvalidArgument(
        kField, absl::StrCat("water balance test \"", ref, "\" is not accepted (its status is ",
                             status, "); an increase needs an accepted test"));
  }
  return absl::OkStatus();
}

BalanceTestStore::BalanceTestStore(db::ConnectionPool* pool, std::string schema)
    : pool_(pool), schema_(std::move(schema)) {}

absl::StatusOr<BalanceTestApplyResult> BalanceTestStore::Apply(
    const std::vector<ActivityMessage>& messages) {
  // Offset order within each partition (one enterprise's, so one test's, events share one).
  std::vector<const ActivityMessage*> ordered;
  ordered.reserve(messages.size());
  for (const ActivityMessage& m : messages) {
    ordered.push_back(&m);
  }
  std::stable_sort(ordered.begin(), ordered.end(),
                   [](const ActivityMessage* a, const ActivityMessage* b) {
                     return std::tie(a->topic, a->partition, a->offset) <
                            std::tie(b->topic, b->partition, b->offset);
                   });
  using Out = BalanceTestApplyResult;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out result;
    std::map<std::pair<std::string, int32_t>, int64_t> stored;  // read once per partition
    std::map<std::pair<std::string, int32_t>, int64_t> next_offsets;
    for (const ActivityMessage* m : ordered) {
      const std::pair<std::string, int32_t> tp{m->topic, m->partition};
      auto& next = next_offsets[tp];
      next = std::max(next, m->offset + 1);
      auto it = stored.find(tp);
      if (it == stored.end()) {
        it = stored
                 .emplace(tp, db::StoredNextOffset(tx, schema_, kBalanceTestConsumer, m->topic,
                                                   m->partition))
                 .first;
      }
      if (m->offset < it->second) {
        continue;  // applied before: a replay
      }
      ++result.messages_applied;
      if (!m->test.has_value()) {
        continue;  // not about a balance test, or dead-lettered
      }
      const BalanceTest& t = *m->test;
      tx.exec_params(
          "INSERT INTO balance_tests (record_id, uscc, status, updated_at, source_partition, "
          "source_offset) VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), $5, $6) "
          "ON CONFLICT (record_id) DO UPDATE SET uscc = EXCLUDED.uscc, status = EXCLUDED.status, "
          "updated_at = EXCLUDED.updated_at, source_partition = EXCLUDED.source_partition, "
          "source_offset = EXCLUDED.source_offset",
          t.record_id, t.uscc, BalanceTestStatusWord(t.status), t.updated_at_ms, m->partition,
          m->offset);
      ++result.tests_changed;
    }
    for (const auto& [tp, next] : next_offsets) {
      db::StoreNextOffset(tx, schema_, kBalanceTestConsumer, tp.first, tp.second, next);
    }
    return result;
  });
}

}  // namespace jieshui::quota
