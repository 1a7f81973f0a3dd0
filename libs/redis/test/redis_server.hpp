// Test helper: a private redis-server child process on a free loopback port with its own data
// folder, which a test can stop, restart on the same port, pause (SIGSTOP) and resume.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

namespace jieshui::redis::testing {

class RedisServerProcess {
 public:
  // Starts `redis-server` (or $JIESHUI_REDIS_SERVER) on 127.0.0.1 with persistence off plus
  // `extra_args`, and waits until it answers. Retries on another port if the chosen one was taken.
  static absl::StatusOr<std::unique_ptr<RedisServerProcess>> Start(
      std::vector<std::string> extra_args = {});

  RedisServerProcess(const RedisServerProcess&) = delete;
  RedisServerProcess& operator=(const RedisServerProcess&) = delete;
  // Kills the server if it still runs and removes its folder.
  ~RedisServerProcess();

  int port() const { return port_; }

  // SIGTERM, then waits for the process to exit.
  absl::Status Stop();
  // Starts again on the same port and waits until it answers.
  absl::Status Restart();
  // SIGSTOP / SIGCONT: the server keeps its sockets but answers nothing.
  void Pause();
  void Resume();

 private:
  RedisServerProcess(std::string dir, std::vector<std::string> extra_args);

  absl::Status Spawn();
  absl::Status WaitUntilAnswering();
  bool Exited();

  std::string dir_;
  std::vector<std::string> extra_args_;
  int port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace jieshui::redis::testing
