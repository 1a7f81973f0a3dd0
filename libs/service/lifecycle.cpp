#include "service/lifecycle.hpp"

#include <chrono>
#include <utility>

#include "absl/strings/str_cat.h"
#include "log/log.hpp"

namespace jieshui::service {

Lifecycle::~Lifecycle() { Stop(); }

absl::Status Lifecycle::Start(std::string name, const std::function<absl::Status()>& start,
                              std::function<void()> stop) {
  std::lock_guard lock(mu_);
  if (failed_) {
    return absl::FailedPreconditionError(
        absl::StrCat("start-up step ", name, ": an earlier step failed"));
  }
  const auto t0 = std::chrono::steady_clock::now();
  absl::Status s = start();
  if (!s.ok()) {
    failed_ = true;
    log::Error("start-up step failed", {{"step", name}, {"error", std::string(s.message())}});
    StopLocked();
    return absl::Status(s.code(), absl::StrCat("start-up step ", name, ": ", s.message()));
  }
  log::Info("started", {{"component", name},
                        {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                   std::chrono::steady_clock::now() - t0)
                                   .count()}});
  running_.push_back({std::move(name), std::move(stop)});
  return absl::OkStatus();
}

void Lifecycle::Run(std::string name, const std::function<void()>& start,
                    std::function<void()> stop) {
  (void)Start(
      std::move(name),
      [&start] {
        start();
        return absl::OkStatus();
      },
      std::move(stop));
}

void Lifecycle::Stop() {
  std::lock_guard lock(mu_);
  StopLocked();
}

void Lifecycle::StopLocked() {
  while (!running_.empty()) {
    Component c = std::move(running_.back());
    running_.pop_back();
    if (!c.stop) {
      continue;
    }
    log::Info("stopping", {{"component", c.name}});
    const auto t0 = std::chrono::steady_clock::now();
    c.stop();
    log::Info("stopped", {{"component", c.name},
                          {"ms", std::chrono::duration_cast<std::chrono::milliseconds>(
                                     std::chrono::steady_clock::now() - t0)
                                     .count()}});
  }
}

std::vector<std::string> Lifecycle::running() const {
  std::lock_guard lock(mu_);
  std::vector<std::string> names;
  names.reserve(running_.size());
  for (const Component& c : running_) {
    names.push_back(c.name);
  }
  return names;
}

}  // namespace jieshui::service
