// VEE (validation, estimation, editing) of meter readings, after DOMAIN.md "Readings and
// validation": what a new reading means given what is known of its meter, and how the records it
// produces move the meter's state forward. Pure: the caller passes the clock and the meter.
//
// Consumption is kept additive. Every record carries a delta in litres, and summing deltas over
// any set of a meter's records gives what flowed: a first reading is a baseline (0), an
// out-of-order register reading is already inside the interval of the reading after it (0), a
// gap is filled with ESTIMATED records by linear interpolation at step boundaries, and when real
// data for a gap arrives later the estimates are cancelled by REVERSAL records (negative deltas)
// and the gap is re-estimated around the new reading.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace jieshui::ingest {

// Bits of a record's flag set (same meaning as jieshui.ingest.v1.VeeFlag).
enum Flag : uint32_t {
  kOutOfOrder = 1U << 0,
  kRollover = 1U << 1,
  kReset = 1U << 2,
  kSpike = 1U << 3,
  kGap = 1U << 4,
  kEstimated = 1U << 5,
  kSuperseded = 1U << 6,
  kZeroFlow = 1U << 7,
  kFirst = 1U << 8,
  kGatewayNotNormal = 1U << 9,
  kMeterSuspended = 1U << 10,
};
using Flags = uint32_t;

// What intake needs to know of a meter (from the registry's meter topic).
struct MeterInfo {
  std::string meter_id;
  std::string uscc;
  int measures = 0;  // jieshui.registry.v1.MeasuredFlow
  int level = 0;
  // Litres per register count = multiplier × unit: kept as litres per 1,000,000,000 milli-counts
  // so register values with 3 decimals convert exactly: litres = milli × numerator / 10^9.
  int64_t litres_numerator = 1'000'000'000;  // 1 m³ per count × multiplier 1 = 1000 L / count
  int register_digits = 8;
  bool retired = false;
  bool suspended = false;
};

// Litres-per-count numerator for MeterInfo: unit_litres (1000 for m³, 1 for L) × multiplier given
// in millionths (1 = 1,000,000).
int64_t LitresNumerator(int64_t unit_litres, int64_t multiplier_micro);

struct RawReading {
  int64_t ts_ms = 0;
  // Exactly one of the two.
  std::optional<int64_t> register_milli;  // register value × 1000
  std::optional<int64_t> interval_litres;
  int64_t interval_ms = 0;  // for interval_litres; 0 = since the previous reading
  char data_flag = 'N';
};

enum class RecordKind { kReal, kEstimate, kReversal };

struct Record {
  RecordKind kind = RecordKind::kReal;
  int64_t start_ms = 0;
  int64_t end_ms = 0;
  int64_t delta_litres = 0;
  Flags flags = 0;
  std::optional<int64_t> register_milli;  // REAL register readings
  int64_t cumulative_litres = 0;          // the meter's running total at end_ms (see MeterState)
  char data_flag = 'N';
};

// Configurable thresholds (ingest.yaml, section vee).
struct VeeConfig {
  int64_t future_skew_ms = 5LL * 60 * 1000;             // a clock ahead by more is "future"
  int64_t backfill_window_ms = 7LL * 24 * 3600 * 1000;  // older readings are refused
  int64_t gap_threshold_ms = 3600LL * 1000;             // a longer interval is a gap
  int64_t estimate_step_ms = 3600LL * 1000;   // estimates at these boundaries (UTC-aligned)
  int64_t spike_factor = 10;                  // rate above factor × recent average rate is a spike
  int64_t spike_min_litres = 1000;            // ... and only when the delta is at least this
  int64_t zero_flow_ms = 24LL * 3600 * 1000;  // no flow for this long is flagged
  int recent_timestamps = 16;  // real timestamps remembered per meter for duplicate checks
  int max_open_gaps = 8;       // estimated gaps per meter that real data may still replace
};

// An estimated stretch real data may still replace: between a real reading at left_ms (running
// total left_cum) and the start of the next real record's piece at anchor_ms (anchor_cum).
struct OpenGap {
  int64_t left_ms = 0;
  int64_t left_cum = 0;
  int64_t anchor_ms = 0;
  int64_t anchor_cum = 0;
  std::vector<Record> estimates;
};

// A recent real reading (for duplicate checks and for splitting a gap it opened).
struct RecentReal {
  int64_t ts_ms = 0;
  std::optional<int64_t> register_milli;
  int64_t cumulative_litres = 0;
};

// Everything VEE remembers of one meter. A deterministic function of the meter's records in
// order: Apply() moves it, so replaying the reading topic rebuilds it after a restart.
struct MeterState {
  bool has_last = false;
  int64_t last_ms = 0;
  std::optional<int64_t> last_register_milli;
  // Running total in litres of all counted deltas (rollovers included, resets excluded).
  int64_t cumulative_litres = 0;
  Flags last_flags = 0;
  // Recent real readings by time, ascending, at most VeeConfig::recent_timestamps.
  std::vector<RecentReal> recent;
  std::vector<OpenGap> gaps;
  int64_t zero_since_ms = -1;  // start of the current run of zero deltas, -1 if none
  // Average flow rate of recent normal intervals, litres per hour × 1000, and how many went in.
  int64_t avg_rate_mlph = 0;
  int64_t rate_samples = 0;
  int64_t real_accepted = 0;
};

enum class Outcome { kAccepted, kDuplicate, kRejected };

enum class Rejection {
  kNone,
  kUnknownMeter,
  kRetiredMeter,
  kFutureTimestamp,
  kTooOld,
  kMalformed,
  kNegativeVolume,
  // The meter already has a reading at this timestamp with another value: kept for review on the
  // rejected topic, nothing counted.
  kConflict,
  kNegativeRegister,
};

struct Evaluation {
  Outcome outcome = Outcome::kAccepted;
  Rejection rejection = Rejection::kNone;
  std::string detail;
  // Records to publish, in order; the last one is the reading's own REAL record.
  std::vector<Record> records;
};

class ReadingHistory;  // history.hpp

// Evaluates `reading` of `meter` (nullptr: unknown) against `state`, at `now_ms`. Does not change
// the state: the caller publishes the records and then Apply()s each of them. With the meter's
// `history` (history.hpp), a reading at a time already taken is a duplicate when its value is the
// same and a conflict when it is not, however old; without it, only the times in `state.recent`
// are known, and any reading at one of them is a duplicate.
Evaluation Evaluate(const MeterState& state, const MeterInfo* meter, const RawReading& reading,
                    int64_t now_ms, const VeeConfig& config,
                    const ReadingHistory* history = nullptr);

// Moves `state` past one published record of its meter.
void Apply(MeterState& state, const Record& record, const VeeConfig& config);

// Litres the register shows at `register_milli` (floor), for exact telescoping deltas.
int64_t RegisterLitres(int64_t register_milli, const MeterInfo& meter);

}  // namespace jieshui::ingest
