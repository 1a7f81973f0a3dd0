#include "quota/src/adapters/surcharge_store.hpp"

#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "google/protobuf/util/json_util.h"
#include "jieshui/events/v1/quota_events.pb.h"

namespace jieshui::quota {
namespace {

namespace v1 = ::jieshui::quota::v1;
namespace ev = ::jieshui::events::v1;

v1::SurchargeNotice NoticeFromRow(const pqxx::row& r) {
  v1::SurchargeNotice n;
  n.set_notice_id(r["notice_id"].as<std::string>());
  // Written by this service from the same message type; a parse failure leaves it empty.
  (void)google::protobuf::util::JsonStringToMessage(r["statement"].as<std::string>(),
                                                    n.mutable_statement());
  n.set_issued_by(r["issued_by"].as<std::string>());
  n.set_issued_at_unix_ms(r["issued_at_ms"].as<int64_t>());
  return n;
}

constexpr char kNoticeColumns[] =
    "notice_id, statement::text AS statement, issued_by, "
    "(extract(epoch from issued_at) * 1000)::bigint AS issued_at_ms";

}  // namespace

SurchargeStore::SurchargeStore(db::ConnectionPool* pool, StoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::Status SurchargeStore::SetSchedule(const Schedule& schedule) {
  return pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec_params("DELETE FROM surcharge_bands WHERE year = $1", schedule.year);
    tx.exec_params("DELETE FROM surcharge_prices WHERE year = $1", schedule.year);
    for (size_t i = 0; i < schedule.bands.size(); ++i) {
      const SurchargeBand& b = schedule.bands[i];
      tx.exec_params(
          "INSERT INTO surcharge_bands (year, idx, from_bp, to_bp, mult_num, mult_den) VALUES "
          "($1, $2, $3, $4, $5, $6)",
          schedule.year, static_cast<int>(i), b.from_bp, b.to_bp, b.multiplier.numerator(),
          b.multiplier.denominator());
    }
    for (const auto& [source, price] : schedule.prices) {
      tx.exec_params("INSERT INTO surcharge_prices (year, source, fen) VALUES ($1, $2, $3)",
                     schedule.year, source, price.fen());
    }
    return absl::OkStatus();
  });
}

Schedule SurchargeStore::ScheduleIn(pqxx::work& tx, int year) const {
  Schedule s;
  s.year = year;
  for (const pqxx::row& r :
       tx.exec_params("SELECT from_bp, to_bp, mult_num, mult_den FROM surcharge_bands WHERE "
                      "year = $1 ORDER BY idx",
                      year)) {
    SurchargeBand b;
    b.from_bp = r[0].as<int64_t>();
    if (!r[1].is_null()) {
      b.to_bp = r[1].as<int64_t>();
    }
    b.multiplier = *domain::Multiplier::Create(r[2].as<int64_t>(), r[3].as<int64_t>());
    s.bands.push_back(b);
  }
  if (s.bands.empty()) {
    s.bands = options_.default_bands;
    s.prices = options_.default_prices;
    s.is_default = true;
    return s;
  }
  for (const pqxx::row& r :
       tx.exec_params("SELECT source, fen FROM surcharge_prices WHERE year = $1", year)) {
    s.prices[r[0].as<int>()] = domain::Money::Fen(r[1].as<int64_t>());
  }
  return s;
}

absl::StatusOr<Schedule> SurchargeStore::GetSchedule(int year) {
  return Transact<Schedule>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<Schedule> { return ScheduleIn(tx, year); });
}

absl::StatusOr<v1::SurchargeStatement> SurchargeStatementOf(
    const std::string& uscc, const PeriodKey& period, const Schedule& schedule,
    const UsageFigures& usage, const std::vector<v1::QuotaCheck>& checks) {
  std::vector<SourceIntake> intakes;
  for (int s = 0; s < 3; ++s) {  // new-water sources: tap, surface, ground
    auto price = schedule.prices.find(s + 1);
    intakes.push_back(SourceIntake{
        .litres = usage.totals.litres[static_cast<size_t>(s)],
        .price_per_cubic_metre = price == schedule.prices.end() ? domain::Money() : price->second});
  }
  auto tap = schedule.prices.find(v1::WATER_SOURCE_MUNICIPAL_TAP);
  const BasePrice base =
      WeightedBasePrice(intakes, tap == schedule.prices.end() ? domain::Money() : tap->second);
  const auto to_proto = [&](const SurchargeWorking& w) {
    v1::SurchargeWorking out;
    *out.mutable_allowed() = Litres(w.allowed);
    *out.mutable_used() = Litres(w.used);
    *out.mutable_over() = Litres(w.over);
    for (const SurchargeLine& line : w.lines) {
      v1::SurchargeLine* l = out.add_lines();
      l->set_from_percent(PercentText(line.band.from_bp));
      if (line.band.to_bp.has_value()) {
        l->set_to_percent(PercentText(*line.band.to_bp));
      }
      *l->mutable_volume() = Litres(line.litres);
      l->set_multiplier(line.band.multiplier.ToString());
      l->set_base_price_yuan_per_cubic_metre(BasePriceYuanText(w.base_price));
      l->mutable_amount()->set_fen(line.amount.fen());
    }
    out.mutable_amount()->set_fen(w.total.fen());
    return out;
  };
  v1::SurchargeStatement st;
  st.mutable_uscc()->set_value(uscc);
  *st.mutable_period() = PeriodToProto(period);
  st.set_schedule_is_default(schedule.is_default);
  int64_t total = 0;
  if (usage.has_plan) {
    auto w = quota::ComputeSurcharge(usage.plan, usage.totals.NewWater(), schedule.bands, base);
    if (!w.ok()) {
      return w.status();
    }
    *st.mutable_over_plan() = to_proto(*w);
    total += w->total.fen();
  }
  // Over-quota: per product and month (output is reported monthly); a year adds its months.
  std::map<std::string, std::pair<int64_t, int64_t>> by_product;  // allowed, used
  for (const v1::QuotaCheck& c : checks) {
    if (!c.quota_found()) {
      continue;
    }
    auto& [allowed, used] = by_product[c.product()];
    allowed += c.allowed().litres();
    used += c.intake().litres();
  }
  for (const auto& [product, figures] : by_product) {
    auto w = quota::ComputeSurcharge(figures.first, figures.second, schedule.bands, base);
    if (!w.ok()) {
      return w.status();
    }
    v1::SurchargeWorking p = to_proto(*w);
    p.set_product(product);
    total += w->total.fen();
    *st.add_over_quota() = std::move(p);
  }
  st.mutable_total()->set_fen(total);
  return st;
}

