#include "ingest/src/adapters/state_codec.hpp"

#include <limits>
#include <optional>
#include <utility>

#include <nlohmann/json.hpp>

#include "absl/strings/str_cat.h"

namespace jieshui::ingest {
namespace {

using nlohmann::json;

constexpr int64_t kFormatVersion = 1;

// Tripwires: a field added to these structs must be added to the format (and the version bumped),
// or a restarted intake would silently lose it. Sizes on LP64 (Debian amd64/arm64).
static_assert(sizeof(MeterState) == 128, "MeterState changed: update EncodeMeterState/Decode");
static_assert(sizeof(RecentReal) == 32, "RecentReal changed: update EncodeMeterState/Decode");
static_assert(sizeof(OpenGap) == 56, "OpenGap changed: update EncodeMeterState/Decode");
static_assert(sizeof(Record) == 72, "Record changed: update EncodeMeterState/Decode");

json Optional(const std::optional<int64_t>& value) {
  return value.has_value() ? json(*value) : json(nullptr);
}

json RecordToJson(const Record& r) {
  return json::array({static_cast<int>(r.kind), r.start_ms, r.end_ms, r.delta_litres, r.flags,
                      Optional(r.register_milli), r.cumulative_litres,
                      std::string(1, r.data_flag)});
}

// Reads typed values out of the parsed document, remembering the first problem; later reads
// after a failure return defaults, and the caller checks ok() once at the end.
class Decoder {
 public:
  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }

  const json& Member(const json& object, const char* key) {
    static const json kNull;
    if (!object.is_object()) {
      Fail("state", "an object");
      return kNull;
    }
    auto it = object.find(key);
    if (it == object.end()) {
      Fail(key, "present");
      return kNull;
    }
    return *it;
  }

  int64_t Int(const json& value, absl::string_view what) {
    if (value.is_number_unsigned()) {
      if (value.get<uint64_t>() > static_cast<uint64_t>(std::numeric_limits<int64_t>::max())) {
        Fail(what, "a 64-bit integer");
        return 0;
      }
      return static_cast<int64_t>(value.get<uint64_t>());
    }
    if (!value.is_number_integer()) {
      Fail(what, "an integer");
      return 0;
    }
    return value.get<int64_t>();
  }

  std::optional<int64_t> OptionalInt(const json& value, absl::string_view what) {
    if (value.is_null()) {
      return std::nullopt;
    }
    return Int(value, what);
  }

  bool Bool(const json& value, absl::string_view what) {
    if (!value.is_boolean()) {
      Fail(what, "true or false");
      return false;
    }
    return value.get<bool>();
  }

  Flags FlagBits(const json& value, absl::string_view what) {
    const int64_t bits = Int(value, what);
    if (bits < 0 || bits > std::numeric_limits<Flags>::max()) {
      Fail(what, "a 32-bit flag set");
      return 0;
    }
    return static_cast<Flags>(bits);
  }

  // An array of exactly `size` elements (size < 0: any size).
  const json& Array(const json& value, absl::string_view what, int size = -1) {
    static const json kEmpty = json::array();
    if (!value.is_array() || (size >= 0 && value.size() != static_cast<size_t>(size))) {
      Fail(what, size >= 0 ? absl::StrCat("an array of ", size) : std::string("an array"));
      return kEmpty;
    }
    return value;
  }

  Record RecordFrom(const json& value, absl::string_view what) {
    Record r;
    const json& a = Array(value, what, 8);
    if (!ok()) {
      return r;
    }
    const int64_t kind = Int(a[0], absl::StrCat(what, ".kind"));
    if (kind < 0 || kind > static_cast<int64_t>(RecordKind::kReversal)) {
      Fail(absl::StrCat(what, ".kind"), "0, 1 or 2");
    }
    r.kind = static_cast<RecordKind>(kind);
    r.start_ms = Int(a[1], absl::StrCat(what, ".start_ms"));
    r.end_ms = Int(a[2], absl::StrCat(what, ".end_ms"));
    r.delta_litres = Int(a[3], absl::StrCat(what, ".delta_litres"));
    r.flags = FlagBits(a[4], absl::StrCat(what, ".flags"));
    r.register_milli = OptionalInt(a[5], absl::StrCat(what, ".register_milli"));
    r.cumulative_litres = Int(a[6], absl::StrCat(what, ".cumulative_litres"));
    if (!a[7].is_string() || a[7].get_ref<const std::string&>().size() != 1) {
      Fail(absl::StrCat(what, ".data_flag"), "one character");
    } else {
      r.data_flag = a[7].get_ref<const std::string&>()[0];
    }
    return r;
  }

