// Prometheus metrics for a Jieshui process: one registry, served at http://<address>/metrics,
// plus helpers that create counter, gauge and histogram families without throwing.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "absl/status/statusor.h"
#include "prometheus/counter.h"
#include "prometheus/family.h"
#include "prometheus/gauge.h"
#include "prometheus/histogram.h"
#include "prometheus/registry.h"

namespace prometheus {
class Exposer;
}  // namespace prometheus

namespace jieshui::metrics {

// Latency buckets in seconds, 1 ms to 10 s, for request and processing durations.
prometheus::Histogram::BucketBoundaries LatencyBucketsSeconds();

class MetricsRegistry {
 public:
  // A registry with no HTTP endpoint (tests, tools).
  MetricsRegistry();
  ~MetricsRegistry();
  MetricsRegistry(const MetricsRegistry&) = delete;
  MetricsRegistry& operator=(const MetricsRegistry&) = delete;

  // A registry served at http://<address>/metrics. `address` is "host:port"; port 0 picks a free
  // port (see port()). An empty address serves nothing. UNAVAILABLE when the port cannot be bound,
  // INVALID_ARGUMENT when the address is malformed.
  static absl::StatusOr<std::unique_ptr<MetricsRegistry>> Create(std::string_view address);

  // Bound HTTP port, 0 when not serving.
  int port() const { return port_; }

  prometheus::Registry& registry() { return *registry_; }
  std::shared_ptr<prometheus::Registry> shared_registry() { return registry_; }

  // Family helpers: INVALID_ARGUMENT for an invalid metric or label name, or when the name is
  // already registered with a different type or help text. Families live as long as the registry.
  absl::StatusOr<prometheus::Family<prometheus::Counter>*> AddCounterFamily(
      const std::string& name, const std::string& help);
  absl::StatusOr<prometheus::Family<prometheus::Gauge>*> AddGaugeFamily(const std::string& name,
                                                                        const std::string& help);
  absl::StatusOr<prometheus::Family<prometheus::Histogram>*> AddHistogramFamily(
      const std::string& name, const std::string& help);

 private:
  std::shared_ptr<prometheus::Registry> registry_;
  std::unique_ptr<prometheus::Exposer> exposer_;
  int port_ = 0;
};

}  // namespace jieshui::metrics
