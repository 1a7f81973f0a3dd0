// Unit tests of VEE with figures worked by hand: every rule on a table of cases, roll-over at the
// register's limit, gaps estimated and superseded, and replay rebuilding the same state.
#include "ingest/src/core/vee.hpp"

#include <gtest/gtest.h>

#include "ingest/src/core/history.hpp"

#include <numeric>

namespace jieshui::ingest {
namespace {

constexpr int64_t kMin = 60LL * 1000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kDay = 24 * kHour;
constexpr int64_t kQuarter = 15 * kMin;
// 2026-11-01T00:00:00Z, a whole hour.
constexpr int64_t kT0 = 1'793'491'200'000;
constexpr int64_t kNow = kT0 + 2 * kDay;

MeterInfo CubicMetreMeter(int digits = 8) {
  MeterInfo m;
  m.meter_id = "M-1";
  m.uscc = "91350200776049653A";
  m.litres_numerator = LitresNumerator(1000, 1'000'000);  // m³, multiplier 1
  m.register_digits = digits;
  return m;
}

RawReading Register(int64_t ts, int64_t milli, char flag = 'N') {
  RawReading r;
  r.ts_ms = ts;
  r.register_milli = milli;
  r.data_flag = flag;
  return r;
}

RawReading Interval(int64_t ts, int64_t litres) {
  RawReading r;
  r.ts_ms = ts;
  r.interval_litres = litres;
  return r;
}

// Feeds readings through Evaluate and Apply, keeping every published record; with a history
// (history.hpp) as intake keeps one, or with VEE's recent readings alone.
class Meter {
 public:
  explicit Meter(MeterInfo info, VeeConfig config = {}, bool with_history = false)
      : info_(std::move(info)), config_(config), with_history_(with_history) {}

  Evaluation Feed(const RawReading& reading, int64_t now = kNow) {
    Evaluation e =
        Evaluate(state_, &info_, reading, now, config_, with_history_ ? &history_ : nullptr);
    for (const Record& r : e.records) {
      Apply(state_, r, config_);
      if (r.kind == RecordKind::kReal) {
        history_.Add(r.end_ms, SeenValue(r), now - config_.backfill_window_ms);
      }
      published_.push_back(r);
    }
    return e;
  }
  const ReadingHistory& history() const { return history_; }
  int64_t Total() const {
    return std::accumulate(published_.begin(), published_.end(), int64_t{0},
                           [](int64_t sum, const Record& r) { return sum + r.delta_litres; });
  }
  const MeterState& state() const { return state_; }
  const std::vector<Record>& published() const { return published_; }
  const VeeConfig& config() const { return config_; }

