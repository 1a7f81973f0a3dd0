#include "quota/src/adapters/quota_handlers.hpp"

#include <set>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/fixed_decimal.hpp"
#include "domain/industry_catalogue.hpp"
#include "domain/industry_code.hpp"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "grpcserver/auth.hpp"
#include "grpcserver/handler.hpp"
#include "grpcserver/requests.hpp"
#include "grpcserver/status.hpp"
#include "paging/page_token.hpp"
#include "quota/src/core/plan.hpp"

namespace jieshui::quota {
namespace {

using grpcserver::ActFor;
using grpcserver::CheckUscc;
using grpcserver::CheckYear;
using grpcserver::Handle;
using grpcserver::ListScope;
using grpcserver::ParseId;
using grpcserver::Principal;
using grpcserver::PrincipalKind;
using grpcserver::PrincipalSet;
using grpcserver::principals::kDistrictReaders;
using grpcserver::principals::kReaders;

// Plans, quotas, prices and orders: the Water Affairs Bureau (plans, quotas, enforcement) and
// Development and Reform (pricing), per the action plan's division of work.
constexpr PrincipalSet kPlanAuthorities = {PrincipalKind::kWaterAffairs,
                                           PrincipalKind::kDevelopmentReform};
// What an enterprise files for itself (its monthly split, its output, acknowledging its alerts),
// or the plan authorities on its behalf (action plan: enterprises report their own data).
constexpr PrincipalSet kSelfServiceFilers =
    kPlanAuthorities | PrincipalSet{PrincipalKind::kEnterprise};

bool IsEnterprise(const Principal& p) { return p.kind == PrincipalKind::kEnterprise; }

absl::Status CheckUsccAndYear(const common::v1::Uscc& uscc, int year) {
  if (absl::Status s = CheckUscc(uscc); !s.ok()) {
    return s;
  }
  return CheckYear(year);
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

absl::Status CheckMonth(const common::v1::YearMonth& month, const std::string& field) {
  if (!domain::YearMonth::Create(month.year(), month.month()).ok() || month.year() < 2000 ||
      month.year() > 2100) {
    return grpcserver::InvalidArgument(field, "a month of 2000-2100 is required");
  }
  return absl::OkStatus();
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

QuotaHandlers::QuotaHandlers(QuotaStores stores, UsageCache* cache, HandlerOptions options)
    : stores_(stores), cache_(cache), options_(std::move(options)) {}

absl::StatusOr<v1::AnnualPlan> QuotaHandlers::PlanChanged(absl::StatusOr<v1::AnnualPlan> plan) {
  if (plan.ok()) {
    RefreshPlanYear(plan->uscc().value(), plan->year());
  }
  return plan;
}

void QuotaHandlers::RefreshPlanYear(const std::string& uscc, int year) {
  cache_->Invalidate(uscc, PeriodKey{year, 0});
  auto months = stores_.usage->MonthsWithUsage(uscc, year);
  if (months.ok()) {
    for (int m : *months) {
      cache_->Invalidate(uscc, PeriodKey{year, m});
    }
  }
}

grpc::Status QuotaHandlers::SetAnnualPlan(grpc::ServerContext* ctx,
                                          const v1::SetAnnualPlanRequest* req,
                                          v1::AnnualPlan* resp) {
  return Handle(
      ctx, kPlanAuthorities, resp, [&](const Principal& p) -> absl::StatusOr<v1::AnnualPlan> {
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
          return s;
        }
        return PlanChanged(stores_.plans->SetPlan(*req, grpcserver::ActorLabel(p)));
      });
}

grpc::Status QuotaHandlers::FileMonthlySplit(grpc::ServerContext* ctx,
                                             const v1::FileMonthlySplitRequest* req,
                                             v1::AnnualPlan* resp) {
  return Handle(ctx, kSelfServiceFilers, resp,
                [&](const Principal& p) -> absl::StatusOr<v1::AnnualPlan> {
                  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
                  if (s.ok()) {
                    s = ActFor(p, req->uscc().value(), "file the monthly split");
                  }
                  if (!s.ok()) {
                    return s;
                  }
                  return PlanChanged(stores_.plans->FileSplit(*req, grpcserver::ActorLabel(p)));
                });
}

grpc::Status QuotaHandlers::AdjustPlan(grpc::ServerContext* ctx, const v1::AdjustPlanRequest* req,
                                       v1::AnnualPlan* resp) {
  return Handle(ctx, kPlanAuthorities, resp,
                [&](const Principal& p) -> absl::StatusOr<v1::AnnualPlan> {
                  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
                  if (s.ok()) {
                    s = CheckVolume(req->new_total(), "new_total");
                  }
                  if (s.ok()) {
                    s = CheckReason(req->reason());
                  }
                  if (!s.ok()) {
                    return s;
                  }
                  return PlanChanged(stores_.plans->AdjustPlan(*req, grpcserver::ActorLabel(p)));
                });
}

grpc::Status QuotaHandlers::CutPlan(grpc::ServerContext* ctx, const v1::CutPlanRequest* req,
                                    v1::AnnualPlan* resp) {
  return Handle(ctx, kPlanAuthorities, resp,
                [&](const Principal& p) -> absl::StatusOr<v1::AnnualPlan> {
                  absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
                  if (s.ok() && req->cut().litres() <= 0) {
                    s = grpcserver::InvalidArgument(
                        "cut", absl::StrCat("must be above 0, got ", req->cut().litres(), " L"));
                  }
                  if (s.ok()) {
                    s = CheckReason(req->reason());
                  }
                  if (!s.ok()) {
                    return s;
                  }
                  return PlanChanged(stores_.plans->CutPlan(*req, grpcserver::ActorLabel(p)));
                });
}

grpc::Status QuotaHandlers::GetPlan(grpc::ServerContext* ctx, const v1::GetPlanRequest* req,
                                    v1::AnnualPlan* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::StatusOr<v1::AnnualPlan> {
    absl::Status s = CheckUsccAndYear(req->uscc(), req->year());
    if (s.ok()) {
      s = ActFor(p, req->uscc().value(), "read the plan");
    }
    if (!s.ok()) {
      return s;
    }
    return stores_.plans->GetPlan(req->uscc().value(), req->year());
  });
}

grpc::Status QuotaHandlers::SetProductQuota(grpc::ServerContext* ctx,
                                            const v1::SetProductQuotaRequest* req,
                                            v1::ProductQuota* resp) {
  return Handle(
      ctx, kPlanAuthorities, resp, [&](const Principal& p) -> absl::StatusOr<v1::ProductQuota> {
        const v1::ProductQuota& q = req->quota();
        absl::Status s = CheckYear(q.year(), "quota.year");
        v1::ProductQuota normalised = q;
        if (s.ok()) {
          auto code =
              domain::ParseListedIndustryCode(q.industry_code().value(), "quota.industry_code");
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
          auto advanced = domain::internal::ParseFixedDecimal(
              q.advanced_litres_per_unit(), 3, "quota.advanced_litres_per_unit", "L");
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
          return s;
        }
        return stores_.production->SetProductQuota(normalised, values, grpcserver::ActorLabel(p));
      });
}

grpc::Status QuotaHandlers::ListProductQuotas(grpc::ServerContext* ctx,
                                              const v1::ListProductQuotasRequest* req,
                                              v1::ListProductQuotasResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal&) -> absl::Status {
    if (absl::Status s = CheckYear(req->year()); !s.ok()) {
      return s;
    }
    std::string code;
    if (!req->industry_code().value().empty()) {
      auto parsed = domain::ParseListedIndustryCode(req->industry_code().value());
      if (!parsed.ok()) {
        return parsed.status();
      }
      code = parsed->value();
    }
    auto quotas = stores_.production->ListProductQuotas(req->year(), code);
    if (!quotas.ok()) {
      return quotas.status();
    }
    for (v1::ProductQuota& q : *quotas) {
      *resp->add_quotas() = std::move(q);
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::ReportProduction(grpc::ServerContext* ctx,
                                             const v1::ReportProductionRequest* req,
                                             v1::ProductionReport* resp) {
  return Handle(
      ctx, kSelfServiceFilers, resp,
      [&](const Principal& p) -> absl::StatusOr<v1::ProductionReport> {
        const v1::ProductionReport& r = req->report();
        absl::Status s = CheckUscc(r.uscc(), "report.uscc");
        if (s.ok()) {
          s = CheckMonth(r.month(), "report.month");
        }
        if (s.ok() && r.product().empty()) {
          s = grpcserver::InvalidArgument("report.product", "the product is required");
        }
        int64_t output_milli = 0;
        if (s.ok()) {
          auto output =
              domain::internal::ParseFixedDecimal(r.output(), 3, "report.output", "units");
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
        if (s.ok()) {
          s = ActFor(p, r.uscc().value(), "report production");
        }
        if (!s.ok()) {
          return s;
        }
        return stores_.production->ReportProduction(r, output_milli, grpcserver::ActorLabel(p));
      });
}

grpc::Status QuotaHandlers::CheckProductQuotas(grpc::ServerContext* ctx,
                                               const v1::CheckProductQuotasRequest* req,
                                               v1::CheckProductQuotasResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::Status s = CheckUscc(req->uscc());
    if (s.ok()) {
      s = CheckMonth(req->month(), "month");
    }
    if (s.ok()) {
      s = ActFor(p, req->uscc().value(), "read quota checks");
    }
    if (!s.ok()) {
      return s;
    }
    auto checks = stores_.production->CheckProductQuotas(req->uscc().value(), req->month().year(),
                                                         req->month().month());
    if (!checks.ok()) {
      return checks.status();
    }
    for (v1::QuotaCheck& c : *checks) {
      *resp->add_checks() = std::move(c);
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::GetUsage(grpc::ServerContext* ctx, const v1::GetUsageRequest* req,
                                     v1::Usage* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    if (absl::Status s = CheckUscc(req->uscc()); !s.ok()) {
      return s;
    }
    const std::string& uscc = req->uscc().value();
    if (req->has_day()) {
      auto day = domain::Date::Create(req->day().year(), req->day().month(), req->day().day());
      if (!day.ok() || day->year() < 2000 || day->year() > 2100) {
        return grpcserver::InvalidArgument("day", "a date of 2000-2100 is required");
      }
      if (absl::Status s = ActFor(p, uscc, "read usage"); !s.ok()) {
        return s;
      }
      auto totals = stores_.usage->LoadDailyUsage(uscc, day->ToString());
      if (!totals.ok()) {
        return totals.status();
      }
      UsageToProto(uscc, PeriodKey{day->year(), day->month()}, UsageFigures{.totals = *totals},
                   resp);
      *resp->mutable_day() = req->day();
      resp->set_served_from("database");
      return absl::OkStatus();
    }
    absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
    if (!period.ok()) {
      return period.status();
    }
    if (absl::Status s = ActFor(p, uscc, "read usage"); !s.ok()) {
      return s;
    }
    auto cached = cache_->Get(uscc, *period);
    if (cached.ok() && cached->has_value()) {
      UsageToProto(uscc, *period, **cached, resp);
      resp->set_served_from("cache");
      return absl::OkStatus();
    }
    auto figures = stores_.usage->LoadUsage(uscc, *period);
    if (!figures.ok()) {
      return figures.status();
    }
    UsageToProto(uscc, *period, *figures, resp);
    resp->set_served_from("database");
    if (cached.ok()) {
      cache_->Invalidate(uscc, *period);  // a miss: have the writer fill it
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::ListAlerts(grpc::ServerContext* ctx, const v1::ListAlertsRequest* req,
                                       v1::ListAlertsResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::StatusOr<std::string> uscc = ListScope(p, req->uscc(), "list alerts");
    if (!uscc.ok()) {
      return uscc.status();
    }
    int year = 0;
    int month = 0;
    bool any_month = true;
    if (req->has_period()) {
      auto period = PeriodFromProto(req->period(), "period");
      if (!period.ok()) {
        return period.status();
      }
      year = period->year;
      month = period->month;
      any_month = period->month == 0;  // a year also matches its months
    }
    absl::StatusOr<int> page_size = paging::PageSize(
        req->page().page_size(), options_.alert_page_size_default, options_.alert_page_size_max);
    if (!page_size.ok()) {
      return page_size.status();
    }
    // The shared page token (libs/paging): the last alert id of the page before, bound to this
    // filter, so a token cannot be replayed against another.
    const std::string query =
        absl::StrCat("alerts/", *uscc, "/", year, "/", month, "/", any_month, "/", req->status());
    absl::StatusOr<std::string> last = paging::DecodePageToken(req->page().page_token(), query);
    if (!last.ok()) {
      return last.status();
    }
    int64_t after = 0;
    if (!last->empty() && (!absl::SimpleAtoi(*last, &after) || after < 0)) {
      return grpcserver::InvalidArgument("page.page_token", "not a token this service issued");
    }
    auto alerts = stores_.alerts->ListAlerts(*uscc, year, month, any_month, req->status(), after,
                                             *page_size + 1);
    if (!alerts.ok()) {
      return alerts.status();
    }
    for (size_t i = 0; i < alerts->size() && static_cast<int>(i) < *page_size; ++i) {
      *resp->add_alerts() = (*alerts)[i];
    }
    if (static_cast<int>(alerts->size()) > *page_size && *page_size > 0) {
      resp->mutable_page()->set_next_page_token(
          paging::EncodePageToken(query, resp->alerts(*page_size - 1).alert_id()));
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::AcknowledgeAlert(grpc::ServerContext* ctx,
                                             const v1::AcknowledgeAlertRequest* req,
                                             v1::Alert* resp) {
  return Handle(
      ctx, kSelfServiceFilers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Alert> {
        absl::StatusOr<int64_t> id = ParseId(req->alert_id(), "alert_id", "not an alert id");
        if (!id.ok()) {
          return id.status();
        }
        // An enterprise finds only its own alerts.
        return stores_.alerts->AcknowledgeAlert(*id, grpcserver::ActorLabel(p), req->note(),
                                                IsEnterprise(p) ? p.uscc : "");
      });
}

grpc::Status QuotaHandlers::SetSurchargeSchedule(grpc::ServerContext* ctx,
                                                 const v1::SetSurchargeScheduleRequest* req,
                                                 v1::SurchargeSchedule* resp) {
  return Handle(ctx, kPlanAuthorities, resp, [&](const Principal&) -> absl::Status {
    const v1::SurchargeSchedule& in = req->schedule();
    if (absl::Status s = CheckYear(in.year(), "schedule.year"); !s.ok()) {
      return s;
    }
    std::vector<SurchargeBandText> texts;
    for (const v1::SurchargeBand& b : in.bands()) {
      texts.push_back({b.from_percent(), b.to_percent(), b.multiplier()});
    }
    auto bands = ParseBands(texts, "schedule.bands");
    if (!bands.ok()) {
      return bands.status();
    }
    Schedule schedule{.year = in.year(), .bands = *bands, .prices = {}, .is_default = false};
    for (int i = 0; i < in.base_prices_size(); ++i) {
      const v1::BasePrice& price = in.base_prices(i);
      const std::string field = absl::StrCat("schedule.base_prices[", i, "]");
      if (price.source() < v1::WATER_SOURCE_MUNICIPAL_TAP ||
          price.source() > v1::WATER_SOURCE_RECLAIMED) {
        return grpcserver::InvalidArgument(field + ".source", "a water source is required");
      }
      if (price.price_per_cubic_metre().fen() < 0) {
        return grpcserver::InvalidArgument(field + ".price_per_cubic_metre",
                                           "must not be negative");
      }
      if (!schedule.prices
               .emplace(price.source(), domain::Money::Fen(price.price_per_cubic_metre().fen()))
               .second) {
        return grpcserver::InvalidArgument(field + ".source", "named twice");
      }
    }
    if (!schedule.prices.contains(v1::WATER_SOURCE_MUNICIPAL_TAP)) {
      return grpcserver::InvalidArgument("schedule.base_prices",
                                         "the municipal tap water price is required");
    }
    if (absl::Status s = stores_.surcharges->SetSchedule(schedule); !s.ok()) {
      return s;
    }
    *resp = in;
    resp->set_is_default(false);
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::GetSurchargeSchedule(grpc::ServerContext* ctx,
                                                 const v1::GetSurchargeScheduleRequest* req,
                                                 v1::SurchargeSchedule* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal&) -> absl::Status {
    if (absl::Status s = CheckYear(req->year()); !s.ok()) {
      return s;
    }
    auto schedule = stores_.surcharges->GetSchedule(req->year());
    if (!schedule.ok()) {
      return schedule.status();
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
      v1::BasePrice* out = resp->add_base_prices();
      out->set_source(static_cast<v1::WaterSource>(source));
      out->mutable_price_per_cubic_metre()->set_fen(price.fen());
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::ComputeSurcharge(grpc::ServerContext* ctx,
                                             const v1::ComputeSurchargeRequest* req,
                                             v1::SurchargeStatement* resp) {
  return Handle(ctx, kReaders, resp,
                [&](const Principal& p) -> absl::StatusOr<v1::SurchargeStatement> {
                  absl::Status s = CheckUscc(req->uscc());
                  absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
                  if (s.ok()) {
                    s = period.status();
                  }
                  if (s.ok()) {
                    s = ActFor(p, req->uscc().value(), "read surcharges");
                  }
                  if (!s.ok()) {
                    return s;
                  }
                  return stores_.surcharges->ComputeSurcharge(req->uscc().value(), *period);
                });
}

grpc::Status QuotaHandlers::IssueSurchargeNotice(grpc::ServerContext* ctx,
                                                 const v1::IssueSurchargeNoticeRequest* req,
                                                 v1::SurchargeNotice* resp) {
  return Handle(
      ctx, kPlanAuthorities, resp, [&](const Principal& p) -> absl::StatusOr<v1::SurchargeNotice> {
        absl::Status s = CheckUscc(req->uscc());
        absl::StatusOr<PeriodKey> period = PeriodFromProto(req->period(), "period");
        if (s.ok()) {
          s = period.status();
        }
        if (!s.ok()) {
          return s;
        }
        // A notice bills a period that is over: its usage can no longer grow (back-fill aside).
        const absl::Time end =
            period->month == 0
                ? domain::EndOfYear(period->year)
                : domain::EndOf(*domain::YearMonth::Create(period->year, period->month));
        if (options_.now() < end) {
          return absl::FailedPreconditionError(absl::StrCat(
              "period: ", period->ToString(), " has not ended; a notice bills a whole period"));
        }
        return stores_.surcharges->IssueSurchargeNotice(req->uscc().value(), *period,
                                                        grpcserver::ActorLabel(p));
      });
}

grpc::Status QuotaHandlers::ListSurchargeNotices(grpc::ServerContext* ctx,
                                                 const v1::ListSurchargeNoticesRequest* req,
                                                 v1::ListSurchargeNoticesResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::StatusOr<std::string> uscc = ListScope(p, req->uscc(), "list surcharge notices");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (req->year() != 0) {
      if (absl::Status s = CheckYear(req->year()); !s.ok()) {
        return s;
      }
    }
    auto notices = stores_.surcharges->ListSurchargeNotices(*uscc, req->year());
    if (!notices.ok()) {
      return notices.status();
    }
    for (v1::SurchargeNotice& n : *notices) {
      *resp->add_notices() = std::move(n);
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::IssueRectificationOrder(grpc::ServerContext* ctx,
                                                    const v1::IssueRectificationOrderRequest* req,
                                                    v1::RectificationOrder* resp) {
  return Handle(
      ctx, kPlanAuthorities, resp,
      [&](const Principal& p) -> absl::StatusOr<v1::RectificationOrder> {
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
          const domain::Date today = domain::DateOf(options_.now());
          if (!deadline.ok()) {
            s = grpcserver::InvalidArgument("deadline", "a valid date is required");
          } else if (*deadline <= today) {
            s = grpcserver::InvalidArgument(
                "deadline",
                absl::StrCat(deadline->ToString(), " is not after today (", today.ToString(), ")"));
          }
        }
        if (!s.ok()) {
          return s;
        }
        return stores_.orders->IssueOrder(*req, *period, grpcserver::ActorLabel(p));
      });
}

grpc::Status QuotaHandlers::CloseRectificationOrder(grpc::ServerContext* ctx,
                                                    const v1::CloseRectificationOrderRequest* req,
                                                    v1::RectificationOrder* resp) {
  return Handle(
      ctx, kPlanAuthorities, resp,
      [&](const Principal& p) -> absl::StatusOr<v1::RectificationOrder> {
        absl::StatusOr<int64_t> id = ParseId(req->order_id(), "order_id", "not an order id");
        if (!id.ok()) {
          return id.status();
        }
        if (req->resolution().empty()) {
          return grpcserver::InvalidArgument("resolution", "say how the order was resolved");
        }
        return stores_.orders->CloseOrder(*id, req->resolution(), grpcserver::ActorLabel(p));
      });
}

grpc::Status QuotaHandlers::ListRectificationOrders(grpc::ServerContext* ctx,
                                                    const v1::ListRectificationOrdersRequest* req,
                                                    v1::ListRectificationOrdersResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::StatusOr<std::string> uscc = ListScope(p, req->uscc(), "list orders");
    if (!uscc.ok()) {
      return uscc.status();
    }
    auto orders = stores_.orders->ListOrders(*uscc, req->status());
    if (!orders.ok()) {
      return orders.status();
    }
    for (v1::RectificationOrder& o : *orders) {
      *resp->add_orders() = std::move(o);
    }
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::ClosePlanYear(grpc::ServerContext* ctx,
                                          const v1::ClosePlanYearRequest* req,
                                          v1::ClosePlanYearResponse* resp) {
  return Handle(ctx, kPlanAuthorities, resp, [&](const Principal& p) -> absl::Status {
    if (absl::Status s = CheckYear(req->year()); !s.ok()) {
      return s;
    }
    auto closed_at = stores_.plans->ClosePlanYear(req->year(), grpcserver::ActorLabel(p));
    if (!closed_at.ok()) {
      return closed_at.status();
    }
    resp->set_year(req->year());
    resp->set_closed_at_unix_ms(*closed_at);
    return absl::OkStatus();
  });
}

grpc::Status QuotaHandlers::ListOverPlan(grpc::ServerContext* ctx,
                                         const v1::ListOverPlanRequest* req,
                                         v1::ListOverPlanResponse* resp) {
  // District-wide: departments and partners, not a single enterprise.
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::Status {
    auto period = PeriodFromProto(req->period(), "period");
    if (!period.ok()) {
      return period.status();
    }
    if (req->limit() < 0 || req->limit() > 10000) {
      return grpcserver::InvalidArgument("limit", "must be 0-10000");
    }
    auto entries = stores_.plans->ListOverPlan(*period, req->limit() == 0 ? 100 : req->limit());
    if (!entries.ok()) {
      return entries.status();
    }
    for (v1::OverPlanEntry& e : *entries) {
      *resp->add_entries() = std::move(e);
    }
    return absl::OkStatus();
  });
}

}  // namespace jieshui::quota
