// A service's components started in order and stopped in reverse: each start that succeeds
// registers its stop (after Redpanda's deferred stops), so a start-up that fails halfway unwinds
// what it started, and SIGTERM stops everything in reverse start order.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <vector>

#include "absl/status/status.h"

namespace jieshui::service {

class Lifecycle {
 public:
  Lifecycle() = default;
  ~Lifecycle();  // Stop()s what is still running.
  Lifecycle(const Lifecycle&) = delete;
  Lifecycle& operator=(const Lifecycle&) = delete;

  // Runs `start`. When it succeeds, `stop` (may be empty) is kept to run at Stop(). When it fails,
  // every component started before is stopped, latest first, and the error is returned with the
  // step named: "start-up step <name>: <message>", its code kept. A Lifecycle that failed starts
  // nothing more (FAILED_PRECONDITION).
  absl::Status Start(std::string name, const std::function<absl::Status()>& start,
                     std::function<void()> stop = {});
  // A component whose start cannot fail (a thread, a cache): runs `start`, keeps `stop`.
  void Run(std::string name, const std::function<void()>& start, std::function<void()> stop);

  // Stops the components latest first, each logged ("stopping", "stopped" with its duration).
  // Idempotent; thread-safe.
  void Stop();

  // Names of the components running now, in start order.
  std::vector<std::string> running() const;

 private:
  struct Component {
    std::string name;
    std::function<void()> stop;
  };
  void StopLocked();

  mutable std::mutex mu_;
  std::vector<Component> running_;
  bool failed_ = false;
};

}  // namespace jieshui::service
