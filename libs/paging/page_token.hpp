// The one page-token scheme of every list RPC (common.v1.PageRequest): opaque tokens for keyset
// pagination, the last key of the previous page plus a fingerprint of the query, so a token cannot
// be replayed against a different filter; and the page size's default and bounds.
#pragma once

#include <string>

#include "absl/status/statusor.h"

namespace jieshui::paging {

// `query` describes the filter (any stable text, e.g. a serialised request without its page).
std::string EncodePageToken(const std::string& query, const std::string& last_key);
// The last key; "" for an empty token. INVALID_ARGUMENT naming page.page_token when the token is
// malformed or was issued for another query.
absl::StatusOr<std::string> DecodePageToken(const std::string& token, const std::string& query);

// page_size 0 → `default_size`; negative or above `max_size` → INVALID_ARGUMENT naming
// page.page_size.
absl::StatusOr<int> PageSize(int requested, int default_size, int max_size);

}  // namespace jieshui::paging
