// Certification's own configuration keys (certification.yaml): topics, the consumer, the closure
// tolerance, the metering rates of the metering gate, the schemes file; the common ones are
// service/settings.hpp's.
#include <array>
#include <string>

#include "absl/strings/str_cat.h"
#include "certification/src/adapters/scheme_file.hpp"
#include "certification/src/app.hpp"
#include "config/reader.hpp"

namespace jieshui::certification {

absl::StatusOr<CertificationConfig> LoadCertificationConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<CertificationConfig>(
      config, [&config](config::Reader& r, CertificationConfig& out) -> absl::Status {
        out.store.schema = out.common.postgres.schema;
        std::array<std::string, 3> rates;
        std::string tolerance;
        HandlerOptions& h = out.handlers;
        r.String("certification.topics.registry_enterprise", &out.enterprise_topic)
            .String("certification.topics.registry_meter", &out.meter_topic)
            .String("certification.topics.quota_usage", &out.usage_topic)
            .String("certification.topics.quota_alert", &out.alert_topic)
            .String("certification.topics.status", &out.store.status_topic)
            .String("certification.topics.activity", &out.store.activity_topic)
            .String("certification.topics.dlq", &out.dlq_topic)
            .String("certification.consumer_group", &out.consumer_group)
            .Int("certification.max_batch_messages", 1, 100000, &out.max_batch_messages)
            .Path("certification.schemes_file", &out.schemes_file)
            .String("certification.closure_tolerance_percent", &tolerance)
            .String("certification.coverage.level1_rate_percent", &rates[0])
            .String("certification.coverage.level2_rate_percent", &rates[1])
            .String("certification.coverage.level3_rate_percent", &rates[2])
            .Int("certification.page_size_default", 1, 10000, &h.page_size_default)
            .Int("certification.page_size_max", 1, 10000, &h.page_size_max)
            .Require(h.page_size_default <= h.page_size_max, "certification.page_size_default",
                     "larger than certification.page_size_max");
        if (!r.ok()) {
          return r.status();
        }
        const std::string key = "certification.closure_tolerance_percent";
        auto bp = domain::ParsePercentBasisPoints(
            tolerance, absl::StrCat("config key ", key, " (env ", config.EnvVarFor(key), ")"));
        if (!bp.ok()) {
          return bp.status();
        }
        h.records.closure_tolerance_bp = *bp;
        auto coverage = domain::ParseCoverageRequirements(rates, [&config](int level) {
          const std::string k =
              absl::StrCat("certification.coverage.level", level, "_rate_percent");
          return absl::StrCat("config key ", k, " (env ", config.EnvVarFor(k), ")");
        });
        if (!coverage.ok()) {
          return coverage.status();
        }
        out.store.coverage = *coverage;
        auto schemes = LoadSchemes(out.schemes_file);
        if (!schemes.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("config key certification.schemes_file (",
                                                         out.schemes_file,
                                                         "): ", schemes.status().message()));
        }
        h.schemes = *std::move(schemes);
        return absl::OkStatus();
      });
}

}  // namespace jieshui::certification
