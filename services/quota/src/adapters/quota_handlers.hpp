// gRPC handlers of jieshui.quota.v1.QuotaService: who may call what, request validation (errors
// name the field), and the store and cache behind each call.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "quota/src/adapters/alert_store.hpp"
#include "quota/src/adapters/order_store.hpp"
#include "quota/src/adapters/plan_store.hpp"
#include "quota/src/adapters/production_store.hpp"
#include "quota/src/adapters/surcharge_store.hpp"
#include "quota/src/adapters/usage_cache.hpp"
#include "quota/src/adapters/usage_store.hpp"

namespace jieshui::quota {

struct HandlerOptions {
  int alert_page_size_default = 100;
  int alert_page_size_max = 1000;
  // Injected clock: "today" for order deadlines.
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

// The stores behind the handlers, one per concern.
struct QuotaStores {
  PlanStore* plans = nullptr;
  ProductionStore* production = nullptr;
  UsageStore* usage = nullptr;
  AlertStore* alerts = nullptr;
  SurchargeStore* surcharges = nullptr;
  OrderStore* orders = nullptr;
};

class QuotaHandlers final : public v1::QuotaService::Service {
 public:
  QuotaHandlers(QuotaStores stores, UsageCache* cache, HandlerOptions options);

  grpc::Status SetAnnualPlan(grpc::ServerContext* ctx, const v1::SetAnnualPlanRequest* req,
                             v1::AnnualPlan* resp) override;
  grpc::Status FileMonthlySplit(grpc::ServerContext* ctx, const v1::FileMonthlySplitRequest* req,
                                v1::AnnualPlan* resp) override;
  grpc::Status AdjustPlan(grpc::ServerContext* ctx, const v1::AdjustPlanRequest* req,
                          v1::AnnualPlan* resp) override;
  grpc::Status CutPlan(grpc::ServerContext* ctx, const v1::CutPlanRequest* req,
                       v1::AnnualPlan* resp) override;
  grpc::Status GetPlan(grpc::ServerContext* ctx, const v1::GetPlanRequest* req,
                       v1::AnnualPlan* resp) override;
  grpc::Status SetProductQuota(grpc::ServerContext* ctx, const v1::SetProductQuotaRequest* req,
                               v1::ProductQuota* resp) override;
  grpc::Status ListProductQuotas(grpc::ServerContext* ctx, const v1::ListProductQuotasRequest* req,
                                 v1::ListProductQuotasResponse* resp) override;
  grpc::Status ReportProduction(grpc::ServerContext* ctx, const v1::ReportProductionRequest* req,
                                v1::ProductionReport* resp) override;
  grpc::Status CheckProductQuotas(grpc::ServerContext* ctx,
                                  const v1::CheckProductQuotasRequest* req,
                                  v1::CheckProductQuotasResponse* resp) override;
  grpc::Status GetUsage(grpc::ServerContext* ctx, const v1::GetUsageRequest* req,
                        v1::Usage* resp) override;
  grpc::Status ListAlerts(grpc::ServerContext* ctx, const v1::ListAlertsRequest* req,
                          v1::ListAlertsResponse* resp) override;
  grpc::Status AcknowledgeAlert(grpc::ServerContext* ctx, const v1::AcknowledgeAlertRequest* req,
                                v1::Alert* resp) override;
  grpc::Status SetSurchargeSchedule(grpc::ServerContext* ctx,
                                    const v1::SetSurchargeScheduleRequest* req,
                                    v1::SurchargeSchedule* resp) override;
  grpc::Status GetSurchargeSchedule(grpc::ServerContext* ctx,
                                    const v1::GetSurchargeScheduleRequest* req,
                                    v1::SurchargeSchedule* resp) override;
  grpc::Status ComputeSurcharge(grpc::ServerContext* ctx, const v1::ComputeSurchargeRequest* req,
                                v1::SurchargeStatement* resp) override;
  grpc::Status IssueSurchargeNotice(grpc::ServerContext* ctx,
                                    const v1::IssueSurchargeNoticeRequest* req,
                                    v1::SurchargeNotice* resp) override;
  grpc::Status ListSurchargeNotices(grpc::ServerContext* ctx,
                                    const v1::ListSurchargeNoticesRequest* req,
                                    v1::ListSurchargeNoticesResponse* resp) override;
  grpc::Status IssueRectificationOrder(grpc::ServerContext* ctx,
                                       const v1::IssueRectificationOrderRequest* req,
                                       v1::RectificationOrder* resp) override;
  grpc::Status CloseRectificationOrder(grpc::ServerContext* ctx,
                                       const v1::CloseRectificationOrderRequest* req,
                                       v1::RectificationOrder* resp) override;
  grpc::Status ListRectificationOrders(grpc::ServerContext* ctx,
                                       const v1::ListRectificationOrdersRequest* req,
                                       v1::ListRectificationOrdersResponse* resp) override;
  grpc::Status ClosePlanYear(grpc::ServerContext* ctx, const v1::ClosePlanYearRequest* req,
                             v1::ClosePlanYearResponse* resp) override;
  grpc::Status ListOverPlan(grpc::ServerContext* ctx, const v1::ListOverPlanRequest* req,
                            v1::ListOverPlanResponse* resp) override;

 private:
  // Passes a plan change on; after a successful one the year's and its months' cached figures
  // are stale.
  absl::StatusOr<v1::AnnualPlan> PlanChanged(absl::StatusOr<v1::AnnualPlan> plan);
  void RefreshPlanYear(const std::string& uscc, int year);

  QuotaStores stores_;
  UsageCache* cache_;
  HandlerOptions options_;
};

// Fills a Usage response from figures (exposed for tests).
void UsageToProto(const std::string& uscc, const PeriodKey& period, const UsageFigures& figures,
                  v1::Usage* out);

}  // namespace jieshui::quota
