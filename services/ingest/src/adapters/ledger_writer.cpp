#include "ingest/src/adapters/ledger_writer.hpp"

#include <sys/resource.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include <algorithm>
#include <limits>
#include <tuple>
#include <utility>

#include <pqxx/pqxx>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_split.h"
#include "absl/time/time.h"
#include "db/idempotent.hpp"
#include "domain/period.hpp"
#include "ingest/src/adapters/ledger_sql.hpp"
#include "ingest/src/adapters/record_codec.hpp"
#include "ingest/src/adapters/state_codec.hpp"
#include "kafka/dead_letter.hpp"
#include "kafka/envelope.hpp"
#include "kafka/topic_reader.hpp"
#include "log/log.hpp"

namespace jieshui::ingest {
namespace {

constexpr int kMaxSmallint = std::numeric_limits<int16_t>::max();
constexpr size_t kStatementChunk = 1000;  // meters per state SELECT statement
constexpr char kStaging[] = "ledger_staging";
constexpr char kStateStaging[] = "ledger_state_staging";

bool HasNul(const std::string& s) { return s.find('\0') != std::string::npos; }

// Why `a` cannot be a ledger row ("" when it can). Anything PostgreSQL would refuse must be
// caught here: a refused row would fail its whole batch, on every retry.
std::string Malformed(const std::string& event_id, const v1::ReadingAccepted& a) {
  if (event_id.empty() || HasNul(event_id)) {
    return "event_id is empty or not text";
  }
  if (a.meter_id().empty()) {
    return "meter_id is empty";
  }
  if (HasNul(a.meter_id()) || HasNul(a.uscc().value()) || HasNul(a.register_value()) ||
      HasNul(a.source()) || HasNul(a.data_flag())) {
    return "a text field holds a NUL character";
  }
  if (a.kind() != v1::RECORD_KIND_REAL && a.kind() != v1::RECORD_KIND_ESTIMATE &&
      a.kind() != v1::RECORD_KIND_REVERSAL) {
    return absl::StrCat("kind ", a.kind(), " is not REAL, ESTIMATE or REVERSAL");
  }
  for (int64_t ms : {a.interval_start_unix_ms(), a.interval_end_unix_ms(), a.received_unix_ms()}) {
    if (ms < 0 || ms > kMaxUnixMs) {
      return absl::StrCat("time ", ms, " ms is outside 1970..9999");
    }
  }
  if (a.measures() < 0 || a.measures() > kMaxSmallint || a.level() < 0 ||
      a.level() > kMaxSmallint) {
    return "measures or level out of range";
  }
  if (a.data_flag().size() > 1) {
    return absl::StrCat("data_flag '", a.data_flag(), "' is not one character");
  }
  return "";
}

// Stored next offset of `partition` (0 when none is stored).
int64_t OffsetOf(const std::map<int32_t, int64_t>& offsets, int32_t partition) {
  auto it = offsets.find(partition);
  return it == offsets.end() ? 0 : it->second;
}

std::string PartitionName(const domain::YearMonth& month) {
  return absl::StrFormat("readings_%04d%02d", month.year(), month.month());
}

// Creates the monthly partitions the batch needs (Asia/Shanghai months) that do not exist yet;
// appends every partition it checked to `checked`.
void EnsurePartitions(pqxx::work& tx, const std::string& schema,
                      const std::vector<const v1::ReadingAccepted*>& rows,
                      const std::set<std::string>& known, std::vector<std::string>* checked) {
  std::set<domain::YearMonth> months;
  for (const v1::ReadingAccepted* a : rows) {
    months.insert(domain::MonthOfUnixMillis(a->interval_end_unix_ms()));
  }
  const std::string s = db::QuoteIdent(schema);
  for (const domain::YearMonth& month : months) {
    const std::string name = PartitionName(month);
    if (known.contains(name)) {
      continue;
    }
    const std::string table = absl::StrCat(s, ".", db::QuoteIdent(name));
    // Checked first: CREATE ... IF NOT EXISTS on an existing table still sends a NOTICE.
    if (tx.exec_params("SELECT to_regclass($1)", table)[0][0].is_null()) {
      const absl::TimeZone shanghai = domain::ShanghaiTimeZone();
      constexpr char kBound[] = "%Y-%m-%d %H:%M:%S%Ez";
      tx.exec(absl::StrCat(
          "CREATE TABLE IF NOT EXISTS ", table, " PARTITION OF ", s, ".readings FOR VALUES FROM (",
          tx.quote(absl::FormatTime(kBound, domain::StartOf(month), shanghai)), ") TO (",
          tx.quote(absl::FormatTime(kBound, domain::EndOf(month), shanghai)), ")"));
    }
    checked->push_back(name);
  }
}

const std::vector<std::string>& StagingColumns() {
  static const std::vector<std::string> kColumns = {
      "event_id",     "meter_id", "uscc",           "measures",
      "level",        "kind",     "start_ms",       "end_ms",
      "delta_litres", "flags",    "register_value", "cumulative_litres",
      "data_flag",    "source",   "received_ms",    "topic_partition",
      "topic_offset"};
  return kColumns;
}

// Creates the session's temporary staging table `name` on the connection's first batch; ON
// COMMIT DELETE ROWS empties it for the next one. (Checked first: CREATE ... IF NOT EXISTS on an
// existing table still sends a NOTICE.)
void EnsureStagingTable(pqxx::work& tx, const char* name, const char* columns) {
  if (tx.exec_params("SELECT to_regclass($1)", absl::StrCat("pg_temp.", name))[0][0].is_null()) {
    tx.exec(absl::StrCat("CREATE TEMP TABLE ", name, " (", columns, ") ON COMMIT DELETE ROWS"));
  }
}

// COPYs `rows` into the session's staging table.
void Stage(pqxx::work& tx, const std::vector<const v1::ReadingAccepted*>& rows,
           const std::vector<const std::string*>& event_ids,
           const std::vector<std::pair<int32_t, int64_t>>& positions) {
  EnsureStagingTable(tx, kStaging,
                     "event_id text, meter_id text, uscc text, measures integer, level integer,"
                     " kind integer, start_ms bigint, end_ms bigint, delta_litres bigint,"
                     " flags text, register_value text, cumulative_litres bigint,"
                     " data_flag text, source text, received_ms bigint, topic_partition integer,"
                     " topic_offset bigint");
  pqxx::stream_to copy(tx, kStaging, StagingColumns());
  for (size_t i = 0; i < rows.size(); ++i) {
    const v1::ReadingAccepted& a = *rows[i];
    copy << std::make_tuple(
        *event_ids[i], a.meter_id(), a.uscc().value(), static_cast<int>(a.measures()),
        static_cast<int>(a.level()), static_cast<int>(a.kind()), a.interval_start_unix_ms(),
        a.interval_end_unix_ms(), a.delta().litres(),
        absl::StrCat("{", absl::StrJoin(a.flags(), ","), "}"), a.register_value(),
        a.cumulative_litres(), a.data_flag().empty() ? std::string("N") : a.data_flag(), a.source(),
        a.received_unix_ms(), positions[i].first, positions[i].second);
  }
  copy.complete();
}

// Moves the staged rows into the ledger; returns the ledger id of each row added (an id already
// there adds nothing).
std::set<std::string> InsertStaged(pqxx::work& tx, const std::string& schema) {
  const pqxx::result added = tx.exec(absl::StrCat(
      "INSERT INTO ", db::QuoteIdent(schema),
      ".readings (event_id, meter_id, uscc, measures, level, kind, interval_start, interval_end,"
      " delta_litres, flags, register_value, cumulative_litres, data_flag, source, received_at,"
      " topic_partition, topic_offset)"
      " SELECT event_id, meter_id, uscc, measures, level, kind, ",
      TsFromMs("start_ms"), ", ", TsFromMs("end_ms"),
      ", delta_litres, flags::integer[], NULLIF(register_value, ''), cumulative_litres,"
      " data_flag, source, ",
      TsFromMs("received_ms"), ", topic_partition, topic_offset FROM pg_temp.", kStaging,
      " ORDER BY topic_partition, topic_offset"
      " ON CONFLICT DO NOTHING RETURNING event_id"));
  std::set<std::string> out;
  for (const auto& row : added) {
    out.insert(row[0].as<std::string>());
  }
  return out;
}

// Reads the stored states of `meters` into `out`; meters with none start from an empty state.
absl::Status LoadStates(pqxx::work& tx, const std::string& schema,
                        const std::vector<std::string>& meters,
                        std::unordered_map<std::string, MeterState>* out) {
  for (size_t begin = 0; begin < meters.size(); begin += kStatementChunk) {
    const size_t end = std::min(meters.size(), begin + kStatementChunk);
    std::string list;
    for (size_t i = begin; i < end; ++i) {
      absl::StrAppend(&list, i == begin ? "" : ",", tx.quote(meters[i]));
      out->try_emplace(meters[i]);
    }
    for (const auto& row :
         tx.exec(absl::StrCat("SELECT meter_id, state::text FROM ", db::QuoteIdent(schema),
                              ".meter_state WHERE meter_id IN (", list, ")"))) {
      const std::string meter_id = row[0].as<std::string>();
      absl::StatusOr<MeterState> state = DecodeMeterState(row[1].as<std::string>());
      if (!state.ok()) {
        return absl::DataLossError(absl::StrCat("ledger: stored state of meter ", meter_id,
                                                " does not decode: ", state.status().message()));
      }
      (*out)[meter_id] = *std::move(state);
    }
  }
  return absl::OkStatus();
}

// Writes the states through COPY into a session staging table and one upsert from it: no SQL
// text to parse per state.
void UpsertStates(pqxx::work& tx, const std::string& schema,
                  const std::unordered_map<std::string, MeterState>& states) {
  if (states.empty()) {
    return;
  }
  EnsureStagingTable(tx, kStateStaging, "meter_id text, state text");
  {
    pqxx::stream_to copy(tx, kStateStaging, std::vector<std::string>{"meter_id", "state"});
    for (const auto& [meter_id, state] : states) {
      copy << std::make_tuple(meter_id, EncodeMeterState(state));
    }
    copy.complete();
  }
  tx.exec(absl::StrCat("INSERT INTO ", db::QuoteIdent(schema),
                       ".meter_state (meter_id, state, updated_at) SELECT meter_id, state, now()"
                       " FROM pg_temp.",
                       kStateStaging,
                       " ON CONFLICT (meter_id) DO UPDATE SET state = EXCLUDED.state,"
                       " updated_at = EXCLUDED.updated_at"));
}

}  // namespace

LedgerWriter::LedgerWriter(db::ConnectionPool* pool, LedgerOptions options)
    : pool_(pool), options_(std::move(options)) {}

LedgerWriter::~LedgerWriter() { Stop(); }

absl::StatusOr<std::unique_ptr<LedgerWriter>> LedgerWriter::Create(db::ConnectionPool* pool,
                                                                   LedgerOptions options) {
  if (pool == nullptr) {
    return absl::InvalidArgumentError("ledger: no PostgreSQL pool");
  }
  if (options.schema.empty() || options.reading_topic.empty()) {
    return absl::InvalidArgumentError("ledger: schema and reading_topic are required");
  }
  if (options.max_batch < 1 || options.max_wait.count() < 0) {
    return absl::InvalidArgumentError(
        "ledger: max_batch must be at least 1, max_wait not negative");
  }
  if (absl::Status s = db::EnsureConsumerTables(*pool, options.schema); !s.ok()) {
    return s;
  }
  absl::StatusOr<std::map<int32_t, int64_t>> offsets =
      db::LoadNextOffsets(*pool, options.schema, kLedgerConsumer, options.reading_topic);
  if (!offsets.ok()) {
    return offsets.status();
  }
  absl::StatusOr<std::map<int32_t, int64_t>> state_offsets =
      db::LoadNextOffsets(*pool, options.schema, kLedgerStateConsumer, options.reading_topic);
  if (!state_offsets.ok()) {
    return state_offsets.status();
  }
  std::unique_ptr<LedgerWriter> writer(new LedgerWriter(pool, std::move(options)));
  writer->stored_ = *std::move(offsets);
  // Before state offsets were kept apart, states were stored with every batch.
  writer->state_stored_ = state_offsets->empty() ? writer->stored_ : *std::move(state_offsets);
  if (absl::Status s = writer->ReadFrom(writer->state_stored_); !s.ok()) {
    return s;
  }
  return writer;
}

absl::Status LedgerWriter::ReadFrom(const std::map<int32_t, int64_t>& offsets) {
  absl::StatusOr<std::unique_ptr<kafka::TopicReader>> reader =
      kafka::TopicReader::Create(options_.bootstrap_servers, options_.reading_topic, offsets);
  if (!reader.ok()) {
    return reader.status();
  }
  reader_ = *std::move(reader);
  pending_.clear();
  dead_letters_.clear();
  states_.clear();
  dirty_.clear();
  position_ = offsets;
  last_snapshot_ = std::chrono::steady_clock::now();
  return absl::OkStatus();
}

void LedgerWriter::Start() {
  std::lock_guard<std::mutex> lock(stop_mu_);
  if (thread_.joinable()) {
    return;
  }
  stop_ = false;
  thread_ = std::thread([this] { Loop(); });
}

void LedgerWriter::Stop() {
  {
    std::lock_guard<std::mutex> lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
  std::lock_guard<std::mutex> lock(run_mu_);
  if (options_.snapshot_on_stop && (!dirty_.empty() || state_stored_ != position_)) {
    if (absl::StatusOr<int> written = Write(/*force_snapshot=*/true); !written.ok()) {
      log::Warn(
          "ledger: meter states not stored at stop; the next start reads further back",
          {{"topic", options_.reading_topic}, {"error", std::string(written.status().message())}});
    }
  }
}

void LedgerWriter::Loop() {
  if (options_.nice > 0) {
    // Linux: a thread's own nice value. Under a flood the intake threads win the cores and the
    // ledger falls behind on the topic, then catches up when the flood ends.
    errno = 0;
    if (setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), options_.nice) != 0) {
      log::Warn("ledger: could not lower the writer thread's priority",
                {{"nice", static_cast<int64_t>(options_.nice)}, {"error", std::strerror(errno)}});
    }
  }

