#include "quota/src/adapters/production_store.hpp"

#include <optional>
#include <utility>

namespace jieshui::quota {

ProductionStore::ProductionStore(db::ConnectionPool* pool, AlertStore* alerts)
    : pool_(pool), alerts_(alerts) {}

absl::StatusOr<v1::ProductQuota> ProductionStore::SetProductQuota(const v1::ProductQuota& quota,
                                                                  const ProductQuotaValues& values,
                                                                  const std::string& actor) {
  return Transact<v1::ProductQuota>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ProductQuota> {
    tx.exec_params(
        "INSERT INTO product_quotas (year, industry_code, product, unit, general_ml, advanced_ml, "
        "source_standard, updated_by, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, now()) "
        "ON CONFLICT (year, industry_code, product) DO UPDATE SET unit = EXCLUDED.unit, "
        "general_ml = EXCLUDED.general_ml, advanced_ml = EXCLUDED.advanced_ml, source_standard = "
        "EXCLUDED.source_standard, updated_by = EXCLUDED.updated_by, updated_at = now()",
        quota.year(), quota.industry_code().value(), quota.product(), quota.unit(),
        values.general_ml_per_unit, values.advanced_ml_per_unit, quota.source_standard(), actor);
    v1::ProductQuota out = quota;
    out.set_general_litres_per_unit(MilliText(values.general_ml_per_unit));
    out.set_advanced_litres_per_unit(MilliText(values.advanced_ml_per_unit));
    return out;
  });
}

absl::StatusOr<std::vector<v1::ProductQuota>> ProductionStore::ListProductQuotas(
    int year, const std::string& industry_code) {
  using Out = std::vector<v1::ProductQuota>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    Out out;
    for (const pqxx::row& r : tx.exec_params(
             "SELECT industry_code, product, unit, general_ml, advanced_ml, source_standard FROM "
             "product_quotas WHERE year = $1 AND ($2 = '' OR industry_code = $2) ORDER BY "
             "industry_code, product",
             year, industry_code)) {
      v1::ProductQuota q;
      q.set_year(year);
      q.mutable_industry_code()->set_value(r[0].as<std::string>());
      q.set_product(r[1].as<std::string>());
      q.set_unit(r[2].as<std::string>());
      q.set_general_litres_per_unit(MilliText(r[3].as<int64_t>()));
      q.set_advanced_litres_per_unit(MilliText(r[4].as<int64_t>()));
      q.set_source_standard(r[5].as<std::string>());
      out.push_back(std::move(q));
    }
    return out;
  });
}

absl::StatusOr<v1::ProductionReport> ProductionStore::ReportProduction(
    const v1::ProductionReport& report, int64_t output_milli, const std::string& actor) {
  return Transact<v1::ProductionReport>(
      pool_, [&](pqxx::work& tx) -> absl::StatusOr<v1::ProductionReport> {
        const std::string& uscc = report.uscc().value();
        const int year = report.month().year();
        const int month = report.month().month();
        if (absl::Status s = RequireChangeable(tx, uscc, year); !s.ok()) {
          return s;
        }
        pqxx::result r = tx.exec_params(
            "INSERT INTO production_reports (uscc, year, month, product, output_milli, "
            "production_intake, reported_by, reported_at) VALUES ($1, $2, $3, $4, $5, $6, $7, "
            "now()) ON CONFLICT (uscc, year, month, product) DO UPDATE SET output_milli = "
            "EXCLUDED.output_milli, production_intake = EXCLUDED.production_intake, reported_by = "
            "EXCLUDED.reported_by, reported_at = now() RETURNING (extract(epoch from "
            "reported_at) * 1000)::bigint",
            uscc, year, month, report.product(), output_milli,
            report.production_intake_set()
                ? std::optional<int64_t>(report.production_intake().litres())
                : std::nullopt,
            actor);
        alerts_->RaiseDue(tx, uscc, year, {month});
        v1::ProductionReport out = report;
        out.set_output(MilliText(output_milli));
        out.set_reported_by(actor);
        out.set_reported_at_unix_ms(r[0][0].as<int64_t>());
        return out;
      });
}

absl::StatusOr<std::vector<v1::QuotaCheck>> ProductionStore::CheckProductQuotas(
    const std::string& uscc, int year, int month) {
  using Out = std::vector<v1::QuotaCheck>;
  return Transact<Out>(pool_, [&](pqxx::work& tx) -> absl::StatusOr<Out> {
    return QuotaChecks(tx, uscc, year, month);
  });
}

}  // namespace jieshui::quota
