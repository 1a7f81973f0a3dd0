// The server interceptors every Jieshui gRPC server installs: authentication by API key (see the
// design in auth.hpp) and per-RPC metrics (requests by method and code, latency by method).
#pragma once

#include <memory>
#include <string_view>

#include "grpcpp/support/server_interceptor.h"
#include "grpcserver/auth.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/histogram.h"

namespace jieshui::grpcserver {

// True for methods of grpc.health.v1.Health and server reflection (v1alpha and v1), which answer
// without a key so that stock probes and grpcurl discovery work.
bool IsAuthExemptMethod(std::string_view full_method);

// Must be first in the interceptor list: at PRE_SEND_STATUS interceptors run in list order, so
// later interceptors (metrics) see the status it enforces.
class AuthInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  explicit AuthInterceptorFactory(std::shared_ptr<const ApiKeyStore> keys);
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  std::shared_ptr<const ApiKeyStore> keys_;
};

// Counts every call by method and final code (jieshui_grpc_server_handled_total) and observes its
// duration (jieshui_grpc_server_handling_seconds). The families must outlive the server.
class MetricsInterceptorFactory : public grpc::experimental::ServerInterceptorFactoryInterface {
 public:
  MetricsInterceptorFactory(prometheus::Family<prometheus::Counter>* handled,
                            prometheus::Family<prometheus::Histogram>* latency);
  grpc::experimental::Interceptor* CreateServerInterceptor(
      grpc::experimental::ServerRpcInfo* info) override;

 private:
  prometheus::Family<prometheus::Counter>* handled_;
  prometheus::Family<prometheus::Histogram>* latency_;
};

}  // namespace jieshui::grpcserver
