#include "kafka/rdkafka_config.hpp"
#include "log/log.hpp"

namespace jieshui::kafka {

void JsonLogEventCb::event_cb(RdKafka::Event& event) {
  switch (event.type()) {
    case RdKafka::Event::EVENT_ERROR:
      log::Write(event.fatal() ? log::Level::kError : log::Level::kWarn, "kafka client error",
                 {{"error", RdKafka::err2str(event.err())}, {"detail", event.str()}});
      break;
    case RdKafka::Event::EVENT_LOG: {
      // syslog severities: 0-3 error, 4 warning, 5-6 info, 7 debug.
      const int severity = static_cast<int>(event.severity());
      const log::Level level = severity <= 3   ? log::Level::kError
                               : severity == 4 ? log::Level::kWarn
                               : severity <= 6 ? log::Level::kInfo
                                               : log::Level::kDebug;
      log::Write(level, "kafka client log", {{"facility", event.fac()}, {"detail", event.str()}});
      break;
    }
    default:
      break;  // statistics and throttle events are not logged
  }
}

JsonLogEventCb* SharedEventCb() {
  static JsonLogEventCb* cb = new JsonLogEventCb();  // never destroyed: used by librdkafka threads
  return cb;
}

}  // namespace jieshui::kafka
