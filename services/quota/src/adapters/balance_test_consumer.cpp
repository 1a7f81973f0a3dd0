#include "quota/src/adapters/balance_test_consumer.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/uscc.hpp"
#include "jieshui/events/v1/certification_events.pb.h"
#include "kafka/envelope.hpp"

namespace jieshui::quota {

namespace cert = ::jieshui::certification::v1;
namespace ev = ::jieshui::events::v1;

absl::StatusOr<ActivityEvent> DecodeActivity(const kafka::Message& message) {
  auto envelope = kafka::DecodeEnvelope(message.value);
  if (!envelope.ok()) {
    return envelope.status();
  }
  ActivityEvent out;
  if (!envelope->payload().Is<ev::RecordChanged>()) {
    return out;  // an application, a title review, or a type added later: not quota's concern
  }
  auto changed = kafka::UnpackPayload<ev::RecordChanged>(*envelope);
  if (!changed.ok()) {
    return changed.status();
  }
  const cert::Record& record = changed->record();
  if (record.kind() != cert::RECORD_KIND_BALANCE_TEST) {
    return out;  // an audit, a project, a demonstration, a park
  }
  const std::string what = absl::StrCat("event ", envelope->event_id(), ": balance test");
  if (record.record_id().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " without a record_id"));
  }
  auto uscc = domain::Uscc::Parse(record.uscc().value(), "record.uscc");
  if (!uscc.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", record.record_id(), ": ", uscc.status().message()));
  }
  if (record.status() == cert::RECORD_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", record.record_id(), " without a status"));
  }
  int64_t updated_ms =
      envelope->occurred_at().seconds() * 1000 + envelope->occurred_at().nanos() / 1'000'000;
  if (updated_ms <= 0) {
    updated_ms = message.timestamp_ms > 0 ? message.timestamp_ms : absl::ToUnixMillis(absl::Now());
  }
  out.test = BalanceTest{.record_id = record.record_id(),
                         .uscc = uscc->value(),
                         .status = record.status(),
                         .updated_at_ms = updated_ms};
  return out;
}

BalanceTestConsumer::BalanceTestConsumer(BalanceTestStore* store, kafka::DeadLetterQueue* dlq,
                                         BalanceTestConsumerOptions options)
    : store_(store), dlq_(dlq), options_(std::move(options)) {}

absl::Status BalanceTestConsumer::Start() {
  kafka::ConsumerOptions co;
  co.bootstrap_servers = options_.bootstrap_servers;
  co.group_id = options_.group_id;
  co.client_id = "jieshui-quota";
  co.topics = {options_.activity_topic};
  auto consumer = kafka::Consumer::Create(co);
  if (!consumer.ok()) {
    return consumer.status();
  }
  batches_ = std::make_unique<kafka::BatchConsumer<ActivityEvent>>(
      *std::move(consumer), DecodeActivity,
      [this](std::vector<kafka::Decoded<ActivityEvent>>& batch) { return Apply(batch); }, dlq_,
      kafka::BatchConsumerOptions{.name = "balance test consumer",
                                  .max_batch = options_.max_batch,
                                  .poll_timeout = options_.poll_timeout});
  batches_->Start();
  return absl::OkStatus();
}

void BalanceTestConsumer::Stop() {
  if (batches_ != nullptr) {
    batches_->Stop();
  }
}

int64_t BalanceTestConsumer::dead_lettered() const {
  return batches_ == nullptr ? 0 : batches_->stats().dead_lettered.load();
}

absl::Status BalanceTestConsumer::Apply(std::vector<kafka::Decoded<ActivityEvent>>& batch) {
  std::vector<ActivityMessage> messages;
  messages.reserve(batch.size());
  int64_t dead = 0;
  for (auto& d : batch) {
    ActivityMessage m{.topic = d.message.topic,
                      .partition = d.message.partition,
                      .offset = d.message.offset,
                      .test = std::nullopt};
    if (d.value) {
      m.test = std::move(d.value->test);
    } else {
      ++dead;
    }
    messages.push_back(std::move(m));
  }
  absl::StatusOr<BalanceTestApplyResult> result = store_->Apply(messages);
  if (!result.ok()) {
    return result.status();  // the consumer reads and decodes the batch again
  }
  messages_applied_.fetch_add(result->messages_applied);
  tests_changed_.fetch_add(result->tests_changed);
  if (options_.messages_counter != nullptr) {
    options_.messages_counter->Add({{"outcome", "applied"}}).Increment(result->messages_applied);
    options_.messages_counter->Add({{"outcome", "replayed"}})
        .Increment(static_cast<double>(batch.size()) - result->messages_applied);
    if (dead > 0) {
      options_.messages_counter->Add({{"outcome", "dead_lettered"}})
          .Increment(static_cast<double>(dead));
    }
  }
  return absl::OkStatus();
}

}  // namespace jieshui::quota
