#include "metrics/metrics.hpp"

#include <exception>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "prometheus/exposer.h"
#include "strings/view.hpp"

namespace jieshui::metrics {
namespace {

using strings::Av;

// prometheus-cpp reports invalid names and conflicting registrations by throwing; no exception
// may leave this library, so each builder call is wrapped here.
template <typename Builder>
auto RegisterFamily(Builder builder, const std::string& name, const std::string& help,
                    prometheus::Registry& registry)
    -> absl::StatusOr<decltype(&builder.Register(registry))> {
  try {
    return &builder.Name(name).Help(help).Register(registry);
  } catch (const std::exception& e) {
    return absl::InvalidArgumentError(absl::StrCat("metric ", name, ": ", e.what()));
  }
}

}  // namespace

prometheus::Histogram::BucketBoundaries LatencyBucketsSeconds() {
  return {0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10};
}

MetricsRegistry::MetricsRegistry() : registry_(std::make_shared<prometheus::Registry>()) {}

MetricsRegistry::~MetricsRegistry() = default;

absl::StatusOr<std::unique_ptr<MetricsRegistry>> MetricsRegistry::Create(std::string_view address) {
  auto metrics = std::make_unique<MetricsRegistry>();
  if (address.empty()) {
    return metrics;
  }
  const size_t colon = address.rfind(':');
  int requested_port = 0;
  if (colon == std::string_view::npos || colon == 0 ||
      !absl::SimpleAtoi(Av(address.substr(colon + 1)), &requested_port) || requested_port < 0 ||
      requested_port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("metrics address: expected host:port, got \"", Av(address), "\""));
  }
  try {
    metrics->exposer_ = std::make_unique<prometheus::Exposer>(std::string(address));
  } catch (const std::exception& e) {
    return absl::UnavailableError(
        absl::StrCat("metrics address ", Av(address), ": cannot listen: ", e.what()));
  }
  metrics->exposer_->RegisterCollectable(metrics->registry_);
  const std::vector<int> ports = metrics->exposer_->GetListeningPorts();
  if (ports.empty()) {
    return absl::UnavailableError(
        absl::StrCat("metrics address ", Av(address), ": no listening port after start"));
  }
  metrics->port_ = ports.front();
  return metrics;
}

absl::StatusOr<prometheus::Family<prometheus::Counter>*> MetricsRegistry::AddCounterFamily(
    const std::string& name, const std::string& help) {
  return RegisterFamily(prometheus::BuildCounter(), name, help, *registry_);
}

absl::StatusOr<prometheus::Family<prometheus::Gauge>*> MetricsRegistry::AddGaugeFamily(
    const std::string& name, const std::string& help) {
  return RegisterFamily(prometheus::BuildGauge(), name, help, *registry_);
}

absl::StatusOr<prometheus::Family<prometheus::Histogram>*> MetricsRegistry::AddHistogramFamily(
    const std::string& name, const std::string& help) {
  return RegisterFamily(prometheus::BuildHistogram(), name, help, *registry_);
}

}  // namespace jieshui::metrics
