#include "app.hpp"

#include <utility>

#include "absl/strings/str_cat.h"
#include "adapters/record_codec.hpp"
#include "db/migrations.hpp"
#include "kafka/admin.hpp"
#include "kafka/envelope.hpp"
#include "kafka/topic_reader.hpp"
#include "kafka/topics.hpp"
#include "log/log.hpp"

namespace jieshui::ingest {

// Generated from migrations/*.sql (cmake/JieshuiMigrations.cmake).
std::vector<std::pair<std::string, std::string>> EmbeddedMigrationFiles();

namespace {

template <typename T>
absl::Status Take(absl::StatusOr<T> value, T* out) {
  if (!value.ok()) {
    return value.status();
  }
  *out = *std::move(value);
  return absl::OkStatus();
}

absl::Status TakeMs(const config::ConfigLoader& config, const std::string& key, int64_t* out) {
  absl::StatusOr<absl::Duration> d = config.GetDuration(key);
  if (!d.ok()) {
    return d.status();
  }
  *out = absl::ToInt64Milliseconds(*d);
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<IngestConfig> LoadIngestConfig(const config::ConfigLoader& config) {
  IngestConfig out;
  if (absl::Status s = Take(service::LoadCommonSettings(config), &out.common); !s.ok()) {
    return s;
  }
  out.handlers.schema = out.common.postgres.schema;
  int64_t n = 0;
  std::vector<absl::Status> errors;
  errors.push_back(Take(config.GetString("ingest.topics.reading"), &out.reading_topic));
  errors.push_back(Take(config.GetString("ingest.topics.rejected"), &out.rejected_topic));
  errors.push_back(
      Take(config.GetString("ingest.topics.registry_meter"), &out.registry_meter_topic));
  errors.push_back(Take(config.GetInt("kafka.topic_partitions", 1, 1000), &n));
  out.topic_partitions = static_cast<int>(n);
  errors.push_back(Take(config.GetInt("kafka.topic_replication", 1, 10), &n));
  out.topic_replication = static_cast<int>(n);
  errors.push_back(Take(config.GetInt("ingest.max_batch_readings", 1, 100000), &n));
  out.handlers.max_batch_readings = static_cast<int>(n);
  errors.push_back(Take(config.GetInt("ingest.max_stream_batches_in_flight", 1, 10000), &n));
  out.handlers.max_stream_batches_in_flight = static_cast<int>(n);
  errors.push_back(Take(config.GetDuration("ingest.startup_timeout"), &out.startup_timeout));
  errors.push_back(TakeMs(config, "vee.future_skew", &out.vee.future_skew_ms));
  errors.push_back(TakeMs(config, "vee.backfill_window", &out.vee.backfill_window_ms));
  errors.push_back(TakeMs(config, "vee.gap_threshold", &out.vee.gap_threshold_ms));
  errors.push_back(TakeMs(config, "vee.estimate_step", &out.vee.estimate_step_ms));
  errors.push_back(TakeMs(config, "vee.zero_flow", &out.vee.zero_flow_ms));
  errors.push_back(Take(config.GetInt("vee.spike_factor", 2, 1000), &out.vee.spike_factor));
  errors.push_back(
      Take(config.GetInt("vee.spike_min_litres", 0, 1'000'000'000), &out.vee.spike_min_litres));
  errors.push_back(Take(config.GetInt("vee.recent_timestamps", 1, 1000), &n));
  out.vee.recent_timestamps = static_cast<int>(n);
  errors.push_back(Take(config.GetBool("ledger.enabled"), &out.ledger_enabled));
  errors.push_back(Take(config.GetInt("ledger.max_batch", 1, 100000), &n));
  out.ledger_max_batch = static_cast<int>(n);
  errors.push_back(Take(config.GetDuration("ledger.max_wait"), &out.ledger_max_wait));
  errors.push_back(Take(config.GetInt("ledger.nice", 0, 19), &n));
  out.ledger_nice = static_cast<int>(n);
  errors.push_back(Take(config.GetDuration("ledger.state_interval"), &out.ledger_state_interval));
  errors.push_back(
      Take(config.GetInt("ledger.yield_above", 0, 100'000'000), &out.ledger_yield_above));
  errors.push_back(Take(config.GetDuration("ledger.max_yield"), &out.ledger_max_yield));
  errors.push_back(Take(config.GetString("hj212.listen"), &out.hj212.listen_address));
  errors.push_back(Take(config.GetInt("hj212.max_connections", 1, 100000), &n));
  out.hj212.max_connections = static_cast<int>(n);
  errors.push_back(Take(config.GetDuration("hj212.minute_interval"), &out.hj212.minute_interval));
  errors.push_back(Take(config.GetDuration("hj212.idle_timeout"), &out.hj212.idle_timeout));
  for (const absl::Status& s : errors) {
    if (!s.ok()) {
      return s;
    }
  }
  if (out.vee.estimate_step_ms <= 0 || out.vee.gap_threshold_ms <= 0) {
    return absl::InvalidArgumentError(
        "config keys vee.estimate_step and vee.gap_threshold must be positive");
  }
  return out;
}

absl::StatusOr<std::unique_ptr<IngestApp>> IngestApp::Start(IngestConfig config) {
  std::unique_ptr<IngestApp> app(new IngestApp());
  app->config_ = std::move(config);
  const IngestConfig& c = app->config_;
  const std::string& schema = c.common.postgres.schema;
  const absl::Time started = absl::Now();

  auto pool = db::ConnectionPool::Create({.uri = c.common.postgres.ConnectionString(),
                                          .size = c.common.postgres.pool_size,
                                          .search_path = schema,
                                          .application_name = "jieshui-ingest"});
  if (!pool.ok()) {
    return pool.status();
  }
  app->pool_ = *std::move(pool);
  auto migrations = db::ParseMigrations(EmbeddedMigrationFiles());
  if (!migrations.ok()) {
    return migrations.status();
  }
  if (auto report = db::ApplyMigrations(*app->pool_, schema, *migrations); !report.ok()) {
    return report.status();
  }

  auto admin = kafka::Admin::Create(c.common.kafka_bootstrap);
  if (!admin.ok()) {
    return admin.status();
  }
  using kafka::topics::Retention;
  const std::vector<kafka::TopicSpec> topics = {
      kafka::topics::SpecFor({c.reading_topic, Retention::kRetained}, c.topic_partitions,
                             c.topic_replication, 400),
      kafka::topics::SpecFor({c.rejected_topic, Retention::kRetained}, c.topic_partitions,
                             c.topic_replication, 400),
      // Normally the registry's; created here too so ingest can start first.
      kafka::topics::SpecFor({c.registry_meter_topic, Retention::kCompacted}, c.topic_partitions,
                             c.topic_replication, -1),
  };
  if (absl::Status s = (*admin)->EnsureTopics(topics); !s.ok()) {
    return s;
  }
  kafka::ProducerOptions producer_options;
  producer_options.bootstrap_servers = c.common.kafka_bootstrap;
  producer_options.client_id = "jieshui-ingest";
  // Meter data floods: larger batches per request, and room for a back-fill in the local queue.
  producer_options.extra = {{"batch.num.messages", "10000"},
                            {"batch.size", "1000000"},
                            {"queue.buffering.max.messages", "1000000"}};
  auto producer = kafka::Producer::Create(producer_options);
  if (!producer.ok()) {
    return producer.status();
  }
  app->producer_ = *std::move(producer);
  const auto timeout = absl::ToChronoMilliseconds(c.startup_timeout);
  // Topics just created may still be electing leaders: ready only once readings can be written.
  if (absl::Status s = app->producer_->WaitForLeaders({c.reading_topic, c.rejected_topic}, timeout);
      !s.ok()) {
    return s;
  }

  app->directory_ =
      std::make_unique<MeterDirectory>(c.common.kafka_bootstrap, c.registry_meter_topic);
  if (absl::Status s = app->directory_->Start(timeout); !s.ok()) {
    return s;
  }
  auto server = grpcserver::GrpcServer::Create({.service_name = "ingest",
                                                .listen_address = c.common.grpc_listen,
                                                .metrics_address = c.common.metrics_listen,
                                                .api_keys = c.common.api_keys,
                                                .drain_timeout = c.common.drain_timeout});
  if (!server.ok()) {
    return server.status();
  }
  app->server_ = *std::move(server);
  auto readings_counter = app->server_->metrics().AddCounterFamily(
      "jieshui_ingest_readings_total", "Readings answered, by outcome and rejection reason.");
  if (!readings_counter.ok()) {
    return readings_counter.status();
  }
  app->intake_ = std::make_unique<Intake>(
      app->directory_.get(), app->producer_.get(),
      IntakeOptions{.reading_topic = c.reading_topic,
                    .rejected_topic = c.rejected_topic,
                    .vee = c.vee,
                    .now_ms = [] { return absl::ToUnixMillis(absl::Now()); },
                    .readings_counter = *readings_counter});
  if (absl::Status s = app->Recover(); !s.ok()) {
    return s;
  }
  if (c.ledger_enabled) {
    auto ledger = LedgerWriter::Create(
        app->pool_.get(),
        LedgerOptions{.bootstrap_servers = c.common.kafka_bootstrap,
                      .schema = schema,
                      .reading_topic = c.reading_topic,
                      .max_batch = c.ledger_max_batch,
                      .max_wait = absl::ToChronoMilliseconds(c.ledger_max_wait),
                      .nice = c.ledger_nice,
                      .state_interval = absl::ToChronoMilliseconds(c.ledger_state_interval),
                      .intake_count = [intake = app->intake_.get()] { return intake->submitted(); },
                      .yield_above = c.ledger_yield_above,
                      .max_yield = absl::ToChronoMilliseconds(c.ledger_max_yield),
                      .vee = c.vee});
    if (!ledger.ok()) {
      return ledger.status();
    }
    app->ledger_ = *std::move(ledger);
  }

  app->handlers_ = std::make_unique<IngestHandlers>(app->intake_.get(), app->directory_.get(),
                                                    app->pool_.get(), c.handlers);
  app->server_->AddService(app->handlers_.get(), v1::IngestService::service_full_name());
  app->hj212_ = std::make_unique<Hj212Listener>(app->intake_.get(), app->directory_.get(), c.hj212);

  // Stop hooks run in reverse: HJ 212, ledger, directory, producer flush, pool.
  IngestApp* self = app.get();
  app->server_->AddStopHook("postgres pool", [self] { self->pool_->Close(); });
  app->server_->AddStopHook("kafka producer", [self] {
    if (absl::Status s = self->producer_->Flush(std::chrono::seconds(10)); !s.ok()) {
      log::Warn("kafka flush incomplete", {{"error", std::string(s.message())}});
    }
  });
  // Runs before the producer's flush (hooks run in reverse): every evaluated batch is handed to
  // Kafka first.
  app->server_->AddStopHook("intake publisher", [self] { self->intake_->Drain(); });
  app->server_->AddStopHook("meter directory", [self] { self->directory_->Stop(); });
  if (app->ledger_) {
    app->ledger_->Start();
    app->server_->AddStopHook("ledger writer", [self] { self->ledger_->Stop(); });
  }
  if (absl::Status s = app->hj212_->Start(); !s.ok()) {
    return s;
  }
  app->server_->AddStopHook("hj212 listener", [self] { self->hj212_->Stop(); });
  if (absl::Status s = app->server_->Start(); !s.ok()) {
    return s;
  }
  log::Info("ingest ready", {{"meters", static_cast<int64_t>(app->directory_->size())},
                             {"startup_ms", absl::ToInt64Milliseconds(absl::Now() - started)}});
  return app;
}

absl::Status IngestApp::Recover() {
  const IngestConfig& c = config_;
  absl::StatusOr<StateSnapshot> snapshot =
      LoadStateSnapshot(*pool_, c.common.postgres.schema, c.reading_topic);
  if (!snapshot.ok()) {
    return snapshot.status();
  }
  const size_t restored = snapshot->meters.size();
  for (auto& [meter_id, state] : snapshot->meters) {
    intake_->RestoreState(meter_id, std::move(state));
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
  const auto deadline = absl::Now() + c.startup_timeout;
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
                                    {"records_replayed", replayed}});
  return absl::OkStatus();
}

IngestApp::~IngestApp() { Stop(); }

void IngestApp::Stop() {
  if (server_ != nullptr) {
    server_->Stop();
  }
}

}  // namespace jieshui::ingest
