// The ingest service assembled on the shared platform (service/platform.hpp): the ledger schema,
// its two topics, the meter directory, VEE state recovered from the ledger snapshot plus a replay
// of the reading topic, the ledger writer, the HJ 212 listener and its handlers.
#pragma once

#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "config/config_loader.hpp"
#include "ingest/src/adapters/hj212_listener.hpp"
#include "ingest/src/adapters/ingest_handlers.hpp"
#include "ingest/src/adapters/intake.hpp"
#include "ingest/src/adapters/ledger_writer.hpp"
#include "ingest/src/adapters/meter_directory.hpp"
#include "kafka/dead_letter.hpp"
#include "service/clock.hpp"
#include "service/platform.hpp"
#include "service/settings.hpp"

namespace jieshui::ingest {

struct IngestConfig {
  service::CommonSettings common;
  std::string reading_topic;
  std::string rejected_topic;
  std::string registry_meter_topic;
  std::string dlq_topic;
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
  static absl::StatusOr<std::unique_ptr<IngestApp>> Start(
      IngestConfig config, service::Clock clock = service::SystemClock());
  ~IngestApp() { Stop(); }
  IngestApp(const IngestApp&) = delete;
  IngestApp& operator=(const IngestApp&) = delete;

  int port() const { return platform_->port(); }
  int metrics_port() const { return platform_->metrics().port(); }
  int hj212_port() const { return hj212_->port(); }
  Intake& intake() { return *intake_; }
  MeterDirectory& directory() { return *directory_; }
  void Stop() {
    if (platform_ != nullptr) {
      platform_->Stop();
    }
  }

 private:
  IngestApp() = default;
  absl::Status Recover();

  IngestConfig config_;
  std::unique_ptr<MeterDirectory> directory_;
  // Declared before the platform, so destroyed after its producer: the producer's last delivery
  // callbacks still reach it.
  std::unique_ptr<Intake> intake_;
  std::unique_ptr<service::Platform> platform_;
  std::unique_ptr<kafka::DeadLetterQueue> dlq_;
  std::unique_ptr<LedgerWriter> ledger_;
  std::unique_ptr<IngestHandlers> handlers_;
  std::unique_ptr<Hj212Listener> hj212_;
};

}  // namespace jieshui::ingest
