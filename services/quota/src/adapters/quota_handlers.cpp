#include "adapters/quota_handlers.hpp"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "core/plan.hpp"
#include "domain/fixed_decimal.hpp"
#include "domain/industry_code.hpp"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "grpcserver/auth.hpp"
#include "grpcserver/status.hpp"

namespace jieshui::quota {
namespace {

using grpcserver::Authorize;
using grpcserver::Principal;
using grpcserver::PrincipalKind;

grpc::Status Fail(const absl::Status& status, grpc::ServerContext* ctx) {
  return grpcserver::ToGrpcStatus(status, ctx);
}

// Plans, quotas, prices and orders: the Water Affairs Bureau (plans, quotas, enforcement) and
// Development and Reform (pricing), per the action plan's division of work.
grpc::Status AuthorizeAuthority(grpc::ServerContext* ctx, Principal* principal) {
  return Authorize(ctx, {PrincipalKind::kWaterAffairs, PrincipalKind::kDevelopmentReform},
                   principal);
}

// What an enterprise files for itself (split, output), or the authority on its behalf.
grpc::Status AuthorizeFiler(grpc::ServerContext* ctx, Principal* principal) {
  return Authorize(
      ctx,
      {PrincipalKind::kWaterAffairs, PrincipalKind::kDevelopmentReform, PrincipalKind::kEnterprise},
      principal);
}

// Reading one enterprise's records: departments, partners, and the enterprise itself.
grpc::Status AuthorizeReader(grpc::ServerContext* ctx, Principal* principal) {
  return Authorize(
      ctx,
      {PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry, PrincipalKind::kDevelopmentReform,
       PrincipalKind::kStatistics, PrincipalKind::kPartner, PrincipalKind::kEnterprise},
      principal);
}

bool IsEnterprise(const Principal& p) { return p.kind == PrincipalKind::kEnterprise; }

std::string Actor(const Principal& p) {
  return absl::StrCat(std::string(grpcserver::PrincipalKindName(p.kind)), ":",
                      p.name.empty() ? p.uscc : p.name);
}

absl::Status CheckUscc(const common::v1::Uscc& uscc, const std::string& field = "uscc") {
  return domain::Uscc::Parse(uscc.value(), field).status();
}

absl::Status CheckYear(int year, const std::string& field = "year") {
  if (year < 2000 || year > 2100) {
    return grpcserver::InvalidArgument(field, absl::StrCat("must be 2000-2100, got ", year));
  }
  return absl::OkStatus();
}

absl::Status CheckUsccAndYear(const common::v1::Uscc& uscc, int year) {
  if (absl::Status s = CheckUscc(uscc); !s.ok()) {
    return s;
  }
  return CheckYear(year);
}

// The handler's answer: the value into `resp`, or the status (with its error detail).
template <typename T>
grpc::Status Reply(absl::StatusOr<T> value, T* resp, grpc::ServerContext* ctx) {
  if (!value.ok()) {
    return Fail(value.status(), ctx);
  }
  *resp = *std::move(value);
  return grpc::Status::OK;
}

absl::Status CheckVolume(const common::v1::Volume& v, const std::string& field) {
  if (v.litres() < 0) {
    return grpcserver::InvalidArgument(
        field, absl::StrCat("must not be negative, got ", v.litres(), " L"));
  }
  return absl::OkStatus();
}

absl::Status CheckReason(const std::string& reason) {
  if (reason.empty()) {
    return grpcserver::InvalidArgument("reason", "every plan change records why it was made");
  }
  return absl::OkStatus();
}

// The caller may act for `uscc`: departments for any, an enterprise only for itself.
grpc::Status CheckOwn(const Principal& p, const std::string& uscc, grpc::ServerContext* ctx,
                      const std::string& what) {
  if (!grpcserver::CanAccessEnterprise(p, uscc)) {
    return grpcserver::PermissionDenied(p, absl::StrCat(what, " of ", uscc));
  }
  (void)ctx;
  return grpc::Status::OK;
}

// Whose records a list shows: the USCC asked for (checked, and only its own for an enterprise),
// or, when none is asked for, every enterprise for departments and partners and its own for an
// enterprise. Fills `*uscc` ("" = every enterprise).
grpc::Status ListScope(const Principal& principal, const common::v1::Uscc& requested,
                       grpc::ServerContext* ctx, const std::string& what, std::string* uscc) {
  *uscc = requested.value();
  if (!uscc->empty()) {
    if (absl::Status s = CheckUscc(requested); !s.ok()) {
      return Fail(s, ctx);
    }
  } else if (IsEnterprise(principal)) {
    *uscc = principal.uscc;
  }
  if (!uscc->empty()) {
    return CheckOwn(principal, *uscc, ctx, what);
  }
  return grpc::Status::OK;
}

}  // namespace

void UsageToProto(const std::string& uscc, const PeriodKey& period, const UsageFigures& f,
                  v1::Usage* out) {
  out->mutable_uscc()->set_value(uscc);
  *out->mutable_period() = PeriodToProto(period);
  const std::pair<v1::WaterSource, Flow> sources[] = {
      {v1::WATER_SOURCE_MUNICIPAL_TAP, Flow::kMunicipalTap},
      {v1::WATER_SOURCE_SELF_SUPPLIED_SURFACE, Flow::kSelfSuppliedSurface},
      {v1::WATER_SOURCE_SELF_SUPPLIED_GROUND, Flow::kSelfSuppliedGround},
      {v1::WATER_SOURCE_RECLAIMED, Flow::kReclaimed}};
  for (const auto& [source, flow] : sources) {
    v1::SourceVolume* sv = out->add_intake();
    sv->set_source(source);
    sv->mutable_volume()->set_litres(f.totals[flow]);
  }
  out->mutable_new_water()->set_litres(f.totals.NewWater());
  out->mutable_recirculated()->set_litres(f.totals[Flow::kRecirculated]);
  out->mutable_reused()->set_litres(f.totals[Flow::kReused]);
  out->mutable_discharge()->set_litres(f.totals[Flow::kDischarge]);
  out->set_plan_known(f.has_plan);
  out->mutable_plan()->set_litres(f.plan);
  out->set_used_basis_points(f.has_plan ? UsedBasisPoints(f.totals.NewWater(), f.plan) : 0);
}

QuotaHandlers::QuotaHandlers(QuotaStore* store, UsageCache* cache, HandlerOptions options)
    : store_(store), cache_(cache), options_(std::move(options)) {}

grpc::Status QuotaHandlers::PlanChanged(absl::StatusOr<v1::AnnualPlan> plan, v1::AnnualPlan* resp,
                                        grpc::ServerContext* ctx) {
  if (plan.ok()) {
    RefreshPlanYear(plan->uscc().value(), plan->year());
  }
  return Reply(std::move(plan), resp, ctx);
}

void QuotaHandlers::RefreshPlanYear(const std::string& uscc, int year) {
  cache_->Invalidate(uscc, PeriodKey{year, 0});
  auto months = store_->MonthsWithUsage(uscc, year);
  if (months.ok()) {
    for (int m : *months) {
      cache_->Invalidate(uscc, PeriodKey{year, m});
    }
  }
}

grpc::Status QuotaHandlers::SetAnnualPlan(grpc::ServerContext* ctx,
                                          const v1::SetAnnualPlanRequest* req,
                                          v1::AnnualPlan* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
  if (s.ok()) {
    s = CheckVolume(req->total(), "total");
  }
  if (s.ok() && req->by_source_size() > 0) {
    std::set<int> seen;
    int64_t sum = 0;
    for (int i = 0; i < req->by_source_size() && s.ok(); ++i) {
      const v1::SourceVolume& sv = req->by_source(i);
      const std::string field = absl::StrCat("by_source[", i, "]");
      if (sv.source() < v1::WATER_SOURCE_MUNICIPAL_TAP ||
          sv.source() > v1::WATER_SOURCE_RECLAIMED) {
        s = grpcserver::InvalidArgument(field + ".source", "a water source is required");
      } else if (!seen.insert(sv.source()).second) {
        s = grpcserver::InvalidArgument(field + ".source", "named twice");
      } else {
        s = CheckVolume(sv.volume(), field + ".volume");
        sum += sv.volume().litres();
      }
    }
    if (s.ok() && sum != req->total().litres()) {
      s = grpcserver::InvalidArgument(
          "by_source", absl::StrCat("the sources add up to ", sum, " L, the total is ",
                                    req->total().litres(), " L"));
    }
  }
  if (s.ok()) {
    s = CheckReason(req->reason());
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  return PlanChanged(store_->SetPlan(*req, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::FileMonthlySplit(grpc::ServerContext* ctx,
                                             const v1::FileMonthlySplitRequest* req,
                                             v1::AnnualPlan* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeFiler(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  if (grpc::Status g = CheckOwn(principal, req->uscc().value(), ctx, "file the monthly split");
      !g.ok()) {
    return g;
  }
  return PlanChanged(store_->FileSplit(*req, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::AdjustPlan(grpc::ServerContext* ctx, const v1::AdjustPlanRequest* req,
                                       v1::AnnualPlan* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
  if (s.ok()) {
    s = CheckVolume(req->new_total(), "new_total");
  }
  if (s.ok()) {
    s = CheckReason(req->reason());
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  return PlanChanged(store_->AdjustPlan(*req, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::CutPlan(grpc::ServerContext* ctx, const v1::CutPlanRequest* req,
                                    v1::AnnualPlan* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
  if (s.ok() && req->cut().litres() <= 0) {
    s = grpcserver::InvalidArgument(
        "cut", absl::StrCat("must be above 0, got ", req->cut().litres(), " L"));
  }
  if (s.ok()) {
    s = CheckReason(req->reason());
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  return PlanChanged(store_->CutPlan(*req, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::GetPlan(grpc::ServerContext* ctx, const v1::GetPlanRequest* req,
                                    v1::AnnualPlan* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  if (grpc::Status g = CheckOwn(principal, req->uscc().value(), ctx, "read the plan"); !g.ok()) {
    return g;
  }
  return Reply(store_->GetPlan(req->uscc().value(), req->year()), resp, ctx);
}

grpc::Status QuotaHandlers::SetProductQuota(grpc::ServerContext* ctx,
                                            const v1::SetProductQuotaRequest* req,
                                            v1::ProductQuota* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  const v1::ProductQuota& q = req->quota();
  absl::Status s = CheckYear(q.year(), "quota.year");
  v1::ProductQuota normalised = q;
  if (s.ok()) {
    auto code = domain::IndustryCode::Parse(q.industry_code().value(), "quota.industry_code");
    if (code.ok()) {
      normalised.mutable_industry_code()->set_value(code->value());
    } else {
      s = code.status();
    }
  }
  if (s.ok() && q.product().empty()) {
    s = grpcserver::InvalidArgument("quota.product", "the product is required");
  }
  if (s.ok() && q.unit().empty()) {
    s = grpcserver::InvalidArgument("quota.unit", "the unit of output is required");
  }
  ProductQuotaValues values;
  if (s.ok()) {
    auto general = domain::internal::ParseFixedDecimal(q.general_litres_per_unit(), 3,
                                                       "quota.general_litres_per_unit", "L");
    auto advanced = domain::internal::ParseFixedDecimal(q.advanced_litres_per_unit(), 3,
                                                        "quota.advanced_litres_per_unit", "L");
    if (!general.ok()) {
      s = general.status();
    } else if (!advanced.ok()) {
      s = advanced.status();
    } else {
      values = {.general_ml_per_unit = *general, .advanced_ml_per_unit = *advanced};
      s = ValidateQuotaValues(values);
    }
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  return Reply(store_->SetProductQuota(normalised, values, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::ListProductQuotas(grpc::ServerContext* ctx,
                                              const v1::ListProductQuotasRequest* req,
                                              v1::ListProductQuotasResponse* resp) {
  if (grpc::Status s = AuthorizeReader(ctx, nullptr); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckYear(req->year()); !s.ok()) {
    return Fail(s, ctx);
  }
  std::string code;
  if (!req->industry_code().value().empty()) {
    auto parsed = domain::IndustryCode::Parse(req->industry_code().value());
    if (!parsed.ok()) {
      return Fail(parsed.status(), ctx);
    }
    code = parsed->value();
  }
  auto quotas = store_->ListProductQuotas(req->year(), code);
  if (!quotas.ok()) {
    return Fail(quotas.status(), ctx);
  }
  for (v1::ProductQuota& q : *quotas) {
    *resp->add_quotas() = std::move(q);
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::ReportProduction(grpc::ServerContext* ctx,
                                             const v1::ReportProductionRequest* req,
                                             v1::ProductionReport* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeFiler(ctx, &principal); !s.ok()) {
    return s;
  }
  const v1::ProductionReport& r = req->report();
  absl::Status s = CheckUscc(r.uscc(), "report.uscc");
  if (s.ok() && (!domain::YearMonth::Create(r.month().year(), r.month().month()).ok() ||
                 r.month().year() < 2000 || r.month().year() > 2100)) {
    s = grpcserver::InvalidArgument("report.month", "a month of 2000-2100 is required");
  }
  if (s.ok() && r.product().empty()) {
    s = grpcserver::InvalidArgument("report.product", "the product is required");
  }
  int64_t output_milli = 0;
  if (s.ok()) {
    auto output = domain::internal::ParseFixedDecimal(r.output(), 3, "report.output", "units");
    if (!output.ok()) {
      s = output.status();
    } else if (*output < 0) {
      s = grpcserver::InvalidArgument("report.output", "must not be negative");
    } else {
      output_milli = *output;
    }
  }
  if (s.ok() && r.production_intake_set()) {
    s = CheckVolume(r.production_intake(), "report.production_intake");
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  if (grpc::Status g = CheckOwn(principal, r.uscc().value(), ctx, "report production"); !g.ok()) {
    return g;
  }
  return Reply(store_->ReportProduction(r, output_milli, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::CheckProductQuotas(grpc::ServerContext* ctx,
                                               const v1::CheckProductQuotasRequest* req,
                                               v1::CheckProductQuotasResponse* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUscc(req->uscc());
  if (s.ok() && (!domain::YearMonth::Create(req->month().year(), req->month().month()).ok() ||
                 req->month().year() < 2000 || req->month().year() > 2100)) {
    s = grpcserver::InvalidArgument("month", "a month of 2000-2100 is required");
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  if (grpc::Status g = CheckOwn(principal, req->uscc().value(), ctx, "read quota checks");
      !g.ok()) {
    return g;
  }
  auto checks =
      store_->CheckProductQuotas(req->uscc().value(), req->month().year(), req->month().month());
  if (!checks.ok()) {
    return Fail(checks.status(), ctx);
  }
  for (v1::QuotaCheck& c : *checks) {
    *resp->add_checks() = std::move(c);
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::GetUsage(grpc::ServerContext* ctx, const v1::GetUsageRequest* req,
                                     v1::Usage* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckUscc(req->uscc()); !s.ok()) {
    return Fail(s, ctx);
  }
  const std::string& uscc = req->uscc().value();
  if (req->has_day()) {
    auto day = domain::Date::Create(req->day().year(), req->day().month(), req->day().day());
    if (!day.ok() || day->year() < 2000 || day->year() > 2100) {
      return Fail(grpcserver::InvalidArgument("day", "a date of 2000-2100 is required"), ctx);
    }
    if (grpc::Status g = CheckOwn(principal, uscc, ctx, "read usage"); !g.ok()) {
      return g;
    }
    auto totals = store_->LoadDailyUsage(uscc, day->ToString());
    if (!totals.ok()) {
      return Fail(totals.status(), ctx);
    }
    UsageToProto(uscc, PeriodKey{day->year(), day->month()}, UsageFigures{.totals = *totals}, resp);
    *resp->mutable_day() = req->day();
    resp->set_served_from("database");
    return grpc::Status::OK;
  }
  absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
  if (!period.ok()) {
    return Fail(period.status(), ctx);
  }
  if (grpc::Status g = CheckOwn(principal, uscc, ctx, "read usage"); !g.ok()) {
    return g;
  }
  auto cached = cache_->Get(uscc, *period);
  if (cached.ok() && cached->has_value()) {
    UsageToProto(uscc, *period, **cached, resp);
    resp->set_served_from("cache");
    return grpc::Status::OK;
  }
  auto figures = store_->LoadUsage(uscc, *period);
  if (!figures.ok()) {
    return Fail(figures.status(), ctx);
  }
  UsageToProto(uscc, *period, *figures, resp);
  resp->set_served_from("database");
  if (cached.ok()) {
    cache_->Invalidate(uscc, *period);  // a miss: have the writer fill it
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::ListAlerts(grpc::ServerContext* ctx, const v1::ListAlertsRequest* req,
                                       v1::ListAlertsResponse* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  std::string uscc;
  if (grpc::Status g = ListScope(principal, req->uscc(), ctx, "list alerts", &uscc); !g.ok()) {
    return g;
  }
  int year = 0;
  int month = 0;
  bool any_month = true;
  if (req->has_period()) {
    auto period = PeriodFromProto(req->period(), "period");
    if (!period.ok()) {
      return Fail(period.status(), ctx);
    }
    year = period->year;
    month = period->month;
    any_month = period->month == 0;  // a year also matches its months
  }
  int page_size =
      req->page().page_size() == 0 ? options_.alert_page_size_default : req->page().page_size();
  if (page_size < 0 || page_size > options_.alert_page_size_max) {
    return Fail(grpcserver::InvalidArgument(
                    "page.page_size", absl::StrCat("must be 0-", options_.alert_page_size_max)),
                ctx);
  }
  int64_t after = 0;
  if (!req->page().page_token().empty() &&
      (!absl::SimpleAtoi(req->page().page_token(), &after) || after < 0)) {
    return Fail(grpcserver::InvalidArgument("page.page_token", "not a token this service gave"),
                ctx);
  }
  auto alerts =
      store_->ListAlerts(uscc, year, month, any_month, req->status(), after, page_size + 1);
  if (!alerts.ok()) {
    return Fail(alerts.status(), ctx);
  }
  for (size_t i = 0; i < alerts->size() && static_cast<int>(i) < page_size; ++i) {
    *resp->add_alerts() = (*alerts)[i];
  }
  if (static_cast<int>(alerts->size()) > page_size && page_size > 0) {
    resp->mutable_page()->set_next_page_token(resp->alerts(page_size - 1).alert_id());
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::AcknowledgeAlert(grpc::ServerContext* ctx,
                                             const v1::AcknowledgeAlertRequest* req,
                                             v1::Alert* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeFiler(ctx, &principal); !s.ok()) {
    return s;
  }
  int64_t id = 0;
  if (!absl::SimpleAtoi(req->alert_id(), &id) || id <= 0) {
    return Fail(grpcserver::InvalidArgument("alert_id", "not an alert id"), ctx);
  }
  return Reply(store_->AcknowledgeAlert(id, Actor(principal), req->note(),
                                        IsEnterprise(principal) ? principal.uscc : ""),
               resp, ctx);
}

grpc::Status QuotaHandlers::SetSurchargeSchedule(grpc::ServerContext* ctx,
                                                 const v1::SetSurchargeScheduleRequest* req,
                                                 v1::SurchargeSchedule* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  const v1::SurchargeSchedule& in = req->schedule();
  if (absl::Status s = CheckYear(in.year(), "schedule.year"); !s.ok()) {
    return Fail(s, ctx);
  }
  std::vector<SurchargeBandText> texts;
  for (const v1::SurchargeBand& b : in.bands()) {
    texts.push_back({b.from_percent(), b.to_percent(), b.multiplier()});
  }
  auto bands = ParseBands(texts, "schedule.bands");
  if (!bands.ok()) {
    return Fail(bands.status(), ctx);
  }
  Schedule schedule{.year = in.year(), .bands = *bands, .prices = {}, .is_default = false};
  for (int i = 0; i < in.base_prices_size(); ++i) {
    const v1::BasePrice& p = in.base_prices(i);
    const std::string field = absl::StrCat("schedule.base_prices[", i, "]");
    if (p.source() < v1::WATER_SOURCE_MUNICIPAL_TAP || p.source() > v1::WATER_SOURCE_RECLAIMED) {
      return Fail(grpcserver::InvalidArgument(field + ".source", "a water source is required"),
                  ctx);
    }
    if (p.price_per_cubic_metre().fen() < 0) {
      return Fail(
          grpcserver::InvalidArgument(field + ".price_per_cubic_metre", "must not be negative"),
          ctx);
    }
    if (!schedule.prices.emplace(p.source(), domain::Money::Fen(p.price_per_cubic_metre().fen()))
             .second) {
      return Fail(grpcserver::InvalidArgument(field + ".source", "named twice"), ctx);
    }
  }
  if (!schedule.prices.contains(v1::WATER_SOURCE_MUNICIPAL_TAP)) {
    return Fail(grpcserver::InvalidArgument("schedule.base_prices",
                                            "the municipal tap water price is required"),
                ctx);
  }
  if (absl::Status s = store_->SetSchedule(schedule); !s.ok()) {
    return Fail(s, ctx);
  }
  *resp = in;
  resp->set_is_default(false);
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::GetSurchargeSchedule(grpc::ServerContext* ctx,
                                                 const v1::GetSurchargeScheduleRequest* req,
                                                 v1::SurchargeSchedule* resp) {
  if (grpc::Status s = AuthorizeReader(ctx, nullptr); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckYear(req->year()); !s.ok()) {
    return Fail(s, ctx);
  }
  auto schedule = store_->GetSchedule(req->year());
  if (!schedule.ok()) {
    return Fail(schedule.status(), ctx);
  }
  resp->set_year(req->year());
  resp->set_is_default(schedule->is_default);
  for (const SurchargeBand& b : schedule->bands) {
    v1::SurchargeBand* out = resp->add_bands();
    out->set_from_percent(PercentText(b.from_bp));
    if (b.to_bp.has_value()) {
      out->set_to_percent(PercentText(*b.to_bp));
    }
    out->set_multiplier(b.multiplier.ToString());
  }
  for (const auto& [source, price] : schedule->prices) {
    v1::BasePrice* p = resp->add_base_prices();
    p->set_source(static_cast<v1::WaterSource>(source));
    p->mutable_price_per_cubic_metre()->set_fen(price.fen());
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::ComputeSurcharge(grpc::ServerContext* ctx,
                                             const v1::ComputeSurchargeRequest* req,
                                             v1::SurchargeStatement* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUscc(req->uscc());
  absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
  if (s.ok()) {
    s = period.status();
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  if (grpc::Status g = CheckOwn(principal, req->uscc().value(), ctx, "read surcharges"); !g.ok()) {
    return g;
  }
  return Reply(store_->ComputeSurcharge(req->uscc().value(), *period), resp, ctx);
}

grpc::Status QuotaHandlers::IssueSurchargeNotice(grpc::ServerContext* ctx,
                                                 const v1::IssueSurchargeNoticeRequest* req,
                                                 v1::SurchargeNotice* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUscc(req->uscc());
  absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
  if (s.ok()) {
    s = period.status();
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  // A notice bills a period that is over: its usage can no longer grow (back-fill aside).
  const absl::Time end =
      period->month == 0 ? domain::EndOfYear(period->year)
                         : domain::EndOf(*domain::YearMonth::Create(period->year, period->month));
  if (options_.now() < end) {
    return Fail(
        absl::FailedPreconditionError(absl::StrCat(
            "period: ", period->ToString(), " has not ended; a notice bills a whole period")),
        ctx);
  }
  return Reply(store_->IssueSurchargeNotice(req->uscc().value(), *period, Actor(principal)), resp,
               ctx);
}

grpc::Status QuotaHandlers::ListSurchargeNotices(grpc::ServerContext* ctx,
                                                 const v1::ListSurchargeNoticesRequest* req,
                                                 v1::ListSurchargeNoticesResponse* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  std::string uscc;
  if (grpc::Status g = ListScope(principal, req->uscc(), ctx, "list surcharge notices", &uscc);
      !g.ok()) {
    return g;
  }
  if (req->year() != 0) {
    if (absl::Status s = CheckYear(req->year()); !s.ok()) {
      return Fail(s, ctx);
    }
  }
  auto notices = store_->ListSurchargeNotices(uscc, req->year());
  if (!notices.ok()) {
    return Fail(notices.status(), ctx);
  }
  for (v1::SurchargeNotice& n : *notices) {
    *resp->add_notices() = std::move(n);
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::IssueRectificationOrder(grpc::ServerContext* ctx,
                                                    const v1::IssueRectificationOrderRequest* req,
                                                    v1::RectificationOrder* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  absl::Status s = CheckUscc(req->uscc());
  absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
  if (s.ok()) {
    s = period.status();
  }
  if (s.ok() && req->reason().empty()) {
    s = grpcserver::InvalidArgument("reason", "an order states what must be rectified");
  }
  if (s.ok()) {
    auto deadline = domain::Date::Create(req->deadline().year(), req->deadline().month(),
                                         req->deadline().day());
    if (!deadline.ok()) {
      s = grpcserver::InvalidArgument("deadline", "a valid date is required");
    } else if (*deadline <= domain::DateOf(options_.now())) {
      s = grpcserver::InvalidArgument("deadline",
                                      absl::StrCat(deadline->ToString(), " is not after today (",
                                                   domain::DateOf(options_.now()).ToString(), ")"));
    }
  }
  if (!s.ok()) {
    return Fail(s, ctx);
  }
  return Reply(store_->IssueOrder(*req, *period, Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::CloseRectificationOrder(grpc::ServerContext* ctx,
                                                    const v1::CloseRectificationOrderRequest* req,
                                                    v1::RectificationOrder* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  int64_t id = 0;
  if (!absl::SimpleAtoi(req->order_id(), &id) || id <= 0) {
    return Fail(grpcserver::InvalidArgument("order_id", "not an order id"), ctx);
  }
  if (req->resolution().empty()) {
    return Fail(grpcserver::InvalidArgument("resolution", "say how the order was resolved"), ctx);
  }
  return Reply(store_->CloseOrder(id, req->resolution(), Actor(principal)), resp, ctx);
}

grpc::Status QuotaHandlers::ListRectificationOrders(grpc::ServerContext* ctx,
                                                    const v1::ListRectificationOrdersRequest* req,
                                                    v1::ListRectificationOrdersResponse* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeReader(ctx, &principal); !s.ok()) {
    return s;
  }
  std::string uscc;
  if (grpc::Status g = ListScope(principal, req->uscc(), ctx, "list orders", &uscc); !g.ok()) {
    return g;
  }
  auto orders = store_->ListOrders(uscc, req->status());
  if (!orders.ok()) {
    return Fail(orders.status(), ctx);
  }
  for (v1::RectificationOrder& o : *orders) {
    *resp->add_orders() = std::move(o);
  }
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::ClosePlanYear(grpc::ServerContext* ctx,
                                          const v1::ClosePlanYearRequest* req,
                                          v1::ClosePlanYearResponse* resp) {
  Principal principal;
  if (grpc::Status s = AuthorizeAuthority(ctx, &principal); !s.ok()) {
    return s;
  }
  if (absl::Status s = CheckYear(req->year()); !s.ok()) {
    return Fail(s, ctx);
  }
  auto closed_at = store_->ClosePlanYear(req->year(), Actor(principal));
  if (!closed_at.ok()) {
    return Fail(closed_at.status(), ctx);
  }
  resp->set_year(req->year());
  resp->set_closed_at_unix_ms(*closed_at);
  return grpc::Status::OK;
}

grpc::Status QuotaHandlers::ListOverPlan(grpc::ServerContext* ctx,
                                         const v1::ListOverPlanRequest* req,
                                         v1::ListOverPlanResponse* resp) {
  // District-wide: departments and partners, not a single enterprise.
  if (grpc::Status s = Authorize(
          ctx,
          {PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry,
           PrincipalKind::kDevelopmentReform, PrincipalKind::kStatistics, PrincipalKind::kPartner},
          nullptr);
      !s.ok()) {
    return s;
  }
  auto period = PeriodFromProto(req->period(), "period");
  if (!period.ok()) {
    return Fail(period.status(), ctx);
  }
  if (req->limit() < 0 || req->limit() > 10000) {
    return Fail(grpcserver::InvalidArgument("limit", "must be 0-10000"), ctx);
  }
  auto entries = store_->ListOverPlan(*period, req->limit() == 0 ? 100 : req->limit());
  if (!entries.ok()) {
    return Fail(entries.status(), ctx);
  }
  for (v1::OverPlanEntry& e : *entries) {
    *resp->add_entries() = std::move(e);
  }
  return grpc::Status::OK;
}

}  // namespace jieshui::quota