  constexpr std::chrono::milliseconds kFirstBackoff{100};
  constexpr std::chrono::milliseconds kMaxBackoff{5000};
  std::chrono::milliseconds backoff = kFirstBackoff;
  while (true) {
    {
      std::lock_guard<std::mutex> lock(stop_mu_);
      if (stop_) {
        return;
      }
    }
    YieldToIntake();
    absl::StatusOr<int> written = RunOnce();
    if (written.ok()) {
      backoff = kFirstBackoff;
      continue;
    }
    log::Error("ledger: batch failed, retrying it",
               {{"topic", options_.reading_topic},
                {"error", written.status().ToString()},
                {"retry_in_ms", static_cast<int64_t>(backoff.count())}});
    std::unique_lock<std::mutex> lock(stop_mu_);
    stop_cv_.wait_for(lock, backoff, [this] { return stop_; });
    backoff = std::min(backoff * 2, kMaxBackoff);
  }
}

void LedgerWriter::YieldToIntake() {
  if (!options_.intake_count || options_.yield_above <= 0 || options_.max_yield.count() <= 0) {
    return;
  }
  // The last hold-back ran its full max_yield: one batch goes through before the next.
  if (yield_expired_) {
    yield_expired_ = false;
    return;
  }
  // True when intake took more than yield_above readings a second since the last look (a look
  // less than kWindow after the previous one counts as not busy and waits for the next).
  static constexpr std::chrono::milliseconds kWindow{100};
  auto busy = [this] {
    const auto now = std::chrono::steady_clock::now();
    const int64_t count = options_.intake_count();
    const bool first = intake_seen_ < 0;
    const double seconds = std::chrono::duration<double>(now - intake_seen_at_).count();
    if (!first && seconds * 1000 < static_cast<double>(kWindow.count())) {
      return false;
    }
    const double rate = first ? 0 : static_cast<double>(count - intake_seen_) / seconds;
    intake_seen_at_ = now;
    intake_seen_ = count;
    return rate > static_cast<double>(options_.yield_above);
  };
  if (!busy()) {
    return;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto until = start + options_.max_yield;
  {
    std::unique_lock<std::mutex> lock(stop_mu_);
    do {
      stop_cv_.wait_for(lock, kWindow, [this] { return stop_; });
    } while (!stop_ && std::chrono::steady_clock::now() < until && busy());
    yield_expired_ = !stop_ && std::chrono::steady_clock::now() >= until;
  }
  const int64_t waited = std::chrono::duration_cast<std::chrono::milliseconds>(
                             std::chrono::steady_clock::now() - start)
                             .count();
  yielded_ms_.fetch_add(waited);
  if (waited >= 1000) {
    log::Info("ledger: held back while intake was busy", {{"waited_ms", waited}});
  }
}

absl::StatusOr<int> LedgerWriter::RunOnce() {
  std::lock_guard<std::mutex> lock(run_mu_);
  if (pending_.empty()) {
    if (absl::Status s = PollBatch(); !s.ok() && pending_.empty()) {
      return s;
    }  // else: write what arrived before the error; the reader reports it again if it persists
  }
  if (pending_.empty()) {
    return 0;
  }
  if (absl::Status s = SendDeadLetters(); !s.ok()) {
    return s;
  }
  // A flood may have begun while this batch was gathered: give way before writing it too.
  YieldToIntake();
  return Write(/*force_snapshot=*/false);
}

absl::Status LedgerWriter::SendDeadLetters() {
  size_t sent = 0;
  absl::Status status;
  for (const auto& [message, problem] : dead_letters_) {
    if (absl::Status s = options_.dlq->Send(message, problem); !s.ok()) {
      status = absl::UnavailableError(absl::StrCat("ledger: dead-letter queue: ", s.message()));
      break;
    }
    ++sent;
  }
  dead_letters_.erase(dead_letters_.begin(),
                      dead_letters_.begin() + static_cast<std::ptrdiff_t>(sent));
  return status;
}

absl::Status LedgerWriter::PollBatch() {
  const auto deadline = std::chrono::steady_clock::now() + options_.max_wait;
  while (static_cast<int>(pending_.size()) < options_.max_batch) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    absl::StatusOr<std::optional<kafka::Message>> message =
        reader_->Poll(std::max(left, std::chrono::milliseconds(0)));
    if (!message.ok()) {
      return message.status();
    }
    if (!message->has_value()) {
      return absl::OkStatus();
    }
    const kafka::Message& m = **message;
    absl::Status problem;
    std::vector<Pending> decoded;
    absl::StatusOr<kafka::EventEnvelope> envelope = kafka::DecodeEnvelope(m.value);
    if (!envelope.ok()) {
      problem = envelope.status();
    } else {
      absl::StatusOr<std::vector<v1::ReadingAccepted>> records = RecordsOfEvent(*envelope);
      if (!records.ok()) {
        problem = records.status();
      } else {
        // A ReadingRecords event carries several records: each gets its own ledger id.
        const bool several = envelope->payload().Is<v1::ReadingRecords>();
        for (size_t i = 0; i < records->size() && problem.ok(); ++i) {
          Pending p;
          p.partition = m.partition;
          p.offset = m.offset;
          p.event_id = several ? absl::StrCat(envelope->event_id(), "/", i) : envelope->event_id();
          if (std::string why = Malformed(p.event_id, (*records)[i]); !why.empty()) {
            problem = absl::InvalidArgumentError(why);
            break;
          }
          p.accepted = std::move((*records)[i]);
          decoded.push_back(std::move(p));
        }
      }
    }
    if (!problem.ok()) {
      undecodable_.fetch_add(1);
      log::Warn(options_.dlq != nullptr
                    ? "ledger: dead-lettering a message that is not a valid reading event"
                    : "ledger: skipping a message that is not a valid reading event",
                {{"topic", m.topic},
                 {"partition", m.partition},
                 {"offset", m.offset},
                 {"key", m.key},
                 {"error", std::string(problem.message())}});
      // Kept without a record, so its offset is still stored (once it is in the DLQ).
      Pending p;
      p.partition = m.partition;
      p.offset = m.offset;
      if (options_.dlq != nullptr) {
        dead_letters_.emplace_back(m, std::string(problem.message()));
      }
      pending_.push_back(std::move(p));
      continue;
    }
    for (Pending& p : decoded) {
      pending_.push_back(std::move(p));
    }
  }
  return absl::OkStatus();
}

