#include "grpcserver/auth.hpp"

#include <openssl/crypto.h>
#include <openssl/sha.h>

#include <algorithm>
#include <utility>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/strings/ascii.h"
#include "absl/strings/escaping.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/synchronization/mutex.h"
#include "strings/view.hpp"

namespace jieshui::grpcserver {
namespace {

using strings::Av;

constexpr PrincipalKind kAllKinds[] = {
    PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry,   PrincipalKind::kDevelopmentReform,
    PrincipalKind::kStatistics,   PrincipalKind::kEnterprise, PrincipalKind::kPartner,
    PrincipalKind::kMeterGateway,
};

std::array<uint8_t, 32> Sha256(std::string_view data) {
  std::array<uint8_t, 32> digest{};
  SHA256(reinterpret_cast<const unsigned char*>(data.data()), data.size(), digest.data());
  return digest;
}

bool IsHex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return absl::ascii_isxdigit(c); });
}

// Principals of calls in flight, keyed by their ServerContext. gRPC offers no per-call slot an
// interceptor can write and a handler can read, so the binding lives here for the call's lifetime.
struct Bindings {
  absl::Mutex mu;
  struct Binding {
    const void* owner;
    Principal principal;
  };
  absl::flat_hash_map<const grpc::ServerContextBase*, Binding> by_context ABSL_GUARDED_BY(mu);
};

Bindings& GetBindings() {
  static auto* bindings = new Bindings();  // leaked: calls may end during static destruction
  return *bindings;
}

}  // namespace

std::string_view PrincipalKindName(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kWaterAffairs:
      return "water_affairs";
    case PrincipalKind::kIndustry:
      return "industry";
    case PrincipalKind::kDevelopmentReform:
      return "development_reform";
    case PrincipalKind::kStatistics:
      return "statistics";
    case PrincipalKind::kEnterprise:
      return "enterprise";
    case PrincipalKind::kPartner:
      return "partner";
    case PrincipalKind::kMeterGateway:
      return "meter_gateway";
  }
  return "unknown";
}

absl::StatusOr<PrincipalKind> ParsePrincipalKind(std::string_view name) {
  for (PrincipalKind kind : kAllKinds) {
    if (PrincipalKindName(kind) == name) {
      return kind;
    }
  }
  std::vector<std::string> names;
  for (PrincipalKind kind : kAllKinds) {
    names.emplace_back(PrincipalKindName(kind));
  }
  return absl::InvalidArgumentError(absl::StrCat(
      "principal kind: expected one of ", absl::StrJoin(names, ", "), ", got \"", Av(name), "\""));
}

bool IsDepartment(PrincipalKind kind) {
  switch (kind) {
    case PrincipalKind::kWaterAffairs:
    case PrincipalKind::kIndustry:
    case PrincipalKind::kDevelopmentReform:
    case PrincipalKind::kStatistics:
      return true;
    case PrincipalKind::kEnterprise:
    case PrincipalKind::kPartner:
    case PrincipalKind::kMeterGateway:
      return false;
  }
  return false;
}

std::string Sha256Hex(std::string_view data) {
  const auto digest = Sha256(data);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest.data()), digest.size()));
}

std::optional<std::string_view> ExtractApiKey(std::string_view authorization) {
  absl::string_view value = absl::StripAsciiWhitespace(Av(authorization));
  constexpr absl::string_view kBearer = "bearer";
  if (value.size() <= kBearer.size() ||
      !absl::EqualsIgnoreCase(value.substr(0, kBearer.size()), kBearer) ||
      !absl::ascii_isspace(static_cast<unsigned char>(value[kBearer.size()]))) {
    return std::nullopt;  // no scheme, or another one: a bare key is not taken
  }
  value = absl::StripLeadingAsciiWhitespace(value.substr(kBearer.size()));
  if (value.empty()) {
    return std::nullopt;
  }
  return std::string_view(value.data(), value.size());
}

absl::StatusOr<ApiKeyStore> ApiKeyStore::Create(const std::vector<ApiKeyEntry>& entries) {
  ApiKeyStore store;
  absl::flat_hash_set<std::string> seen;
  for (size_t i = 0; i < entries.size(); ++i) {
    const ApiKeyEntry& entry = entries[i];
    const std::string field = absl::StrCat("api_keys[", i, "]");
    const std::string hex = absl::AsciiStrToLower(absl::StripAsciiWhitespace(entry.sha256_hex));
    if (hex.size() != 64 || !IsHex(hex)) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".sha256_hex: expected 64 hex digits (the SHA-256 of the key), got ",
                       hex.size(), " characters"));
    }
    if (!seen.insert(hex).second) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".sha256_hex: the same key hash is configured twice"));
    }
    if (entry.kind == PrincipalKind::kEnterprise && entry.uscc.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".uscc: an enterprise key must carry the enterprise's USCC"));
    }
    if (entry.kind != PrincipalKind::kEnterprise && !entry.uscc.empty()) {
      return absl::InvalidArgumentError(
          absl::StrCat(field, ".uscc: only enterprise keys carry a USCC"));
    }
    Entry stored;
    const std::string bytes = absl::HexStringToBytes(hex);
    std::copy(bytes.begin(), bytes.end(), stored.digest.begin());
    stored.principal = Principal{entry.kind, entry.uscc, entry.name};
    store.entries_.push_back(std::move(stored));
  }
  return store;
}

