#include "kafka/envelope.hpp"

#include <random>

#include "absl/strings/str_format.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace jieshui::kafka {

std::string NewEventId() {
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  // RFC 9562 version 7: 48 bits of Unix milliseconds first, so ids made later sort later and a
  // database index on them grows at its right edge instead of splitting pages at random (the
  // ledger's unique index cost twice as much with random v4 ids). The other 74 bits are random.
  const auto ms = static_cast<uint64_t>(absl::ToUnixMillis(absl::Now()));
  uint64_t hi = (ms << 16) | 0x7000ULL | (rng() & 0x0FFFULL);
  uint64_t lo = rng();
  lo = (lo & 0x3FFFFFFFFFFFFFFFULL) | 0x8000000000000000ULL;  // variant 10
  // Hex by hand: an id per event at meter-data rates, where StrFormat showed in profiles.
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(36, '-');
  int pos = 0;
  auto put = [&](uint64_t v, int nibbles) {
    for (int i = nibbles - 1; i >= 0; --i) {
      out[static_cast<size_t>(pos++)] = kHex[(v >> (4 * i)) & 0xF];
    }
  };
  put(hi >> 32, 8);
  ++pos;
  put((hi >> 16) & 0xFFFF, 4);
  ++pos;
  put(hi & 0xFFFF, 4);
  ++pos;
  put(lo >> 48, 4);
  ++pos;
  put(lo & 0xFFFFFFFFFFFFULL, 12);
  return out;
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
