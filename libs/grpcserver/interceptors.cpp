#include "grpcserver/interceptors.hpp"

#include <chrono>
#include <string>

#include "absl/status/status.h"
#include "absl/strings/match.h"
#include "grpcserver/status.hpp"
#include "log/log.hpp"
#include "metrics/metrics.hpp"
#include "strings/view.hpp"

namespace jieshui::grpcserver {
namespace {

using strings::Av;

using grpc::experimental::InterceptionHookPoints;
using grpc::experimental::InterceptorBatchMethods;

constexpr char kUnauthenticatedMessage[] =
    "authorization: a valid API key is required (metadata \"authorization: Bearer <key>\")";

class AuthInterceptor : public grpc::experimental::Interceptor {
 public:
  AuthInterceptor(grpc::experimental::ServerRpcInfo* info, const ApiKeyStore* keys)
      : ctx_(info->server_context()),
        method_(info->method() != nullptr ? info->method() : ""),
        exempt_(IsAuthExemptMethod(method_)),
        keys_(keys) {}

  ~AuthInterceptor() override {
    if (bound_) {
      internal::UnbindPrincipal(ctx_, this);
    }
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (!exempt_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::POST_RECV_INITIAL_METADATA)) {
      Authenticate(methods->GetRecvInitialMetadata());
    }
    if (!exempt_ && !bound_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Refuse(methods);
    }
    methods->Proceed();
  }

 private:
  void Authenticate(const std::multimap<grpc::string_ref, grpc::string_ref>* metadata) {
    if (metadata == nullptr) {
      return;
    }
    auto it = metadata->find("authorization");
    if (it == metadata->end()) {
      return;
    }
    std::optional<Principal> principal =
        keys_->LookupAuthorization(std::string_view(it->second.data(), it->second.size()));
    if (principal.has_value()) {
      internal::BindPrincipal(ctx_, this, *std::move(principal));
      bound_ = true;
    }
  }

  // Whatever the handler answered, an unauthenticated caller gets UNAUTHENTICATED (and the
  // ErrorDetail that goes with it).
  void Refuse(InterceptorBatchMethods* methods) {
    methods->ModifySendStatus(
        grpc::Status(grpc::StatusCode::UNAUTHENTICATED, kUnauthenticatedMessage));
    if (auto* trailers = methods->GetSendTrailingMetadata(); trailers != nullptr) {
      trailers->erase(kErrorDetailMetadataKey);
      trailers->emplace(
          kErrorDetailMetadataKey,
          ErrorDetailOf(absl::UnauthenticatedError(kUnauthenticatedMessage)).SerializeAsString());
    }
    log::Warn("unauthenticated call refused",
              {{"method", method_}, {"peer", ctx_ != nullptr ? ctx_->peer() : std::string()}});
  }

  grpc::ServerContextBase* ctx_;
  std::string method_;
  bool exempt_;
  const ApiKeyStore* keys_;
  bool bound_ = false;
};

class MetricsInterceptor : public grpc::experimental::Interceptor {
 public:
  MetricsInterceptor(grpc::experimental::ServerRpcInfo* info,
                     prometheus::Family<prometheus::Counter>* handled,
                     prometheus::Family<prometheus::Histogram>* latency)
      : method_(info->method() != nullptr ? info->method() : ""),
        handled_(handled),
        latency_(latency),
        start_(std::chrono::steady_clock::now()) {}

  // A call that ends without sending a status (client cancelled, deadline) is still counted.
  ~MetricsInterceptor() override {
    if (!recorded_) {
      Record(grpc::StatusCode::CANCELLED);
    }
  }

  void Intercept(InterceptorBatchMethods* methods) override {
    if (!recorded_ &&
        methods->QueryInterceptionHookPoint(InterceptionHookPoints::PRE_SEND_STATUS)) {
      Record(methods->GetSendStatus().error_code());
    }
    methods->Proceed();
  }

 private:
  void Record(grpc::StatusCode code) {
    recorded_ = true;
    const std::chrono::duration<double> elapsed = std::chrono::steady_clock::now() - start_;
    const std::string code_name = absl::StatusCodeToString(static_cast<absl::StatusCode>(code));
    handled_->Add({{"grpc_method", method_}, {"grpc_code", code_name}}).Increment();
    latency_->Add({{"grpc_method", method_}}, metrics::LatencyBucketsSeconds())
        .Observe(elapsed.count());
  }

  std::string method_;
  prometheus::Family<prometheus::Counter>* handled_;
  prometheus::Family<prometheus::Histogram>* latency_;
  std::chrono::steady_clock::time_point start_;
  bool recorded_ = false;
};

}  // namespace

bool IsAuthExemptMethod(std::string_view full_method) {
  return absl::StartsWith(Av(full_method), "/grpc.health.v1.Health/") ||
         absl::StartsWith(Av(full_method), "/grpc.reflection.v1alpha.ServerReflection/") ||
         absl::StartsWith(Av(full_method), "/grpc.reflection.v1.ServerReflection/");
}

AuthInterceptorFactory::AuthInterceptorFactory(std::shared_ptr<const ApiKeyStore> keys)
    : keys_(std::move(keys)) {}

grpc::experimental::Interceptor* AuthInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new AuthInterceptor(info, keys_.get());
}

MetricsInterceptorFactory::MetricsInterceptorFactory(
    prometheus::Family<prometheus::Counter>* handled,
    prometheus::Family<prometheus::Histogram>* latency)
    : handled_(handled), latency_(latency) {}

grpc::experimental::Interceptor* MetricsInterceptorFactory::CreateServerInterceptor(
    grpc::experimental::ServerRpcInfo* info) {
  return new MetricsInterceptor(info, handled_, latency_);
}

}  // namespace jieshui::grpcserver