 private:
  MeterInfo info_;
  VeeConfig config_;
  bool with_history_;
  MeterState state_;
  ReadingHistory history_;
  std::vector<Record> published_;
};

const Record& Own(const Evaluation& e) { return e.records.back(); }

TEST(Vee, RejectionsOnATableOfCases) {
  MeterInfo meter = CubicMetreMeter();
  MeterInfo retired = meter;
  retired.retired = true;
  MeterState state;
  VeeConfig config;
  struct Case {
    const char* name = "";
    const MeterInfo* meter = nullptr;
    RawReading reading;
    Rejection expected = Rejection::kNone;
  };
  RawReading neither;
  neither.ts_ms = kNow;
  const Case cases[] = {
      {"unknown meter", nullptr, Register(kNow, 1000), Rejection::kUnknownMeter},
      {"retired meter", &retired, Register(kNow, 1000), Rejection::kRetiredMeter},
      {"six minutes ahead", &meter, Register(kNow + 6 * kMin, 1000), Rejection::kFutureTimestamp},
      {"eight days old", &meter, Register(kNow - 8 * kDay, 1000), Rejection::kTooOld},
      {"no value", &meter, neither, Rejection::kMalformed},
      {"negative register", &meter, Register(kNow, -1), Rejection::kNegativeRegister},
      {"negative interval volume", &meter, Interval(kNow, -5), Rejection::kNegativeVolume},
  };
  for (const Case& c : cases) {
    Evaluation e = Evaluate(state, c.meter, c.reading, kNow, config);
    EXPECT_EQ(e.outcome, Outcome::kRejected) << c.name;
    EXPECT_EQ(e.rejection, c.expected) << c.name;
    EXPECT_FALSE(e.detail.empty()) << c.name;
    EXPECT_TRUE(e.records.empty()) << c.name;
  }
  // Four minutes ahead is within the allowed clock skew; seven days minus a minute is in the
  // back-fill window.
  EXPECT_EQ(Evaluate(state, &meter, Register(kNow + 4 * kMin, 1), kNow, config).outcome,
            Outcome::kAccepted);
  EXPECT_EQ(Evaluate(state, &meter, Register(kNow - 7 * kDay + kMin, 1), kNow, config).outcome,
            Outcome::kAccepted);
}

TEST(Vee, FirstReadingIsABaselineThenDeltasAreExact) {
  Meter m(CubicMetreMeter());
  Evaluation first = m.Feed(Register(kT0, 12'345'678));  // 12345.678 m³
  ASSERT_EQ(first.outcome, Outcome::kAccepted);
  EXPECT_EQ(Own(first).flags, kFirst);
  EXPECT_EQ(Own(first).delta_litres, 0);

  Evaluation second = m.Feed(Register(kT0 + 15 * kMin, 12'346'001));  // +0.323 m³
  EXPECT_EQ(Own(second).delta_litres, 323);
  EXPECT_EQ(Own(second).flags, 0U);
  EXPECT_EQ(Own(second).start_ms, kT0);
  EXPECT_EQ(Own(second).end_ms, kT0 + 15 * kMin);
  EXPECT_EQ(m.Total(), 323);
}

TEST(Vee, MultiplierAndLitreUnitsConvertWithoutDrift) {
  MeterInfo tenth = CubicMetreMeter();
  tenth.litres_numerator = LitresNumerator(1, 100'000);  // litres register, multiplier 0.1
  Meter m(tenth);
  m.Feed(Register(kT0, 0));
  // Each step adds 0.005 counts = 0.0005 L; the total telescopes: 30 steps = 0.15 counts → 0 L
  // counted per step but exactly floor(0.015 L) overall, never a drift.
  for (int i = 1; i <= 30; ++i) {
    m.Feed(Register(kT0 + i * kMin, int64_t{i} * 5));
  }
  EXPECT_EQ(m.Total(), 0);
  m.Feed(Register(kT0 + 31 * kMin, 10'000'000));  // 10000 counts × 0.1 = 1000 L
  EXPECT_EQ(m.Total(), 1000);
}

TEST(Vee, DuplicatesAreReportedNotCounted) {
  Meter m(CubicMetreMeter());
  m.Feed(Register(kT0, 1'000'000));
  m.Feed(Register(kT0 + 15 * kMin, 1'001'000));
  m.Feed(Register(kT0 + 30 * kMin, 1'002'000));
  EXPECT_EQ(m.Feed(Register(kT0 + 30 * kMin, 1'002'000)).outcome, Outcome::kDuplicate);
  EXPECT_EQ(m.Feed(Register(kT0 + 15 * kMin, 1'001'000)).outcome, Outcome::kDuplicate);
  // Same time, different value: still the same reading slot, not counted twice.
  EXPECT_EQ(m.Feed(Register(kT0, 999)).outcome, Outcome::kDuplicate);
  EXPECT_EQ(m.Total(), 2000);
  EXPECT_EQ(m.state().real_accepted, 3);
}

TEST(Vee, AnExactDuplicateIsRecognisedAtAnyAgeInsideTheWindow) {
  Meter m(CubicMetreMeter(), {}, /*with_history=*/true);
  // Two days of quarter-hourly readings, 1 m³ each: far more than VEE's 16 recent readings.
  for (int i = 0; i < 192; ++i) {
    ASSERT_EQ(m.Feed(Register(kT0 + i * kQuarter, 1'000'000 + i * 1000)).outcome,
              Outcome::kAccepted);
  }
  ASSERT_EQ(m.Total(), 191'000);
  ASSERT_LT(m.state().recent.size(), 192U);
  const size_t published = m.published().size();
  // Each of them again, oldest first: every one a duplicate, nothing published or counted.
  for (int i = 0; i < 192; ++i) {
    EXPECT_EQ(m.Feed(Register(kT0 + i * kQuarter, 1'000'000 + i * 1000)).outcome,
              Outcome::kDuplicate)
        << "reading " << i;
  }
  EXPECT_EQ(m.published().size(), published);
  EXPECT_EQ(m.Total(), 191'000);
  EXPECT_EQ(m.state().real_accepted, 192);
}

TEST(Vee, TheSameTimeWithAnotherValueIsAConflictCountingNothing) {
  Meter m(CubicMetreMeter(), {}, /*with_history=*/true);
  for (int i = 0; i < 40; ++i) {
    m.Feed(Register(kT0 + i * kQuarter, 1'000'000 + i * 1000));
  }
  m.Feed(Interval(kT0 + 40 * kQuarter + kMin, 350));
  const size_t published = m.published().size();
  // The oldest reading, long out of VEE's recent ones, with another register value.
  Evaluation old = m.Feed(Register(kT0, 1'000'500));
  EXPECT_EQ(old.outcome, Outcome::kRejected);
  EXPECT_EQ(old.rejection, Rejection::kConflict);
  EXPECT_EQ(old.detail,
            "the meter already has a reading at this timestamp with register 1000.000; this one "
            "has register 1000.500: kept for review, nothing counted");
  // The latest reading with another value; an interval volume where a register was read.
  EXPECT_EQ(m.Feed(Register(kT0 + 39 * kQuarter, 1'000'000)).rejection, Rejection::kConflict);
  EXPECT_EQ(m.Feed(Interval(kT0, 1000)).rejection, Rejection::kConflict);
  // An interval volume sent again is a duplicate; with other litres, a conflict.
  EXPECT_EQ(m.Feed(Interval(kT0 + 40 * kQuarter + kMin, 350)).outcome, Outcome::kDuplicate);
  EXPECT_EQ(m.Feed(Interval(kT0 + 40 * kQuarter + kMin, 351)).detail,
            "the meter already has a reading at this timestamp with interval 350 L; this one has "
            "interval 351 L: kept for review, nothing counted");
  EXPECT_EQ(m.published().size(), published);
  EXPECT_EQ(m.Total(), 39'000 + 350);
}

TEST(ReadingHistory, KeepsTimesInOrderTheFirstValueAndForgetsWhatLeftTheWindow) {
  ReadingHistory h;
  h.Add(3000, 30, 0);
  h.Add(1000, 10, 0);  // late
  h.Add(2000, 20, 0);
  h.Add(2000, 99, 0);  // a time already held keeps its first value
  EXPECT_EQ(h.size(), 3U);
  EXPECT_EQ(h.ValueAt(1000), 10);
  EXPECT_EQ(h.ValueAt(2000), 20);
  EXPECT_EQ(h.ValueAt(2500), std::nullopt);
  h.Add(500, 5, 900);  // older than the window: not kept
  EXPECT_EQ(h.ValueAt(500), std::nullopt);
  // 200 readings in order, the window moving with them: the list stays bounded, and the times
  // inside the window are all there.
  ReadingHistory moving;
  for (int64_t i = 0; i < 200; ++i) {
    moving.Add(i * 100, i, i * 100 - 5000);  // the window holds the last 51 times
  }
  EXPECT_LE(moving.size(), 51U + 64U);
  for (int64_t i = 149; i < 200; ++i) {
    EXPECT_EQ(moving.ValueAt(i * 100), i);
  }
  EXPECT_EQ(SeenValue(Register(0, 1234)), 1234);
  EXPECT_EQ(SeenValue(Interval(0, 0)), -1);
  EXPECT_EQ(DescribeSeenValue(1234), "register 1.234");
  EXPECT_EQ(DescribeSeenValue(-351), "interval 350 L");
}

TEST(Vee, OutOfOrderIsRecordedWithoutCountingAgain) {
  Meter m(CubicMetreMeter());
  m.Feed(Register(kT0, 1'000'000));
  m.Feed(Register(kT0 + 30 * kMin, 1'002'000));
  Evaluation late = m.Feed(Register(kT0 + 15 * kMin, 1'001'000));
  ASSERT_EQ(late.outcome, Outcome::kAccepted);
  EXPECT_EQ(Own(late).flags, kOutOfOrder);
  EXPECT_EQ(Own(late).delta_litres, 0);
  EXPECT_EQ(m.Total(), 2000);
  EXPECT_EQ(m.Feed(Register(kT0 + 15 * kMin, 1'001'000)).outcome, Outcome::kDuplicate);
  // The baseline stays at the latest reading.
  EXPECT_EQ(Own(m.Feed(Register(kT0 + 45 * kMin, 1'003'500))).delta_litres, 1500);
}

TEST(Vee, RolloverAtTheRegistersLimit) {
  // 4 digits: the register wraps from 9999.999 to 0000.000.
  Meter m(CubicMetreMeter(4));
  m.Feed(Register(kT0, 9'999'000));  // 9999.000
  Evaluation exact = m.Feed(Register(kT0 + 15 * kMin, 0));
  EXPECT_EQ(Own(exact).flags, kRollover);
  EXPECT_EQ(Own(exact).delta_litres, 1000);  // 9999.000 → 10000.000 = 1 m³
  m.Feed(Register(kT0 + 30 * kMin, 9'000'000));
  m.Feed(Register(kT0 + 45 * kMin, 9'999'999));  // 9999.999
  Evaluation one_litre = m.Feed(Register(kT0 + 60 * kMin, 0));
  EXPECT_EQ(Own(one_litre).flags, kRollover);
  EXPECT_EQ(Own(one_litre).delta_litres, 1);
  Evaluation across = m.Feed(Register(kT0 + 75 * kMin, 5'500));  // 0 → 5.5
  EXPECT_EQ(Own(across).delta_litres, 5500);
  EXPECT_EQ(m.Total(), 1000 + 9'000'000 + 999'999 + 1 + 5500);
}

TEST(Vee, ADropFarFromTheLimitIsAResetToReview) {
  Meter m(CubicMetreMeter(8));
  m.Feed(Register(kT0, 5'000'000));
  m.Feed(Register(kT0 + 15 * kMin, 5'001'000));
  Evaluation reset = m.Feed(Register(kT0 + 30 * kMin, 100'000));  // replaced meter at 100 m³
  EXPECT_EQ(Own(reset).flags, kReset);
  EXPECT_EQ(Own(reset).delta_litres, 0);
  EXPECT_EQ(Own(m.Feed(Register(kT0 + 45 * kMin, 100'250))).delta_litres, 250);
  EXPECT_EQ(m.Total(), 1000 + 250);
}

TEST(Vee, SpikeIsFlaggedAndStillCounted) {
  Meter m(CubicMetreMeter());
  int64_t v = 1'000'000;
  m.Feed(Register(kT0, v));
  for (int i = 1; i <= 5; ++i) {
    v += 2000;  // 2 m³ per 15 min
    EXPECT_EQ(Own(m.Feed(Register(kT0 + i * kQuarter, v))).flags, 0U);
  }
  v += 19'000;  // 9.5 × the usual rate: not a spike (factor 10)
  EXPECT_EQ(Own(m.Feed(Register(kT0 + 6 * kQuarter, v))).flags, 0U);
  v += 60'000;  // far above
  Evaluation spike = m.Feed(Register(kT0 + 7 * kQuarter, v));
  EXPECT_EQ(Own(spike).flags, kSpike);
  EXPECT_EQ(Own(spike).delta_litres, 60'000);
}

TEST(Vee, ProlongedZeroFlowIsFlagged) {
  Meter m(CubicMetreMeter());
  m.Feed(Register(kT0, 1'000'000));
  Flags flags = 0;
  for (int h = 1; h <= 24; ++h) {
    flags = Own(m.Feed(Register(kT0 + h * kHour, 1'000'000))).flags;
    if (h < 24) {
      EXPECT_EQ(flags, 0U) << "hour " << h;
    }
  }
  EXPECT_EQ(flags, kZeroFlow);  // 24 h without flow
  EXPECT_EQ(Own(m.Feed(Register(kT0 + 25 * kHour, 1'000'010))).flags, 0U);
}

TEST(Vee, AGapIsEstimatedAtStepBoundariesAndSumsToTheRegister) {
  Meter m(CubicMetreMeter());
  m.Feed(Register(kT0 + 30 * kMin, 1'000'000));
  // Next reading 5 h later, 500 m³ more; boundaries at T0+1h .. T0+5h.
  Evaluation after = m.Feed(Register(kT0 + 5 * kHour + 30 * kMin, 1'500'000));
  ASSERT_EQ(after.records.size(), 6U);  // 5 estimates + the real reading
  EXPECT_EQ(after.records[0].kind, RecordKind::kEstimate);
  EXPECT_EQ(after.records[0].start_ms, kT0 + 30 * kMin);
  EXPECT_EQ(after.records[0].end_ms, kT0 + kHour);
  EXPECT_EQ(after.records[0].delta_litres, 50'000);  // half an hour of 100 m³/h
  for (int i = 1; i <= 4; ++i) {
    EXPECT_EQ(after.records[i].delta_litres, 100'000) << i;
    EXPECT_EQ(after.records[i].flags, kEstimated);
  }
  EXPECT_EQ(Own(after).kind, RecordKind::kReal);
  EXPECT_EQ(Own(after).flags, kGap);
  EXPECT_EQ(Own(after).start_ms, kT0 + 5 * kHour);
  EXPECT_EQ(Own(after).delta_litres, 50'000);
  EXPECT_EQ(m.Total(), 500'000);
  ASSERT_EQ(m.state().gaps.size(), 1U);
}

TEST(Vee, RealDataSupersedesTheEstimatesAndKeepsTheTotal) {
  Meter m(CubicMetreMeter());
  m.Feed(Register(kT0, 1'000'000));
  m.Feed(Register(kT0 + 4 * kHour, 1'400'000));  // estimates 100 m³ in each of hours 1..3
  // Back-filled: the meter really read 1,100 m³ at T0+2h (only 100 m³ in the first two hours).
  Evaluation late = m.Feed(Register(kT0 + 2 * kHour, 1'100'000));
  ASSERT_EQ(late.outcome, Outcome::kAccepted);
  int reversals = 0;
  int64_t reversed = 0;
  for (const Record& r : late.records) {
    if (r.kind == RecordKind::kReversal) {
      ++reversals;
      reversed += r.delta_litres;
      EXPECT_EQ(r.flags, kSuperseded);
    }
  }
  EXPECT_EQ(reversals, 3);
  EXPECT_EQ(reversed, -300'000);
  EXPECT_EQ(Own(late).kind, RecordKind::kReal);
  EXPECT_EQ(Own(late).end_ms, kT0 + 2 * kHour);
  EXPECT_EQ(Own(late).start_ms, kT0 + kHour);
  EXPECT_EQ(Own(late).delta_litres, 50'000);  // hour 1..2 of the linear 100 m³ over 2 h
  EXPECT_EQ(m.Total(), 400'000);              // what the register says, unchanged

  // Hours 0..1 and 2..3 are estimates again: 50 m³ (linear 1000 → 1100 over 2 h) and 200 m³
  // (1100 at 2 h up to the 1300 the estimates had reached at 3 h).
  int64_t hour0 = 0;
  int64_t hour2 = 0;
  for (const Record& r : m.published()) {
    if (r.kind == RecordKind::kEstimate && r.start_ms == kT0 && r.end_ms == kT0 + kHour) {
      hour0 += r.delta_litres;
    }
    if (r.kind == RecordKind::kEstimate && r.start_ms == kT0 + 2 * kHour) {
      hour2 += r.delta_litres;
    }
  }
  EXPECT_EQ(hour0, 100'000 + 50'000);   // the first estimate (100) and its re-estimate (50)
  EXPECT_EQ(hour2, 100'000 + 200'000);  // T0+2h..T0+3h: first 100, then 200 (2..3 of 1100→1300)

  // Another back-filled reading in the right-hand gap; the total still holds.
  Evaluation later = m.Feed(Register(kT0 + 2 * kHour + 30 * kMin, 1'250'000));
  EXPECT_EQ(Own(later).kind, RecordKind::kReal);
  EXPECT_EQ(Own(later).delta_litres, 150'000);
  EXPECT_EQ(m.Total(), 400'000);
  EXPECT_EQ(m.Feed(Register(kT0 + 2 * kHour, 1'100'000)).outcome, Outcome::kDuplicate);
}

TEST(Vee, IntervalVolumesCountEvenWhenLate) {
  Meter m(CubicMetreMeter());
  EXPECT_EQ(Own(m.Feed(Interval(kT0 + 10 * kMin, 700))).delta_litres, 700);
  EXPECT_EQ(Own(m.Feed(Interval(kT0 + 30 * kMin, 900))).delta_litres, 900);
  Evaluation late = m.Feed(Interval(kT0 + 20 * kMin, 800));
  EXPECT_EQ(Own(late).flags, kOutOfOrder);
  EXPECT_EQ(Own(late).delta_litres, 800);
  EXPECT_EQ(m.Feed(Interval(kT0 + 20 * kMin, 800)).outcome, Outcome::kDuplicate);
  EXPECT_EQ(m.Total(), 2400);
}

TEST(Vee, GatewayFlagsAndSuspendedMetersTravelWithTheReading) {
  MeterInfo suspended = CubicMetreMeter();
  suspended.suspended = true;
  Meter m(suspended);
  m.Feed(Register(kT0, 1000));
  Evaluation e = m.Feed(Register(kT0 + 15 * kMin, 2000, 'M'));
  EXPECT_EQ(Own(e).flags, kGatewayNotNormal | kMeterSuspended);
  EXPECT_EQ(Own(e).data_flag, 'M');
  EXPECT_EQ(Own(e).delta_litres, 1000);
}

TEST(Vee, ReplayingThePublishedRecordsRebuildsTheSameState) {
  Meter m(CubicMetreMeter());
  m.Feed(Register(kT0, 1'000'000));
  m.Feed(Register(kT0 + 15 * kMin, 1'002'000));
  m.Feed(Register(kT0 + 5 * kHour, 1'400'000));
  m.Feed(Register(kT0 + 2 * kHour, 1'100'000));
  m.Feed(Register(kT0 + 5 * kHour + 15 * kMin, 1'401'000));
  MeterState replayed;
  for (const Record& r : m.published()) {
    Apply(replayed, r, m.config());
  }
  EXPECT_EQ(replayed.last_ms, m.state().last_ms);
  EXPECT_EQ(replayed.cumulative_litres, m.state().cumulative_litres);
  EXPECT_EQ(replayed.recent.size(), m.state().recent.size());
  EXPECT_EQ(replayed.gaps.size(), m.state().gaps.size());
  EXPECT_EQ(replayed.avg_rate_mlph, m.state().avg_rate_mlph);
  EXPECT_EQ(replayed.real_accepted, m.state().real_accepted);
  // And it judges the next reading the same way.
  const RawReading next = Register(kT0 + 2 * kHour, 1'100'000);
  EXPECT_EQ(Evaluate(replayed, nullptr, next, kNow, m.config()).outcome, Outcome::kRejected);
  MeterInfo info = CubicMetreMeter();
  EXPECT_EQ(Evaluate(replayed, &info, next, kNow, m.config()).outcome, Outcome::kDuplicate);
}

}  // namespace
}  // namespace jieshui::ingest
