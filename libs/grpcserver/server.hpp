// Start-up and shutdown of a Jieshui gRPC server: the caller's services plus grpc.health.v1.Health,
// server reflection, API-key authentication, per-RPC metrics and an orderly drain on SIGTERM.
//
// Typical main():
//   grpcserver::BlockShutdownSignals();          // first, before any thread exists
//   auto server = grpcserver::GrpcServer::Create(options);   // exit non-zero if !ok
//   (*server)->AddService(&service, RegistryService::service_full_name());
//   (*server)->AddStopHook("kafka consumer", [&] { consumer.Stop(); });  // in start order
//   (*server)->Start();
//   grpcserver::WaitForShutdownSignal();
//   (*server)->Stop();   // NOT_SERVING, drain, then stop hooks in reverse order
#pragma once

#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "grpcpp/server.h"
#include "grpcpp/support/interceptor.h"
#include "grpcserver/auth.hpp"
#include "metrics/metrics.hpp"

namespace grpc {
class Service;
}  // namespace grpc

namespace jieshui::grpcserver {

struct ServerOptions {
  // Used in logs.
  std::string service_name = "jieshui";
  // "host:port"; port 0 picks a free port (see GrpcServer::port()).
  std::string listen_address = "127.0.0.1:0";
  // Prometheus endpoint "host:port" (port 0 allowed); empty serves no /metrics.
  std::string metrics_address;
  std::vector<ApiKeyEntry> api_keys;
  // How long Stop() lets in-flight calls finish before cancelling them. gRPC's graceful GOAWAY
  // also waits here for clients to acknowledge it; an idle gRPC C++ channel does not (it has no
  // poller), so with such clients connected Stop() takes the whole drain timeout.
  absl::Duration drain_timeout = absl::Seconds(10);
  // Bulk uploads (readings, exports) are the largest messages; 16 MiB bounds memory per call.
  int max_receive_message_bytes = 16 * 1024 * 1024;
  int max_send_message_bytes = 16 * 1024 * 1024;
};

class GrpcServer {
 public:
  // Validates the options (INVALID_ARGUMENT naming the option) and starts the metrics endpoint
  // (UNAVAILABLE if it cannot bind). Also blocks SIGTERM/SIGINT in the calling thread.
  static absl::StatusOr<std::unique_ptr<GrpcServer>> Create(ServerOptions options);
  ~GrpcServer();  // Stop()s if still running.
  GrpcServer(const GrpcServer&) = delete;
  GrpcServer& operator=(const GrpcServer&) = delete;

  // Registry for the service's own metrics too.
  metrics::MetricsRegistry& metrics() { return *metrics_; }

  // Adds a service before Start(). Not owned; must outlive Stop(). `full_name` is the proto
  // service's full name (generated `Foo::service_full_name()`), reported SERVING by health.
  void AddService(grpc::Service* service, std::string_view full_name);

  // Registers work to run after the server has drained, e.g. stop consumers, flush producers,
  // close pools. Hooks run in REVERSE registration order (register in start-up order), each
  // logged with its duration. May be called before or after Start(), not after Stop().
  void AddStopHook(std::string name, std::function<void()> hook);

  // Builds and starts the server. UNAVAILABLE when the address cannot be bound;
  // FAILED_PRECONDITION when called twice.
  absl::Status Start();

  // Bound gRPC port after Start(); 0 before.
  int port() const { return port_; }

  // Health NOT_SERVING for every service, server Shutdown with the drain deadline, then the stop
  // hooks in reverse order. Idempotent; safe to call without Start().
  void Stop();

 private:
  explicit GrpcServer(ServerOptions options, std::shared_ptr<const ApiKeyStore> keys,
                      std::unique_ptr<metrics::MetricsRegistry> metrics,
                      prometheus::Family<prometheus::Counter>* handled,
                      prometheus::Family<prometheus::Histogram>* latency);

  struct StopHook {
    std::string name;
    std::function<void()> hook;
  };

  ServerOptions options_;
  std::shared_ptr<const ApiKeyStore> keys_;
  std::unique_ptr<metrics::MetricsRegistry> metrics_;
  prometheus::Family<prometheus::Counter>* handled_;
  prometheus::Family<prometheus::Histogram>* latency_;

  std::mutex mu_;
  std::vector<std::pair<grpc::Service*, std::string>> services_;
  std::vector<StopHook> stop_hooks_;
  std::unique_ptr<grpc::Server> server_;
  bool started_ = false;
  bool stopped_ = false;
  int port_ = 0;
};

// Blocks SIGTERM and SIGINT in the calling thread; threads created afterwards inherit the mask, so
// call it first thing in main(), before anything starts a thread. Then only WaitForShutdownSignal
// receives them.
void BlockShutdownSignals();

// Blocks SIGTERM/SIGINT (see above) and waits for one of them with sigwait; returns its number.
int WaitForShutdownSignal();

}  // namespace jieshui::grpcserver
