#include "ingest/src/core/vee.hpp"

#include <algorithm>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "ingest/src/core/history.hpp"

namespace jieshui::ingest {
namespace {

constexpr int64_t kMsPerHour = 3600LL * 1000;

int64_t Pow10(int digits) {
  int64_t out = 1;
  for (int i = 0; i < digits; ++i) {
    out *= 10;
  }
  return out;
}

// floor(a * b / c) for c > 0 without overflow.
int64_t MulDivFloor(int64_t a, int64_t b, int64_t c) {
  absl::int128 product = absl::int128(a) * b;
  absl::int128 q = product / c;
  if ((product % c != 0) && (product < 0)) {
    q -= 1;
  }
  return static_cast<int64_t>(q);
}

// First multiple of `step` strictly after `t`.
int64_t NextBoundary(int64_t t, int64_t step) {
  int64_t q = t / step;
  if (t < 0 && t % step != 0) {
    q -= 1;
  }
  return (q + 1) * step;
}

const RecentReal* FindRecent(const MeterState& state, int64_t ts) {
  auto it = std::lower_bound(state.recent.begin(), state.recent.end(), ts,
                             [](const RecentReal& r, int64_t t) { return r.ts_ms < t; });
  return it != state.recent.end() && it->ts_ms == ts ? &*it : nullptr;
}

// Linear interpolation of the running total between (t0, c0) and (t1, c1) as records: estimates
// at every step boundary strictly inside (t0, t1) and, when `last_is_real` is false, an estimate
// for the final piece too. Returns the start of the final piece (where a real record takes over
// when `last_is_real`).
int64_t Interpolate(int64_t t0, int64_t c0, int64_t t1, int64_t c1, bool last_is_real,
                    const VeeConfig& config, std::vector<Record>* out) {
  int64_t piece_start = t0;
  int64_t piece_cum = c0;
  for (int64_t s = NextBoundary(t0, config.estimate_step_ms); s < t1;
       s += config.estimate_step_ms) {
    const int64_t cum = c0 + MulDivFloor(c1 - c0, s - t0, t1 - t0);
    Record e;
    e.kind = RecordKind::kEstimate;
    e.start_ms = piece_start;
    e.end_ms = s;
    e.delta_litres = cum - piece_cum;
    e.flags = kEstimated;
    e.cumulative_litres = cum;
    out->push_back(e);
    piece_start = s;
    piece_cum = cum;
  }
  if (!last_is_real) {
    Record e;
    e.kind = RecordKind::kEstimate;
    e.start_ms = piece_start;
    e.end_ms = t1;
    e.delta_litres = c1 - piece_cum;
    e.flags = kEstimated;
    e.cumulative_litres = c1;
    out->push_back(e);
  }
  return piece_start;
}

// Running total at the end of the last record in `records` whose end is `at`, or `fallback`.
int64_t CumAt(const std::vector<Record>& records, int64_t at, int64_t fallback) {
  auto it = std::find_if(records.rbegin(), records.rend(),
                         [at](const Record& r) { return r.end_ms == at; });
  return it != records.rend() ? it->cumulative_litres : fallback;
}

Evaluation Reject(Rejection why, std::string detail) {
  Evaluation e;
  e.outcome = Outcome::kRejected;
  e.rejection = why;
  e.detail = std::move(detail);
  return e;
}

Evaluation Duplicate() {
  Evaluation e;
  e.outcome = Outcome::kDuplicate;
  return e;
}

bool IsSpike(const MeterState& state, int64_t delta, int64_t start, int64_t end,
             const VeeConfig& config) {
  if (state.rate_samples < 3 || delta < config.spike_min_litres || end <= start) {
    return false;
  }
  const int64_t rate = MulDivFloor(delta, 1000 * kMsPerHour, end - start);
  return state.avg_rate_mlph > 0 && rate > config.spike_factor * state.avg_rate_mlph;
}

Flags ZeroFlowFlag(const MeterState& state, int64_t delta, int64_t start, int64_t end,
                   const VeeConfig& config) {
  if (delta != 0) {
    return 0;
  }
  const int64_t since = state.zero_since_ms >= 0 ? state.zero_since_ms : start;
  return end - since >= config.zero_flow_ms ? Flags{kZeroFlow} : Flags{0};
}

// A late register reading inside an estimated gap: reverse the gap's estimates and estimate again
// on both sides of the new real reading. nullopt when the reading does not fit the gap (then it
// is an ordinary out-of-order reading).
std::optional<std::vector<Record>> SplitGap(const MeterState& state, const OpenGap& gap,
                                            const MeterInfo& meter, int64_t ts,
                                            int64_t register_milli, Flags base,
                                            const VeeConfig& config) {
  const RecentReal* left = FindRecent(state, gap.left_ms);
  if (left == nullptr || !left->register_milli) {
    return std::nullopt;
  }
  int64_t v = register_milli;
  const int64_t left_v = *left->register_milli;
  if (v < left_v) {
    const int64_t range = Pow10(meter.register_digits) * 1000;
    if (!(left_v >= range / 10 * 9 && v <= range / 10)) {
      return std::nullopt;
    }
    v += range;
  }
  const int64_t cum = gap.left_cum + RegisterLitres(v, meter) - RegisterLitres(left_v, meter);
  if (cum < gap.left_cum || cum > gap.anchor_cum) {
    return std::nullopt;
  }
  std::vector<Record> out;
  for (const Record& e : gap.estimates) {
    Record r = e;
    r.kind = RecordKind::kReversal;
    r.delta_litres = -e.delta_litres;
    r.flags = kSuperseded;
    out.push_back(r);
  }
  const int64_t piece_start = Interpolate(gap.left_ms, gap.left_cum, ts, cum, true, config, &out);
  Record real;
  real.kind = RecordKind::kReal;
  real.start_ms = piece_start;
  real.end_ms = ts;
  real.delta_litres = cum - CumAt(out, piece_start, gap.left_cum);
  real.flags = base | (ts - gap.left_ms > config.gap_threshold_ms ? Flags{kGap} : Flags{0});
  real.register_milli = register_milli;
  real.cumulative_litres = cum;
  out.push_back(real);
  std::vector<Record> right;
  Interpolate(ts, cum, gap.anchor_ms, gap.anchor_cum, false, config, &right);
  // The real reading must stay last (the caller reports its flags and delta): the estimates after
  // it go before the reversals' successors but after it in time; order matters only per gap.
  out.insert(out.end() - 1, right.begin(), right.end());
  return out;
}

}  // namespace

int64_t LitresNumerator(int64_t unit_litres, int64_t multiplier_micro) {
  // litres per milli-count = unit_litres × multiplier_micro / 10^6 / 10^3, scaled by 10^9.
  return unit_litres * multiplier_micro;
}

int64_t RegisterLitres(int64_t register_milli, const MeterInfo& meter) {
  return MulDivFloor(register_milli, meter.litres_numerator, 1'000'000'000);
}

Evaluation Evaluate(const MeterState& state, const MeterInfo* meter, const RawReading& reading,
                    int64_t now_ms, const VeeConfig& config, const ReadingHistory* history) {
  if (meter == nullptr) {
    return Reject(Rejection::kUnknownMeter, "no such meter in the registry");
  }
  if (meter->retired) {
    return Reject(Rejection::kRetiredMeter, absl::StrCat("meter ", meter->meter_id, " is retired"));
  }
  if (reading.register_milli.has_value() == reading.interval_litres.has_value()) {
    return Reject(Rejection::kMalformed,
                  "a reading has either a register value or an interval volume");
  }
  if (reading.ts_ms > now_ms + config.future_skew_ms) {
    return Reject(
        Rejection::kFutureTimestamp,
        absl::StrCat("timestamp is ", (reading.ts_ms - now_ms) / 1000, " s in the future"));
  }
  if (reading.ts_ms < now_ms - config.backfill_window_ms) {
    return Reject(Rejection::kTooOld,
                  absl::StrCat("timestamp is older than the back-fill window of ",
                               config.backfill_window_ms / kMsPerHour, " h"));
  }
  if (reading.interval_litres.has_value() && *reading.interval_litres < 0) {
    return Reject(Rejection::kNegativeVolume, "interval volume is negative");
  }
  if (reading.register_milli.has_value() && *reading.register_milli < 0) {
    return Reject(Rejection::kNegativeRegister, "register value is negative");
  }
  if (history != nullptr) {
    if (const std::optional<int64_t> taken = history->ValueAt(reading.ts_ms)) {
      const int64_t value = SeenValue(reading);
      if (*taken == value) {
        return Duplicate();
      }
      return Reject(Rejection::kConflict,
                    absl::StrCat("the meter already has a reading at this timestamp with ",
                                 DescribeSeenValue(*taken), "; this one has ",
                                 DescribeSeenValue(value), ": kept for review, nothing counted"));
    }
  }
  if ((state.has_last && reading.ts_ms == state.last_ms) || FindRecent(state, reading.ts_ms)) {
    return Duplicate();
  }
  const Flags base = (reading.data_flag != 'N' ? Flags{kGatewayNotNormal} : Flags{0}) |
                     (meter->suspended ? Flags{kMeterSuspended} : Flags{0});
  Evaluation result;
  const int64_t ts = reading.ts_ms;

  if (reading.interval_litres.has_value()) {
    // Interval totals are independent of each other: a late one still counts.
    const int64_t delta = *reading.interval_litres;
    int64_t start = ts;
    if (reading.interval_ms > 0) {
      start = ts - reading.interval_ms;
    } else if (state.has_last && state.last_ms < ts) {
      start = state.last_ms;
    }
    Flags flags = base;
    if (state.has_last && ts < state.last_ms) {
      flags |= kOutOfOrder;
    } else if (state.has_last && start - state.last_ms > config.gap_threshold_ms) {
      flags |= kGap;
    } else {
      flags |= (IsSpike(state, delta, start, ts, config) ? Flags{kSpike} : Flags{0}) |
               ZeroFlowFlag(state, delta, start, ts, config);
    }
    Record r;
    r.start_ms = start;
    r.end_ms = ts;
    r.delta_litres = delta;
    r.flags = flags;
    r.cumulative_litres = state.cumulative_litres + delta;
    r.data_flag = reading.data_flag;
    result.records.push_back(r);
    return result;
  }

  const int64_t v = *reading.register_milli;
  Record real;
  real.kind = RecordKind::kReal;
  real.end_ms = ts;
  real.register_milli = v;
  real.data_flag = reading.data_flag;
  if (!state.has_last || !state.last_register_milli.has_value()) {
    real.start_ms = ts;
    real.flags = base | kFirst;
    real.cumulative_litres = state.cumulative_litres;
    result.records.push_back(real);
    return result;
  }
  if (ts < state.last_ms) {
    for (const OpenGap& gap : state.gaps) {
      if (gap.left_ms < ts && ts < gap.anchor_ms) {
        if (auto split = SplitGap(state, gap, *meter, ts, v, base, config)) {
          result.records = *std::move(split);
          return result;
        }
        break;
      }
    }
    // Already inside the interval of the reading after it: recorded, not counted again.
    real.start_ms = ts;
    real.flags = base | kOutOfOrder;
    real.cumulative_litres = state.cumulative_litres;
    result.records.push_back(real);
    return result;
  }

  const int64_t last_v = *state.last_register_milli;
  int64_t delta = 0;
  Flags flags = base;
  if (v >= last_v) {
    delta = RegisterLitres(v, *meter) - RegisterLitres(last_v, *meter);
  } else {
    // The register wraps at 10^digits counts; a drop from near the top to near zero is a
    // roll-over, anything else a reset or a replaced meter (to review, nothing counted).
    const int64_t range = Pow10(meter->register_digits) * 1000;
    if (last_v >= range / 10 * 9 && v <= range / 10) {
      delta = RegisterLitres(v + range, *meter) - RegisterLitres(last_v, *meter);
      flags |= kRollover;
    } else {
      flags |= kReset;
    }
  }
  const int64_t cum = state.cumulative_litres + delta;
  const int64_t interval = ts - state.last_ms;
  if ((flags & kReset) == 0) {
    flags |= (IsSpike(state, delta, state.last_ms, ts, config) ? Flags{kSpike} : Flags{0}) |
             ZeroFlowFlag(state, delta, state.last_ms, ts, config);
  }
  real.cumulative_litres = cum;
  if (interval > config.gap_threshold_ms && (flags & kReset) == 0) {
    const int64_t piece_start =
        Interpolate(state.last_ms, state.cumulative_litres, ts, cum, true, config, &result.records);
    real.start_ms = piece_start;
    real.delta_litres = cum - CumAt(result.records, piece_start, state.cumulative_litres);
    real.flags = flags | kGap;
  } else {
    real.start_ms = state.last_ms;
    real.delta_litres = delta;
    real.flags = flags;
  }
  result.records.push_back(real);
  return result;
}

void Apply(MeterState& state, const Record& record, const VeeConfig& config) {
  switch (record.kind) {
    case RecordKind::kReversal: {
      for (auto gap = state.gaps.begin(); gap != state.gaps.end(); ++gap) {
        auto& estimates = gap->estimates;
        auto it = std::find_if(estimates.begin(), estimates.end(), [&](const Record& e) {
          return e.start_ms == record.start_ms && e.end_ms == record.end_ms;
        });
        if (it != estimates.end()) {
          estimates.erase(it);
          if (estimates.empty()) {
            state.gaps.erase(gap);
          }
          break;
        }
      }
      state.cumulative_litres += record.delta_litres;
      return;
    }
    case RecordKind::kEstimate: {
      if (!state.gaps.empty() && state.gaps.back().anchor_ms == record.start_ms &&
          !state.gaps.back().estimates.empty()) {
        OpenGap& gap = state.gaps.back();
        gap.anchor_ms = record.end_ms;
        gap.anchor_cum = record.cumulative_litres;
        gap.estimates.push_back(record);
      } else {
        OpenGap gap;
        gap.left_ms = record.start_ms;
        gap.left_cum = record.cumulative_litres - record.delta_litres;
        gap.anchor_ms = record.end_ms;
        gap.anchor_cum = record.cumulative_litres;
        gap.estimates.push_back(record);
        state.gaps.push_back(std::move(gap));
        if (static_cast<int>(state.gaps.size()) > config.max_open_gaps) {
          state.gaps.erase(state.gaps.begin());
        }
      }
      state.cumulative_litres += record.delta_litres;
      return;
    }
    case RecordKind::kReal:
      break;
  }
  ++state.real_accepted;
  const bool in_order = !state.has_last || record.end_ms > state.last_ms;
  RecentReal recent{record.end_ms, record.register_milli, record.cumulative_litres};
  auto pos = std::lower_bound(state.recent.begin(), state.recent.end(), record.end_ms,
                              [](const RecentReal& r, int64_t t) { return r.ts_ms < t; });
  state.recent.insert(pos, recent);
  if (static_cast<int>(state.recent.size()) > config.recent_timestamps) {
    state.recent.erase(state.recent.begin());
  }
  if (!in_order) {
    // Late readings move no baseline. Their delta is 0 unless they split a gap or are interval
    // volumes, which still add to the total.
    state.cumulative_litres += record.delta_litres;
    return;
  }
  const int64_t start = state.has_last ? state.last_ms : record.start_ms;
  state.has_last = true;
  state.last_ms = record.end_ms;
  state.last_register_milli = record.register_milli;
  state.last_flags = record.flags;
  state.cumulative_litres += record.delta_litres;
  if ((record.flags & (kFirst | kReset)) != 0) {
    state.zero_since_ms = -1;
    return;
  }
  if (record.delta_litres == 0) {
    if (state.zero_since_ms < 0) {
      state.zero_since_ms = start;
    }
  } else {
    state.zero_since_ms = -1;
  }
  // The recent rate learns from ordinary intervals only, so one spike or gap cannot skew it.
  if ((record.flags & (kSpike | kGap | kRollover)) == 0 && record.end_ms > record.start_ms) {
    const int64_t rate =
        MulDivFloor(record.delta_litres, 1000 * kMsPerHour, record.end_ms - record.start_ms);
    state.avg_rate_mlph = state.rate_samples == 0 ? rate : (state.avg_rate_mlph * 7 + rate) / 8;
    ++state.rate_samples;
  }
}

}  // namespace jieshui::ingest
