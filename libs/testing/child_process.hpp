// Test helper: runs a program as a child process with its stdout on a pipe, reads its lines with a
// deadline, signals it (SIGTERM, SIGKILL) and collects its exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

namespace jieshui::testing {

class ChildProcess {
 public:
  ChildProcess() = default;
  ~ChildProcess();  // SIGKILLs a child still running
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  // argv[0] is the program path. Returns false if it could not be started.
  bool Start(const std::vector<std::string>& argv);

  // Next line of the child's stdout (without '\n'), or nullopt at EOF or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Reads lines until one contains `needle`; returns that line.
  std::optional<std::string> WaitForLine(const std::string& needle,
                                         std::chrono::milliseconds timeout);
  // Every line read so far.
  const std::vector<std::string>& lines() const { return lines_; }

  void Signal(int signo);
  // Exit code (or 128+signal) once the child ends within `timeout`; nullopt if it did not.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  pid_t pid_ = -1;
  int out_fd_ = -1;
  std::string buffer_;
  std::vector<std::string> lines_;
  std::optional<int> exit_code_;
};

}  // namespace jieshui::testing
