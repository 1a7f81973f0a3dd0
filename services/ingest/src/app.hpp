// The ingest service assembled: PostgreSQL (ledger schema), Kafka (topics, producer), the meter
// directory, VEE state recovered from the ledger snapshot plus a replay of the reading topic, the
// ledger writer, the gRPC server and the HJ 212 listener; stopped in reverse order.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "adapters/hj212_listener.hpp"
#include "adapters/ingest_handlers.hpp"
#include "adapters/intake.hpp"
#include "adapters/ledger.hpp"
#include "adapters/meter_directory.hpp"
#include "config/config_loader.hpp"
#include "db/pool.hpp"
#include "grpcserver/server.hpp"
#include "kafka/producer.hpp"
#include "service/settings.hpp"

namespace jieshui::ingest {

struct IngestConfig {
  service::CommonSettings common;
  std::string reading_topic;
  std::string rejected_topic;
  std::string registry_meter_topic;
  int topic_partitions = 6;
  int topic_replication = 1;
  absl::Duration startup_timeout = absl::Minutes(2);
  VeeConfig vee;
  IngestHandlerOptions handlers;
  bool ledger_enabled = true;
  int ledger_max_batch = 5000;
  absl::Duration ledger_max_wait = absl::Milliseconds(200);
  int ledger_nice = 0;
  absl::Duration ledger_state_interval = absl::Seconds(10);
  // The ledger holds back (at most ledger_max_yield at a time) while intake takes more than
  // ledger_yield_above readings a second; 0 turns that off.
  int64_t ledger_yield_above = 0;
  absl::Duration ledger_max_yield;
  Hj212Options hj212;
};

absl::StatusOr<IngestConfig> LoadIngestConfig(const config::ConfigLoader& config);

class IngestApp {
 public:
  static absl::StatusOr<std::unique_ptr<IngestApp>> Start(IngestConfig config);
  ~IngestApp();
  IngestApp(const IngestApp&) = delete;
  IngestApp& operator=(const IngestApp&) = delete;

  int port() const { return server_->port(); }
  int hj212_port() const { return hj212_->port(); }
  Intake& intake() { return *intake_; }
  MeterDirectory& directory() { return *directory_; }
  void Stop();

 private:
  IngestApp() = default;
  absl::Status Recover();

  IngestConfig config_;
  std::unique_ptr<db::ConnectionPool> pool_;
  std::unique_ptr<MeterDirectory> directory_;
  // Declared before the producer: the producer's last delivery callbacks still reach it.
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<LedgerWriter> ledger_;
  std::unique_ptr<IngestHandlers> handlers_;
  std::unique_ptr<Hj212Listener> hj212_;
  std::unique_ptr<grpcserver::GrpcServer> server_;
};

}  // namespace jieshui::ingest
