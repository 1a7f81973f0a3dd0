#include "kafka/table_follower.hpp"

#include <algorithm>
#include <utility>

#include "kafka/dead_letter.hpp"
#include "log/log.hpp"

namespace jieshui::kafka {

TableFollower::TableFollower(TableFollowerOptions options, Apply apply)
    : options_(std::move(options)), apply_(std::move(apply)) {}

TableFollower::~TableFollower() { Stop(); }

absl::Status TableFollower::Start(std::chrono::milliseconds timeout) {
  auto reader = TopicReader::Create(options_.bootstrap_servers, options_.topic);
  if (!reader.ok()) {
    return reader.status();
  }
  reader_ = *std::move(reader);
  absl::Status s = reader_->CatchUp(timeout, [this](const Message& m) {
    absl::Status applied = apply_(m);
    if (applied.ok()) {
      applied_.fetch_add(1);
      return applied;
    }
    return Classify(applied) == Outcome::kPoison ? Skip(m, applied) : applied;
  });
  if (!s.ok()) {
    return s;
  }
  log::Info("table loaded", {{"table", options_.name},
                             {"topic", options_.topic},
                             {"events", applied_.load()},
                             {"skipped", skipped_.load()}});
  thread_ = std::thread([this] { Follow(); });
  return absl::OkStatus();
}

void TableFollower::Stop() {
  {
    std::lock_guard lock(stop_mu_);
    stop_ = true;
  }
  stop_cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

void TableFollower::Follow() {
  while (true) {
    {
      std::lock_guard lock(stop_mu_);
      if (stop_) {
        return;
      }
    }
    auto message = reader_->Poll(options_.poll_timeout);
    if (!message.ok()) {
      log::Warn("table: poll failed",
                {{"table", options_.name}, {"error", std::string(message.status().message())}});
      continue;
    }
    if (message->has_value()) {
      ApplyWithRetry(**message);
    }
  }
}

void TableFollower::ApplyWithRetry(const Message& message) {
  std::chrono::milliseconds backoff = options_.backoff_initial;
  while (true) {
    absl::Status s = apply_(message);
    if (s.ok()) {
      applied_.fetch_add(1);
      return;
    }
    if (Classify(s) == Outcome::kPoison) {
      (void)Skip(message, s);
      return;
    }
    log::Warn("table: apply failed, retrying", {{"table", options_.name},
                                                {"offset", message.offset},
                                                {"error", std::string(s.message())}});
    std::unique_lock lock(stop_mu_);
    if (stop_cv_.wait_for(lock, backoff, [this] { return stop_; })) {
      return;
    }
    backoff = std::min(backoff * 2, options_.backoff_max);
  }
}

absl::Status TableFollower::Skip(const Message& message, const absl::Status& why) {
  skipped_.fetch_add(1);
  log::Warn("table: skipped an event", {{"table", options_.name},
                                        {"topic", message.topic},
                                        {"partition", message.partition},
                                        {"offset", message.offset},
                                        {"error", std::string(why.message())}});
  return absl::OkStatus();
}

}  // namespace jieshui::kafka
