// Test helper: runs a program as a child process, collects its stdout lines on a reader thread
// (so a chatty child never blocks on a full pipe), waits for lines with a deadline, signals it
// (SIGTERM, SIGKILL) and collects its exit status.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
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

  // The next stdout line not returned yet (without '\n'), or nullopt at EOF or after `timeout`.
  std::optional<std::string> ReadLine(std::chrono::milliseconds timeout);
  // Reads lines until one contains `needle`; returns that line.
  std::optional<std::string> WaitForLine(const std::string& needle,
                                         std::chrono::milliseconds timeout);
  // Every complete stdout line so far, whether returned by ReadLine or not.
  std::vector<std::string> Lines() const;

  void Signal(int signo);
  // Exit code, or 128 + signal number, once the child ends within `timeout`; nullopt otherwise.
  std::optional<int> Wait(std::chrono::milliseconds timeout);
  pid_t pid() const { return pid_; }

 private:
  void ReadAll(int fd);

  pid_t pid_ = -1;
  std::optional<int> exit_code_;
  std::thread reader_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::vector<std::string> lines_;  // guarded by mu_
  size_t next_ = 0;                 // next line for ReadLine; guarded by mu_
  bool eof_ = false;                // guarded by mu_
};

}  // namespace jieshui::testing
