// The intake pipeline: readings in, VEE per meter, records out to Kafka, and an answer per reading
// only once every record it produced is acknowledged by the broker (nothing is acknowledged
// before it is durable). Shared by the gRPC handlers and the HJ 212 listener.
#pragma once

#include <array>
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ingest/src/adapters/meter_directory.hpp"
#include "ingest/src/core/history.hpp"
#include "ingest/src/core/vee.hpp"
#include "jieshui/ingest/v1/readings.pb.h"
#include "kafka/producer.hpp"
#include "prometheus/counter.h"
#include "prometheus/family.h"

namespace jieshui::ingest {

struct ReadingResult {
  Outcome outcome = Outcome::kAccepted;
  Rejection rejection = Rejection::kNone;
  std::string detail;
  Flags flags = 0;
  int64_t delta_litres = 0;
};

struct BatchResult {
  // Not OK when Kafka did not confirm every record: then nothing in the batch is acknowledged and
  // the caller should send it again (duplicates are recognised).
  absl::Status status;
  std::vector<ReadingResult> results;
};

struct IntakeOptions {
  std::string reading_topic;
  std::string rejected_topic;
  VeeConfig vee;
  std::function<int64_t()> now_ms;
  // Optional: jieshui_ingest_readings_total{outcome, reason}.
  prometheus::Family<prometheus::Counter>* readings_counter = nullptr;
};

class Intake {
 public:
  Intake(MeterDirectory* directory, kafka::Producer* producer, IntakeOptions options);
  ~Intake();
  Intake(const Intake&) = delete;
  Intake& operator=(const Intake&) = delete;

  // Evaluates and publishes every reading; `done` runs once (on a Kafka delivery thread, or on
  // the caller's thread when nothing had to be published) with the per-reading results. A
  // reading that does not parse is rejected as malformed (and quarantined like any rejection).
  void SubmitAsync(const std::vector<const v1::Reading*>& readings, const std::string& source,
                   std::function<void(BatchResult)> done);
  // Blocking form.
  BatchResult Submit(const std::vector<const v1::Reading*>& readings, const std::string& source);

  // Publishes every batch already evaluated and stops the publishing thread; later batches are
  // published by their caller. Call before the producer is flushed (shutdown).
  void Drain();

  // Replaces the state of `meter_id` (recovery).
  void RestoreState(const std::string& meter_id, MeterState state);
  // Moves a meter's state past a record read back from the topic (recovery replay).
  void ReplayRecord(const v1::ReadingAccepted& accepted);
  // Remembers a real reading the ledger holds (recovery: history.hpp's `SeenValue`), so that it is
  // recognised however old it is.
  void RememberReading(const std::string& meter_id, int64_t ts_ms, int64_t value);
  // The oldest timestamp a reading may have now (the back-fill window's start), Unix ms.
  int64_t window_start_ms() const { return options_.now_ms() - options_.vee.backfill_window_ms; }
  // A copy of what intake knows of a meter now.
  std::optional<MeterState> StateOf(const std::string& meter_id) const;

  int64_t accepted() const { return accepted_.load(); }
  int64_t rejected() const { return rejected_.load(); }
  int64_t duplicates() const { return duplicates_.load(); }
  // Readings submitted so far, whatever became of them (the ledger watches the rate).
  int64_t submitted() const { return submitted_.load(std::memory_order_relaxed); }
  // False after a delivery failure: the in-memory state may be ahead of the topic, so intake
  // refuses new readings (UNAVAILABLE) until the process restarts and rebuilds it.
  bool healthy() const { return healthy_.load(); }

 private:
  struct InFlight;
  struct Batch;
  struct Outbound;
  struct MeterSlot {
    MeterState state;
    // Every real reading inside the back-fill window (not stored: rebuilt at start-up).
    ReadingHistory history;
    std::shared_ptr<InFlight> last_inflight;  // the meter's latest unconfirmed record, if any
    // The directory's record of the meter as of directory generation `meter_generation` (0:
    // none yet), kept so that a reading costs one hash lookup, not two.
    std::shared_ptr<const MeterInfo> meter;
    uint64_t meter_generation = 0;
  };
  struct Shard {
    mutable std::mutex mu;
    absl::flat_hash_map<std::string, MeterSlot> meters;
  };
  static constexpr size_t kShards = 64;

  Shard& ShardOf(const std::string& meter_id);
  const Shard& ShardOf(const std::string& meter_id) const;
  void Publish(const std::shared_ptr<Batch>& batch, const std::string& topic,
               const std::string& key, const std::string& value,
               const std::shared_ptr<InFlight>& inflight);
  // Encodes and produces an evaluated batch's messages, then releases the batch's hold.
  void PublishOutbound(Outbound& outbound);
  void PublisherLoop();

  MeterDirectory* directory_;
  kafka::Producer* producer_;
  IntakeOptions options_;
  std::array<Shard, kShards> shards_;
  // Held while a batch is evaluated and its messages produced: an enterprise's records of one
  // batch travel in one message, so batches must reach Kafka in the order they were evaluated
  // (replaying the topic must meet each meter's records in the order VEE produced them).
  std::mutex submit_mu_;
  // Evaluated batches waiting for the publishing thread, in evaluation order (pushed under
  // submit_mu_, so Kafka receives them in that order): encoding and producing run beside the
  // next batch's evaluation instead of after it.
  std::mutex outbound_mu_;
  std::condition_variable outbound_cv_;
  std::deque<std::unique_ptr<Outbound>> outbound_;
  bool publisher_running_ = true;  // guarded by outbound_mu_
  std::thread publisher_;
  std::atomic<int64_t> accepted_{0};
  std::atomic<int64_t> rejected_{0};
  std::atomic<int64_t> duplicates_{0};
  std::atomic<int64_t> submitted_{0};
  std::atomic<bool> healthy_{true};
  // Pre-made counters (null without metrics): accepted, duplicate, and rejected per reason.
  prometheus::Counter* accepted_counter_ = nullptr;
  prometheus::Counter* duplicate_counter_ = nullptr;
  std::array<prometheus::Counter*, static_cast<size_t>(Rejection::kNegativeRegister) + 1>
      rejected_counters_{};
};

}  // namespace jieshui::ingest
