#include "grpcserver/server.hpp"

#include <signal.h>

#include <algorithm>
#include <chrono>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "grpc/health/v1/health.pb.h"
#include "grpcpp/ext/proto_server_reflection_plugin.h"
#include "grpcpp/health_check_service_interface.h"
#include "grpcpp/security/server_credentials.h"
#include "grpcpp/server_builder.h"
#include "grpcserver/interceptors.hpp"
#include "log/log.hpp"
#include "strings/view.hpp"

namespace jieshui::grpcserver {
namespace {

using strings::Av;

sigset_t ShutdownSignals() {
  sigset_t set;
  sigemptyset(&set);
  sigaddset(&set, SIGTERM);
  sigaddset(&set, SIGINT);
  return set;
}

absl::Status ValidateAddress(std::string_view option, std::string_view address) {
  const size_t colon = address.rfind(':');
  int port = -1;
  if (colon == std::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(Av(address.substr(colon + 1)), &port) || port < 0 || port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat(Av(option), ": expected host:port, got \"", Av(address), "\""));
  }
  return absl::OkStatus();
}

}  // namespace

void BlockShutdownSignals() {
  const sigset_t set = ShutdownSignals();
  pthread_sigmask(SIG_BLOCK, &set, nullptr);
}

int WaitForShutdownSignal() {
  BlockShutdownSignals();
  const sigset_t set = ShutdownSignals();
  int signal_number = 0;
  while (sigwait(&set, &signal_number) != 0) {
  }
  return signal_number;
}

absl::StatusOr<std::unique_ptr<GrpcServer>> GrpcServer::Create(ServerOptions options) {
  BlockShutdownSignals();
  if (absl::Status s = ValidateAddress("listen_address", options.listen_address); !s.ok()) {
    return s;
  }
  if (options.drain_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("drain_timeout: must not be negative");
  }
  if (options.max_receive_message_bytes <= 0 || options.max_send_message_bytes <= 0) {
    return absl::InvalidArgumentError("max message sizes: must be positive");
  }
  absl::StatusOr<ApiKeyStore> keys = ApiKeyStore::Create(options.api_keys);
  if (!keys.ok()) {
    return keys.status();
  }
  absl::StatusOr<std::unique_ptr<metrics::MetricsRegistry>> registry =
      metrics::MetricsRegistry::Create(options.metrics_address);
  if (!registry.ok()) {
    return registry.status();
  }
  auto handled = (*registry)->AddCounterFamily("jieshui_grpc_server_handled_total",
                                               "gRPC calls completed, by method and status code.");
  if (!handled.ok()) {
    return handled.status();
  }
  auto latency = (*registry)->AddHistogramFamily("jieshui_grpc_server_handling_seconds",
                                                 "gRPC call duration in seconds, by method.");
  if (!latency.ok()) {
    return latency.status();
  }
  return std::unique_ptr<GrpcServer>(
      new GrpcServer(std::move(options), std::make_shared<const ApiKeyStore>(*std::move(keys)),
                     *std::move(registry), *handled, *latency));
}

GrpcServer::GrpcServer(ServerOptions options, std::shared_ptr<const ApiKeyStore> keys,
                       std::unique_ptr<metrics::MetricsRegistry> metrics,
                       prometheus::Family<prometheus::Counter>* handled,
                       prometheus::Family<prometheus::Histogram>* latency)
    : options_(std::move(options)),
      keys_(std::move(keys)),
      metrics_(std::move(metrics)),
      handled_(handled),
      latency_(latency) {}

GrpcServer::~GrpcServer() { Stop(); }

void GrpcServer::AddService(grpc::Service* service, std::string_view full_name) {
  std::lock_guard<std::mutex> lock(mu_);
  services_.emplace_back(service, std::string(full_name));
}

void GrpcServer::AddStopHook(std::string name, std::function<void()> hook) {
  std::lock_guard<std::mutex> lock(mu_);
  if (stopped_) {
    log::Error("stop hook added after Stop; running it now", {{"hook", name}});
    hook();
    return;
  }
  stop_hooks_.push_back(StopHook{std::move(name), std::move(hook)});
}

