#include "commands.hpp"

#include <chrono>
#include <cstdio>
#include <memory>
#include <optional>
#include <span>

#include "absl/strings/str_cat.h"
#include "call.hpp"
#include "certification_flags.hpp"
#include "certification_views.hpp"
#include "command_support.hpp"
#include "grpcpp/grpcpp.h"
#include "import_client.hpp"
#include "import_report.hpp"
#include "jieshui/certification/v1/certification_service.grpc.pb.h"
#include "jieshui/ingest/v1/ingest_service.grpc.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "jieshui/registry/v1/registry_service.grpc.pb.h"
#include "readings_csv.hpp"
#include "readings_report.hpp"
#include "views.hpp"

namespace jieshui::cli {
namespace {

namespace reg = ::jieshui::registry::v1;
namespace quota = ::jieshui::quota::v1;
namespace ingest = ::jieshui::ingest::v1;
namespace cert = ::jieshui::certification::v1;

std::string FileName(const std::string& path) { return path.substr(path.find_last_of('/') + 1); }

std::unique_ptr<cert::CertificationService::Stub> CertificationStub(const GlobalOptions& options) {
  return cert::CertificationService::NewStub(Channel(options.certification));
}

}  // namespace

int ListEnterprises(const GlobalOptions& options, const EnterpriseFilter& filter) {
  const std::string command = "enterprises list";
  auto stub = reg::RegistryService::NewStub(Channel(options.registry));
  reg::ListEnterprisesRequest request;
  request.set_town(filter.town);
  request.set_park_id(filter.park);
  request.set_industry_code_prefix(filter.industry_prefix);
  if (filter.key_monitored) {
    request.set_key_monitored(true);
  }
  request.mutable_page()->set_page_size(filter.all_pages ? kAllPageSize : kFirstPageSize);
  reg::ListEnterprisesResponse all;
  while (true) {
    reg::ListEnterprisesResponse page;
    if (auto failed = Invoke(options, command, options.registry, [&](grpc::ClientContext* c) {
          return stub->ListEnterprises(c, request, &page);
        })) {
      return *failed;
    }
    for (reg::Enterprise& e : *page.mutable_enterprises()) {
      *all.add_enterprises() = std::move(e);
    }
    *all.mutable_page() = page.page();
    if (!filter.all_pages || page.page().next_page_token().empty()) {
      break;
    }
    request.mutable_page()->set_page_token(page.page().next_page_token());
  }
  Print(options.json ? ProtoJson(all) + "\n" : EnterprisesTable(all));
  return kExitOk;
}

int ShowEnterprise(const GlobalOptions& options, const std::string& uscc) {
  auto stub = reg::RegistryService::NewStub(Channel(options.registry));
  reg::GetEnterpriseRequest request;
  request.mutable_uscc()->set_value(uscc);
  reg::Enterprise enterprise;
  if (auto failed = Invoke(
          options, "enterprises show", options.registry,
          [&](grpc::ClientContext* c) { return stub->GetEnterprise(c, request, &enterprise); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(enterprise) + "\n" : EnterpriseDetail(enterprise));
  return kExitOk;
}

int ListMeters(const GlobalOptions& options, const std::string& uscc, bool include_retired) {
  auto stub = reg::RegistryService::NewStub(Channel(options.registry));
  reg::ListMetersRequest request;
  request.mutable_uscc()->set_value(uscc);
  request.set_include_retired(include_retired);
  request.mutable_page()->set_page_size(kAllPageSize);
  // An enterprise has tens of meters at most: every page is fetched.
  reg::ListMetersResponse all;
  while (true) {
    reg::ListMetersResponse page;
    if (auto failed = Invoke(options, "meters list", options.registry, [&](grpc::ClientContext* c) {
          return stub->ListMeters(c, request, &page);
        })) {
      return *failed;
    }
    for (reg::Meter& m : *page.mutable_meters()) {
      *all.add_meters() = std::move(m);
    }
    *all.mutable_page() = page.page();
    if (page.page().next_page_token().empty()) {
      break;
    }
    request.mutable_page()->set_page_token(page.page().next_page_token());
  }
  Print(options.json ? ProtoJson(all) + "\n" : MetersTable(all));
  return kExitOk;
}

int ShowMeter(const GlobalOptions& options, const std::string& meter_id) {
  auto stub = reg::RegistryService::NewStub(Channel(options.registry));
  reg::GetMeterRequest request;
  request.set_meter_id(meter_id);
  reg::Meter meter;
  if (auto failed = Invoke(options, "meters show", options.registry, [&](grpc::ClientContext* c) {
        return stub->GetMeter(c, request, &meter);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(meter) + "\n" : MeterDetail(meter));
  return kExitOk;
}

int ImportRegisterFile(const GlobalOptions& options, bool enterprises, const std::string& path,
                       bool dry_run) {
  const std::string command = enterprises ? "import enterprises" : "import meters";
  const registry_cli::ImportTarget target{.target = options.registry,
                                          .api_key = options.api_key,
                                          .timeout = std::chrono::seconds(options.timeout_seconds)};
  absl::StatusOr<registry_cli::ImportReport> report = registry_cli::ImportFile(
      enterprises ? registry_cli::ImportKind::kEnterprises : registry_cli::ImportKind::kMeters,
      path, dry_run, target);
  if (!report.ok()) {
    return Fail(command, std::string(report.status().message()));
  }
  if (options.json) {
    PrintJson(registry_cli::FormatImportReportJson(*report));
  } else {
    Print(registry_cli::FormatImportReportText(*report));
  }
  return report->summary.rejected() > 0 ? kExitRejected : kExitOk;
}

int SubmitReadings(const GlobalOptions& options, const std::string& path, int batch_size) {
  const std::string command = "readings submit";
  absl::StatusOr<std::string> text = tools::ReadWholeFile(path);
  if (!text.ok()) {
    return Fail(command, std::string(text.status().message()));
  }
  absl::StatusOr<ReadingsFile> file = ParseReadingsFile(*text);
  if (!file.ok()) {
    return Fail(command, absl::StrCat(path, ": ", file.status().message()));
  }
  // A file with a bad cell is sent not at all rather than in part: the readings after a left-out
  // one would be taken as following a gap, and sending the file again once fixed would deliver
  // the missing reading out of order.
  if (!file->errors.empty()) {
    if (options.json) {
      PrintJson(FormatCellErrorsJson(path, file->errors));
    } else {
      std::fputs(FormatCellErrorsText(path, file->errors).c_str(), stderr);
    }
    return kExitFailed;
  }
  auto stub = ingest::IngestService::NewStub(Channel(options.ingest));
  const std::vector<ingest::SubmitReadingsRequest> batches =
      MakeBatches(file->readings, batch_size, FileName(path));
  SubmitReport report{.file = path};
  const std::span<const FileReading> readings(file->readings);
  std::size_t offset = 0;
  for (const ingest::SubmitReadingsRequest& batch : batches) {
    ingest::SubmitReadingsResponse response;
    if (auto failed = Invoke(options, command, options.ingest, [&](grpc::ClientContext* c) {
          return stub->SubmitReadings(c, batch, &response);
        })) {
      if (report.batches > 0) {
        std::fprintf(stderr, "%s: batches 1-%d (%lld readings) were answered before: %s",
                     command.c_str(), report.batches, static_cast<long long>(report.readings),
                     FormatSubmitReportText(report).c_str());
      }
      return *failed;
    }
    const auto size = static_cast<std::size_t>(batch.readings_size());
    AddBatchResult(readings.subspan(offset, size), response, &report);
    offset += size;
  }
  Print(options.json ? FormatSubmitReportJson(report) + "\n" : FormatSubmitReportText(report));
  return report.rejected > 0 ? kExitRejected : kExitOk;
}

int ShowUsage(const GlobalOptions& options, const std::string& uscc, const PeriodFlags& period) {
  const std::string command = "usage";
  absl::StatusOr<PeriodChoice> choice =
      ParsePeriodFlags(period, {.required = true, .allow_day = true});
  if (auto bad = BadOption(command, choice.status())) {
    return *bad;
  }
  quota::GetUsageRequest request;
  request.mutable_uscc()->set_value(uscc);
  if (choice->is_day) {
    *request.mutable_day() = choice->day;
  } else {
    *request.mutable_period() = choice->period;
  }
  auto stub = quota::QuotaService::NewStub(Channel(options.quota));
  quota::Usage usage;
  if (auto failed = Invoke(options, command, options.quota, [&](grpc::ClientContext* c) {
        return stub->GetUsage(c, request, &usage);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(usage) + "\n" : UsageText(usage));
  return kExitOk;
}

int ListAlerts(const GlobalOptions& options, const AlertFilter& filter) {
  const std::string command = "alerts";
  absl::StatusOr<PeriodChoice> choice = ParsePeriodFlags(filter.period, {.required = false});
  if (auto bad = BadOption(command, choice.status())) {
    return *bad;
  }
  quota::ListAlertsRequest request;
  if (!filter.uscc.empty()) {
    request.mutable_uscc()->set_value(filter.uscc);
  }
  if (choice->any) {
    *request.mutable_period() = choice->period;
  }
  if (filter.status == "open") {
    request.set_status(quota::ALERT_STATUS_OPEN);
  } else if (filter.status == "acknowledged") {
    request.set_status(quota::ALERT_STATUS_ACKNOWLEDGED);
  }
  request.mutable_page()->set_page_size(filter.all_pages ? kAllPageSize : kFirstPageSize);
  auto stub = quota::QuotaService::NewStub(Channel(options.quota));
  quota::ListAlertsResponse all;
  while (true) {
    quota::ListAlertsResponse page;
    if (auto failed = Invoke(options, command, options.quota, [&](grpc::ClientContext* c) {
          return stub->ListAlerts(c, request, &page);
        })) {
      return *failed;
    }
    for (quota::Alert& a : *page.mutable_alerts()) {
      *all.add_alerts() = std::move(a);
    }
    *all.mutable_page() = page.page();
    if (!filter.all_pages || page.page().next_page_token().empty()) {
      break;
    }
    request.mutable_page()->set_page_token(page.page().next_page_token());
  }
  Print(options.json ? ProtoJson(all) + "\n" : AlertsTable(all));
  return kExitOk;
}

int ShowSurcharge(const GlobalOptions& options, const std::string& uscc,
                  const PeriodFlags& period) {
  const std::string command = "surcharge";
  absl::StatusOr<PeriodChoice> choice = ParsePeriodFlags(period, {.required = true});
  if (auto bad = BadOption(command, choice.status())) {
    return *bad;
  }
  quota::ComputeSurchargeRequest request;
  request.mutable_uscc()->set_value(uscc);
  *request.mutable_period() = choice->period;
  auto stub = quota::QuotaService::NewStub(Channel(options.quota));
  quota::SurchargeStatement statement;
  if (auto failed = Invoke(options, command, options.quota, [&](grpc::ClientContext* c) {
        return stub->ComputeSurcharge(c, request, &statement);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(statement) + "\n" : SurchargeText(statement));
  return kExitOk;
}

int ShowPlan(const GlobalOptions& options, const std::string& uscc, int year) {
  quota::GetPlanRequest request;
  request.mutable_uscc()->set_value(uscc);
  request.set_year(year);
  auto stub = quota::QuotaService::NewStub(Channel(options.quota));
  quota::AnnualPlan plan;
  if (auto failed = Invoke(options, "plan", options.quota, [&](grpc::ClientContext* c) {
        return stub->GetPlan(c, request, &plan);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(plan) + "\n" : PlanText(plan));
  return kExitOk;
}

int ListOverPlan(const GlobalOptions& options, const PeriodFlags& period, int limit) {
  const std::string command = "over-plan";
  absl::StatusOr<PeriodChoice> choice = ParsePeriodFlags(period, {.required = true});
  if (auto bad = BadOption(command, choice.status())) {
    return *bad;
  }
  quota::ListOverPlanRequest request;
  *request.mutable_period() = choice->period;
  request.set_limit(limit);
  auto stub = quota::QuotaService::NewStub(Channel(options.quota));
  quota::ListOverPlanResponse list;
  if (auto failed = Invoke(options, command, options.quota, [&](grpc::ClientContext* c) {
        return stub->ListOverPlan(c, request, &list);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(list) + "\n" : OverPlanTable(list));
  return kExitOk;
}

// ---- certification ----

int ListTitles(const GlobalOptions& options, const std::string& uscc, const std::string& on) {
  const std::string command = "certification titles";
  cert::ListTitlesRequest request;
  request.mutable_uscc()->set_value(uscc);
  if (!on.empty()) {
    if (auto bad = Parsed(command, ParseDateFlag(on, "--on"), request.mutable_valid_on())) {
      return *bad;
    }
  }
  auto stub = CertificationStub(options);
  cert::ListTitlesResponse titles;
  if (auto failed = Invoke(options, command, options.certification, [&](grpc::ClientContext* c) {
        return stub->ListTitles(c, request, &titles);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(titles) + "\n" : TitlesTable(titles, on));
  return kExitOk;
}

int ListCertified(const GlobalOptions& options, const CertifiedFilter& filter) {
  const std::string command = "certification certified";
  cert::ListCertifiedRequest request;
  if (auto bad = Parsed(command, ParseDateFlag(filter.on, "--on"), request.mutable_on())) {
    return *bad;
  }
  if (!filter.level.empty()) {
    cert::Level level = cert::LEVEL_UNSPECIFIED;
    if (auto bad = Parsed(command, ParseLevelFlag(filter.level, "--level"), &level)) {
      return *bad;
    }
    request.set_level(level);
  }
  request.set_town(filter.town);
  request.set_park_id(filter.park);
  request.set_industry_code(filter.industry_prefix);
  auto stub = CertificationStub(options);
  cert::ListCertifiedResponse all;
  if (auto failed = FetchPages(
          options, command, options.certification, request, filter.all_pages, &all,
          [](cert::ListCertifiedResponse& r) { return r.mutable_enterprises(); },
          [&](grpc::ClientContext* c, const cert::ListCertifiedRequest& req,
              cert::ListCertifiedResponse* page) { return stub->ListCertified(c, req, page); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(all) + "\n" : CertifiedTable(all, DateLabel(request.on())));
  return kExitOk;
}

int ListDue(const GlobalOptions& options, int days) {
  cert::ListDueRequest request;
  request.set_days(days);
  auto stub = CertificationStub(options);
  cert::ListDueResponse due;
  if (auto failed =
          Invoke(options, "certification due", options.certification,
                 [&](grpc::ClientContext* c) { return stub->ListDue(c, request, &due); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(due) + "\n" : DueText(due, days));
  return kExitOk;
}

int ShowEligibility(const GlobalOptions& options, const std::string& uscc, const std::string& level,
                    const std::string& on) {
  const std::string command = "certification eligibility";
  cert::GetEligibilityRequest request;
  request.mutable_uscc()->set_value(uscc);
  cert::Level parsed_level = cert::LEVEL_UNSPECIFIED;
  if (auto bad = Parsed(command, ParseLevelFlag(level, "--level"), &parsed_level)) {
    return *bad;
  }
  request.set_level(parsed_level);
  if (!on.empty()) {
    if (auto bad = Parsed(command, ParseDateFlag(on, "--on"), request.mutable_on())) {
      return *bad;
    }
  }
  auto stub = CertificationStub(options);
  cert::EligibilityReport report;
  if (auto failed = Invoke(options, command, options.certification, [&](grpc::ClientContext* c) {
        return stub->GetEligibility(c, request, &report);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(report) + "\n" : EligibilityText(report));
  return kExitOk;
}

int CountActivity(const GlobalOptions& options, int year) {
  cert::CountActivityRequest request;
  request.set_year(year);
  auto stub = CertificationStub(options);
  cert::ActivityCounts counts;
  if (auto failed = Invoke(
          options, "certification activity", options.certification,
          [&](grpc::ClientContext* c) { return stub->CountActivity(c, request, &counts); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(counts) + "\n" : ActivityText(counts));
  return kExitOk;
}

int ListRecords(const GlobalOptions& options, const RecordFilter& filter) {
  const std::string command = "certification records";
  cert::ListRecordsRequest request;
  if (!filter.uscc.empty()) {
    request.mutable_uscc()->set_value(filter.uscc);
  }
  if (!filter.kind.empty()) {
    cert::RecordKind kind = cert::RECORD_KIND_UNSPECIFIED;
    if (auto bad = Parsed(command, ParseRecordKindFlag(filter.kind, "--kind"), &kind)) {
      return *bad;
    }
    request.set_kind(kind);
  }
  request.set_year(filter.year);
  if (!filter.status.empty()) {
    cert::RecordStatus status = cert::RECORD_STATUS_UNSPECIFIED;
    if (auto bad = Parsed(command, ParseRecordStatusFlag(filter.status, "--status"), &status)) {
      return *bad;
    }
    request.set_status(status);
  }
  auto stub = CertificationStub(options);
  cert::ListRecordsResponse all;
  if (auto failed = FetchPages(
          options, command, options.certification, request, filter.all_pages, &all,
          [](cert::ListRecordsResponse& r) { return r.mutable_records(); },
          [&](grpc::ClientContext* c, const cert::ListRecordsRequest& req,
              cert::ListRecordsResponse* page) { return stub->ListRecords(c, req, page); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(all) + "\n" : RecordsTable(all));
  return kExitOk;
}

int ShowRecord(const GlobalOptions& options, const std::string& record_id) {
  cert::GetRecordRequest request;
  request.set_record_id(record_id);
  auto stub = CertificationStub(options);
  cert::Record record;
  if (auto failed =
          Invoke(options, "certification record", options.certification,
                 [&](grpc::ClientContext* c) { return stub->GetRecord(c, request, &record); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(record) + "\n" : RecordDetail(record));
  return kExitOk;
}

int ListApplications(const GlobalOptions& options, const ApplicationFilter& filter) {
  const std::string command = "certification applications";
  cert::ListApplicationsRequest request;
  if (!filter.uscc.empty()) {
    request.mutable_uscc()->set_value(filter.uscc);
  }
  if (!filter.level.empty()) {
    cert::Level level = cert::LEVEL_UNSPECIFIED;
    if (auto bad = Parsed(command, ParseLevelFlag(filter.level, "--level"), &level)) {
      return *bad;
    }
    request.set_level(level);
  }
  if (!filter.state.empty()) {
    cert::ApplicationState state = cert::APPLICATION_STATE_UNSPECIFIED;
    if (auto bad = Parsed(command, ParseApplicationStateFlag(filter.state, "--state"), &state)) {
      return *bad;
    }
    request.set_state(state);
  }
  auto stub = CertificationStub(options);
  cert::ListApplicationsResponse all;
  if (auto failed = FetchPages(
          options, command, options.certification, request, filter.all_pages, &all,
          [](cert::ListApplicationsResponse& r) { return r.mutable_applications(); },
          [&](grpc::ClientContext* c, const cert::ListApplicationsRequest& req,
              cert::ListApplicationsResponse* page) {
            return stub->ListApplications(c, req, page);
          })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(all) + "\n" : ApplicationsTable(all));
  return kExitOk;
}

int ShowApplication(const GlobalOptions& options, const std::string& application_id) {
  cert::GetApplicationRequest request;
  request.set_application_id(application_id);
  auto stub = CertificationStub(options);
  cert::Application application;
  if (auto failed = Invoke(
          options, "certification application", options.certification,
          [&](grpc::ClientContext* c) { return stub->GetApplication(c, request, &application); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(application) + "\n" : ApplicationDetail(application));
  return kExitOk;
}

int ReviewRecord(const GlobalOptions& options, const std::string& record_id, bool accept,
                 bool return_record, const std::vector<std::string>& reasons) {
  const std::string command = "certification review-record";
  absl::StatusOr<RecordDecision> decision = ParseRecordDecision(accept, return_record, reasons);
  if (auto bad = BadOption(command, decision.status())) {
    return *bad;
  }
  cert::ReviewRecordRequest request;
  request.set_record_id(record_id);
  request.set_accept(decision->accept);
  for (const std::string& reason : decision->reasons) {
    request.add_reasons(reason);
  }
  auto stub = CertificationStub(options);
  cert::Record record;
  if (auto failed = Invoke(options, command, options.certification, [&](grpc::ClientContext* c) {
        return stub->ReviewRecord(c, request, &record);
      })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(record) + "\n" : RecordReviewText(record));
  return kExitOk;
}

int ListTitleReviews(const GlobalOptions& options, const std::string& uscc, bool open_only) {
  cert::ListTitleReviewsRequest request;
  if (!uscc.empty()) {
    request.mutable_uscc()->set_value(uscc);
  }
  request.set_open_only(open_only);
  auto stub = CertificationStub(options);
  cert::ListTitleReviewsResponse reviews;
  if (auto failed = Invoke(
          options, "certification reviews", options.certification,
          [&](grpc::ClientContext* c) { return stub->ListTitleReviews(c, request, &reviews); })) {
    return *failed;
  }
  Print(options.json ? ProtoJson(reviews) + "\n" : TitleReviewsTable(reviews));
  return kExitOk;
}

}  // namespace jieshui::cli
