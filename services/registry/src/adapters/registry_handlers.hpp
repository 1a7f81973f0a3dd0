// gRPC handlers of jieshui.registry.v1.RegistryService: authorisation, request parsing and paging
// around the rules (core/) and the PostgreSQL store.
#pragma once

#include <functional>
#include <string>

#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "domain/metering_coverage.hpp"
#include "grpcserver/auth.hpp"
#include "jieshui/registry/v1/registry_service.grpc.pb.h"
#include "registry/src/adapters/registry_store.hpp"
#include "registry/src/core/enterprise_rules.hpp"
#include "registry/src/core/meter_rules.hpp"
#include "registry/src/core/park_rules.hpp"

namespace jieshui::registry {

struct HandlerOptions {
  RegistryRules rules;
  domain::CoverageRequirements coverage;
  int page_size_default = 50;
  int page_size_max = 500;
  // Injected clock: audit stamps and "today" for calibration checks.
  std::function<absl::Time()> now = [] { return absl::Now(); };
};

class RegistryHandlers final : public v1::RegistryService::Service {
 public:
  RegistryHandlers(RegistryStore* store, HandlerOptions options);

  grpc::Status CreateEnterprise(grpc::ServerContext* ctx, const v1::CreateEnterpriseRequest* req,
                                v1::Enterprise* resp) override;
  grpc::Status UpdateEnterprise(grpc::ServerContext* ctx, const v1::UpdateEnterpriseRequest* req,
                                v1::Enterprise* resp) override;
  grpc::Status GetEnterprise(grpc::ServerContext* ctx, const v1::GetEnterpriseRequest* req,
                             v1::Enterprise* resp) override;
  grpc::Status ListEnterprises(grpc::ServerContext* ctx, const v1::ListEnterprisesRequest* req,
                               v1::ListEnterprisesResponse* resp) override;
  grpc::Status DeregisterEnterprise(grpc::ServerContext* ctx,
                                    const v1::DeregisterEnterpriseRequest* req,
                                    v1::Enterprise* resp) override;
  grpc::Status ListEnterpriseHistory(grpc::ServerContext* ctx,
                                     const v1::ListEnterpriseHistoryRequest* req,
                                     v1::ListEnterpriseHistoryResponse* resp) override;

  grpc::Status CreatePark(grpc::ServerContext* ctx, const v1::CreateParkRequest* req,
                          v1::Park* resp) override;
  grpc::Status UpdatePark(grpc::ServerContext* ctx, const v1::UpdateParkRequest* req,
                          v1::Park* resp) override;
  grpc::Status GetPark(grpc::ServerContext* ctx, const v1::GetParkRequest* req,
                       v1::Park* resp) override;
  grpc::Status ListParks(grpc::ServerContext* ctx, const v1::ListParksRequest* req,
                         v1::ListParksResponse* resp) override;

  grpc::Status RegisterMeter(grpc::ServerContext* ctx, const v1::RegisterMeterRequest* req,
                             v1::Meter* resp) override;
  grpc::Status UpdateMeter(grpc::ServerContext* ctx, const v1::UpdateMeterRequest* req,
                           v1::Meter* resp) override;
  grpc::Status RetireMeter(grpc::ServerContext* ctx, const v1::RetireMeterRequest* req,
                           v1::Meter* resp) override;
  grpc::Status GetMeter(grpc::ServerContext* ctx, const v1::GetMeterRequest* req,
                        v1::Meter* resp) override;
  grpc::Status ListMeters(grpc::ServerContext* ctx, const v1::ListMetersRequest* req,
                          v1::ListMetersResponse* resp) override;
  grpc::Status ListMeterHistory(grpc::ServerContext* ctx, const v1::ListMeterHistoryRequest* req,
                                v1::ListMeterHistoryResponse* resp) override;

  grpc::Status GetMeteringCoverage(grpc::ServerContext* ctx,
                                   const v1::GetMeteringCoverageRequest* req,
                                   v1::MeteringCoverage* resp) override;
  grpc::Status ListOverdueCalibrations(grpc::ServerContext* ctx,
                                       const v1::ListOverdueCalibrationsRequest* req,
                                       v1::ListMetersResponse* resp) override;

  grpc::Status ListKeyMonitored(grpc::ServerContext* ctx, const v1::ListKeyMonitoredRequest* req,
                                v1::ListEnterprisesResponse* resp) override;
  grpc::Status ExportKeyMonitored(grpc::ServerContext* ctx,
                                  const v1::ExportKeyMonitoredRequest* req,
                                  v1::CsvFile* resp) override;

  grpc::Status ImportEnterprises(grpc::ServerContext* ctx,
                                 grpc::ServerReader<v1::ImportEnterpriseRow>* reader,
                                 v1::ImportSummary* resp) override;
  grpc::Status ImportMeters(grpc::ServerContext* ctx,
                            grpc::ServerReader<v1::ImportMeterRow>* reader,
                            v1::ImportSummary* resp) override;

 private:
  Actor ActorOf(const grpcserver::Principal& principal) const;
  common::v1::Date Today() const;
  // The day a calibration check is made for: `requested` when given (INVALID_ARGUMENT naming
  // as_of unless it is a date), today otherwise.
  absl::StatusOr<common::v1::Date> AsOf(const common::v1::Date* requested) const;

  RegistryStore* store_;
  HandlerOptions options_;
};

}  // namespace jieshui::registry
