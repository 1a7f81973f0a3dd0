// Text form of a meter's VEE state (core/vee.hpp MeterState) for the ledger's meter_state table,
// from which intake rebuilds its memory after a restart. Compact JSON, exact (integers only).
//
// Format, version 1 (flags are the core's Flag bits, kinds the core's RecordKind 0 real,
// 1 estimate, 2 reversal; absent optionals are null):
//   {"v":1,"h":has_last,"t":last_ms,"r":last_register_milli,"c":cumulative_litres,"f":last_flags,
//    "rc":[[ts_ms,cumulative_litres,register_milli],...],
//    "g":[[left_ms,left_cum,anchor_ms,anchor_cum,[record,...]],...],
//    "z":zero_since_ms,"a":avg_rate_mlph,"n":rate_samples,"ra":real_accepted}
//   record = [kind,start_ms,end_ms,delta_litres,flags,register_milli,cumulative_litres,"N"]
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "ingest/src/core/vee.hpp"

namespace jieshui::ingest {

std::string EncodeMeterState(const MeterState& state);

// INVALID_ARGUMENT naming the first field that is missing or of the wrong type, or when the text
// is not JSON or of another format version.
absl::StatusOr<MeterState> DecodeMeterState(std::string_view text);

}  // namespace jieshui::ingest