absl::Status GrpcServer::Start() {
  std::lock_guard<std::mutex> lock(mu_);
  if (started_ || stopped_) {
    return absl::FailedPreconditionError("grpc server: Start called twice or after Stop");
  }
  // Both are process-wide switches read when a server is built.
  grpc::EnableDefaultHealthCheckService(true);
  grpc::reflection::InitProtoReflectionServerBuilderPlugin();
  // Makes grpc.health.v1 descriptors part of the generated pool so reflection can describe the
  // health service (and keeps the linker from dropping them).
  (void)grpc::health::v1::HealthCheckRequest::descriptor();

  grpc::ServerBuilder builder;
  int selected_port = 0;
  // Plaintext: deployments terminate TLS in front of the service (see DESIGN.md, local runs are
  // loopback only).
  builder.AddListeningPort(options_.listen_address, grpc::InsecureServerCredentials(),
                           &selected_port);
  builder.SetMaxReceiveMessageSize(options_.max_receive_message_bytes);
  builder.SetMaxSendMessageSize(options_.max_send_message_bytes);
  // Let clients keep idle connections alive with pings no more often than every 10 s.
  builder.AddChannelArgument(GRPC_ARG_HTTP2_MIN_RECV_PING_INTERVAL_WITHOUT_DATA_MS, 10000);
  builder.AddChannelArgument(GRPC_ARG_KEEPALIVE_PERMIT_WITHOUT_CALLS, 1);
  for (auto& [service, name] : services_) {
    builder.RegisterService(service);
  }
  std::vector<std::unique_ptr<grpc::experimental::ServerInterceptorFactoryInterface>> creators;
  // Order matters: auth first, so metrics records the status auth enforces.
  creators.push_back(std::make_unique<AuthInterceptorFactory>(keys_));
  creators.push_back(std::make_unique<MetricsInterceptorFactory>(handled_, latency_));
  builder.experimental().SetInterceptorCreators(std::move(creators));

  server_ = builder.BuildAndStart();
  if (server_ == nullptr || selected_port == 0) {
    server_.reset();
    return absl::UnavailableError(
        absl::StrCat("listen_address ", options_.listen_address, ": cannot listen"));
  }
  port_ = selected_port;
  started_ = true;

  grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
  if (health != nullptr) {
    health->SetServingStatus(true);
    for (const auto& [service, name] : services_) {
      health->SetServingStatus(name, true);
    }
  }
  log::Info("grpc server started", {{"address", options_.listen_address},
                                    {"port", port_},
                                    {"metrics_port", metrics_->port()},
                                    {"services", static_cast<int64_t>(services_.size())},
                                    {"api_keys", static_cast<int64_t>(keys_->size())}});
  return absl::OkStatus();
}

void GrpcServer::Stop() {
  std::vector<StopHook> hooks;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (stopped_) {
      return;
    }
    stopped_ = true;
    hooks = std::move(stop_hooks_);
    stop_hooks_.clear();
  }
  if (server_ != nullptr) {
    log::Info("grpc server stopping",
              {{"drain_timeout_ms", absl::ToInt64Milliseconds(options_.drain_timeout)}});
    if (grpc::HealthCheckServiceInterface* health = server_->GetHealthCheckService();
        health != nullptr) {
      health->SetServingStatus(false);
      // Freezes every status at NOT_SERVING and ends Watch streams.
      health->Shutdown();
    }
    const auto deadline =
        std::chrono::system_clock::now() + absl::ToChronoMilliseconds(options_.drain_timeout);
    server_->Shutdown(deadline);
    server_->Wait();
    log::Info("grpc server drained");
  }
  // Stop hooks run in the reverse of the order they were added (start-up order).
  std::reverse(hooks.begin(), hooks.end());
  for (const auto& stop_hook : hooks) {
    const auto start = std::chrono::steady_clock::now();
    log::Info("stop hook running", {{"hook", stop_hook.name}});
    stop_hook.hook();
    const auto elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
        std::chrono::steady_clock::now() - start);
    log::Info("stop hook done", {{"hook", stop_hook.name}, {"duration_ms", elapsed.count()}});
  }
  log::Info("grpc server stopped");
}

}  // namespace jieshui::grpcserver
