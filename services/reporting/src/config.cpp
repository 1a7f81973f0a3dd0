// Reporting's own configuration keys (reporting.yaml): topics, the consumer, the denominator
// rules; the common ones are service/settings.hpp's.
#include <string>

#include "absl/strings/str_cat.h"
#include "config/reader.hpp"
#include "reporting/src/app.hpp"

namespace jieshui::reporting {

absl::StatusOr<ReportingConfig> LoadReportingConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<ReportingConfig>(
      config, [&config](config::Reader& r, ReportingConfig& out) -> absl::Status {
        out.store.schema = out.common.postgres.schema;
        std::string basis;
        int64_t carrier_m3 = 0;
        int64_t self_supplied_m3 = 0;
        int64_t specialist_m3 = 0;
        HandlerOptions& h = out.handlers;
        r.String("reporting.topics.registry_enterprise", &out.enterprise_topic)
            .String("reporting.topics.quota_usage", &out.usage_topic)
            .String("reporting.topics.certification_status", &out.status_topic)
            .String("reporting.topics.certification_activity", &out.activity_topic)
            .String("reporting.topics.submission", &out.store.submission_topic)
            .String("reporting.topics.indicator", &out.indicator_topic)
            .String("reporting.topics.dlq", &out.dlq_topic)
            .String("reporting.consumer_group", &out.consumer_group)
            .Int("reporting.max_batch_messages", 1, 100000, &out.max_batch_messages)
            .String("reporting.rules.threshold_basis", &basis)
            .Int("reporting.rules.carrier_threshold_m3", 1, 1'000'000'000, &carrier_m3)
            .Int("reporting.rules.self_supplied_threshold_m3", 1, 1'000'000'000, &self_supplied_m3)
            .Int("reporting.rules.specialist_threshold_m3", 1, 1'000'000'000, &specialist_m3)
            .Int("reporting.page_size_default", 1, 10000, &h.page_size_default)
            .Int("reporting.page_size_max", 1, 10000, &h.page_size_max)
            .Int("reporting.import_rows_max", 1, 10'000'000, &h.import_rows_max)
            .Duration("reporting.cache_ttl", &out.cache_ttl, absl::Seconds(1))
            .Require(h.page_size_default <= h.page_size_max, "reporting.page_size_default",
                     "larger than reporting.page_size_max");
        if (!r.ok()) {
          return r.status();
        }
        if (basis == "annualised") {
          out.rules.basis = ThresholdBasis::kAnnualised;
        } else if (basis == "actual") {
          out.rules.basis = ThresholdBasis::kActual;
        } else if (basis == "previous_year") {
          out.rules.basis = ThresholdBasis::kPreviousYear;
        } else {
          const std::string key = "reporting.rules.threshold_basis";
          return absl::InvalidArgumentError(
              absl::StrCat("config key ", key, " (env ", config.EnvVarFor(key), "): \"", basis,
                           "\" is not annualised, actual or previous_year"));
        }
        out.rules.carrier_threshold = carrier_m3 * 1000;
        out.rules.self_supplied_threshold = self_supplied_m3 * 1000;
        out.rules.specialist_threshold = specialist_m3 * 1000;
        return absl::OkStatus();
      });
}

}  // namespace jieshui::reporting
