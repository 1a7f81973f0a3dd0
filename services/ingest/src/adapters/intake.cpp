#include "ingest/src/adapters/intake.hpp"

#include <algorithm>
#include <future>

#include "absl/container/flat_hash_map.h"
#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "google/protobuf/arena.h"
#include "ingest/src/adapters/record_codec.hpp"
#include "kafka/envelope.hpp"
#include "log/log.hpp"

namespace jieshui::ingest {

// Delivery of one published record, which later duplicates of the same reading wait for: a
// duplicate is answered only once the original is durable.
struct Intake::InFlight {
  std::mutex mu;
  bool done = false;
  bool ok = true;
  std::vector<std::function<void(bool)>> waiters;

  void Complete(bool delivered) {
    std::vector<std::function<void(bool)>> to_call;
    {
      std::lock_guard lock(mu);
      done = true;
      ok = delivered;
      to_call.swap(waiters);
    }
    for (auto& waiter : to_call) {
      waiter(delivered);
    }
  }
  // False when already complete (the caller uses `ok`).
  bool AddWaiter(std::function<void(bool)> waiter, bool* delivered) {
    std::lock_guard lock(mu);
    if (done) {
      *delivered = ok;
      return false;
    }
    waiters.push_back(std::move(waiter));
    return true;
  }
};

// One submitted batch: answered when its last outstanding delivery (or duplicate wait) ends.
struct Intake::Batch {
  std::atomic<int64_t> remaining{1};  // 1 for the submitting pass itself
  std::atomic<bool> failed{false};
  BatchResult result;
  std::function<void(BatchResult)> done;

