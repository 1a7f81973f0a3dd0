// jieshui-health: asks a gRPC server for grpc.health.v1.Health/Check (no API key: health is exempt
// from auth) and exits 0 only when it answers SERVING; deploy/local/stack.sh waits on it.
#include <cstdio>
#include <string>
#include <string_view>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "grpc/health/v1/health.grpc.pb.h"
#include "grpcpp/grpcpp.h"

namespace {

using grpc::health::v1::HealthCheckRequest;
using grpc::health::v1::HealthCheckResponse;

int Usage(std::string_view problem) {
  std::fprintf(stderr,
               "jieshui-health: %.*s\n"
               "usage: jieshui-health <host:port> [--service NAME] [--timeout 2s]\n"
               "  exit 0: SERVING; 1: any other answer or no answer; 2: bad arguments\n",
               static_cast<int>(problem.size()), problem.data());
  return 2;
}

}  // namespace

int main(int argc, char** argv) {
  std::string target;
  HealthCheckRequest request;  // service "" = the server as a whole
  absl::Duration timeout = absl::Seconds(2);
  for (int i = 1; i < argc; ++i) {
    const std::string arg = argv[i];
    if (arg == "--service" && i + 1 < argc) {
      request.set_service(argv[++i]);
    } else if (arg == "--timeout" && i + 1 < argc) {
      if (!absl::ParseDuration(argv[++i], &timeout) || timeout <= absl::ZeroDuration()) {
        return Usage(absl::StrCat("--timeout ", argv[i], ": not a duration such as 2s or 500ms"));
      }
    } else if (target.empty() && !arg.empty() && arg[0] != '-') {
      target = arg;
    } else {
      return Usage(absl::StrCat("unexpected argument '", arg, "'"));
    }
  }
  if (target.empty()) {
    return Usage("no server address");
  }

  auto stub = grpc::health::v1::Health::NewStub(
      grpc::CreateChannel(target, grpc::InsecureChannelCredentials()));
  grpc::ClientContext context;
  context.set_deadline(absl::ToChronoTime(absl::Now() + timeout));
  HealthCheckResponse response;
  const grpc::Status status = stub->Check(&context, request, &response);
  const std::string what = request.service().empty() ? target : target + " " + request.service();
  if (!status.ok()) {
    // gRPC and absl share the canonical codes one to one.
    std::fprintf(
        stderr, "jieshui-health: %s: %s: %s\n", what.c_str(),
        absl::StatusCodeToString(static_cast<absl::StatusCode>(status.error_code())).c_str(),
        status.error_message().c_str());
    return 1;
  }
  const std::string name = HealthCheckResponse::ServingStatus_Name(response.status());
  if (response.status() != HealthCheckResponse::SERVING) {
    std::fprintf(stderr, "jieshui-health: %s: %s\n", what.c_str(), name.c_str());
    return 1;
  }
  std::printf("%s: %s\n", what.c_str(), name.c_str());
  return 0;
}
