// Internal: builds an RdKafka::Conf from a property map with errors naming the bad property, and
// routes librdkafka's logs into the JSON log.
#pragma once

#include <librdkafka/rdkafkacpp.h>

#include <map>
#include <memory>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/str_cat.h"

namespace jieshui::kafka {

// Routes librdkafka's own log lines and client errors into the service's JSON log instead of
// stderr's "%3|...|FAIL|..." format, so operators read one format.
class JsonLogEventCb : public RdKafka::EventCb {
 public:
  void event_cb(RdKafka::Event& event) override;
};

// One instance per process; librdkafka calls it from its own threads.
JsonLogEventCb* SharedEventCb();

inline absl::StatusOr<std::unique_ptr<RdKafka::Conf>> BuildConfig(
    const std::map<std::string, std::string>& props) {
  std::unique_ptr<RdKafka::Conf> conf(RdKafka::Conf::create(RdKafka::Conf::CONF_GLOBAL));
  std::string err;
  if (conf->set("event_cb", static_cast<RdKafka::EventCb*>(SharedEventCb()), err) !=
      RdKafka::Conf::CONF_OK) {
    return absl::InternalError(absl::StrCat("kafka event_cb: ", err));
  }
  for (const auto& [key, value] : props) {
    if (conf->set(key, value, err) != RdKafka::Conf::CONF_OK) {
      return absl::InvalidArgumentError(
          absl::StrCat("kafka property ", key, "=", value, ": ", err));
    }
  }
  return conf;
}

}  // namespace jieshui::kafka
