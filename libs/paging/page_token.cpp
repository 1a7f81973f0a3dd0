#include "paging/page_token.hpp"

#include <openssl/sha.h>

#include <vector>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "errors/field_error.hpp"

namespace jieshui::paging {
namespace {

constexpr char kVersion[] = "p1";

// The first 8 bytes of the query's SHA-256, as hex.
std::string Fingerprint(const std::string& query) {
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256(reinterpret_cast<const unsigned char*>(query.data()), query.size(), digest);
  return absl::BytesToHexString(
      absl::string_view(reinterpret_cast<const char*>(digest), sizeof(digest)).substr(0, 8));
}

}  // namespace

std::string EncodePageToken(const std::string& query, const std::string& last_key) {
  return absl::WebSafeBase64Escape(
      absl::StrCat(kVersion, "\n", Fingerprint(query), "\n", last_key));
}

absl::StatusOr<std::string> DecodePageToken(const std::string& token, const std::string& query) {
  if (token.empty()) {
    return std::string();
  }
  std::string raw;
  if (!absl::WebSafeBase64Unescape(token, &raw)) {
    return errors::InvalidArgument("page.page_token", "not a token this service issued");
  }
  std::vector<std::string> parts = absl::StrSplit(raw, absl::MaxSplits('\n', 2));
  if (parts.size() != 3 || parts[0] != kVersion || parts[2].empty()) {
    return errors::InvalidArgument("page.page_token", "not a token this service issued");
  }
  if (parts[1] != Fingerprint(query)) {
    return errors::InvalidArgument("page.page_token",
                                   "issued for a different query; send the same filters as before");
  }
  return parts[2];
}

absl::StatusOr<int> PageSize(int requested, int default_size, int max_size) {
  if (requested == 0) {
    return default_size;
  }
  if (requested < 0 || requested > max_size) {
    return errors::InvalidArgument("page.page_size",
                                   absl::StrCat(requested, " is not between 1 and ", max_size));
  }
  return requested;
}

}  // namespace jieshui::paging
