#include "testing/child_process.hpp"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>
#include <cerrno>

extern char** environ;

namespace jieshui::testing {

ChildProcess::~ChildProcess() {
  if (pid_ > 0 && !exit_code_.has_value()) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
  }
  if (reader_.joinable()) {
    reader_.join();  // the pipe closes when the child is gone
  }
}

bool ChildProcess::Start(const std::vector<std::string>& argv) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) {
    return false;
  }
  // Closed by a successful exec; written with errno by a failed one.
  int exec_fds[2];
  if (pipe2(exec_fds, O_CLOEXEC) != 0) {
    close(fds[0]);
    close(fds[1]);
    return false;
  }
  std::vector<char*> args;
  args.reserve(argv.size() + 1);
  for (const auto& a : argv) {
    args.push_back(const_cast<char*>(a.c_str()));
  }
  args.push_back(nullptr);
  const pid_t parent = getpid();
  pid_ = fork();
  if (pid_ == 0) {
    // In the child, only async-signal-safe calls. It dies with the test process (SIGKILL when the
    // thread that started it ends: tests start children from their own thread), so a test that
    // crashes leaves no service running and ctest does not wait out its timeout.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(127);
    }
    dup2(fds[1], STDOUT_FILENO);
    // The child must not inherit signals the test process blocked (a server waits on SIGTERM).
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execve(args[0], args.data(), environ);
    const int error = errno;
    (void)!write(exec_fds[1], &error, sizeof(error));
    _exit(127);
  }
  close(fds[1]);
  close(exec_fds[1]);
  if (pid_ < 0) {
    close(fds[0]);
    close(exec_fds[0]);
    pid_ = -1;
    return false;
  }
  int exec_error = 0;
  const ssize_t got = read(exec_fds[0], &exec_error, sizeof(exec_error));
  close(exec_fds[0]);
  if (got > 0) {  // the exec failed: the child is gone
    waitpid(pid_, nullptr, 0);
    close(fds[0]);
    pid_ = -1;
    return false;
  }
  reader_ = std::thread([this, fd = fds[0]] { ReadAll(fd); });
  return true;
}

void ChildProcess::ReadAll(int fd) {
  std::string partial;
  char chunk[4096];
  while (true) {
    const ssize_t n = read(fd, chunk, sizeof(chunk));
    if (n <= 0) {
      break;
    }
    partial.append(chunk, static_cast<size_t>(n));
    std::lock_guard<std::mutex> lock(mu_);
    size_t nl;
    while ((nl = partial.find('\n')) != std::string::npos) {
      lines_.push_back(partial.substr(0, nl));
      partial.erase(0, nl + 1);
    }
    cv_.notify_all();
  }
  close(fd);
  std::lock_guard<std::mutex> lock(mu_);
  if (!partial.empty()) {
    lines_.push_back(partial);
  }
  eof_ = true;
  cv_.notify_all();
}

std::optional<std::string> ChildProcess::ReadLine(std::chrono::milliseconds timeout) {
  std::unique_lock<std::mutex> lock(mu_);
  cv_.wait_for(lock, timeout, [this] { return next_ < lines_.size() || eof_; });
  if (next_ < lines_.size()) {
    return lines_[next_++];
  }
  return std::nullopt;
}

std::optional<std::string> ChildProcess::WaitForLine(const std::string& needle,
                                                     std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        deadline - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      return std::nullopt;
    }
    auto line = ReadLine(left);
    if (!line.has_value()) {
      return std::nullopt;  // EOF or deadline
    }
    if (line->find(needle) != std::string::npos) {
      return line;
    }
  }
}

std::vector<std::string> ChildProcess::Lines() const {
  std::lock_guard<std::mutex> lock(mu_);
  return lines_;
}

void ChildProcess::Signal(int signo) {
  if (pid_ > 0 && !exit_code_.has_value()) {
    kill(pid_, signo);
  }
}

std::optional<int> ChildProcess::Wait(std::chrono::milliseconds timeout) {
  if (exit_code_.has_value() || pid_ <= 0) {
    return exit_code_;
  }
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      exit_code_ = WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
      if (reader_.joinable()) {
        reader_.join();  // all output is in once the child is gone
      }
      return exit_code_;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return std::nullopt;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace jieshui::testing
