// Mapping between the VEE core's plain records and the ingest protobufs on Kafka and in the API.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "ingest/src/core/vee.hpp"
#include "jieshui/events/v1/envelope.pb.h"
#include "jieshui/ingest/v1/readings.pb.h"
#include "jieshui/registry/v1/resources.pb.h"

namespace jieshui::ingest {

namespace pb = jieshui::ingest::v1;

// "12345.678" → 12345678 (register × 1000); INVALID_ARGUMENT naming `field` otherwise.
absl::StatusOr<int64_t> ParseRegisterMilli(const std::string& text, const std::string& field);
std::string FormatRegisterMilli(int64_t milli);

// The VEE view of a registry meter; INVALID_ARGUMENT when its multiplier does not parse.
absl::StatusOr<MeterInfo> MeterInfoFromRegistry(const jieshui::registry::v1::Meter& meter);

// A reading as received → the core's input. INVALID_ARGUMENT names the field.
absl::StatusOr<RawReading> ToRawReading(const pb::Reading& reading);

std::vector<pb::VeeFlag> FlagsToProto(Flags flags);
Flags FlagsFromProto(const google::protobuf::RepeatedField<int>& flags);

pb::ReadingAccepted ToProto(const Record& record, const MeterInfo& meter, const std::string& source,
                            int64_t received_ms);
// The same, written into `out` (a record of a message being built: no copy).
void ToProto(const Record& record, const MeterInfo& meter, const std::string& source,
             int64_t received_ms, pb::ReadingAccepted* out);
// The core record a published ReadingAccepted stands for (for replay and the ledger).
Record FromProto(const pb::ReadingAccepted& accepted);

pb::RejectReason RejectReasonToProto(Rejection rejection);

// The records of one reading-topic event: a ReadingRecords payload, or a lone ReadingAccepted.
// INVALID_ARGUMENT for any other payload.
absl::StatusOr<std::vector<pb::ReadingAccepted>> RecordsOfEvent(
    const jieshui::events::v1::EventEnvelope& envelope);

}  // namespace jieshui::ingest
