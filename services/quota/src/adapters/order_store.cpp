#include "quota/src/adapters/order_store.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "jieshui/events/v1/quota_events.pb.h"

namespace jieshui::quota {
namespace {

namespace v1 = ::jieshui::quota::v1;
namespace ev = ::jieshui::events::v1;

constexpr int kOrderOpen = v1::ORDER_STATUS_OPEN;
constexpr int kOrderClosed = v1::ORDER_STATUS_CLOSED;

v1::RectificationOrder OrderFromRow(const pqxx::row& r) {
  v1::RectificationOrder o;
  o.set_order_id(r["order_id"].as<std::string>());
  o.mutable_uscc()->set_value(r["uscc"].as<std::string>());
  *o.mutable_period() =
      PeriodToProto(PeriodKey{.year = r["year"].as<int>(), .month = r["month"].as<int>()});
  o.set_reason(r["reason"].as<std::string>());
  o.mutable_deadline()->set_year(r["dy"].as<int>());
  o.mutable_deadline()->set_month(r["dm"].as<int>());
  o.mutable_deadline()->set_day(r["dd"].as<int>());
  o.set_status(static_cast<v1::OrderStatus>(r["status"].as<int>()));
  o.set_issued_by(r["issued_by"].as<std::string>());
  o.set_issued_at_unix_ms(r["issued_at_ms"].as<int64_t>());
  o.set_resolution(r["resolution"].as<std::string>());
  o.set_closed_by(r["closed_by"].as<std::string>());
  if (!r["closed_at_ms"].is_null()) {
    o.set_closed_at_unix_ms(r["closed_at_ms"].as<int64_t>());
  }
  return o;
}

constexpr char kOrderColumns[] =
    "order_id, uscc, year, month, reason, extract(year from deadline)::int AS dy, "
    "extract(month from deadline)::int AS dm, extract(day from deadline)::int AS dd, status, "
    "issued_by, (extract(epoch from issued_at) * 1000)::bigint AS issued_at_ms, resolution, "
    "closed_by, (extract(epoch from closed_at) * 1000)::bigint AS closed_at_ms";

}  // namespace

OrderStore::OrderStore(db::ConnectionPool* pool, StoreOptions options)
    : pool_(pool), options_(std::move(options)) {}

absl::StatusOr<v1::RectificationOrder> OrderStore::IssueOrder(
    const v1::IssueRectificationOrderRequest& req, const PeriodKey& period,
    const std::string& actor) {
  return Transact<v1::RectificationOrder>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::RectificationOrder> {
        const std::string& uscc = req.uscc().value();
        if (absl::Status s = RequireChangeable(tx, uscc, period.year); !s.ok()) {
          return s;
        }
        const auto& d = req.deadline();
        pqxx::result r = tx.exec_params(
            absl::StrCat("INSERT INTO rectification_orders (uscc, year, month, reason, deadline, "
                         "status, issued_by, issued_at) VALUES ($1, $2, $3, $4, make_date($5, $6, "
                         "$7), $8, $9, now()) RETURNING ",
                         kOrderColumns),
            uscc, period.year, period.month, req.reason(), d.year(), d.month(), d.day(), kOrderOpen,
            actor);
        v1::RectificationOrder order = OrderFromRow(r[0]);
        EnqueueNotice(tx, options_, uscc,
                      {.kind = ev::QUOTA_NOTICE_KIND_ORDER_ISSUED,
                       .period = period,
                       .reference_id = order.order_id(),
                       .threshold = 0,
                       .used = 0,
                       .limit = 0,
                       .product = "",
                       .detail = absl::StrCat(req.reason(), " (deadline ", d.year(), "-", d.month(),
                                              "-", d.day(), ")"),
                       .amount_fen = 0,
                       .crossed_at_ms = 0});
        return order;
      });
}

absl::StatusOr<v1::RectificationOrder> OrderStore::CloseOrder(int64_t order_id,
                                                              const std::string& resolution,
                                                              const std::string& actor) {
  return Transact<v1::RectificationOrder>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::RectificationOrder> {
        pqxx::result r = tx.exec_params(
            "SELECT status, uscc, year, month FROM rectification_orders WHERE order_id = $1 FOR "
            "UPDATE",
            order_id);
        if (r.empty()) {
          return absl::NotFoundError(absl::StrCat("order_id: no rectification order ", order_id));
        }
        if (r[0][0].as<int>() == kOrderClosed) {
          return absl::FailedPreconditionError(
              absl::StrCat("order_id: order ", order_id, " is already closed"));
        }
        pqxx::result u = tx.exec_params(
            absl::StrCat("UPDATE rectification_orders SET status = $2, resolution = $3, "
                         "closed_by = $4, closed_at = now() WHERE order_id = $1 RETURNING ",
                         kOrderColumns),
            order_id, kOrderClosed, resolution, actor);
        v1::RectificationOrder order = OrderFromRow(u[0]);
        EnqueueNotice(tx, options_, order.uscc().value(),
                      {.kind = ev::QUOTA_NOTICE_KIND_ORDER_CLOSED,
                       .period = PeriodKey{r[0][2].as<int>(), r[0][3].as<int>()},
                       .reference_id = order.order_id(),
                       .threshold = 0,
                       .used = 0,
                       .limit = 0,
                       .product = "",
                       .detail = resolution,
                       .amount_fen = 0,
                       .crossed_at_ms = 0});
        return order;
      });
}

absl::StatusOr<std::vector<v1::RectificationOrder>> OrderStore::ListOrders(const std::string& uscc,
                                                                           int status) {
  using Out = std::vector<v1::RectificationOrder>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             absl::StrCat("SELECT ", kOrderColumns,
                          " FROM rectification_orders WHERE ($1 = '' OR uscc = $1) AND ($2 = 0 "
                          "OR status = $2) ORDER BY order_id LIMIT 1000"),
             uscc, status)) {
      out.push_back(OrderFromRow(r));
    }
    return out;
  });
}

}  // namespace jieshui::quota
