#include "kafka/envelope.hpp"

#include <random>

#include "absl/strings/str_format.h"

namespace jieshui::kafka {

std::string NewEventId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  uint64_t hi = rng();
  uint64_t lo = rng();
  // RFC 4122 version 4, variant 10.
  hi = (hi & 0xFFFFFFFFFFFF0FFFULL) | 0x0000000000004000ULL;
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;
  return absl::StrFormat("%08x-%04x-%04x-%04x-%012x", hi >> 32, (hi >> 16) & 0xFFFF, hi & 0xFFFF,
                         lo >> 48, lo & 0xFFFFFFFFFFFFULL);
}

EventEnvelope Wrap(const google::protobuf::Message& payload, const EventMeta& meta) {
  EventEnvelope envelope;
  envelope.set_event_id(NewEventId());
  envelope.set_event_type(payload.GetDescriptor()->full_name());
  const int64_t micros = absl::ToUnixMicros(meta.occurred_at);
  envelope.mutable_occurred_at()->set_seconds(micros / 1000000);
  envelope.mutable_occurred_at()->set_nanos(static_cast<int32_t>((micros % 1000000) * 1000));
  envelope.set_producer(meta.producer);
  envelope.set_subject_key(meta.subject_key);
  envelope.set_correlation_id(meta.correlation_id);
  envelope.mutable_payload()->PackFrom(payload);
  return envelope;
}

std::string EncodeEvent(const google::protobuf::Message& payload, const EventMeta& meta) {
  return Wrap(payload, meta).SerializeAsString();
}

absl::StatusOr<EventEnvelope> DecodeEnvelope(std::string_view bytes) {
  EventEnvelope envelope;
  if (!envelope.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return absl::InvalidArgumentError("event: value is not a jieshui.events.v1.EventEnvelope");
  }
  if (envelope.event_id().empty()) {
    return absl::InvalidArgumentError("event: event_id is empty");
  }
  if (envelope.event_type().empty() || !envelope.has_payload()) {
    return absl::InvalidArgumentError(
        absl::StrCat("event ", envelope.event_id(), ": event_type or payload missing"));
  }
  return envelope;
}

}  // namespace jieshui::kafka
