// The raw ledger's writer (原始记录; reading it back: ledger_query.hpp): every record published on
// the reading topic, kept in PostgreSQL (migrations/0001_ledger.sql), with each meter's VEE state
// as of the stored offsets, so intake can rebuild its memory after a restart from the snapshot
// plus a short replay of the topic.
//
// Exactly-once effect: a batch's rows, the meter states it moved and the next offsets commit in
// one transaction; a restarted writer resumes at the stored offsets. A record whose event id is
// already in the ledger (the same envelope published again) adds no row and moves no state.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "ingest/src/core/vee.hpp"
#include "jieshui/ingest/v1/readings.pb.h"
#include "kafka/consumer.hpp"

namespace jieshui::kafka {
class DeadLetterQueue;
class TopicReader;
}  // namespace jieshui::kafka

namespace jieshui::ingest {

// The consumer name under which the ledger stores its offsets (db/idempotent.hpp).
inline constexpr char kLedgerConsumer[] = "ingest-ledger";
// The offsets the stored meter states are as of (at or behind the rows' offsets).
inline constexpr char kLedgerStateConsumer[] = "ingest-ledger-state";

struct LedgerOptions {
  std::string bootstrap_servers;
  std::string schema;  // the service's PostgreSQL schema (migrations applied)
  std::string reading_topic;
  int max_batch = 5000;
  std::chrono::milliseconds max_wait{200};
  // Nice value of the writer thread (0..19): above 0, intake gets the CPU first under load.
  int nice = 0;
  // How often meter states are stored (with the offsets they are as of); 0 = with every batch.
  // Between, they live in memory: after a restart the writer (and intake's recovery) read the
  // topic again from the stored states' offsets.
  std::chrono::milliseconds state_interval{0};
  // Store the states changed since the last time when stopping. Off only in tests that play a
  // crash.
  bool snapshot_on_stop = true;
  // Optional: readings intake has taken so far (Intake::submitted). While intake takes more
  // than yield_above readings a second, more than the writer could store, the ledger would fall
  // behind anyway: the writer then holds back its next batch, at most max_yield at a time, so
  // that the cores go to acknowledging readings, and catches up from the topic (which keeps
  // everything) when the flood ends. yield_above or max_yield 0: never hold back.
  std::function<int64_t()> intake_count;
  int64_t yield_above = 0;
  std::chrono::milliseconds max_yield{0};
  VeeConfig vee;
  // Where a message that is not a valid reading event goes (the service's jieshui.dlq.v1); the
  // writer stores its offset, and so moves past it, only once the DLQ confirmed the delivery.
  // nullptr: such a message is logged and skipped.
  kafka::DeadLetterQueue* dlq = nullptr;
};

// One per service instance. Reads every partition of the reading topic with a
// kafka::TopicReader (no consumer group), from the offsets stored in PostgreSQL. Several
// instances may run against one schema: their batches are serialised by an advisory lock and
// each skips what another has already stored (the work is then done twice, the effect once).
class LedgerWriter {
 public:
  static absl::StatusOr<std::unique_ptr<LedgerWriter>> Create(db::ConnectionPool* pool,
                                                              LedgerOptions options);
  ~LedgerWriter();
  LedgerWriter(const LedgerWriter&) = delete;
  LedgerWriter& operator=(const LedgerWriter&) = delete;

  // Runs batches on a background thread until Stop(); a failed batch is logged and retried
  // (the same messages) after a back-off.
  void Start();
  // Finishes the batch in hand, stores the meter states (snapshot_on_stop), then returns.
  // Idempotent.
  void Stop();

  // One batch: polls up to max_batch messages or max_wait, (holds back while intake is busy,)
  // writes them in one transaction. Returns the rows added (duplicates and undecodable messages
  // are not counted). On an error the polled messages are kept and the next call writes them
  // again.
  absl::StatusOr<int> RunOnce();

  // One polled message, decoded when it could be.
  struct Pending {
    int32_t partition = 0;
    int64_t offset = 0;
    std::string event_id;
    std::optional<v1::ReadingAccepted> accepted;
  };

  int64_t records_written() const { return records_written_.load(); }
  // Messages skipped because they are not a ReadingAccepted envelope (logged with their offset).
  int64_t undecodable() const { return undecodable_.load(); }
  // Milliseconds the writer has held back for intake (intake_busy).
  int64_t yielded_ms() const { return yielded_ms_.load(); }

 private:
  LedgerWriter(db::ConnectionPool* pool, LedgerOptions options);
  absl::Status PollBatch();
  // Sends the pending dead letters; UNAVAILABLE (the batch waits) while the DLQ does not confirm.
  absl::Status SendDeadLetters();
  // One transaction: the rows of pending_, their meters' states in memory, and the states
  // changed since the last snapshot when one is due (or forced).
  absl::StatusOr<int> Write(bool force_snapshot);
  // Reads the topic again from `offsets`, forgetting what is in memory (start, or after another
  // writer stored offsets).
  absl::Status ReadFrom(const std::map<int32_t, int64_t>& offsets);
  void Loop();
  // Waits while intake takes more than yield_above readings a second, up to max_yield or
  // Stop(); the time waited is added to yielded_ms_.
  void YieldToIntake();

  db::ConnectionPool* pool_;
  const LedgerOptions options_;
  std::unique_ptr<kafka::TopicReader> reader_;

  std::mutex run_mu_;  // one batch at a time; guards everything below
  std::vector<Pending> pending_;
  // Messages of pending_ that are not valid reading events, not yet confirmed in the DLQ, and why
  // (kept apart: a reading's Pending stays small).
  std::vector<std::pair<kafka::Message, std::string>> dead_letters_;
  // Next offsets as this writer last saw them stored, for the rows and for the states; a
  // difference means another writer wrote.
  std::map<int32_t, int64_t> stored_;
  std::map<int32_t, int64_t> state_stored_;
  // Where this writer has read to (next offsets after the last batch written).
  std::map<int32_t, int64_t> position_;
  // Meter states as of position_ (loaded from meter_state on first touch), and those changed
  // since they were last stored.
  std::unordered_map<std::string, MeterState> states_;
  std::set<std::string> dirty_;
  std::chrono::steady_clock::time_point last_snapshot_;
  std::set<std::string> known_partitions_;  // monthly partitions known to exist

  std::atomic<int64_t> records_written_{0};
  std::atomic<int64_t> undecodable_{0};
  std::atomic<int64_t> yielded_ms_{0};
  // Intake's count when the writer last looked (YieldToIntake; writer thread only).
  std::chrono::steady_clock::time_point intake_seen_at_;
  int64_t intake_seen_ = -1;
  bool yield_expired_ = false;  // the last hold-back lasted max_yield

  std::mutex stop_mu_;
  std::condition_variable stop_cv_;
  bool stop_ = false;
  std::thread thread_;
};

struct StateSnapshot {
  std::unordered_map<std::string, MeterState> meters;
  std::map<int32_t, int64_t> next_offsets;  // per partition of the topic; missing = from 0
};

// Meter states as of the stored offsets (read in one snapshot): intake loads this, then replays
// the topic from next_offsets to the end. Empty when the ledger has written nothing yet.
absl::StatusOr<StateSnapshot> LoadStateSnapshot(db::ConnectionPool& pool, const std::string& schema,
                                                const std::string& topic);

}  // namespace jieshui::ingest
