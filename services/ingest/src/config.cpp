// Ingest's own configuration keys (ingest.yaml): topics, limits, VEE thresholds, the ledger and
// the HJ 212 listener; the common ones are service/settings.hpp's.
#include "config/reader.hpp"
#include "ingest/src/app.hpp"

namespace jieshui::ingest {

absl::StatusOr<IngestConfig> LoadIngestConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<IngestConfig>(config, [](config::Reader& r, IngestConfig& out) {
    out.handlers.schema = out.common.postgres.schema;
    VeeConfig& vee = out.vee;
    r.String("ingest.topics.reading", &out.reading_topic)
        .String("ingest.topics.rejected", &out.rejected_topic)
        .String("ingest.topics.registry_meter", &out.registry_meter_topic)
        .String("ingest.topics.dlq", &out.dlq_topic)
        .Int("ingest.max_batch_readings", 1, 100000, &out.handlers.max_batch_readings)
        .Int("ingest.max_stream_batches_in_flight", 1, 10000,
             &out.handlers.max_stream_batches_in_flight)
        .Millis("vee.future_skew", &vee.future_skew_ms)
        .Millis("vee.backfill_window", &vee.backfill_window_ms)
        .Millis("vee.gap_threshold", &vee.gap_threshold_ms, 1)
        .Millis("vee.estimate_step", &vee.estimate_step_ms, 1)
        .Millis("vee.zero_flow", &vee.zero_flow_ms)
        .Int("vee.spike_factor", 2, 1000, &vee.spike_factor)
        .Int("vee.spike_min_litres", 0, 1'000'000'000, &vee.spike_min_litres)
        .Int("vee.recent_timestamps", 1, 1000, &vee.recent_timestamps)
        .Bool("ledger.enabled", &out.ledger_enabled)
        .Int("ledger.max_batch", 1, 100000, &out.ledger_max_batch)
        .Duration("ledger.max_wait", &out.ledger_max_wait)
        .Int("ledger.nice", 0, 19, &out.ledger_nice)
        .Duration("ledger.state_interval", &out.ledger_state_interval)
        .Int("ledger.yield_above", 0, 100'000'000, &out.ledger_yield_above)
        .Duration("ledger.max_yield", &out.ledger_max_yield)
        .String("hj212.listen", &out.hj212.listen_address)
        .Int("hj212.max_connections", 1, 100000, &out.hj212.max_connections)
        .Duration("hj212.minute_interval", &out.hj212.minute_interval)
        .Duration("hj212.idle_timeout", &out.hj212.idle_timeout);
    return r.status();
  });
}

}  // namespace jieshui::ingest
