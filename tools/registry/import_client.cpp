#include "import_client.hpp"

#include <memory>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "call.hpp"
#include "csv_rows.hpp"
#include "jieshui/registry/v1/registry_service.grpc.pb.h"

namespace jieshui::registry_cli {
namespace {

namespace v1 = ::jieshui::registry::v1;

// Maps `text` with `map_file`, streams the good rows with `start_call` and merges the reports.
template <typename MapFileFn, typename StartCall>
absl::StatusOr<ImportReport> MapAndSend(const std::string& path, const std::string& text,
                                        bool dry_run, const ImportTarget& target,
                                        MapFileFn map_file, StartCall start_call) {
  auto mapped = map_file(text);
  if (!mapped.ok()) {
    return absl::Status(mapped.status().code(),
                        absl::StrCat(path, ": ", mapped.status().message()));
  }
  v1::ImportSummary server;
  if (dry_run) {
    server.set_rows_received(static_cast<int64_t>(mapped->rows.size()));
  } else if (!mapped->rows.empty()) {
    auto context = tools::MakeCallContext(target.api_key, target.timeout);
    if (!context.ok()) {
      return context.status();
    }
    auto channel = grpc::CreateChannel(target.target, grpc::InsecureChannelCredentials());
    auto stub = v1::RegistryService::NewStub(channel);
    auto writer = start_call(*stub, context->get(), &server);
    for (const auto& row : mapped->rows) {
      // false: the call has ended (refused, or the connection broke); Finish says why.
      if (!writer->Write(row)) {
        break;
      }
    }
    writer->WritesDone();
    const grpc::Status status = writer->Finish();
    if (!status.ok()) {
      return absl::Status(static_cast<absl::StatusCode>(status.error_code()),
                          tools::DescribeCallFailure(status, target.target));
    }
  }
  ImportReport report = MergeImportReport(mapped->rejected, mapped->errors, server);
  report.dry_run = dry_run;
  return report;
}

}  // namespace

absl::StatusOr<ImportReport> ImportFile(ImportKind kind, const std::string& path, bool dry_run,
                                        const ImportTarget& target) {
  absl::StatusOr<std::string> text = tools::ReadWholeFile(path);
  if (!text.ok()) {
    return text.status();
  }
  if (kind == ImportKind::kEnterprises) {
    return MapAndSend(
        path, *text, dry_run, target, MapEnterpriseFile,
        [](v1::RegistryService::Stub& stub, grpc::ClientContext* context,
           v1::ImportSummary* summary) { return stub.ImportEnterprises(context, summary); });
  }
  return MapAndSend(path, *text, dry_run, target, MapMeterFile,
                    [](v1::RegistryService::Stub& stub, grpc::ClientContext* context,
                       v1::ImportSummary* summary) { return stub.ImportMeters(context, summary); });
}

}  // namespace jieshui::registry_cli
