// jieshui-registry-cli: the operator's command line for the registry service. Imports the
// enterprise and meter registers from CSV files kept in spreadsheets (rows checked locally, then
// streamed to ImportEnterprises / ImportMeters) and exports the key-monitored list as CSV.
//
//   jieshui-registry-cli [--target HOST:PORT] [--json] import-enterprises FILE [--dry-run]
//   jieshui-registry-cli [--target HOST:PORT] [--json] import-meters FILE [--dry-run]
//   jieshui-registry-cli [--target HOST:PORT] [--json] export-key-monitored [--town T] [--park P]
//                        [-o FILE]
//
// The API key comes from JIESHUI_API_KEY, the target also from JIESHUI_REGISTRY_TARGET.
// Exit status: 0 done and no row rejected, 1 some rows rejected, 2 usage, file or call failed.
#include <cerrno>
#include <chrono>
#include <cinttypes>
#include <cstdio>
#include <cstring>
#include <exception>
#include <fstream>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "absl/status/status.h"
#include "call.hpp"
#include "grpcpp/grpcpp.h"
#include "import_client.hpp"
#include "import_report.hpp"
#include "jieshui/registry/v1/registry_service.grpc.pb.h"
#include "nlohmann/json.hpp"

namespace {

namespace v1 = ::jieshui::registry::v1;
using jieshui::registry_cli::ImportReport;

constexpr int kExitOk = 0;
constexpr int kExitRejected = 1;
constexpr int kExitFailed = 2;

struct GlobalOptions {
  std::string target = "127.0.0.1:50051";
  bool json = false;
  int timeout_seconds = 600;
};

int Fail(const std::string& command, const std::string& message) {
  std::fprintf(stderr, "%s: %s\n", command.c_str(), message.c_str());
  return kExitFailed;
}

int FailCall(const std::string& command, const GlobalOptions& options, const grpc::Status& status) {
  return Fail(command, jieshui::tools::DescribeCallFailure(status, options.target));
}

// The context of one call: deadline and the API key as "authorization: Bearer <key>".
// nullptr (after printing why) if JIESHUI_API_KEY cannot be sent as a header value.
std::unique_ptr<grpc::ClientContext> MakeContext(const std::string& command,
                                                 const GlobalOptions& options) {
  auto context = jieshui::tools::MakeCallContext(jieshui::tools::ApiKeyFromEnvironment(),
                                                 std::chrono::seconds(options.timeout_seconds));
  if (!context.ok()) {
    Fail(command, std::string(context.status().message()));
    return nullptr;
  }
  return *std::move(context);
}

// Imports `path` (jieshui_registry_import) and prints the merged report.
int Import(const std::string& command, const GlobalOptions& options, const std::string& path,
           bool dry_run, jieshui::registry_cli::ImportKind kind) {
  const jieshui::registry_cli::ImportTarget target{
      .target = options.target,
      .api_key = jieshui::tools::ApiKeyFromEnvironment(),
      .timeout = std::chrono::seconds(options.timeout_seconds)};
  absl::StatusOr<ImportReport> report =
      jieshui::registry_cli::ImportFile(kind, path, dry_run, target);
  if (!report.ok()) {
    return Fail(command, std::string(report.status().message()));
  }
  if (options.json) {
    std::printf("%s\n", FormatImportReportJson(*report).c_str());
  } else {
    std::fputs(FormatImportReportText(*report).c_str(), stdout);
  }
  return report->summary.rejected() > 0 ? kExitRejected : kExitOk;
}

// The server names the file; only its last path component is used, so a name like
// "../x" cannot write outside the current directory.
std::string LocalFileName(const std::string& server_name) {
  std::string name = server_name.substr(server_name.find_last_of("/\\") + 1);
  if (name.empty() || name == "." || name == "..") {
    return "key_monitored.csv";
  }
  return name;
}

int ExportKeyMonitored(const GlobalOptions& options, const std::string& town,
                       const std::string& park, const std::string& output) {
  const std::string command = "export-key-monitored";
  std::unique_ptr<grpc::ClientContext> context = MakeContext(command, options);
  if (context == nullptr) {
    return kExitFailed;
  }
  auto channel = grpc::CreateChannel(options.target, grpc::InsecureChannelCredentials());
  auto stub = v1::RegistryService::NewStub(channel);
  v1::ExportKeyMonitoredRequest request;
  request.set_town(town);
  request.set_park_id(park);
  v1::CsvFile file;
  grpc::Status status = stub->ExportKeyMonitored(context.get(), request, &file);
  if (!status.ok()) {
    return FailCall(command, options, status);
  }
  const std::string path = output.empty() ? LocalFileName(file.file_name()) : output;
  if (path == "-") {
    std::fwrite(file.content().data(), 1, file.content().size(), stdout);
    std::fflush(stdout);
  } else {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(file.content().data(), static_cast<std::streamsize>(file.content().size()));
    out.close();
    if (!out) {
      return Fail(command, "cannot write " + path + ": " + std::strerror(errno));
    }
  }
  // With "-o -" the file goes to stdout, so the note goes to stderr.
  FILE* note = path == "-" ? stderr : stdout;
  if (options.json) {
    const nlohmann::json json = {
        {"file", path}, {"rows", file.rows()}, {"bytes", file.content().size()}};
    std::fprintf(note, "%s\n",
                 json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    std::fprintf(note, "wrote %" PRId64 " key-monitored enterprises to %s\n", file.rows(),
                 path.c_str());
  }
  return kExitOk;
}

int Run(int argc, char** argv) {
  CLI::App app{"jieshui-registry-cli: import enterprises and meters from CSV, export lists"};
  app.require_subcommand(1);
  // Global options are also accepted after the subcommand: "import-meters m.csv --json".
  app.fallthrough();
  GlobalOptions options;
  app.add_option("--target", options.target, "registry address host:port")
      ->envname("JIESHUI_REGISTRY_TARGET")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print the result as JSON");
  app.add_option("--timeout", options.timeout_seconds, "seconds a call may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.footer("The API key is read from JIESHUI_API_KEY.");

  std::string enterprises_file;
  bool enterprises_dry_run = false;
  CLI::App* import_enterprises =
      app.add_subcommand("import-enterprises", "import enterprises from a CSV file");
  import_enterprises->add_option("FILE", enterprises_file, "CSV file")->required();
  import_enterprises->add_flag("--dry-run", enterprises_dry_run,
                               "check the file only, send nothing");

  std::string meters_file;
  bool meters_dry_run = false;
  CLI::App* import_meters = app.add_subcommand("import-meters", "import meters from a CSV file");
  import_meters->add_option("FILE", meters_file, "CSV file")->required();
  import_meters->add_flag("--dry-run", meters_dry_run, "check the file only, send nothing");

  std::string town;
  std::string park;
  std::string output;
  CLI::App* export_key_monitored = app.add_subcommand(
      "export-key-monitored", "write the key-monitored enterprises list (CSV) to a file");
  export_key_monitored->add_option("--town", town, "only this town");
  export_key_monitored->add_option("--park", park, "only this industrial park (park_id)");
  export_key_monitored->add_option(
      "-o,--output", output, "file to write, '-' for stdout (default: the name the server gives)");

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitFailed;
  }

  if (import_enterprises->parsed()) {
    return Import("import-enterprises", options, enterprises_file, enterprises_dry_run,
                  jieshui::registry_cli::ImportKind::kEnterprises);
  }
  if (import_meters->parsed()) {
    return Import("import-meters", options, meters_file, meters_dry_run,
                  jieshui::registry_cli::ImportKind::kMeters);
  }
  return ExportKeyMonitored(options, town, park, output);
}

}  // namespace

int main(int argc, char** argv) {
  // CLI11, iostreams and allocation report failures as exceptions; none may end the tool with
  // std::terminate instead of an exit status.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jieshui-registry-cli: %s\n", e.what());
    return kExitFailed;
  }
}
