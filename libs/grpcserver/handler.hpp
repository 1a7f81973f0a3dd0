// What every RPC handler is made of: who may call it, its body, and one way to answer. A handler
// reads `return Handle(ctx, kReaders, resp, [&](const Principal& p) { ... });` and its body
// returns absl::Status or absl::StatusOr<Resp>, so the rules it calls need no gRPC.
#pragma once

#include <type_traits>
#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"
#include "grpcserver/auth.hpp"
#include "grpcserver/status.hpp"

namespace jieshui::grpcserver {

// The handler's answer: OK, or the status with its field detail in the trailers.
inline grpc::Status Reply(const absl::Status& status, grpc::ServerContextBase* ctx) {
  return ToGrpcStatus(status, ctx);
}
// The value into `*resp`, or the status with its field detail.
template <typename T>
grpc::Status Reply(absl::StatusOr<T> value, T* resp, grpc::ServerContextBase* ctx) {
  if (!value.ok()) {
    return ToGrpcStatus(value.status(), ctx);
  }
  *resp = *std::move(value);
  return grpc::Status::OK;
}

// Authenticates and authorises the caller (Caller), then runs `body(principal)`: it returns
// absl::Status (having filled `*resp`) or absl::StatusOr<Resp> (the answer).
template <typename Resp, typename Body>
grpc::Status Handle(grpc::ServerContextBase* ctx, PrincipalSet allowed, Resp* resp, Body&& body) {
  absl::StatusOr<Principal> caller = Caller(ctx, allowed);
  if (!caller.ok()) {
    return ToGrpcStatus(caller.status(), ctx);
  }
  using Result = std::invoke_result_t<Body, const Principal&>;
  if constexpr (std::is_same_v<Result, absl::Status>) {
    return Reply(std::forward<Body>(body)(*caller), ctx);
  } else {
    return Reply(std::forward<Body>(body)(*caller), resp, ctx);
  }
}

}  // namespace jieshui::grpcserver
