#include "grpcserver/requests.hpp"

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "domain/uscc.hpp"
#include "grpcserver/status.hpp"

namespace jieshui::grpcserver {

std::string ActorLabel(const Principal& principal) {
  return absl::StrCat(std::string(PrincipalKindName(principal.kind)), ":",
                      principal.name.empty() ? principal.uscc : principal.name);
}

absl::Status ActFor(const Principal& principal, const std::string& uscc, const std::string& what) {
  if (!CanAccessEnterprise(principal, uscc)) {
    return Denied(principal, absl::StrCat(what, " of ", uscc));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> RequireUscc(const common::v1::Uscc& uscc, const std::string& field) {
  auto parsed = domain::Uscc::Parse(uscc.value(), field);
  if (!parsed.ok()) {
    return parsed.status();
  }
  return parsed->value();
}

absl::Status CheckUscc(const common::v1::Uscc& uscc, const std::string& field) {
  return RequireUscc(uscc, field).status();
}

absl::Status CheckYear(int year, const std::string& field) {
  if (year < 2000 || year > 2100) {
    return InvalidArgument(field, absl::StrCat("must be 2000-2100, got ", year));
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> ListScope(const Principal& principal, const common::v1::Uscc& requested,
                                      const std::string& what) {
  std::string uscc;
  if (!requested.value().empty()) {
    auto parsed = RequireUscc(requested);
    if (!parsed.ok()) {
      return parsed.status();
    }
    uscc = *std::move(parsed);
  } else if (principal.kind == PrincipalKind::kEnterprise) {
    uscc = principal.uscc;
  }
  if (!uscc.empty()) {
    if (absl::Status s = ActFor(principal, uscc, what); !s.ok()) {
      return s;
    }
  }
  return uscc;
}

absl::StatusOr<int64_t> ParseId(const std::string& text, const std::string& field,
                                const std::string& reason) {
  int64_t id = 0;
  if (!absl::SimpleAtoi(text, &id) || id <= 0) {
    return InvalidArgument(field, reason);
  }
  return id;
}

}  // namespace jieshui::grpcserver