namespace {

// Of `records` (already in the ledger from an earlier batch), the event ids whose row was added
// by that very message (same partition and offset): their records were counted then, while a
// row added from another message means this one is a republished duplicate.
std::set<std::string> OriginalsOf(pqxx::work& tx, const std::string& schema,
                                  const std::vector<const LedgerWriter::Pending*>& records) {
  std::set<std::string> out;
  for (size_t begin = 0; begin < records.size(); begin += kStatementChunk) {
    const size_t end = std::min(records.size(), begin + kStatementChunk);
    std::string list;
    std::map<std::string, std::pair<int32_t, int64_t>> wanted;
    for (size_t i = begin; i < end; ++i) {
      absl::StrAppend(&list, i == begin ? "" : ",", tx.quote(records[i]->event_id));
      wanted[records[i]->event_id] = {records[i]->partition, records[i]->offset};
    }
    for (const auto& row : tx.exec(
             absl::StrCat("SELECT event_id, topic_partition, topic_offset FROM ",
                          db::QuoteIdent(schema), ".readings WHERE event_id IN (", list, ")"))) {
      const std::string id = row[0].as<std::string>();
      auto it = wanted.find(id);
      if (it != wanted.end() &&
          it->second == std::make_pair(row[1].as<int32_t>(), row[2].as<int64_t>())) {
        out.insert(id);
      }
    }
  }
  return out;
}

std::map<int32_t, int64_t> LoadOffsets(pqxx::work& tx, const std::string& schema,
                                       const std::string& consumer, const std::string& topic) {
  std::map<int32_t, int64_t> out;
  for (const auto& row :
       tx.exec_params(absl::StrCat("SELECT partition, next_offset FROM ", db::QuoteIdent(schema),
                                   ".consumer_offsets WHERE consumer = $1 AND topic = $2"),
                      consumer, topic)) {
    out[row[0].as<int32_t>()] = row[1].as<int64_t>();
  }
  return out;
}

}  // namespace

