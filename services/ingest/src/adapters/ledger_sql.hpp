// SQL shared by the ledger's writer and its queries: exact conversions between Unix milliseconds
// and timestamptz, and the latest instant a record may carry.
#pragma once

#include <cstdint>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/string_view.h"

namespace jieshui::ingest {

inline constexpr int64_t kMaxUnixMs = 253'402'300'799'999;  // 9999-12-31T23:59:59.999Z

// A timestamptz from a Unix-ms bigint SQL expression, exactly (integer microseconds).
inline std::string TsFromMs(absl::string_view expr) {
  return absl::StrCat("('epoch'::timestamptz + (", expr, ")::bigint * interval '1 millisecond')");
}
// Unix ms of a timestamptz column, exactly (extract returns numeric since PostgreSQL 14).
inline std::string MsFromTs(absl::string_view column) {
  return absl::StrCat("(extract(epoch FROM ", column, ") * 1000)::bigint");
}

}  // namespace jieshui::ingest
