#include "ingest/src/app.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "ingest/src/adapters/ledger_query.hpp"
#include "ingest/src/adapters/record_codec.hpp"
#include "kafka/envelope.hpp"
#include "kafka/topic_reader.hpp"
#include "kafka/topics.hpp"
#include "log/log.hpp"

namespace jieshui::ingest {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

absl::StatusOr<std::unique_ptr<IngestApp>> IngestApp::Start(IngestConfig config,
                                                            service::Clock clock) {
  std::unique_ptr<IngestApp> app(new IngestApp());
  app->config_ = std::move(config);
  const IngestConfig& c = app->config_;
  const absl::Time started = absl::Now();
  namespace topics = kafka::topics;
  auto platform = service::Platform::Start(
      {.name = "ingest",
       .migrations = EmbeddedMigrationFiles,
       .outbox = false,
       .consumer_offsets = false,
       .topics = {{topics::kIngestReading, c.reading_topic, true},
                  {topics::kIngestRejected, c.rejected_topic, true},
                  {topics::kDeadLetter, c.dlq_topic, true},
                  // Normally the registry's; created here too so ingest can start first.
                  {topics::kRegistryMeter, c.registry_meter_topic}},
       // Meter data floods: larger batches per request, and room for a back-fill in the local
       // queue.
       .producer_tuning = {{"batch.num.messages", "10000"},
                           {"batch.size", "1000000"},
                           {"queue.buffering.max.messages", "1000000"}}},
      c.common);
  if (!platform.ok()) {
    return platform.status();
  }
  service::Platform& p = **platform;
  app->platform_ = *std::move(platform);

  app->directory_ =
      std::make_unique<MeterDirectory>(c.common.kafka_bootstrap, c.registry_meter_topic);
  if (absl::Status s = p.Step(
          "meter directory", [&] { return app->directory_->Start(p.startup_timeout()); },
          [d = app->directory_.get()] { d->Stop(); });
      !s.ok()) {
    return s;
  }
  auto readings_counter = p.metrics().AddCounterFamily(
      "jieshui_ingest_readings_total", "Readings answered, by outcome and rejection reason.");
  if (!readings_counter.ok()) {
    return readings_counter.status();
  }
  app->intake_ = std::make_unique<Intake>(
      app->directory_.get(), &p.producer(),
      IntakeOptions{.reading_topic = c.reading_topic,
                    .rejected_topic = c.rejected_topic,
                    .vee = c.vee,
                    .now_ms = [clock = std::move(clock)] { return absl::ToUnixMillis(clock()); },
                    .readings_counter = *readings_counter});
  // Its stop runs before the producer's flush: every evaluated batch is handed to Kafka first.
  if (absl::Status s = p.Step(
          "intake", [&] { return app->Recover(); },
          [intake = app->intake_.get()] { intake->Drain(); });
      !s.ok()) {
    return s;
  }
  if (c.ledger_enabled) {
    app->dlq_ =
        std::make_unique<kafka::DeadLetterQueue>(&p.producer(), kLedgerConsumer, c.dlq_topic);
    auto ledger = LedgerWriter::Create(
        &p.pool(),
        LedgerOptions{.bootstrap_servers = c.common.kafka_bootstrap,
                      .schema = p.schema(),
                      .reading_topic = c.reading_topic,
                      .max_batch = c.ledger_max_batch,
                      .max_wait = absl::ToChronoMilliseconds(c.ledger_max_wait),
                      .nice = c.ledger_nice,
                      .state_interval = absl::ToChronoMilliseconds(c.ledger_state_interval),
                      .intake_count = [intake = app->intake_.get()] { return intake->submitted(); },
                      .yield_above = c.ledger_yield_above,
                      .max_yield = absl::ToChronoMilliseconds(c.ledger_max_yield),
                      .vee = c.vee,
                      .dlq = app->dlq_.get()});
    if (!ledger.ok()) {
      return ledger.status();
    }
    app->ledger_ = *std::move(ledger);
    p.Run(
        "ledger writer", [l = app->ledger_.get()] { l->Start(); },
        [l = app->ledger_.get()] { l->Stop(); });
  }
  app->handlers_ = std::make_unique<IngestHandlers>(app->intake_.get(), app->directory_.get(),
                                                    &p.pool(), c.handlers);
  Hj212Metrics hj212_metrics;
  {
    auto frames = p.metrics().AddCounterFamily(
        "jieshui_ingest_hj212_frames_total",
        "HJ 212 frames received, by outcome (good, a frame error's kind, bad_packet, unknown_mn).");
    auto connections = p.metrics().AddCounterFamily("jieshui_ingest_hj212_connections_total",
                                                    "HJ 212 connections, accepted or refused.");
    auto open = p.metrics().AddGaugeFamily("jieshui_ingest_hj212_open_connections",
                                           "HJ 212 connections open now.");
    if (!frames.ok() || !connections.ok() || !open.ok()) {
      return !frames.ok() ? frames.status()
                          : (!connections.ok() ? connections.status() : open.status());
    }
    hj212_metrics = {.frames = *frames, .connections = *connections, .open = *open};
  }
  app->hj212_ = std::make_unique<Hj212Listener>(app->intake_.get(), app->directory_.get(), c.hj212,
                                                hj212_metrics);
  if (absl::Status s = p.Step(
          "hj212 listener", [&] { return app->hj212_->Start(); },
          [h = app->hj212_.get()] { h->Stop(); });
      !s.ok()) {
    return s;
  }
  if (absl::Status s = p.Serve({{app->handlers_.get(), v1::IngestService::service_full_name()}});
      !s.ok()) {
    return s;
  }
  log::Info("ingest ready", {{"meters", static_cast<int64_t>(app->directory_->size())},
                             {"startup_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
  return app;
}

absl::Status IngestApp::Recover() {
  const IngestConfig& c = config_;
  absl::StatusOr<StateSnapshot> snapshot =
      LoadStateSnapshot(platform_->pool(), platform_->schema(), c.reading_topic);
  if (!snapshot.ok()) {
    return snapshot.status();
  }
  const size_t restored = snapshot->meters.size();
  for (auto& [meter_id, state] : snapshot->meters) {
    intake_->RestoreState(meter_id, std::move(state));
  }
  // Every reading the ledger holds inside the back-fill window, so that one sent again is a
  // duplicate however old it is (the replay below adds what the ledger has not written yet).
  int64_t remembered = 0;
  if (absl::Status s =
          ForEachTakenReading(platform_->pool(), platform_->schema(), intake_->window_start_ms(),
                              [&](const std::string& meter_id, int64_t ts_ms, int64_t value) {
                                intake_->RememberReading(meter_id, ts_ms, value);
                                ++remembered;
                              });
      !s.ok()) {
    return s;
  }
  // The ledger may lag the topic: replay what it has not yet applied, up to the end as of now.
  auto reader =
      kafka::TopicReader::Create(c.common.kafka_bootstrap, c.reading_topic, snapshot->next_offsets);
  if (!reader.ok()) {
    return reader.status();
  }
  auto ends = (*reader)->EndOffsets();
  if (!ends.ok()) {
    return ends.status();
  }
  const auto deadline = absl::Now() + c.common.startup_timeout;
  int64_t replayed = 0;
  while (!(*reader)->Reached(*ends)) {
    if (absl::Now() > deadline) {
      return absl::UnavailableError(
          absl::StrCat("ingest: replaying ", c.reading_topic, " did not finish in time"));
    }
    auto message = (*reader)->Poll(std::chrono::milliseconds(200));
    if (!message.ok()) {
      return message.status();
    }
    if (!message->has_value()) {
      continue;
    }
    auto envelope = kafka::DecodeEnvelope((*message)->value);
    if (!envelope.ok()) {
      continue;
    }
    auto records = RecordsOfEvent(*envelope);
    if (!records.ok()) {
      continue;
    }
    for (const v1::ReadingAccepted& record : *records) {
      intake_->ReplayRecord(record);
      ++replayed;
    }
  }
  log::Info("vee state recovered", {{"meters_from_snapshot", static_cast<int64_t>(restored)},
                                    {"readings_from_ledger", remembered},
                                    {"records_replayed", replayed}});
  return absl::OkStatus();
}

}  // namespace jieshui::ingest