absl::StatusOr<v1::SurchargeStatement> SurchargeStore::StatementIn(pqxx::work& tx,
                                                                   const std::string& uscc,
                                                                   const PeriodKey& period) const {
  const Schedule schedule = ScheduleIn(tx, period.year);
  const UsageFigures usage = UsageIn(tx, uscc, period);
  const int first = period.month == 0 ? 1 : period.month;
  const int last = period.month == 0 ? 12 : period.month;
  std::vector<v1::QuotaCheck> checks;
  for (int m = first; m <= last; ++m) {
    for (v1::QuotaCheck& c : QuotaChecks(tx, uscc, period.year, m)) {
      checks.push_back(std::move(c));
    }
  }
  return SurchargeStatementOf(uscc, period, schedule, usage, checks);
}

absl::StatusOr<v1::SurchargeStatement> SurchargeStore::ComputeSurcharge(const std::string& uscc,
                                                                        const PeriodKey& period) {
  return Transact<v1::SurchargeStatement>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::SurchargeStatement> {
        if (absl::Status s = RequireKnownEnterprise(tx, uscc); !s.ok()) {
          return s;
        }
        return StatementIn(tx, uscc, period);
      });
}

absl::StatusOr<v1::SurchargeNotice> SurchargeStore::IssueSurchargeNotice(const std::string& uscc,
                                                                         const PeriodKey& period,
                                                                         const std::string& actor) {
  return Transact<v1::SurchargeNotice>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::SurchargeNotice> {
        if (absl::Status s = RequireEnterprise(tx, uscc); !s.ok()) {
          return s;
        }
        pqxx::result existing = tx.exec_params(
            "SELECT notice_id FROM surcharge_notices WHERE uscc = $1 AND year = $2 AND month = $3",
            uscc, period.year, period.month);
        if (!existing.empty()) {
          return absl::AlreadyExistsError(
              absl::StrCat("period: the surcharge notice of ", uscc, " for ", period.ToString(),
                           " was issued already (notice ", existing[0][0].as<std::string>(), ")"));
        }
        auto statement = StatementIn(tx, uscc, period);
        if (!statement.ok()) {
          return statement.status();
        }
        if (statement->total().fen() <= 0) {
          return absl::FailedPreconditionError(
              absl::StrCat("period: no surcharge is due from ", uscc, " for ", period.ToString()));
        }
        std::string json;
        if (!google::protobuf::util::MessageToJsonString(*statement, &json).ok()) {
          return absl::InternalError("surcharge notice: statement does not serialise");
        }
        pqxx::result r = tx.exec_params(
            absl::StrCat("INSERT INTO surcharge_notices (uscc, year, month, total_fen, statement, "
                         "issued_by, issued_at) VALUES ($1, $2, $3, $4, $5::jsonb, $6, now()) "
                         "RETURNING ",
                         kNoticeColumns),
            uscc, period.year, period.month, statement->total().fen(), json, actor);
        v1::SurchargeNotice notice = NoticeFromRow(r[0]);
        EnqueueNotice(tx, options_, uscc,
                      {.kind = ev::QUOTA_NOTICE_KIND_SURCHARGE_NOTICE,
                       .period = period,
                       .reference_id = notice.notice_id(),
                       .threshold = 0,
                       .used = 0,
                       .limit = 0,
                       .product = "",
                       .detail = "surcharge notice",
                       .amount_fen = statement->total().fen(),
                       .crossed_at_ms = 0});
        return notice;
      });
}

absl::StatusOr<std::vector<v1::SurchargeNotice>> SurchargeStore::ListSurchargeNotices(
    const std::string& uscc, int year) {
  using Out = std::vector<v1::SurchargeNotice>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("SELECT ", kNoticeColumns,
                          " FROM surcharge_notices WHERE ($1 = '' OR uscc = $1) AND ($2 = 0 OR "
                          "year = $2) ORDER BY notice_id LIMIT 1000"),
             uscc, year)) {
      out.push_back(NoticeFromRow(r));
    }
    return out;
  });
}

}  // namespace jieshui::quota
