// Quota's own configuration keys (quota.yaml): topics, the consumer, alert thresholds and the
// default surcharge schedule; the common ones are service/settings.hpp's.
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "config/reader.hpp"
#include "quota/src/app.hpp"
#include "quota/src/core/plan.hpp"

namespace jieshui::quota {

namespace {

// quota.surcharge.bands: the default surcharge schedule.
absl::Status ReadBands(const config::ConfigLoader& config, std::vector<SurchargeBand>* out) {
  auto band_nodes = config.GetNodeList("quota.surcharge.bands");
  if (!band_nodes.ok()) {
    return band_nodes.status();
  }
  std::vector<SurchargeBandText> texts;
  for (const auto& node : *band_nodes) {
    const auto get = [&node](const char* k) {
      auto it = node.find(k);
      return it == node.end() ? std::string() : it->second;
    };
    texts.push_back({get("from_percent"), get("to_percent"), get("multiplier")});
  }
  auto bands = ParseBands(texts, "config key quota.surcharge.bands");
  if (!bands.ok()) {
    return bands.status();
  }
  *out = *std::move(bands);
  return absl::OkStatus();
}

// quota.surcharge.price_*: base prices in yuan per m³ by source.
absl::Status ReadPrices(const config::ConfigLoader& config, StoreOptions* store) {
  const std::pair<const char*, int> prices[] = {
      {"quota.surcharge.price_municipal_tap", v1::WATER_SOURCE_MUNICIPAL_TAP},
      {"quota.surcharge.price_self_supplied_surface", v1::WATER_SOURCE_SELF_SUPPLIED_SURFACE},
      {"quota.surcharge.price_self_supplied_ground", v1::WATER_SOURCE_SELF_SUPPLIED_GROUND},
      {"quota.surcharge.price_reclaimed", v1::WATER_SOURCE_RECLAIMED}};
  for (const auto& [key, source] : prices) {
    auto text = config.GetString(key);
    if (!text.ok()) {
      return text.status();
    }
    auto money = domain::Money::ParseYuan(*text, absl::StrCat("config key ", key));
    if (!money.ok()) {
      return money.status();
    }
    if (money->fen() < 0) {
      return absl::InvalidArgumentError(absl::StrCat("config key ", key, ": negative price"));
    }
    store->default_prices[source] = *money;
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<QuotaConfig> LoadQuotaConfig(const config::ConfigLoader& config) {
  return service::LoadServiceConfig<QuotaConfig>(
      config, [&config](config::Reader& r, QuotaConfig& out) -> absl::Status {
        out.store.schema = out.common.postgres.schema;
        std::vector<std::string> thresholds;
        r.String("quota.topics.reading", &out.reading_topic)
            .String("quota.topics.registry_enterprise", &out.enterprise_topic)
            .String("quota.topics.certification_activity", &out.activity_topic)
            .String("quota.topics.usage", &out.store.usage_topic)
            .String("quota.topics.alert", &out.store.alert_topic)
            .String("quota.topics.dlq", &out.dlq_topic)
            .String("quota.consumer_group", &out.consumer_group)
            .String("quota.balance_test_consumer_group", &out.balance_test_consumer_group)
            .Int("quota.max_batch_messages", 1, 100000, &out.max_batch_messages)
            .Duration("quota.cache_ttl", &out.cache_ttl, absl::Seconds(1))
            .List("quota.alert_thresholds_percent", &thresholds);
        if (!r.ok()) {
          return r.status();
        }
        out.store.thresholds_percent.clear();
        for (const std::string& t : thresholds) {
          int value = 0;
          if (!absl::SimpleAtoi(t, &value)) {
            return absl::InvalidArgumentError(absl::StrCat(
                "config key quota.alert_thresholds_percent: not a whole percent: \"", t, "\""));
          }
          out.store.thresholds_percent.push_back(value);
        }
        if (absl::Status s = ValidateThresholds(out.store.thresholds_percent); !s.ok()) {
          return absl::InvalidArgumentError(absl::StrCat("config key quota.", s.message()));
        }
        if (absl::Status s = ReadBands(config, &out.store.default_bands); !s.ok()) {
          return s;
        }
        return ReadPrices(config, &out.store);
      });
}

}  // namespace jieshui::quota
