// gRPC handlers of jieshui.reporting.v1.ReportingService: who may call what, request validation
// (errors name the field), the indicators worked out from the stored sums (core/indicators.hpp),
// targets, the baseline, Statistics' imports, annual reports, history, the watch stream and the
// exports (exports.hpp).
#pragma once

#include <cstddef>

#include "absl/time/time.h"
#include "jieshui/reporting/v1/reporting_service.grpc.pb.h"
#include "redis/write_behind_cache.hpp"
#include "reporting/src/adapters/reporting_store.hpp"
#include "service/clock.hpp"

namespace jieshui::reporting {

struct HandlerOptions {
  int page_size_default = 100;
  int page_size_max = 1000;
  int import_rows_max = 200'000;
  // How often a watch looks for changes, and how long one may run before the client reconnects.
  absl::Duration watch_poll = absl::Milliseconds(200);
  absl::Duration watch_max = absl::Hours(1);
  // The size of an export's chunks.
  size_t export_chunk_bytes = size_t{256} * 1024;
  service::Clock now = service::SystemClock();
};

// The cache key of a scope and period ("district|2025-Q1"), and its value as PostgreSQL has it now
// (a serialised IndicatorSet of every code): the cache's loader.
std::string CacheKey(const v1::Scope& scope, const v1::IndicatorPeriod& period);
absl::StatusOr<std::string> LoadForCache(ReportingStore& store, const std::string& key);

class ReportingHandlers final : public v1::ReportingService::Service {
 public:
  // `cache` holds each scope and period's IndicatorSet (every code) under "<scope>|<period>"; it
  // may be null (reads then go to PostgreSQL).
  ReportingHandlers(ReportingStore* store, redis::WriteBehindCache* cache, HandlerOptions options);

  grpc::Status ListTargets(grpc::ServerContext* ctx, const v1::ListTargetsRequest* req,
                           v1::ListTargetsResponse* resp) override;
  grpc::Status SetTarget(grpc::ServerContext* ctx, const v1::SetTargetRequest* req,
                         v1::Target* resp) override;
  grpc::Status ImportValueAdded(grpc::ServerContext* ctx,
                                grpc::ServerReader<v1::ImportValueAddedRequest>* reader,
                                v1::ImportValueAddedResponse* resp) override;
  grpc::Status ListValueAdded(grpc::ServerContext* ctx, const v1::ListValueAddedRequest* req,
                              v1::ListValueAddedResponse* resp) override;
  grpc::Status GetBaseline(grpc::ServerContext* ctx, const v1::GetBaselineRequest* req,
                           v1::Baseline* resp) override;
  grpc::Status SetBaseline(grpc::ServerContext* ctx, const v1::SetBaselineRequest* req,
                           v1::Baseline* resp) override;
  grpc::Status FileAnnualReport(grpc::ServerContext* ctx, const v1::FileAnnualReportRequest* req,
                                v1::AnnualReport* resp) override;
  grpc::Status ListAnnualReports(grpc::ServerContext* ctx, const v1::ListAnnualReportsRequest* req,
                                 v1::ListAnnualReportsResponse* resp) override;
  grpc::Status GetIndicators(grpc::ServerContext* ctx, const v1::GetIndicatorsRequest* req,
                             v1::IndicatorSet* resp) override;
  grpc::Status ListIndicatorHistory(grpc::ServerContext* ctx,
                                    const v1::ListIndicatorHistoryRequest* req,
                                    v1::ListIndicatorHistoryResponse* resp) override;
  grpc::Status WatchIndicators(grpc::ServerContext* ctx, const v1::WatchIndicatorsRequest* req,
                               grpc::ServerWriter<v1::IndicatorSet>* writer) override;
  grpc::Status ListContributors(grpc::ServerContext* ctx, const v1::ListContributorsRequest* req,
                                v1::ListContributorsResponse* resp) override;
  // The file an export asks for, in chunks (exports.hpp builds it).
  grpc::Status Export(grpc::ServerContext* ctx, const v1::ExportRequest* req,
                      grpc::ServerWriter<v1::ExportChunk>* writer) override;

 private:
  // Every target: the defaults (version 0) and the stored versions.
  absl::StatusOr<std::vector<v1::Target>> AllTargets();

  // The indicators from the cache when it has them current, else from PostgreSQL.
  absl::StatusOr<v1::IndicatorSet> Read(const v1::Scope& scope, const v1::IndicatorPeriod& period,
                                        const std::vector<std::string>& codes);

  ReportingStore* store_;
  redis::WriteBehindCache* cache_;
  HandlerOptions options_;
};

}  // namespace jieshui::reporting
