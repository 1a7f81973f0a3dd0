#include "ingest/src/adapters/record_codec.hpp"

#include <optional>

#include "absl/strings/str_cat.h"
#include "domain/fixed_decimal.hpp"
#include "errors/field_error.hpp"
#include "grpcserver/status.hpp"
#include "kafka/envelope.hpp"

namespace jieshui::ingest {

namespace reg = jieshui::registry::v1;

absl::StatusOr<int64_t> ParseRegisterMilli(const std::string& text, const std::string& field) {
  // Its message already starts with the field ("register_value: \"abc\" is not ..."); the
  // violation goes beside it without repeating the field.
  absl::StatusOr<int64_t> milli =
      domain::internal::ParseFixedDecimal(text, 3, field, "a register value");
  if (!milli.ok()) {
    const std::string message(milli.status().message());
    std::optional<errors::FieldViolation> named = errors::FieldOfMessage(message);
    return errors::WithFieldViolation(milli.status(), field,
                                      named.has_value() ? named->reason : message);
  }
  return milli;
}

std::string FormatRegisterMilli(int64_t milli) {
  return domain::internal::FormatFixedDecimal(milli, 3);
}

absl::StatusOr<MeterInfo> MeterInfoFromRegistry(const reg::Meter& meter) {
  MeterInfo info;
  info.meter_id = meter.meter_id();
  info.uscc = meter.uscc().value();
  info.measures = meter.measures();
  info.level = meter.level();
  info.register_digits = meter.register_digits() > 0 ? meter.register_digits() : 8;
  info.retired = meter.status() == reg::METER_STATUS_RETIRED;
  info.suspended = meter.status() == reg::METER_STATUS_SUSPENDED;
  absl::StatusOr<int64_t> micro = domain::internal::ParseFixedDecimal(
      meter.multiplier().empty() ? "1" : meter.multiplier(), 6, "multiplier", "a multiplier");
  if (!micro.ok()) {
    return micro.status();
  }
  const int64_t unit_litres = meter.unit() == reg::METER_UNIT_LITRE ? 1 : 1000;
  info.litres_numerator = LitresNumerator(unit_litres, *micro);
  return info;
}

absl::StatusOr<RawReading> ToRawReading(const pb::Reading& reading) {
  RawReading raw;
  raw.ts_ms = reading.timestamp_unix_ms();
  if (raw.ts_ms <= 0) {
    return grpcserver::InvalidArgument("timestamp_unix_ms", "required");
  }
  switch (reading.value_case()) {
    case pb::Reading::kRegisterValue: {
      auto milli = ParseRegisterMilli(reading.register_value(), "register_value");
      if (!milli.ok()) {
        return milli.status();
      }
      raw.register_milli = *milli;
      break;
    }
    case pb::Reading::kIntervalVolume:
      raw.interval_litres = reading.interval_volume().litres();
      raw.interval_ms = reading.interval_ms();
      break;
    default:
      return grpcserver::InvalidArgument("value", "a register_value or an interval_volume");
  }
  if (reading.data_flag().empty()) {
    raw.data_flag = 'N';
  } else if (reading.data_flag().size() == 1 &&
             std::string_view("NFMSDCTB").find(reading.data_flag()[0]) != std::string::npos) {
    raw.data_flag = reading.data_flag()[0];
  } else {
    return grpcserver::InvalidArgument("data_flag", absl::StrCat("'", reading.data_flag(),
                                                                 "' is not an HJ 212 data flag "
                                                                 "(N, F, M, S, D, C, T, B)"));
  }
  return raw;
}

namespace {

struct FlagName {
  Flag bit;
  pb::VeeFlag proto;
};

constexpr FlagName kFlagNames[] = {
    {kOutOfOrder, pb::VEE_FLAG_OUT_OF_ORDER},
    {kRollover, pb::VEE_FLAG_ROLLOVER},
    {kReset, pb::VEE_FLAG_RESET},
    {kSpike, pb::VEE_FLAG_SPIKE},
    {kGap, pb::VEE_FLAG_GAP},
    {kEstimated, pb::VEE_FLAG_ESTIMATED},
    {kSuperseded, pb::VEE_FLAG_SUPERSEDED},
    {kZeroFlow, pb::VEE_FLAG_ZERO_FLOW},
    {kFirst, pb::VEE_FLAG_FIRST},
    {kGatewayNotNormal, pb::VEE_FLAG_GATEWAY_NOT_NORMAL},
    {kMeterSuspended, pb::VEE_FLAG_METER_SUSPENDED},
};

}  // namespace

std::vector<pb::VeeFlag> FlagsToProto(Flags flags) {
  std::vector<pb::VeeFlag> out;
  for (const FlagName& f : kFlagNames) {
    if ((flags & f.bit) != 0) {
      out.push_back(f.proto);
    }
  }
  return out;
}

Flags FlagsFromProto(const google::protobuf::RepeatedField<int>& flags) {
  Flags out = 0;
  for (int value : flags) {
    for (const FlagName& f : kFlagNames) {
      if (f.proto == value) {
        out |= f.bit;
      }
    }
  }
  return out;
}

pb::ReadingAccepted ToProto(const Record& record, const MeterInfo& meter, const std::string& source,
                            int64_t received_ms) {
  pb::ReadingAccepted out;
  ToProto(record, meter, source, received_ms, &out);
  return out;
}

void ToProto(const Record& record, const MeterInfo& meter, const std::string& source,
             int64_t received_ms, pb::ReadingAccepted* out) {
  out->set_meter_id(meter.meter_id);
  out->mutable_uscc()->set_value(meter.uscc);
  out->set_measures(static_cast<reg::MeasuredFlow>(meter.measures));
  out->set_level(static_cast<reg::MeterLevel>(meter.level));
  switch (record.kind) {
    case RecordKind::kReal:
      out->set_kind(pb::RECORD_KIND_REAL);
      break;
    case RecordKind::kEstimate:
      out->set_kind(pb::RECORD_KIND_ESTIMATE);
      break;
    case RecordKind::kReversal:
      out->set_kind(pb::RECORD_KIND_REVERSAL);
      break;
  }
  out->set_interval_start_unix_ms(record.start_ms);
  out->set_interval_end_unix_ms(record.end_ms);
  out->mutable_delta()->set_litres(record.delta_litres);
  if (record.flags != 0) {
    for (const FlagName& f : kFlagNames) {
      if ((record.flags & f.bit) != 0) {
        out->add_flags(f.proto);
      }
    }
  }
  if (record.register_milli.has_value()) {
    out->set_register_value(FormatRegisterMilli(*record.register_milli));
  }
  out->set_cumulative_litres(record.cumulative_litres);
  out->set_data_flag(&record.data_flag, 1);
  out->set_source(source);
  out->set_received_unix_ms(received_ms);
}

Record FromProto(const pb::ReadingAccepted& accepted) {
  Record r;
  switch (accepted.kind()) {
    case pb::RECORD_KIND_ESTIMATE:
      r.kind = RecordKind::kEstimate;
      break;
    case pb::RECORD_KIND_REVERSAL:
      r.kind = RecordKind::kReversal;
      break;
    default:
      r.kind = RecordKind::kReal;
  }
  r.start_ms = accepted.interval_start_unix_ms();
  r.end_ms = accepted.interval_end_unix_ms();
  r.delta_litres = accepted.delta().litres();
  r.flags = FlagsFromProto(accepted.flags());
  if (!accepted.register_value().empty()) {
    auto milli = domain::internal::ParseFixedDecimal(accepted.register_value(), 3, "register_value",
                                                     "a register value");
    if (milli.ok()) {
      r.register_milli = *milli;
    }
  }
  r.cumulative_litres = accepted.cumulative_litres();
  r.data_flag = accepted.data_flag().empty() ? 'N' : accepted.data_flag()[0];
  return r;
}

pb::RejectReason RejectReasonToProto(Rejection rejection) {
  switch (rejection) {
    case Rejection::kUnknownMeter:
      return pb::REJECT_REASON_UNKNOWN_METER;
    case Rejection::kRetiredMeter:
      return pb::REJECT_REASON_RETIRED_METER;
    case Rejection::kFutureTimestamp:
      return pb::REJECT_REASON_FUTURE_TIMESTAMP;
    case Rejection::kTooOld:
      return pb::REJECT_REASON_TOO_OLD;
    case Rejection::kMalformed:
      return pb::REJECT_REASON_MALFORMED;
    case Rejection::kNegativeVolume:
      return pb::REJECT_REASON_NEGATIVE_VOLUME;
    case Rejection::kConflict:
      return pb::REJECT_REASON_CONFLICT;
    case Rejection::kNegativeRegister:
      return pb::REJECT_REASON_NEGATIVE_REGISTER;
    case Rejection::kNone:
      break;
  }
  return pb::REJECT_REASON_UNSPECIFIED;
}

absl::StatusOr<std::vector<pb::ReadingAccepted>> RecordsOfEvent(
    const jieshui::events::v1::EventEnvelope& envelope) {
  std::vector<pb::ReadingAccepted> out;
  if (envelope.payload().Is<pb::ReadingRecords>()) {
    absl::StatusOr<pb::ReadingRecords> records = kafka::UnpackPayload<pb::ReadingRecords>(envelope);
    if (!records.ok()) {
      return records.status();
    }
    out.assign(std::make_move_iterator(records->mutable_records()->begin()),
               std::make_move_iterator(records->mutable_records()->end()));
    return out;
  }
  absl::StatusOr<pb::ReadingAccepted> one = kafka::UnpackPayload<pb::ReadingAccepted>(envelope);
  if (!one.ok()) {
    return one.status();
  }
  out.push_back(*std::move(one));
  return out;
}

}  // namespace jieshui::ingest
