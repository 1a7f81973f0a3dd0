// Who is calling a Jieshui gRPC service: API keys, the principals they stand for, and the helpers
// handlers use to require authentication and decide what a principal may see.
//
// Design (gRPC 1.51). API keys arrive in the "authorization" metadata, as "Bearer <key>" or the
// bare key. Configuration holds only the SHA-256 hex of each key; a presented key is hashed and
// compared against every configured hash in constant time.
//
// gRPC 1.51 server interceptors cannot end a call before its handler runs (server-side hijacking
// is not supported; an interceptor can only observe and modify the batches the handler produces;
// AuthMetadataProcessor, the one pre-handler hook, works only with secure credentials). So
// authentication is enforced twice:
//   1. The auth interceptor (see interceptors.hpp) resolves the principal at
//      POST_RECV_INITIAL_METADATA, before the handler runs, and binds it to the call's
//      ServerContext. At PRE_SEND_STATUS it rewrites the status of every call that had no valid key
//      to UNAUTHENTICATED (whatever the handler returned), so the caller never sees a handler's
//      answer, and the call is counted as UNAUTHENTICATED in the metrics.
//   2. Every handler starts with RequirePrincipal() or Authorize(), which return UNAUTHENTICATED
//      when the interceptor bound no principal, so no handler logic (and no side effect) runs for
//      an unauthenticated call. Without the interceptor installed, they refuse every call.
// The health and reflection services are exempt, so stock probes and grpcurl discovery work.
#pragma once

#include <array>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "grpcpp/server_context.h"
#include "grpcpp/support/status.h"

namespace jieshui::grpcserver {

enum class PrincipalKind {
  // District departments (action plan: the water affairs bureau leads; industry and information
  // technology, development and reform, and statistics bureaus take part).
  kWaterAffairs,
  kIndustry,
  kDevelopmentReform,
  kStatistics,
  // An industrial water user; carries its unified social credit code.
  kEnterprise,
  // A partner system pulling indicators.
  kPartner,
  // A meter gateway pushing readings.
  kMeterGateway,
};

// "water_affairs", "industry", "development_reform", "statistics", "enterprise", "partner",
// "meter_gateway".
std::string_view PrincipalKindName(PrincipalKind kind);
// The names above; INVALID_ARGUMENT otherwise.
absl::StatusOr<PrincipalKind> ParsePrincipalKind(std::string_view name);
bool IsDepartment(PrincipalKind kind);

// A set of principal kinds, so a handler names who may call it in one word.
class PrincipalSet {
 public:
  constexpr PrincipalSet(std::initializer_list<PrincipalKind> kinds) {
    for (PrincipalKind kind : kinds) {
      bits_ |= Bit(kind);
    }
  }
  constexpr bool Contains(PrincipalKind kind) const { return (bits_ & Bit(kind)) != 0; }
  constexpr PrincipalSet operator|(PrincipalSet other) const {
    PrincipalSet out({});
    out.bits_ = bits_ | other.bits_;
    return out;
  }
  // The kinds in declaration order, for messages.
  std::vector<PrincipalKind> Kinds() const;

