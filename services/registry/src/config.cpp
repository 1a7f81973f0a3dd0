// The registry's own configuration keys (registry.yaml); the common ones are
// service/settings.hpp's.
#include <array>
#include <string>

#include "absl/strings/str_cat.h"
#include "config/reader.hpp"
#include "registry/src/app.hpp"

namespace jieshui::registry {

absl::StatusOr<RegistryConfig> LoadRegistryConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<RegistryConfig>(
      config, [&config](config::Reader& r, RegistryConfig& out) -> absl::Status {
        std::array<std::string, 3> rates;
        HandlerOptions& h = out.handlers;
        r.List("registry.towns", &h.rules.towns)
            .String("registry.coverage.level1_rate_percent", &rates[0])
            .String("registry.coverage.level2_rate_percent", &rates[1])
            .String("registry.coverage.level3_rate_percent", &rates[2])
            .Int("registry.page_size_default", 1, 10000, &h.page_size_default)
            .Int("registry.page_size_max", 1, 10000, &h.page_size_max)
            .Require(h.page_size_default <= h.page_size_max, "registry.page_size_default",
                     "larger than registry.page_size_max")
            .String("registry.topics.enterprise", &out.enterprise_topic)
            .String("registry.topics.meter", &out.meter_topic);
        if (!r.ok()) {
          return r.status();
        }
        auto coverage = domain::ParseCoverageRequirements(rates, [&config](int level) {
          const std::string key = absl::StrCat("registry.coverage.level", level, "_rate_percent");
          return absl::StrCat("config key ", key, " (env ", config.EnvVarFor(key), ")");
        });
        if (!coverage.ok()) {
          return coverage.status();
        }
        h.coverage = *coverage;
        return absl::OkStatus();
      });
}

}  // namespace jieshui::registry
