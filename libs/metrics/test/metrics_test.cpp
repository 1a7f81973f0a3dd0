#include "metrics/metrics.hpp"

#include <string>

#include "gtest/gtest.h"
#include "httplib.h"

namespace jieshui::metrics {
namespace {

std::string FetchMetrics(int port) {
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(5);
  auto response = client.Get("/metrics");
  if (!response || response->status != 200) {
    return "";
  }
  return response->body;
}

TEST(MetricsRegistryTest, ServesCounterOnAnEphemeralPort) {
  auto metrics = MetricsRegistry::Create("127.0.0.1:0");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  ASSERT_GT((*metrics)->port(), 0);

  auto family = (*metrics)->AddCounterFamily("jieshui_test_readings_total", "Readings seen.");
  ASSERT_TRUE(family.ok()) << family.status();
  auto& counter = (*family)->Add({{"reason", "accepted"}});
  counter.Increment(3);

  const std::string body = FetchMetrics((*metrics)->port());
  EXPECT_NE(body.find("jieshui_test_readings_total{reason=\"accepted\"} 3"), std::string::npos)
      << body;
}

TEST(MetricsRegistryTest, HistogramAndGaugeAppear) {
  auto metrics = MetricsRegistry::Create("127.0.0.1:0");
  ASSERT_TRUE(metrics.ok()) << metrics.status();
  auto gauge = (*metrics)->AddGaugeFamily("jieshui_test_lag", "Consumer lag.");
  ASSERT_TRUE(gauge.ok());
  (*gauge)->Add({{"topic", "t"}}).Set(42);
  auto histogram = (*metrics)->AddHistogramFamily("jieshui_test_seconds", "Durations.");
  ASSERT_TRUE(histogram.ok());
  (*histogram)->Add({}, LatencyBucketsSeconds()).Observe(0.003);

  const std::string body = FetchMetrics((*metrics)->port());
  EXPECT_NE(body.find("jieshui_test_lag{topic=\"t\"} 42"), std::string::npos) << body;
  EXPECT_NE(body.find("jieshui_test_seconds_bucket{le=\"0.005\"} 1"), std::string::npos) << body;
  EXPECT_NE(body.find("jieshui_test_seconds_count 1"), std::string::npos) << body;
}

TEST(MetricsRegistryTest, InvalidNamesAndAddressesAreStatusesNotExceptions) {
  MetricsRegistry metrics;
  EXPECT_EQ(metrics.port(), 0);
  EXPECT_EQ(metrics.AddCounterFamily("bad name!", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  ASSERT_TRUE(metrics.AddCounterFamily("jieshui_dup", "x").ok());
  EXPECT_EQ(metrics.AddGaugeFamily("jieshui_dup", "x").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(MetricsRegistry::Create("nonsense").status().code(),
            absl::StatusCode::kInvalidArgument);
}

TEST(MetricsRegistryTest, PortInUseIsUnavailable) {
  auto first = MetricsRegistry::Create("127.0.0.1:0");
  ASSERT_TRUE(first.ok());
  auto second = MetricsRegistry::Create("127.0.0.1:" + std::to_string((*first)->port()));
  EXPECT_EQ(second.status().code(), absl::StatusCode::kUnavailable) << second.status();
}

}  // namespace
}  // namespace jieshui::metrics