  void Fail(absl::string_view what, absl::string_view expected) {
    if (error_.empty()) {
      error_ = absl::StrCat("meter state: ", what, " must be ", expected);
    }
  }

 private:
  std::string error_;
};

}  // namespace

std::string EncodeMeterState(const MeterState& state) {
  json recent = json::array();
  for (const RecentReal& r : state.recent) {
    recent.push_back(json::array({r.ts_ms, r.cumulative_litres, Optional(r.register_milli)}));
  }
  json gaps = json::array();
  for (const OpenGap& g : state.gaps) {
    json estimates = json::array();
    for (const Record& e : g.estimates) {
      estimates.push_back(RecordToJson(e));
    }
    gaps.push_back(json::array({g.left_ms, g.left_cum, g.anchor_ms, g.anchor_cum, estimates}));
  }
  json out = {{"v", kFormatVersion},          {"h", state.has_last},
              {"t", state.last_ms},           {"r", Optional(state.last_register_milli)},
              {"c", state.cumulative_litres}, {"f", state.last_flags},
              {"rc", std::move(recent)},      {"g", std::move(gaps)},
              {"z", state.zero_since_ms},     {"a", state.avg_rate_mlph},
              {"n", state.rate_samples},      {"ra", state.real_accepted}};
  return out.dump();
}

absl::StatusOr<MeterState> DecodeMeterState(std::string_view text) {
  const json doc = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded()) {
    return absl::InvalidArgumentError("meter state: not JSON");
  }
  Decoder d;
  if (d.Int(d.Member(doc, "v"), "v") != kFormatVersion && d.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("meter state: format version ", doc["v"].dump(), " is not ", kFormatVersion));
  }
  MeterState s;
  s.has_last = d.Bool(d.Member(doc, "h"), "h");
  s.last_ms = d.Int(d.Member(doc, "t"), "t");
  s.last_register_milli = d.OptionalInt(d.Member(doc, "r"), "r");
  s.cumulative_litres = d.Int(d.Member(doc, "c"), "c");
  s.last_flags = d.FlagBits(d.Member(doc, "f"), "f");
  const json& recent = d.Array(d.Member(doc, "rc"), "rc");
  for (size_t i = 0; i < recent.size() && d.ok(); ++i) {
    const std::string what = absl::StrCat("rc[", i, "]");
    const json& r = d.Array(recent[i], what, 3);
    if (!d.ok()) {
      break;
    }
    RecentReal real;
    real.ts_ms = d.Int(r[0], what);
    real.cumulative_litres = d.Int(r[1], what);
    real.register_milli = d.OptionalInt(r[2], what);
    s.recent.push_back(real);
  }
  const json& gaps = d.Array(d.Member(doc, "g"), "g");
  for (size_t i = 0; i < gaps.size() && d.ok(); ++i) {
    const std::string what = absl::StrCat("g[", i, "]");
    const json& g = d.Array(gaps[i], what, 5);
    if (!d.ok()) {
      break;
    }
    OpenGap gap;
    gap.left_ms = d.Int(g[0], what);
    gap.left_cum = d.Int(g[1], what);
    gap.anchor_ms = d.Int(g[2], what);
    gap.anchor_cum = d.Int(g[3], what);
    const json& estimates = d.Array(g[4], what);
    for (size_t j = 0; j < estimates.size() && d.ok(); ++j) {
      gap.estimates.push_back(d.RecordFrom(estimates[j], absl::StrCat(what, "[", j, "]")));
    }
    s.gaps.push_back(std::move(gap));
  }
  s.zero_since_ms = d.Int(d.Member(doc, "z"), "z");
  s.avg_rate_mlph = d.Int(d.Member(doc, "a"), "a");
  s.rate_samples = d.Int(d.Member(doc, "n"), "n");
  s.real_accepted = d.Int(d.Member(doc, "ra"), "ra");
  if (!d.ok()) {
    return absl::InvalidArgumentError(d.error());
  }
  return s;
}

}  // namespace jieshui::ingest