std::optional<Principal> ApiKeyStore::Lookup(std::string_view key) const {
  if (key.empty()) {
    return std::nullopt;
  }
  const auto digest = Sha256(key);
  // Compare against every entry, without early exit, with a constant-time compare.
  const Entry* match = nullptr;
  for (const Entry& entry : entries_) {
    const bool equal = CRYPTO_memcmp(entry.digest.data(), digest.data(), digest.size()) == 0;
    match = equal ? &entry : match;
  }
  if (match == nullptr) {
    return std::nullopt;
  }
  return match->principal;
}

std::optional<Principal> ApiKeyStore::LookupAuthorization(std::string_view authorization) const {
  const auto key = ExtractApiKey(authorization);
  if (!key.has_value()) {
    return std::nullopt;
  }
  return Lookup(*key);
}

absl::StatusOr<Principal> RequirePrincipal(const grpc::ServerContextBase* ctx) {
  if (ctx != nullptr) {
    Bindings& bindings = GetBindings();
    absl::MutexLock lock(&bindings.mu);
    auto it = bindings.by_context.find(ctx);
    if (it != bindings.by_context.end()) {
      return it->second.principal;
    }
  }
  return absl::UnauthenticatedError(
      "authorization: a valid API key is required (metadata \"authorization: Bearer <key>\")");
}

std::vector<PrincipalKind> PrincipalSet::Kinds() const {
  std::vector<PrincipalKind> out;
  for (PrincipalKind kind :
       {PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry, PrincipalKind::kDevelopmentReform,
        PrincipalKind::kStatistics, PrincipalKind::kEnterprise, PrincipalKind::kPartner,
        PrincipalKind::kMeterGateway}) {
    if (Contains(kind)) {
      out.push_back(kind);
    }
  }
  return out;
}

absl::StatusOr<Principal> Caller(const grpc::ServerContextBase* ctx, PrincipalSet allowed) {
  absl::StatusOr<Principal> resolved = RequirePrincipal(ctx);
  if (!resolved.ok()) {
    return resolved.status();
  }
  if (!allowed.Contains(resolved->kind)) {
    std::vector<std::string> names;
    for (PrincipalKind kind : allowed.Kinds()) {
      names.emplace_back(PrincipalKindName(kind));
    }
    return absl::PermissionDeniedError(
        absl::StrCat("principal kind ", Av(PrincipalKindName(resolved->kind)), " (", resolved->name,
                     ") may not call this method; allowed: ", absl::StrJoin(names, ", ")));
  }
  return resolved;
}

absl::StatusOr<Principal> CallerFor(const grpc::ServerContextBase* ctx, PrincipalSet allowed,
                                    std::string_view uscc, std::string_view what) {
  absl::StatusOr<Principal> caller = Caller(ctx, allowed);
  if (caller.ok() && !CanAccessEnterprise(*caller, uscc)) {
    return Denied(*caller, absl::StrCat(Av(what), " of ", Av(uscc)));
  }
  return caller;
}

grpc::Status Authorize(const grpc::ServerContextBase* ctx,
                       std::initializer_list<PrincipalKind> allowed, Principal* principal) {
  absl::StatusOr<Principal> resolved = Caller(ctx, PrincipalSet(allowed));
  if (!resolved.ok()) {
    return grpc::Status(static_cast<grpc::StatusCode>(resolved.status().code()),
                        std::string(resolved.status().message()));
  }
  if (principal != nullptr) {
    *principal = *std::move(resolved);
  }
  return grpc::Status::OK;
}

bool CanAccessEnterprise(const Principal& principal, std::string_view uscc) {
  if (IsDepartment(principal.kind)) {
    return true;
  }
  switch (principal.kind) {
    case PrincipalKind::kEnterprise:
      return !principal.uscc.empty() && principal.uscc == uscc;
    case PrincipalKind::kPartner:
      return true;
    case PrincipalKind::kMeterGateway:
    default:
      return false;
  }
}

grpc::Status PermissionDenied(const Principal& principal, std::string_view what) {
  const absl::Status denied = Denied(principal, what);
  return grpc::Status(grpc::StatusCode::PERMISSION_DENIED, std::string(denied.message()));
}

absl::Status Denied(const Principal& principal, std::string_view what) {
  std::string who = std::string(PrincipalKindName(principal.kind));
  if (!principal.name.empty()) {
    absl::StrAppend(&who, " \"", principal.name, "\"");
  }
  if (principal.kind == PrincipalKind::kEnterprise) {
    absl::StrAppend(&who, " (", principal.uscc, ")");
  }
  return absl::PermissionDeniedError(absl::StrCat(who, " may not ", Av(what)));
}

namespace internal {

void BindPrincipal(const grpc::ServerContextBase* ctx, const void* owner, Principal principal) {
  Bindings& bindings = GetBindings();
  absl::MutexLock lock(&bindings.mu);
  bindings.by_context.insert_or_assign(ctx, Bindings::Binding{owner, std::move(principal)});
}

void UnbindPrincipal(const grpc::ServerContextBase* ctx, const void* owner) {
  Bindings& bindings = GetBindings();
  absl::MutexLock lock(&bindings.mu);
  auto it = bindings.by_context.find(ctx);
  if (it != bindings.by_context.end() && it->second.owner == owner) {
    bindings.by_context.erase(it);
  }
}

}  // namespace internal
}  // namespace jieshui::grpcserver
