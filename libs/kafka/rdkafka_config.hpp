// Internal: builds an RdKafka::Conf from a property map with errors naming the bad property.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace jieshui::kafka {

inline absl::StatusOr<std::unique_ptr<RdKafka::Conf>> BuildConfig(
    const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  for (const auto& [key, value] : props) {
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", key, "=", value, ": ", err));
    }
  }
  return conf;
}

}  // namespace jieshui::kafka