 private:
  static constexpr uint32_t Bit(PrincipalKind kind) { return 1U << static_cast<unsigned>(kind); }
  uint32_t bits_ = 0;
};

// The sets every service uses; a service names its own authorities and self-service sets from
// these kinds (the action plan's division of work differs per service).
namespace principals {
// District departments (action plan: water affairs leads; industry and information technology,
// development and reform, statistics take part).
inline constexpr PrincipalSet kDepartments = {
    PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry, PrincipalKind::kDevelopmentReform,
    PrincipalKind::kStatistics};
// District-wide lists: the departments and partner systems, not a single enterprise.
inline constexpr PrincipalSet kDistrictReaders =
    kDepartments | PrincipalSet{PrincipalKind::kPartner};
// Everyone who may read some record; an enterprise is then limited to its own
// (CanAccessEnterprise).
inline constexpr PrincipalSet kReaders =
    kDistrictReaders | PrincipalSet{PrincipalKind::kEnterprise};
}  // namespace principals

struct Principal {
  PrincipalKind kind = PrincipalKind::kPartner;
  std::string uscc;  // only for kEnterprise
  std::string name;  // who the key was issued to, for logs and messages
};

// One configured API key: the SHA-256 of the key as 64 hex digits, and whom it stands for.
struct ApiKeyEntry {
  std::string sha256_hex;
  PrincipalKind kind = PrincipalKind::kPartner;
  std::string uscc;
  std::string name;
};

// Lowercase hex SHA-256 of `data` (to turn a new key into its configuration entry).
std::string Sha256Hex(std::string_view data);

// The key in an "authorization" metadata value "Bearer <key>" (RFC 6750; the scheme
// case-insensitive, surrounding whitespace ignored). nullopt for a bare key, another scheme or no
// key, which the server answers UNAUTHENTICATED.
std::optional<std::string_view> ExtractApiKey(std::string_view authorization);

// Resolves presented keys to principals. Immutable after Create, so safe to share across threads.
class ApiKeyStore {
 public:
  // INVALID_ARGUMENT, naming the entry ("api_keys[2].sha256_hex: ..."), when a hash is not 64 hex
  // digits, a hash repeats, an enterprise key has no USCC or another kind carries one.
  static absl::StatusOr<ApiKeyStore> Create(const std::vector<ApiKeyEntry>& entries);

  // The principal of `key`, or nullopt. Time does not depend on which entry matches or how much of
  // a hash matches.
  std::optional<Principal> Lookup(std::string_view key) const;
  // Same, from an "authorization" metadata value.
  std::optional<Principal> LookupAuthorization(std::string_view authorization) const;

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    std::array<uint8_t, 32> digest{};
    Principal principal;
  };
  std::vector<Entry> entries_;
};

// The principal the auth interceptor bound to this call; UNAUTHENTICATED when there is none.
absl::StatusOr<Principal> RequirePrincipal(const grpc::ServerContextBase* ctx);

// RequirePrincipal plus a kind check: UNAUTHENTICATED without a valid key, PERMISSION_DENIED when
// the principal's kind is not in `allowed`; OK fills `*principal` (may be nullptr).
grpc::Status Authorize(const grpc::ServerContextBase* ctx,
                       std::initializer_list<PrincipalKind> allowed, Principal* principal);

// The one authenticate-and-authorise step of a handler: the caller, when its kind is in
// `allowed`. UNAUTHENTICATED without a valid key; PERMISSION_DENIED naming the caller's kind and
// the allowed ones otherwise.
absl::StatusOr<Principal> Caller(const grpc::ServerContextBase* ctx, PrincipalSet allowed);
// Caller, and the caller may act for enterprise `uscc` (CanAccessEnterprise); `what` says what it
// asked for, for the PERMISSION_DENIED message ("read usage").
absl::StatusOr<Principal> CallerFor(const grpc::ServerContextBase* ctx, PrincipalSet allowed,
                                    std::string_view uscc, std::string_view what);
// PERMISSION_DENIED saying who may not do what (as PermissionDenied, for code returning
// absl::Status).
absl::Status Denied(const Principal& principal, std::string_view what);

// Enterprises see only their own USCC; departments and partners read every enterprise; meter
// gateways read none.
bool CanAccessEnterprise(const Principal& principal, std::string_view uscc);

// PERMISSION_DENIED saying who may not do what, e.g. PermissionDenied(p, "read enterprise X").
grpc::Status PermissionDenied(const Principal& principal, std::string_view what);

// Test-only and interceptor plumbing: binds/unbinds the principal of a call. `owner` identifies
// the binder so a late unbind never removes a newer binding of a reused context.
namespace internal {
void BindPrincipal(const grpc::ServerContextBase* ctx, const void* owner, Principal principal);
void UnbindPrincipal(const grpc::ServerContextBase* ctx, const void* owner);
}  // namespace internal

}  // namespace jieshui::grpcserver
