#include "adapters/enterprise_directory.hpp"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/envelope.hpp"
#include "log/log.hpp"

namespace jieshui::quota {

EnterpriseDirectory::EnterpriseDirectory(db::ConnectionPool* pool, std::string bootstrap_servers,
                                         std::string topic)
    : pool_(pool), bootstrap_servers_(std::move(bootstrap_servers)), topic_(std::move(topic)) {}

EnterpriseDirectory::~EnterpriseDirectory() { Stop(); }

absl::Status EnterpriseDirectory::Start(std::chrono::milliseconds timeout) {
  auto reader = kafka::TopicReader::Create(bootstrap_servers_, topic_);
  if (!reader.ok()) {
    return reader.status();
  }
  reader_ = *std::move(reader);
  // An event that is not an enterprise is logged and skipped; a database error stops start-up.
  if (absl::Status s = reader_->CatchUp(timeout,
                                        [this](const kafka::Message& m) {
                                          absl::Status applied = ApplyEvent(m.value);
                                          if (!absl::IsInvalidArgument(applied)) {
                                            return applied;
                                          }
                                          log::Warn("enterprise directory: skipped an event",
                                                    {{"error", std::string(applied.message())}});
                                          return absl::OkStatus();
                                        });
      !s.ok()) {
    return s;
  }
  log::Info("enterprise directory loaded", {{"topic", topic_}, {"events", events_applied_.load()}});
  thread_ = std::thread([this] { Follow(); });
  return absl::OkStatus();
}

void EnterpriseDirectory::Stop() {
  stop_ = true;
  if (thread_.joinable()) {
    thread_.join();
  }
}

void EnterpriseDirectory::Follow() {
  while (!stop_) {
    auto message = reader_->Poll(std::chrono::milliseconds(200));
    if (!message.ok()) {
      log::Warn("enterprise directory: poll failed",
                {{"error", std::string(message.status().message())}});
      continue;
    }
    if (message->has_value()) {
      ApplyWithRetry((*message)->value);
    }
  }
}

void EnterpriseDirectory::ApplyWithRetry(const std::string& value) {
  auto backoff = std::chrono::milliseconds(100);
  while (!stop_) {
    absl::Status s = ApplyEvent(value);
    if (s.ok()) {
      return;
    }
    if (absl::IsInvalidArgument(s)) {
      log::Warn("enterprise directory: skipped an event", {{"error", std::string(s.message())}});
      return;
    }
    log::Warn("enterprise directory: database error, retrying",
              {{"error", std::string(s.message())}});
    std::this_thread::sleep_for(backoff);
    backoff = std::min(backoff * 2, std::chrono::milliseconds(5000));
  }
}

absl::Status EnterpriseDirectory::ApplyEvent(const std::string& value) {
  auto envelope = kafka::DecodeEnvelope(value);
  if (!envelope.ok()) {
    return envelope.status();
  }
  auto event = kafka::UnpackPayload<events::v1::EnterpriseChanged>(*envelope);
  if (!event.ok()) {
    return event.status();
  }
  const registry::v1::Enterprise& e = event->enterprise();
  if (e.uscc().value().size() != 18) {
    return absl::InvalidArgumentError(
        absl::StrCat("enterprise event ", envelope->event_id(), ": no valid USCC"));
  }
  const bool deregistered = e.status() == registry::v1::ENTERPRISE_STATUS_DEREGISTERED;
  absl::Status s = pool_->InTransaction([&](pqxx::work& tx) {
    tx.exec_params(
        "INSERT INTO enterprises (uscc, name, industry_code, deregistered, version) "
        "VALUES ($1, $2, $3, $4, $5) ON CONFLICT (uscc) DO UPDATE SET name = EXCLUDED.name, "
        "industry_code = EXCLUDED.industry_code, deregistered = EXCLUDED.deregistered, "
        "version = EXCLUDED.version WHERE enterprises.version < EXCLUDED.version",
        e.uscc().value(), e.name(), e.industry_code().value(), deregistered, e.version());
    return absl::OkStatus();
  });
  if (s.ok()) {
    events_applied_.fetch_add(1);
  }
  return s;
}

}  // namespace jieshui::quota
