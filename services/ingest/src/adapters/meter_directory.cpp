#include "ingest/src/adapters/meter_directory.hpp"

#include <mutex>

#include "absl/strings/str_cat.h"
#include "ingest/src/adapters/record_codec.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/envelope.hpp"
#include "log/log.hpp"

namespace jieshui::ingest {
namespace {

std::string Hj212Key(const std::string& mn, const std::string& code) {
  return absl::StrCat(mn, "\x1f", code);
}

}  // namespace

MeterDirectory::MeterDirectory(std::string bootstrap_servers, std::string meter_topic)
    : follower_({.name = "meter directory",
                 .bootstrap_servers = std::move(bootstrap_servers),
                 .topic = std::move(meter_topic)},
                [this](const kafka::Message& m) { return ApplyEvent(m.value); }) {}

MeterDirectory::~MeterDirectory() { Stop(); }

absl::Status MeterDirectory::Start(std::chrono::milliseconds timeout) {
  if (absl::Status s = follower_.Start(timeout); !s.ok()) {
    return s;
  }
  log::Info("meter directory loaded", {{"meters", static_cast<int64_t>(size())}});
  return absl::OkStatus();
}

absl::Status MeterDirectory::ApplyEvent(const std::string& value) {
  auto envelope = kafka::DecodeEnvelope(value);
  if (!envelope.ok()) {
    return absl::InvalidArgumentError(absl::StrCat("not an event: ", envelope.status().message()));
  }
  auto changed = kafka::UnpackPayload<events::v1::MeterChanged>(*envelope);
  if (!changed.ok()) {
    return absl::InvalidArgumentError(absl::StrCat(
        "event ", envelope->event_id(), ": unexpected payload: ", changed.status().message()));
  }
  auto info = MeterInfoFromRegistry(changed->meter());
  if (!info.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat("meter ", changed->meter().meter_id(), " skipped: ", info.status().message()));
  }
  std::unique_lock lock(mu_);
  const std::string id = info->meter_id;
  if (auto old = hj212_of_.find(id); old != hj212_of_.end()) {
    auto it = by_hj212_.find(old->second);
    if (it != by_hj212_.end() && it->second == id) {
      by_hj212_.erase(it);
    }
    const std::string mn = old->second.substr(0, old->second.find('\x1f'));
    if (auto count = meters_of_mn_.find(mn); count != meters_of_mn_.end() && --count->second == 0) {
      meters_of_mn_.erase(count);
    }
    hj212_of_.erase(old);
  }
  const auto& hj212 = changed->meter().hj212();
  if (!info->retired && !hj212.mn().empty()) {
    const std::string key = Hj212Key(hj212.mn(), hj212.data_code());
    by_hj212_[key] = id;
    hj212_of_[id] = key;
    ++meters_of_mn_[hj212.mn()];
  }
  meters_[id] = std::make_shared<const MeterInfo>(*std::move(info));
  generation_.fetch_add(1, std::memory_order_release);
  ++events_applied_;
  return absl::OkStatus();
}

std::shared_ptr<const MeterInfo> MeterDirectory::Find(const std::string& meter_id) const {
  std::shared_lock lock(mu_);
  auto it = meters_.find(meter_id);
  return it == meters_.end() ? nullptr : it->second;
}

std::shared_ptr<const MeterInfo> MeterDirectory::FindByHj212(const std::string& mn,
                                                             const std::string& data_code) const {
  std::shared_lock lock(mu_);
  auto it = by_hj212_.find(Hj212Key(mn, data_code));
  if (it == by_hj212_.end()) {
    return nullptr;
  }
  auto meter = meters_.find(it->second);
  return meter == meters_.end() ? nullptr : meter->second;
}

bool MeterDirectory::KnowsHj212Mn(const std::string& mn) const {
  std::shared_lock lock(mu_);
  return meters_of_mn_.contains(mn);
}

size_t MeterDirectory::size() const {
  std::shared_lock lock(mu_);
  return meters_.size();
}

}  // namespace jieshui::ingest