  void Release(bool ok) {
    if (!ok) {
      failed = true;
    }
    if (remaining.fetch_sub(1) == 1) {
      if (failed) {
        result.status = absl::UnavailableError(
            "Kafka did not confirm every record of this batch; nothing in it is acknowledged, "
            "send it again");
      }
      done(std::move(result));
    }
  }
};

namespace {
constexpr size_t kPrefetchAhead = 6;
// Evaluated batches the publishing thread may have waiting before evaluation waits for it.
constexpr size_t kMaxOutbound = 256;
}  // namespace

// The messages of one evaluated batch: one ReadingRecords per enterprise, on an arena dropped
// as a whole once they are encoded and handed to Kafka.
struct Intake::Outbound {
  struct Group {
    v1::ReadingRecords* records = nullptr;
    std::shared_ptr<InFlight> inflight;
    int64_t last_end_ms = 0;
  };
  explicit Outbound(const google::protobuf::ArenaOptions& options) : arena(options) {}
  google::protobuf::Arena arena;
  std::vector<std::pair<const std::string*, Group>> groups;  // the USCC lives in the MeterInfo
  // Keeps every MeterInfo a group's USCC points into alive until the messages are encoded.
  std::vector<std::shared_ptr<const MeterInfo>> meters_used;
  std::shared_ptr<Batch> batch;
};

Intake::Intake(MeterDirectory* directory, kafka::Producer* producer, IntakeOptions options)
    : directory_(directory), producer_(producer), options_(std::move(options)) {
  if (!options_.now_ms) {
    options_.now_ms = [] { return absl::ToUnixMillis(absl::Now()); };
  }
  if (auto* family = options_.readings_counter; family != nullptr) {
    accepted_counter_ = &family->Add({{"outcome", "accepted"}, {"reason", ""}});
    duplicate_counter_ = &family->Add({{"outcome", "duplicate"}, {"reason", ""}});
    for (size_t i = 0; i < rejected_counters_.size(); ++i) {
      const auto reason = RejectReasonToProto(static_cast<Rejection>(i));
      std::string name = v1::RejectReason_Name(reason);
      if (name.rfind("REJECT_REASON_", 0) == 0) {
        name.erase(0, 14);
      }
      rejected_counters_[i] = &family->Add({{"outcome", "rejected"}, {"reason", name}});
    }
  }
  publisher_ = std::thread([this] { PublisherLoop(); });
}

Intake::~Intake() { Drain(); }

void Intake::Drain() {
  // Held throughout, so no batch is queued meanwhile and any later one is published by its
  // caller only after everything queued before it.
  std::lock_guard submit_lock(submit_mu_);
  {
    std::lock_guard lock(outbound_mu_);
    if (!publisher_running_) {
      return;
    }
    publisher_running_ = false;
  }
  outbound_cv_.notify_all();
  if (publisher_.joinable()) {
    publisher_.join();
  }
}

void Intake::PublisherLoop() {
  std::unique_lock lock(outbound_mu_);
  while (true) {
    outbound_cv_.wait(lock, [&] { return !outbound_.empty() || !publisher_running_; });
    if (outbound_.empty()) {
      return;  // stopped and drained
    }
    std::unique_ptr<Outbound> next = std::move(outbound_.front());
    outbound_.pop_front();
    lock.unlock();
    outbound_cv_.notify_all();  // room for a waiting evaluation
    PublishOutbound(*next);
    next.reset();
    lock.lock();
  }
}

void Intake::PublishOutbound(Outbound& outbound) {
  for (auto& [uscc, group] : outbound.groups) {
    Publish(
        outbound.batch, options_.reading_topic, *uscc,
        kafka::EncodeEvent(*group.records, {.producer = "ingest",
                                            .subject_key = *uscc,
                                            .occurred_at = absl::FromUnixMillis(group.last_end_ms),
                                            .correlation_id = ""}),
        group.inflight);
  }
  outbound.batch->Release(true);  // the hold taken when the batch was queued
}

Intake::Shard& Intake::ShardOf(const std::string& meter_id) {
  return shards_[std::hash<std::string>{}(meter_id) % kShards];
}

const Intake::Shard& Intake::ShardOf(const std::string& meter_id) const {
  return shards_[std::hash<std::string>{}(meter_id) % kShards];
}

void Intake::Publish(const std::shared_ptr<Batch>& batch, const std::string& topic,
                     const std::string& key, const std::string& value,
                     const std::shared_ptr<InFlight>& inflight) {
  batch->remaining.fetch_add(1);
  auto on_delivery = [this, batch, inflight, topic](const kafka::DeliveryResult& d) {
    const bool ok = d.status.ok();
    if (!ok) {
      if (healthy_.exchange(false)) {
        log::Error("delivery failed: intake stops accepting readings until restarted",
                   {{"topic", topic}, {"error", std::string(d.status.message())}});
      }
    }
    if (inflight) {
      inflight->Complete(ok);
    }
    batch->Release(ok);
  };
  absl::Status enqueued = producer_->Produce(topic, key, value, on_delivery);
  if (!enqueued.ok()) {
    kafka::DeliveryResult failed;
    failed.status = enqueued;
    on_delivery(failed);
  }
}

void Intake::SubmitAsync(const std::vector<const v1::Reading*>& readings, const std::string& source,
                         std::function<void(BatchResult)> done) {
  auto batch = std::make_shared<Batch>();
  submitted_.fetch_add(static_cast<int64_t>(readings.size()), std::memory_order_relaxed);
  batch->done = std::move(done);
  batch->result.results.resize(readings.size());
  if (!healthy_) {
    batch->result.status = absl::UnavailableError(
        "ingest is not accepting readings: a Kafka delivery failed and its state must be rebuilt "
        "(restart the service)");
    batch->done(std::move(batch->result));
    return;
  }
  const int64_t now = options_.now_ms();
  const int64_t window_start = now - options_.vee.backfill_window_ms;
  static const MeterState kNoState;
  // One message per enterprise: its records from this batch, in the order VEE made them.
  google::protobuf::ArenaOptions arena_options;
  arena_options.start_block_size = size_t{64} * 1024;
  arena_options.max_block_size = size_t{1024} * 1024;
  auto outbound = std::make_unique<Outbound>(arena_options);
  outbound->batch = batch;
  auto& groups = outbound->groups;
  absl::flat_hash_map<std::string_view, size_t> group_of;
  std::unique_lock submit_lock(submit_mu_);
  for (size_t i = 0; i < readings.size(); ++i) {
    if (i + kPrefetchAhead < readings.size()) {
      // The meter tables are far larger than the caches: start fetching a later reading's slot
      // now so its misses overlap this reading's work. (While serving, the tables change only
      // under submit_mu_; recovery's RestoreState and ReplayRecord run before serving starts.)
      const std::string& ahead = readings[i + kPrefetchAhead]->meter_id();
      ShardOf(ahead).meters.prefetch(ahead);
    }
    const v1::Reading& reading = *readings[i];
    ReadingResult& out = batch->result.results[i];
    absl::StatusOr<RawReading> raw = ToRawReading(reading);
    Evaluation evaluation;
    std::shared_ptr<const MeterInfo> meter;
    if (!raw.ok()) {
      evaluation.outcome = Outcome::kRejected;
      evaluation.rejection = Rejection::kMalformed;
      evaluation.detail = std::string(raw.status().message());
      meter = directory_->Find(reading.meter_id());
    } else {
      Shard& shard = ShardOf(reading.meter_id());
      std::lock_guard lock(shard.mu);
      auto it = shard.meters.find(reading.meter_id());
      const uint64_t generation = directory_->generation();
      if (it != shard.meters.end() && it->second.meter_generation == generation) {
        meter = it->second.meter;
      } else {
        meter = directory_->Find(reading.meter_id());
        if (meter != nullptr) {
          if (it == shard.meters.end()) {
            it = shard.meters.try_emplace(reading.meter_id()).first;
          }
          it->second.meter = meter;
          it->second.meter_generation = generation;
        }
      }
      MeterSlot* slot = meter != nullptr ? &it->second : nullptr;
      evaluation = Evaluate(slot != nullptr ? slot->state : kNoState, meter.get(), *raw, now,
                            options_.vee, slot != nullptr ? &slot->history : nullptr);
      if (evaluation.outcome == Outcome::kDuplicate && slot != nullptr && slot->last_inflight) {
        // Answered only once the original is durable (its message may not even be sent yet).
        batch->remaining.fetch_add(1);
        bool delivered = true;
        if (!slot->last_inflight->AddWaiter([batch](bool ok) { batch->Release(ok); }, &delivered)) {
          batch->Release(delivered);
        }
      } else if (evaluation.outcome == Outcome::kAccepted) {
        auto [group_it, fresh] = group_of.try_emplace(meter->uscc, groups.size());
        if (fresh) {
          groups.emplace_back(&meter->uscc, Outbound::Group());
          Outbound::Group& created = groups.back().second;
          created.records =
              google::protobuf::Arena::CreateMessage<v1::ReadingRecords>(&outbound->arena);
          created.inflight = std::make_shared<InFlight>();
          outbound->meters_used.push_back(meter);
        }
        Outbound::Group& group = groups[group_it->second].second;
        for (const Record& record : evaluation.records) {
          Apply(slot->state, record, options_.vee);
          if (record.kind == RecordKind::kReal) {
            slot->history.Add(record.end_ms, SeenValue(record), window_start);
          }
          ToProto(record, *meter, source, now, group.records->add_records());
          group.last_end_ms = std::max(group.last_end_ms, record.end_ms);
        }
        slot->last_inflight = group.inflight;
      }
    }
    out.outcome = evaluation.outcome;
    switch (evaluation.outcome) {
      case Outcome::kAccepted:
        out.flags = evaluation.records.back().flags;
        out.delta_litres = evaluation.records.back().delta_litres;
        accepted_.fetch_add(1);
        if (accepted_counter_ != nullptr) {
          accepted_counter_->Increment();
        }
        break;
      case Outcome::kDuplicate:
        duplicates_.fetch_add(1);
        if (duplicate_counter_ != nullptr) {
          duplicate_counter_->Increment();
        }
        break;
      case Outcome::kRejected: {
        out.rejection = evaluation.rejection;
        out.detail = evaluation.detail;
        rejected_.fetch_add(1);
        if (auto* counter = rejected_counters_[static_cast<size_t>(evaluation.rejection)];
            counter != nullptr) {
          counter->Increment();
        }
        v1::ReadingRejected quarantined;
        *quarantined.mutable_reading() = reading;
        quarantined.set_reason(RejectReasonToProto(evaluation.rejection));
        quarantined.set_detail(evaluation.detail);
        quarantined.set_source(source);
        quarantined.set_received_unix_ms(now);
        if (meter != nullptr) {
          quarantined.set_uscc(meter->uscc);
        }
        Publish(batch, options_.rejected_topic, reading.meter_id(),
                kafka::EncodeEvent(quarantined, {.producer = "ingest",
                                                 .subject_key = reading.meter_id(),
                                                 .occurred_at = absl::FromUnixMillis(now),
                                                 .correlation_id = ""}),
                nullptr);
        break;
      }
    }
  }
  if (!groups.empty()) {
    batch->remaining.fetch_add(1);  // released by PublishOutbound
    std::unique_lock lock(outbound_mu_);
    outbound_cv_.wait(lock, [&] { return outbound_.size() < kMaxOutbound || !publisher_running_; });
    if (publisher_running_) {
      outbound_.push_back(std::move(outbound));
      lock.unlock();
      outbound_cv_.notify_all();
    } else {
      lock.unlock();
      PublishOutbound(*outbound);  // after Drain (which joined the publisher): still in order
    }
  }
  submit_lock.unlock();
  batch->Release(true);
}

BatchResult Intake::Submit(const std::vector<const v1::Reading*>& readings,
                           const std::string& source) {
  std::promise<BatchResult> promise;
  std::future<BatchResult> future = promise.get_future();
  SubmitAsync(readings, source,
              [&promise](BatchResult result) { promise.set_value(std::move(result)); });
  return future.get();
}

void Intake::RestoreState(const std::string& meter_id, MeterState state) {
  const int64_t window_start = window_start_ms();
  Shard& shard = ShardOf(meter_id);
  std::lock_guard lock(shard.mu);
  MeterSlot& slot = shard.meters[meter_id];
  for (const RecentReal& recent : state.recent) {
    if (recent.register_milli.has_value()) {
      slot.history.Add(recent.ts_ms, *recent.register_milli, window_start);
    }
  }
  slot.state = std::move(state);
}

void Intake::ReplayRecord(const v1::ReadingAccepted& accepted) {
  const int64_t window_start = window_start_ms();
  const Record record = FromProto(accepted);
  Shard& shard = ShardOf(accepted.meter_id());
  std::lock_guard lock(shard.mu);
  MeterSlot& slot = shard.meters[accepted.meter_id()];
  Apply(slot.state, record, options_.vee);
  if (record.kind == RecordKind::kReal) {
    slot.history.Add(record.end_ms, SeenValue(record), window_start);
  }
}

void Intake::RememberReading(const std::string& meter_id, int64_t ts_ms, int64_t value) {
  const int64_t window_start = window_start_ms();
  Shard& shard = ShardOf(meter_id);
  std::lock_guard lock(shard.mu);
  shard.meters[meter_id].history.Add(ts_ms, value, window_start);
}

std::optional<MeterState> Intake::StateOf(const std::string& meter_id) const {
  const Shard& shard = ShardOf(meter_id);
  std::lock_guard lock(shard.mu);
  auto it = shard.meters.find(meter_id);
  if (it == shard.meters.end()) {
    return std::nullopt;
  }
  return it->second.state;
}

}  // namespace jieshui::ingest
