#include "ingest/src/core/history.hpp"

#include <algorithm>
#include <string>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jieshui::ingest {
namespace {

// Forgetting is batched: the entries before the window go once they are a quarter of the list
// (and at least this many), so a meter read in order costs no copying per reading.
constexpr size_t kMinStaleToForget = 64;

}  // namespace

int64_t SeenValue(const RawReading& reading) {
  return reading.register_milli.has_value() ? *reading.register_milli
                                            : -1 - reading.interval_litres.value_or(0);
}

int64_t SeenValue(const Record& record) {
  return record.register_milli.has_value() ? *record.register_milli : -1 - record.delta_litres;
}

std::optional<int64_t> ReadingHistory::ValueAt(int64_t ts_ms) const {
  auto it = std::lower_bound(entries_.begin(), entries_.end(), ts_ms,
                             [](const Entry& e, int64_t t) { return e.ts_ms < t; });
  if (it == entries_.end() || it->ts_ms != ts_ms) {
    return std::nullopt;
  }
  return it->value;
}

void ReadingHistory::Add(int64_t ts_ms, int64_t value, int64_t window_start_ms) {
  if (ts_ms < window_start_ms) {
    return;
  }
  if (entries_.empty() || entries_.back().ts_ms < ts_ms) {
    entries_.push_back({ts_ms, value});  // the usual case: readings in order
  } else {
    auto it = std::lower_bound(entries_.begin(), entries_.end(), ts_ms,
                               [](const Entry& e, int64_t t) { return e.ts_ms < t; });
    if (it != entries_.end() && it->ts_ms == ts_ms) {
      return;
    }
    entries_.insert(it, {ts_ms, value});
  }
  const size_t probe = std::max(kMinStaleToForget, entries_.size() / 4) - 1;
  if (probe < entries_.size() && entries_[probe].ts_ms < window_start_ms) {
    auto keep = std::lower_bound(entries_.begin(), entries_.end(), window_start_ms,
                                 [](const Entry& e, int64_t t) { return e.ts_ms < t; });
    entries_.erase(entries_.begin(), keep);
  }
}

std::string DescribeSeenValue(int64_t value) {
  if (value >= 0) {
    return absl::StrFormat("register %d.%03d", value / 1000, value % 1000);
  }
  return absl::StrCat("interval ", -1 - value, " L");
}

}  // namespace jieshui::ingest
