#include "redis_server.hpp"

#include <arpa/inet.h>
#include <hiredis/hiredis.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>

#include "absl/strings/str_cat.h"
#include "testing/stack.hpp"

namespace jieshui::redis::testing {
namespace {

// Binds 127.0.0.1:0 and returns the port the kernel chose (then releases it for the server).
absl::StatusOr<int> FreeLoopbackPort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    return absl::InternalError(absl::StrCat("socket: ", std::strerror(errno)));
  }
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  socklen_t length = sizeof(address);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof(address)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&address), &length) != 0) {
    const std::string error = std::strerror(errno);
    close(fd);
    return absl::InternalError(absl::StrCat("bind 127.0.0.1:0: ", error));
  }
  close(fd);
  return static_cast<int>(ntohs(address.sin_port));
}

// True when something on the port answers a RESP command (PONG, or NOAUTH when a password is
// required: either way the server is up).
bool Answers(int port) {
  redisContext* context = redisConnectWithTimeout("127.0.0.1", port, timeval{0, 200000});
  bool answered = false;
  if (context != nullptr && context->err == 0) {
    redisSetTimeout(context, timeval{0, 200000});
    const char* argv[] = {"PING"};
    const size_t lengths[] = {4};
    void* reply = redisCommandArgv(context, 1, argv, lengths);
    answered = reply != nullptr;
    if (reply != nullptr) {
      freeReplyObject(reply);
    }
  }
  if (context != nullptr) {
    redisFree(context);
  }
  return answered;
}

std::string ServerBinary() {
  const char* binary = std::getenv("JIESHUI_REDIS_SERVER");
  return (binary != nullptr && *binary != '\0') ? binary : "redis-server";
}

}  // namespace

RedisServerProcess::RedisServerProcess(std::string dir, std::vector<std::string> extra_args)
    : dir_(std::move(dir)), extra_args_(std::move(extra_args)) {}

absl::StatusOr<std::unique_ptr<RedisServerProcess>> RedisServerProcess::Start(
    std::vector<std::string> extra_args) {
  std::string dir_template =
      (std::filesystem::temp_directory_path() / "jieshui-redis-test-XXXXXX").string();
  if (mkdtemp(dir_template.data()) == nullptr) {
    return absl::InternalError(absl::StrCat("mkdtemp: ", std::strerror(errno)));
  }
  std::unique_ptr<RedisServerProcess> server(
      new RedisServerProcess(dir_template, std::move(extra_args)));
  absl::Status last = absl::UnknownError("no attempt");
  // Another process may grab the port between FreeLoopbackPort() and redis' bind: try again.
  for (int attempt = 0; attempt < 5; ++attempt) {
    absl::StatusOr<int> port = FreeLoopbackPort();
    if (!port.ok()) {
      return port.status();
    }
    server->port_ = *port;
    last = server->Spawn();
    if (last.ok()) {
      last = server->WaitUntilAnswering();
    }
    if (last.ok()) {
      return server;
    }
    if (server->pid_ > 0) {
      kill(server->pid_, SIGKILL);
      waitpid(server->pid_, nullptr, 0);
      server->pid_ = -1;
    }
  }
  return last;
}

RedisServerProcess::~RedisServerProcess() {
  if (pid_ > 0) {
    kill(pid_, SIGKILL);  // also ends a stopped (SIGSTOP) process
    waitpid(pid_, nullptr, 0);
  }
  std::error_code ignored;
  std::filesystem::remove_all(dir_, ignored);
}

absl::Status RedisServerProcess::Spawn() {
  // Everything the child needs is built before fork(): after it, only exec-safe calls.
  std::vector<std::string> args = {ServerBinary(),
                                   "--port",
                                   absl::StrCat(port_),
                                   "--bind",
                                   "127.0.0.1",
                                   "--save",
                                   "",
                                   "--appendonly",
                                   "no",
                                   "--daemonize",
                                   "no",
                                   "--dir",
                                   dir_,
                                   "--logfile",
                                   dir_ + "/redis.log"};
  args.insert(args.end(), extra_args_.begin(), extra_args_.end());
  std::vector<char*> argv;
  argv.reserve(args.size() + 1);
  for (std::string& arg : args) {
    argv.push_back(arg.data());
  }
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const pid_t pid = fork();
  if (pid < 0) {
    return absl::InternalError(absl::StrCat("fork: ", std::strerror(errno)));
  }
  if (pid == 0) {
    // Dies with the test process, even if the test crashes.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) {
      _exit(1);
    }
    // A gRPC server in the test process blocks SIGTERM in the thread that created it
    // (grpcserver::BlockShutdownSignals); the mask survives exec, and redis-server would then
    // ignore Stop()'s SIGTERM.
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, nullptr);
    execvp(argv[0], argv.data());
    _exit(127);
  }
  pid_ = pid;
  return absl::OkStatus();
}

bool RedisServerProcess::Exited() {
  if (pid_ <= 0) {
    return true;
  }
  if (waitpid(pid_, nullptr, WNOHANG) == pid_) {
    pid_ = -1;
    return true;
  }
  return false;
}

absl::Status RedisServerProcess::WaitUntilAnswering() {
  bool exited = false;
  const bool up = jieshui::testing::WaitFor(
      [&] {
        exited = Exited();
        return exited || Answers(port_);
      },
      std::chrono::seconds(10));
  if (exited) {
    return absl::UnavailableError(
        absl::StrCat("redis-server on port ", port_, " exited; see ", dir_, "/redis.log"));
  }
  if (!up) {
    return absl::DeadlineExceededError(
        absl::StrCat("redis-server on port ", port_, " did not answer within 10s"));
  }
  return absl::OkStatus();
}

absl::Status RedisServerProcess::Stop() {
  if (pid_ <= 0) {
    return absl::FailedPreconditionError("redis-server is not running");
  }
  kill(pid_, SIGCONT);  // a paused server cannot handle SIGTERM
  kill(pid_, SIGTERM);
  if (!jieshui::testing::WaitFor([&] { return Exited(); }, std::chrono::seconds(10))) {
    kill(pid_, SIGKILL);
    waitpid(pid_, nullptr, 0);
    pid_ = -1;
    return absl::DeadlineExceededError("redis-server ignored SIGTERM for 10s; killed");
  }
  return absl::OkStatus();
}

absl::Status RedisServerProcess::Restart() {
  if (pid_ > 0) {
    return absl::FailedPreconditionError("redis-server is still running");
  }
  if (absl::Status spawned = Spawn(); !spawned.ok()) {
    return spawned;
  }
  return WaitUntilAnswering();
}

void RedisServerProcess::Pause() { kill(pid_, SIGSTOP); }

void RedisServerProcess::Resume() { kill(pid_, SIGCONT); }

}  // namespace jieshui::redis::testing
