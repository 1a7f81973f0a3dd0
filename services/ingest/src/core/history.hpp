// What a meter's real readings said, by time, over the back-fill window (DOMAIN.md "Readings and
// validation"): a reading with the meter, timestamp and value of one already taken is a duplicate
// at any age inside the window, and the same timestamp with another value is a conflict.
//
// VEE's state (vee.hpp MeterState) remembers only a meter's last few readings, which is all its
// rules need; this keeps every real timestamp inside the window, 16 bytes each (a meter read every
// 15 minutes holds about 700). It is rebuilt at start-up from the ledger and the reading topic, so
// it is never stored itself. Pure: the caller passes the window's start.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "ingest/src/core/vee.hpp"

namespace jieshui::ingest {

// One number for what a real reading said: a register reading's value × 1000 (≥ 0), or, for an
// interval volume, -1 - its litres (< 0), so the two kinds never compare equal.
int64_t SeenValue(const RawReading& reading);
int64_t SeenValue(const Record& record);  // a REAL record

class ReadingHistory {
 public:
  // The value taken at `ts_ms`, if any.
  std::optional<int64_t> ValueAt(int64_t ts_ms) const;

  // Remembers that `value` was taken at `ts_ms` (a time already held keeps its first value), and
  // forgets readings before `window_start_ms`, which can no longer be matched.
  void Add(int64_t ts_ms, int64_t value, int64_t window_start_ms);

  size_t size() const { return entries_.size(); }

 private:
  struct Entry {
    int64_t ts_ms;
    int64_t value;
  };
  std::vector<Entry> entries_;  // ascending by ts_ms
};

// A description of `value` for an answer: "register 102.000" or "interval 350 L".
std::string DescribeSeenValue(int64_t value);

}  // namespace jieshui::ingest
