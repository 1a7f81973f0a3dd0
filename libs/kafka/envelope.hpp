// The event envelope (proto/jieshui/events/v1/envelope.proto): wrapping a payload with its id,
// type, time, producer and subject key, and unwrapping it again with type checks.
#pragma once

#include <string>
#include <string_view>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/message.h"
#include "jieshui/events/v1/envelope.pb.h"

namespace jieshui::kafka {

using jieshui::events::v1::EventEnvelope;

struct EventMeta {
  std::string producer;     // e.g. "registry"
  std::string subject_key;  // Kafka key: the enterprise USCC unless the topic says otherwise
  absl::Time occurred_at;   // when the fact happened (injected: no clock reads here)
  std::string correlation_id;
};

// A UUID v7 (RFC 9562: Unix milliseconds, then random bits) in canonical text form: unique, and
// ids made in a later millisecond sort after earlier ones.
std::string NewEventId();

EventEnvelope Wrap(const google::protobuf::Message& payload, const EventMeta& meta);

// Wraps and serialises in one step (what goes into an outbox row or a Kafka record value).
std::string EncodeEvent(const google::protobuf::Message& payload, const EventMeta& meta);

// Parses an envelope; INVALID_ARGUMENT naming what is missing when it is not one.
absl::StatusOr<EventEnvelope> DecodeEnvelope(std::string_view bytes);

// The payload as T; INVALID_ARGUMENT when the envelope carries another type.
template <typename T>
absl::StatusOr<T> UnpackPayload(const EventEnvelope& envelope) {
  T out;
  if (!envelope.payload().Is<T>()) {
    return absl::InvalidArgumentError(absl::StrCat("event ", envelope.event_id(), ": payload is ",
                                                   envelope.payload().type_url(), ", expected ",
                                                   T::descriptor()->full_name()));
  }
  if (!envelope.payload().UnpackTo(&out)) {
    return absl::InvalidArgumentError(absl::StrCat("event ", envelope.event_id(),
                                                   ": payload does not parse as ",
                                                   T::descriptor()->full_name()));
  }
  return out;
}

}  // namespace jieshui::kafka
