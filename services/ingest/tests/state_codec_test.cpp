// Unit tests of the meter state's text form: a state built by the real VEE core (gaps with their
// estimates, superseded estimates, recent readings) and one with every field at an edge value come
// back field for field; malformed text is refused with the field named.
#include "ingest/src/adapters/state_codec.hpp"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <limits>

namespace jieshui::ingest {
namespace {

using ::testing::HasSubstr;

constexpr int64_t kMin = 60LL * 1000;
constexpr int64_t kHour = 60 * kMin;
constexpr int64_t kT0 = 1'793'491'200'000;  // 2026-11-01T00:00:00Z

void ExpectSameRecord(const Record& a, const Record& b) {
  EXPECT_EQ(a.kind, b.kind);
  EXPECT_EQ(a.start_ms, b.start_ms);
  EXPECT_EQ(a.end_ms, b.end_ms);
  EXPECT_EQ(a.delta_litres, b.delta_litres);
  EXPECT_EQ(a.flags, b.flags);
  EXPECT_EQ(a.register_milli, b.register_milli);
  EXPECT_EQ(a.cumulative_litres, b.cumulative_litres);
  EXPECT_EQ(a.data_flag, b.data_flag);
}

void ExpectSameState(const MeterState& a, const MeterState& b) {
  EXPECT_EQ(a.has_last, b.has_last);
  EXPECT_EQ(a.last_ms, b.last_ms);
  EXPECT_EQ(a.last_register_milli, b.last_register_milli);
  EXPECT_EQ(a.cumulative_litres, b.cumulative_litres);
  EXPECT_EQ(a.last_flags, b.last_flags);
  ASSERT_EQ(a.recent.size(), b.recent.size());
  for (size_t i = 0; i < a.recent.size(); ++i) {
    EXPECT_EQ(a.recent[i].ts_ms, b.recent[i].ts_ms) << i;
    EXPECT_EQ(a.recent[i].register_milli, b.recent[i].register_milli) << i;
    EXPECT_EQ(a.recent[i].cumulative_litres, b.recent[i].cumulative_litres) << i;
  }
  ASSERT_EQ(a.gaps.size(), b.gaps.size());
  for (size_t i = 0; i < a.gaps.size(); ++i) {
    EXPECT_EQ(a.gaps[i].left_ms, b.gaps[i].left_ms) << i;
    EXPECT_EQ(a.gaps[i].left_cum, b.gaps[i].left_cum) << i;
    EXPECT_EQ(a.gaps[i].anchor_ms, b.gaps[i].anchor_ms) << i;
    EXPECT_EQ(a.gaps[i].anchor_cum, b.gaps[i].anchor_cum) << i;
    ASSERT_EQ(a.gaps[i].estimates.size(), b.gaps[i].estimates.size()) << i;
    for (size_t j = 0; j < a.gaps[i].estimates.size(); ++j) {
      ExpectSameRecord(a.gaps[i].estimates[j], b.gaps[i].estimates[j]);
    }
  }
  EXPECT_EQ(a.zero_since_ms, b.zero_since_ms);
  EXPECT_EQ(a.avg_rate_mlph, b.avg_rate_mlph);
  EXPECT_EQ(a.rate_samples, b.rate_samples);
  EXPECT_EQ(a.real_accepted, b.real_accepted);
}

MeterState RoundTrip(const MeterState& state) {
  absl::StatusOr<MeterState> decoded = DecodeMeterState(EncodeMeterState(state));
  EXPECT_TRUE(decoded.ok()) << decoded.status();
  return decoded.ok() ? *decoded : MeterState();
}

// A state with open gaps (estimates), a superseded estimate, out-of-order and gateway-flagged
// readings, as the VEE core builds it.
MeterState StateFromTheCore() {
  MeterInfo meter;
  meter.meter_id = "M-1";
  meter.uscc = "91350200776049653A";
  meter.litres_numerator = LitresNumerator(1000, 1'000'000);
  VeeConfig config;
  MeterState state;
  int64_t reg = 1'000'000;  // 1000.000 m³
  auto feed = [&](int64_t ts, int64_t milli, char flag = 'N') {
    RawReading r;
    r.ts_ms = ts;
    r.register_milli = milli;
    r.data_flag = flag;
    Evaluation e = Evaluate(state, &meter, r, ts + kMin, config);
    for (const Record& record : e.records) {
      Apply(state, record, config);
    }
  };
  for (int i = 0; i < 8; ++i) {
    feed(kT0 + int64_t{i} * 15 * kMin, reg);
    reg += 250;
  }
  feed(kT0 + 6 * kHour, reg += 4'000);           // a gap of over 4 hours: estimates
  feed(kT0 + 3 * kHour + 10 * kMin, 1'003'500);  // real data inside the gap: reversals
  feed(kT0 + 12 * kHour, reg += 6'000, 'M');     // another gap, gateway in maintenance
  feed(kT0 + 12 * kHour + 15 * kMin, reg);       // zero flow starts
  return state;
}

TEST(StateCodec, AStateBuiltByTheCoreComesBackFieldForField) {
  const MeterState state = StateFromTheCore();
  ASSERT_FALSE(state.gaps.empty());
  ASSERT_FALSE(state.gaps.front().estimates.empty());
  ASSERT_GE(state.recent.size(), 8U);
  ASSERT_GE(state.zero_since_ms, 0);
  ExpectSameState(RoundTrip(state), state);
}

TEST(StateCodec, EdgeValuesAndAbsentOptionalsAreExact) {
  MeterState state;
  state.has_last = true;
  state.last_ms = std::numeric_limits<int64_t>::max();
  state.last_register_milli = std::nullopt;
  state.cumulative_litres = std::numeric_limits<int64_t>::min();
  state.last_flags = 0xFFFFFFFFU;
  state.recent = {{1, std::nullopt, -5}, {2, 99'999'999'999, 7}};
  OpenGap gap;
  gap.left_ms = -1;
  gap.left_cum = 10;
  gap.anchor_ms = 3;
  gap.anchor_cum = 40;
  Record estimate;
  estimate.kind = RecordKind::kEstimate;
  estimate.start_ms = 1;
  estimate.end_ms = 2;
  estimate.delta_litres = -30;
  estimate.flags = kEstimated | kGap;
  estimate.register_milli = 0;
  estimate.cumulative_litres = 40;
  estimate.data_flag = 'D';
  Record reversal = estimate;
  reversal.kind = RecordKind::kReversal;
  reversal.register_milli = std::nullopt;
  gap.estimates = {estimate, reversal};
  state.gaps = {gap, OpenGap()};
  state.zero_since_ms = -1;
  state.avg_rate_mlph = 123'456'789'012;
  state.rate_samples = 3;
  state.real_accepted = 42;
  ExpectSameState(RoundTrip(state), state);
  ExpectSameState(RoundTrip(MeterState()), MeterState());
}

TEST(StateCodec, TheTextIsCompactJson) {
  const std::string text = EncodeMeterState(StateFromTheCore());
  EXPECT_EQ(text.front(), '{');
  EXPECT_EQ(text.find(' '), std::string::npos);
  EXPECT_THAT(text, HasSubstr("\"v\":1"));
}

TEST(StateCodec, MalformedTextIsRefusedNamingTheField) {
  auto code_and_message = [](std::string_view text) {
    absl::StatusOr<MeterState> s = DecodeMeterState(text);
    EXPECT_FALSE(s.ok()) << text;
    EXPECT_EQ(s.status().code(), absl::StatusCode::kInvalidArgument) << text;
    return std::string(s.status().message());
  };
  const std::string good = EncodeMeterState(StateFromTheCore());
  EXPECT_THAT(code_and_message("not json"), HasSubstr("not JSON"));
  EXPECT_THAT(code_and_message("[1,2]"), HasSubstr("an object"));
  std::string v2 = good;
  v2.replace(v2.find("\"v\":1"), 5, "\"v\":2");
  EXPECT_THAT(code_and_message(v2), HasSubstr("version"));
  std::string no_cum = good;
  no_cum.replace(no_cum.find("\"c\":"), 4, "\"x\":");
  EXPECT_THAT(code_and_message(no_cum), HasSubstr("c must be present"));
  std::string fractional = good;
  fractional.replace(fractional.find("\"n\":"), 4, "\"n\":0.5,\"q\":");
  EXPECT_THAT(code_and_message(fractional), HasSubstr("n must be an integer"));
  std::string bad_recent = good;
  bad_recent.replace(bad_recent.find("\"rc\":["), 6, "\"rc\":[[1],");
  EXPECT_THAT(code_and_message(bad_recent), HasSubstr("rc[0] must be an array of 3"));
  std::string bad_kind = good;
  const size_t estimates = bad_kind.find("[[1,");  // the first estimate record (kind 1)
  ASSERT_NE(estimates, std::string::npos);
  bad_kind.replace(estimates, 4, "[[7,");
  EXPECT_THAT(code_and_message(bad_kind), HasSubstr(".kind must be 0, 1 or 2"));
}

}  // namespace
}  // namespace jieshui::ingest
