// The page a list request asks for, read the same way by every handler: its size within the
// service's bounds and where it continues (the last key of the previous page), the token bound to
// the request without its page (any protobuf request with a common.v1.PageRequest `page`).
#pragma once

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/numbers.h"
#include "errors/field_error.hpp"
#include "paging/page_token.hpp"

namespace jieshui::paging {

struct PageAsked {
  int size = 0;
  std::string after;  // "" on the first page
  std::string query;  // what the token is bound to

  // The token of the page after the one ending at `last_key`.
  std::string NextToken(const std::string& last_key) const {
    return EncodePageToken(query, last_key);
  }
  // `after` as a numeric id (0 on the first page); INVALID_ARGUMENT naming page.page_token.
  absl::StatusOr<int64_t> AfterId() const {
    int64_t id = 0;
    if (!after.empty() && !absl::SimpleAtoi(after, &id)) {
      return errors::InvalidArgument("page.page_token", "not a token of this list");
    }
    return id;
  }
};

// INVALID_ARGUMENT naming page.page_size or page.page_token when they are out of bounds or the
// token was issued for another query.
template <typename Request>
absl::StatusOr<PageAsked> PageOf(const Request& request, int default_size, int max_size) {
  auto size = PageSize(request.page().page_size(), default_size, max_size);
  if (!size.ok()) {
    return size.status();
  }
  Request query = request;
  query.clear_page();
  PageAsked out{.size = *size, .after = "", .query = query.SerializeAsString()};
  auto after = DecodePageToken(request.page().page_token(), out.query);
  if (!after.ok()) {
    return after.status();
  }
  out.after = *std::move(after);
  return out;
}

}  // namespace jieshui::paging
