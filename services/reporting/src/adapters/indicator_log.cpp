#include "reporting/src/adapters/indicator_log.hpp"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "db/outbox.hpp"
#include "db/proto_column.hpp"
#include "jieshui/events/v1/reporting_events.pb.h"
#include "kafka/envelope.hpp"
#include "reporting/src/core/periods.hpp"

namespace jieshui::reporting {
namespace {

namespace ev = ::jieshui::events::v1;

}  // namespace

absl::StatusOr<std::vector<v1::Target>> LoadTargets(pqxx::work& tx) {
  std::vector<v1::Target> out = DefaultTargets();
  for (const pqxx::row& row : tx.exec("SELECT target FROM targets ORDER BY code, year, version")) {
    auto t = db::ParseColumn<v1::Target>(row[0], "target");
    if (!t.ok()) {
      return t.status();
    }
    out.push_back(*std::move(t));
  }
  return out;
}

absl::StatusOr<std::optional<BaselineSums>> LoadBaseline(pqxx::work& tx) {
  pqxx::result r = tx.exec("SELECT baseline FROM baselines ORDER BY version DESC LIMIT 1");
  if (r.empty()) {
    return std::optional<BaselineSums>();
  }
  auto b = db::ParseColumn<v1::Baseline>(r[0][0], "baseline");
  if (!b.ok()) {
    return b.status();
  }
  return std::optional<BaselineSums>(BaselineSums{.new_water = b->new_water().litres(),
                                                  .value_added_fen = b->value_added().fen(),
                                                  .reclaimed = b->reclaimed_water().litres()});
}

std::vector<v1::Indicator> WorkOut(const ScopeSums& sums, int year,
                                   const std::vector<std::string>& codes,
                                   const std::vector<v1::Target>& targets,
                                   const std::optional<BaselineSums>& base) {
  std::vector<v1::Indicator> out;
  for (const std::string& code : codes.empty() ? AllCodes() : codes) {
    v1::Indicator i = MakeIndicator(code, ValueOf(code, sums.sums, base),
                                    TargetInForce(targets, code, year), sums.as_of_ms);
    i.set_source(code == codes::kWaterUseDecline || code == codes::kReclaimedIncrease
                     ? "quota usage, statistics value added, the 2020 baseline"
                     : "quota usage, registry, certification, statistics");
    out.push_back(std::move(i));
  }
  return out;
}

bool SameFigure(const v1::Indicator& a, const v1::Indicator& b) {
  v1::Indicator x = a;
  v1::Indicator y = b;
  x.clear_as_of_unix_ms();
  y.clear_as_of_unix_ms();
  return x.SerializeAsString() == y.SerializeAsString();
}

IndicatorLog::IndicatorLog(IndicatorLogOptions options) : options_(std::move(options)) {}

absl::StatusOr<int> IndicatorLog::RecordChanges(pqxx::work& tx, const std::set<SumsKey>& moved) {
  if (moved.empty()) {
    return 0;
  }
  auto targets = LoadTargets(tx);
  auto base = LoadBaseline(tx);
  if (!targets.ok() || !base.ok()) {
    return !targets.ok() ? targets.status() : base.status();
  }
  const int64_t now_ms = absl::ToUnixMillis(absl::Now());
  int changed = 0;
  for (const auto& [scope, period] : moved) {
    const ScopeSums sums = FactsStore::LoadSums(tx, scope, period);
    const v1::IndicatorPeriod p = PeriodOfKey(period);
    std::map<std::string, v1::Indicator> last;
    for (const pqxx::row& row : tx.exec_params(
             "SELECT DISTINCT ON (code) code, indicator FROM indicator_history WHERE scope = $1 "
             "AND period = $2 ORDER BY code, id DESC",
             scope, period)) {
      v1::Indicator i;
      if (i.ParseFromString(pqxx::binarystring(row[1]).str())) {
        last[row[0].as<std::string>()] = std::move(i);
      }
    }
    for (const v1::Indicator& i : WorkOut(sums, p.year(), {}, *targets, *base)) {
      auto it = last.find(i.code());
      if (it != last.end() && SameFigure(it->second, i)) {
        continue;
      }
      tx.exec_params(
          "INSERT INTO indicator_history (scope, period, code, changed_ms, indicator) "
          "VALUES ($1, $2, $3, $4, $5)",
          scope, period, i.code(), now_ms, db::Bytes(i));
      ev::IndicatorChanged event;
      *event.mutable_scope() = ScopeOfKey(scope);
      *event.mutable_period() = p;
      *event.mutable_indicator() = i;
      const std::string key = absl::StrCat(scope, "|", period, "|", i.code());
      db::EnqueueEvent(tx, options_.schema, options_.indicator_topic, key,
                       kafka::EncodeEvent(event, {.producer = options_.producer,
                                                  .subject_key = key,
                                                  .occurred_at = absl::FromUnixMillis(now_ms),
                                                  .correlation_id = ""}));
      ++changed;
    }
  }
  return changed;
}

}  // namespace jieshui::reporting
