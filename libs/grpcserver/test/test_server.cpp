// A small server for grpcserver_integration_test: serves jieshui.testing.v1.EchoService through
// GrpcServer on 127.0.0.1:0, prints the bound port as its first stdout line, logs JSON lines after
// it, and stops on SIGTERM running two stop hooks that log.
#include <atomic>
#include <iostream>

#include "grpcserver/auth.hpp"
#include "grpcserver/server.hpp"
#include "grpcserver/status.hpp"
#include "jieshui/testing/v1/echo.grpc.pb.h"
#include "log/log.hpp"

namespace {

namespace gs = jieshui::grpcserver;
namespace pb = jieshui::testing::v1;

class EchoServiceImpl final : public pb::EchoService::Service {
 public:
  grpc::Status Echo(grpc::ServerContext* ctx, const pb::EchoRequest* request,
                    pb::EchoResponse* response) override {
    absl::StatusOr<gs::Principal> principal = gs::RequirePrincipal(ctx);
    if (!principal.ok()) {
      return gs::ToGrpcStatus(principal.status(), ctx);
    }
    if (!request->uscc().empty() && !gs::CanAccessEnterprise(*principal, request->uscc())) {
      return gs::PermissionDenied(*principal, "read enterprise " + request->uscc());
    }
    const int64_t calls = echo_calls_.fetch_add(1) + 1;  // the side effect under test
    response->set_message(request->message());
    response->set_principal_kind(std::string(gs::PrincipalKindName(principal->kind)));
    response->set_principal_name(principal->name);
    response->set_echo_calls(calls);
    return grpc::Status::OK;
  }

  grpc::Status Fail(grpc::ServerContext* ctx, const pb::FailRequest* request,
                    pb::FailResponse* /*response*/) override {
    absl::StatusOr<gs::Principal> principal = gs::RequirePrincipal(ctx);
    if (!principal.ok()) {
      return gs::ToGrpcStatus(principal.status(), ctx);
    }
    return gs::ToGrpcStatus(gs::InvalidArgument(request->field(), request->reason()), ctx);
  }

  // Deliberately unguarded (see echo.proto).
  grpc::Status Count(grpc::ServerContext* /*ctx*/, const pb::CountRequest* /*request*/,
                     pb::CountResponse* response) override {
    response->set_echo_calls(echo_calls_.load());
    return grpc::Status::OK;
  }

 private:
  std::atomic<int64_t> echo_calls_{0};
};

}  // namespace

int main() {
  gs::BlockShutdownSignals();
  jieshui::log::Init("grpcserver_test_server", jieshui::log::Level::kInfo);

  gs::ServerOptions options;
  options.service_name = "grpcserver_test_server";
  options.listen_address = "127.0.0.1:0";
  options.metrics_address = "127.0.0.1:0";
  options.drain_timeout = absl::Seconds(5);
  // Only hashes are configured, as in production; the plain keys are known to the test.
  options.api_keys = {
      {gs::Sha256Hex("test-water-affairs-key"), gs::PrincipalKind::kWaterAffairs, "",
       "Wuzhong water affairs bureau"},
      {gs::Sha256Hex("test-enterprise-key"), gs::PrincipalKind::kEnterprise, "91320506MA1ABCDE0X",
       "Suzhou test dyeing works"},
  };
  auto server = gs::GrpcServer::Create(options);
  if (!server.ok()) {
    jieshui::log::Error("cannot create server", {{"error", server.status().ToString()}});
    return 2;
  }
  EchoServiceImpl echo;
  (*server)->AddService(&echo, pb::EchoService::service_full_name());
  (*server)->AddStopHook("first-registered", [] {
    jieshui::log::Info("hook ran", {{"hook", "first-registered"}});
  });
  (*server)->AddStopHook("second-registered", [] {
    jieshui::log::Info("hook ran", {{"hook", "second-registered"}});
  });
  if (absl::Status started = (*server)->Start(); !started.ok()) {
    jieshui::log::Error("cannot start server", {{"error", started.ToString()}});
    return 2;
  }
  std::cout << (*server)->port() << std::endl;

  const int signal_number = gs::WaitForShutdownSignal();
  jieshui::log::Info("shutdown signal", {{"signal", signal_number}});
  (*server)->Stop();
  return 0;
}