absl::StatusOr<int> LedgerWriter::Write(bool force_snapshot) {
  std::map<int32_t, int64_t> next = position_;  // per partition: after the last message in hand
  for (const Pending& p : pending_) {
    next[p.partition] = std::max(next[p.partition], p.offset + 1);
  }
  const std::string lock_key =
      absl::StrCat(options_.schema, "/", kLedgerConsumer, "/", options_.reading_topic);
  const bool snapshot_due =
      force_snapshot || options_.state_interval.count() == 0 ||
      std::chrono::steady_clock::now() - last_snapshot_ >= options_.state_interval;

  // Filled by the transaction; they become this writer's view only once it commits.
  std::map<int32_t, int64_t> stored_now;
  std::map<int32_t, int64_t> state_now;
  bool foreign = false;
  bool snapshot = false;
  std::unordered_map<std::string, MeterState> touched;
  std::vector<std::string> partitions_checked;
  int added = 0;

  absl::Status status = pool_->InTransaction([&](pqxx::work& tx) -> absl::Status {
    touched.clear();
    partitions_checked.clear();
    added = 0;
    snapshot = false;
    // The ledger is derived from the topic, which stays the record: a commit lost in a database
    // crash takes its rows, states and offsets with it (never some of them), and the writer reads
    // those messages again. So the commit need not wait for its WAL flush.
    tx.exec("SET LOCAL synchronous_commit = off");
    // Writers of one schema and topic take turns, so stored offsets and states move together.
    tx.exec_params("SELECT pg_advisory_xact_lock(hashtext($1))", lock_key);
    stored_now = LoadOffsets(tx, options_.schema, kLedgerConsumer, options_.reading_topic);
    state_now = LoadOffsets(tx, options_.schema, kLedgerStateConsumer, options_.reading_topic);
    // None stored yet: the states are as of the rows' offsets (nothing yet, or states stored with
    // every batch before the two were kept apart), and this batch stores them.
    const bool first_states = state_now.empty();
    if (first_states) {
      state_now = stored_now;
    }
    // Another writer stored rows or states since this one last looked: this writer's states
    // are no longer the continuation of the stored ones. It starts again from the stored states.
    foreign = stored_now != stored_ || state_now != state_stored_;
    if (foreign) {
      return absl::OkStatus();  // nothing written
    }

    // Records at or past the stored row offsets are new rows; records before them (read again
    // from the state offsets after a restart) only move meter states, once each.
    std::vector<const Pending*> todo;
    std::vector<const Pending*> replayed;
    std::vector<const v1::ReadingAccepted*> rows;
    std::vector<const std::string*> event_ids;
    std::vector<std::pair<int32_t, int64_t>> positions;
    for (const Pending& p : pending_) {
      if (!p.accepted.has_value()) {
        continue;
      }
      if (p.offset >= OffsetOf(stored_now, p.partition)) {
        todo.push_back(&p);
        rows.push_back(&*p.accepted);
        event_ids.push_back(&p.event_id);
        positions.emplace_back(p.partition, p.offset);
      } else {
        replayed.push_back(&p);
      }
    }
    std::set<std::string> counted;  // event ids whose records move their meter's state
    if (!todo.empty()) {
      EnsurePartitions(tx, options_.schema, rows, known_partitions_, &partitions_checked);
      Stage(tx, rows, event_ids, positions);
      counted = InsertStaged(tx, options_.schema);
      added = static_cast<int>(counted.size());
    }
    if (!replayed.empty()) {
      counted.merge(OriginalsOf(tx, options_.schema, replayed));
    }

    // The states of the meters whose records count: from memory, or from the table, whose
    // states are as of the state offsets this writer started from (a meter not in memory has
    // had no record since).
    std::vector<const Pending*> applied;
    std::vector<std::string> to_load;
    std::set<std::string> seen;
    for (const Pending& p : pending_) {
      if (!p.accepted.has_value() || !counted.contains(p.event_id)) {
        continue;  // undecodable, or a duplicate event already counted
      }
      applied.push_back(&p);
      const std::string& meter = p.accepted->meter_id();
      if (!seen.insert(meter).second) {
        continue;
      }
      auto cached = states_.find(meter);
      if (cached != states_.end()) {
        touched.emplace(meter, cached->second);
      } else {
        to_load.push_back(meter);
      }
    }
    if (absl::Status s = LoadStates(tx, options_.schema, to_load, &touched); !s.ok()) {
      return s;
    }
    for (const Pending* p : applied) {
      Apply(touched[p->accepted->meter_id()], FromProto(*p->accepted), options_.vee);
    }
    if (snapshot_due || first_states) {
      // Every state changed since the last snapshot, as of `next`.
      std::unordered_map<std::string, MeterState> to_store = touched;
      for (const std::string& meter : dirty_) {
        to_store.try_emplace(meter, states_.at(meter));
      }
      UpsertStates(tx, options_.schema, to_store);
      for (const auto& [partition, next_offset] : next) {
        if (next_offset > OffsetOf(state_now, partition)) {
          db::StoreNextOffset(tx, options_.schema, kLedgerStateConsumer, options_.reading_topic,
                              partition, next_offset);
          state_now[partition] = next_offset;
        }
      }
      snapshot = true;
    }
    for (const auto& [partition, next_offset] : next) {
      if (next_offset > OffsetOf(stored_now, partition)) {
        db::StoreNextOffset(tx, options_.schema, kLedgerConsumer, options_.reading_topic, partition,
                            next_offset);
        stored_now[partition] = next_offset;
      }
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  if (foreign) {
    log::Info("ledger: another writer stored offsets; reading again from the stored states",
              {{"topic", options_.reading_topic}});
    stored_ = std::move(stored_now);
    state_stored_ = std::move(state_now);
    if (absl::Status s = ReadFrom(state_stored_); !s.ok()) {
      return s;
    }
    return 0;
  }
  for (auto& [meter, state] : touched) {
    dirty_.insert(meter);
    states_[meter] = std::move(state);
  }
  if (snapshot) {
    dirty_.clear();
    last_snapshot_ = std::chrono::steady_clock::now();
  }
  stored_ = std::move(stored_now);
  state_stored_ = std::move(state_now);
  position_ = std::move(next);
  known_partitions_.insert(partitions_checked.begin(), partitions_checked.end());
  pending_.clear();
  records_written_.fetch_add(added);
  return added;
}

absl::StatusOr<StateSnapshot> LoadStateSnapshot(db::ConnectionPool& pool, const std::string& schema,
                                                const std::string& topic) {
  StateSnapshot snapshot;
  const std::string s = db::QuoteIdent(schema);
  absl::Status status = pool.InTransaction([&](pqxx::work& tx) -> absl::Status {
    snapshot = StateSnapshot();
    // One snapshot for both tables: the writer commits states and offsets together.
    tx.exec("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY");
    for (const auto& row :
         tx.exec(absl::StrCat("SELECT meter_id, state::text FROM ", s, ".meter_state"))) {
      const std::string meter_id = row[0].as<std::string>();
      absl::StatusOr<MeterState> state = DecodeMeterState(row[1].as<std::string>());
      if (!state.ok()) {
        return absl::DataLossError(absl::StrCat("ledger: stored state of meter ", meter_id,
                                                " does not decode: ", state.status().message()));
      }
      snapshot.meters.emplace(meter_id, *std::move(state));
    }
    // The offsets table is the writer's to create; before its first run there is nothing.
    if (tx.exec_params("SELECT to_regclass($1)", absl::StrCat(s, ".consumer_offsets"))[0][0]
            .is_null()) {
      return absl::OkStatus();
    }
    // The offsets the stored states are as of (before they were kept apart: the rows' offsets).
    snapshot.next_offsets = LoadOffsets(tx, schema, kLedgerStateConsumer, topic);
    if (snapshot.next_offsets.empty()) {
      snapshot.next_offsets = LoadOffsets(tx, schema, kLedgerConsumer, topic);
    }
    return absl::OkStatus();
  });
  if (!status.ok()) {
    return status;
  }
  return snapshot;
}

}  // namespace jieshui::ingest
