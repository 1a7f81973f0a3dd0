// gRPC handlers of jieshui.certification.v1.CertificationService: who may call what, request
// validation (errors name the field), the core's rules (records, schemes, gates, scoring, the
// lifecycle, validity) and the store behind each call.
#pragma once

#include <vector>

#include "certification/src/adapters/certification_store.hpp"
#include "certification/src/core/records.hpp"
#include "jieshui/certification/v1/certification_service.grpc.pb.h"
#include "service/clock.hpp"

namespace jieshui::certification {

struct HandlerOptions {
  RecordRules records;
  std::vector<v1::Scheme> schemes;  // validated (schemes.yaml)
  int page_size_default = 100;
  int page_size_max = 1000;
  service::Clock now = service::SystemClock();
};

class CertificationHandlers final : public v1::CertificationService::Service {
 public:
  CertificationHandlers(CertificationStore* store, HandlerOptions options);

  grpc::Status CreateRecord(grpc::ServerContext* ctx, const v1::CreateRecordRequest* req,
                            v1::Record* resp) override;
  grpc::Status GetRecord(grpc::ServerContext* ctx, const v1::GetRecordRequest* req,
                         v1::Record* resp) override;
  grpc::Status ListRecords(grpc::ServerContext* ctx, const v1::ListRecordsRequest* req,
                           v1::ListRecordsResponse* resp) override;
  grpc::Status ReviewRecord(grpc::ServerContext* ctx, const v1::ReviewRecordRequest* req,
                            v1::Record* resp) override;
  grpc::Status UpdateRectification(grpc::ServerContext* ctx,
                                   const v1::UpdateRectificationRequest* req,
                                   v1::Record* resp) override;
  grpc::Status ListSchemes(grpc::ServerContext* ctx, const v1::ListSchemesRequest* req,
                           v1::ListSchemesResponse* resp) override;
  grpc::Status CreateApplication(grpc::ServerContext* ctx, const v1::CreateApplicationRequest* req,
                                 v1::Application* resp) override;
  grpc::Status GetApplication(grpc::ServerContext* ctx, const v1::GetApplicationRequest* req,
                              v1::Application* resp) override;
  grpc::Status ListApplications(grpc::ServerContext* ctx, const v1::ListApplicationsRequest* req,
                                v1::ListApplicationsResponse* resp) override;
  grpc::Status ScoreApplication(grpc::ServerContext* ctx, const v1::ScoreApplicationRequest* req,
                                v1::Application* resp) override;
  grpc::Status Act(grpc::ServerContext* ctx, const v1::ActRequest* req,
                   v1::Application* resp) override;
  grpc::Status ListTitles(grpc::ServerContext* ctx, const v1::ListTitlesRequest* req,
                          v1::ListTitlesResponse* resp) override;
  grpc::Status ListCertified(grpc::ServerContext* ctx, const v1::ListCertifiedRequest* req,
                             v1::ListCertifiedResponse* resp) override;
  grpc::Status OpenTitleReview(grpc::ServerContext* ctx, const v1::OpenTitleReviewRequest* req,
                               v1::TitleReview* resp) override;
  grpc::Status DecideTitleReview(grpc::ServerContext* ctx, const v1::DecideTitleReviewRequest* req,
                                 v1::TitleReview* resp) override;
  grpc::Status ListTitleReviews(grpc::ServerContext* ctx, const v1::ListTitleReviewsRequest* req,
                                v1::ListTitleReviewsResponse* resp) override;
  grpc::Status ListDue(grpc::ServerContext* ctx, const v1::ListDueRequest* req,
                       v1::ListDueResponse* resp) override;
  grpc::Status RecordViolation(grpc::ServerContext* ctx, const v1::RecordViolationRequest* req,
                               v1::Violation* resp) override;
  grpc::Status ImportTitle(grpc::ServerContext* ctx, const v1::ImportTitleRequest* req,
                           v1::Title* resp) override;
  grpc::Status GetEligibility(grpc::ServerContext* ctx, const v1::GetEligibilityRequest* req,
                              v1::EligibilityReport* resp) override;
  grpc::Status CountActivity(grpc::ServerContext* ctx, const v1::CountActivityRequest* req,
                             v1::ActivityCounts* resp) override;

 private:
  domain::Date Today() const;
  int64_t NowMs() const;
  absl::StatusOr<v1::Scheme> SchemeById(const std::string& scheme_id, int version) const;

  CertificationStore* store_;
  HandlerOptions options_;
};

}  // namespace jieshui::certification
