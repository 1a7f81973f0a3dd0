#include "testing/stack.hpp"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"

namespace jieshui::testing {
namespace {

std::string EnvOr(const char* name, const char* fallback) {
  const char* value = std::getenv(name);
  return (value != nullptr && *value != '\0') ? std::string(value) : std::string(fallback);
}

}  // namespace

std::string KafkaBootstrap() { return EnvOr("JIESHUI_TEST_KAFKA", "127.0.0.1:19092"); }

std::string RedisHost() {
  std::string hp = EnvOr("JIESHUI_TEST_REDIS", "127.0.0.1:16379");
  return hp.substr(0, hp.rfind(':'));
}

int RedisPort() {
  std::string hp = EnvOr("JIESHUI_TEST_REDIS", "127.0.0.1:16379");
  int port = 16379;
  if (!absl::SimpleAtoi(hp.substr(hp.rfind(':') + 1), &port)) {
    port = 16379;
  }
  return port;
}

std::string PostgresUri() {
  return EnvOr("JIESHUI_TEST_PG", "postgresql://jieshui:jieshui@127.0.0.1:15432/jieshui");
}

std::string UniqueName(const std::string& prefix) {
  static std::atomic<int> counter{0};
  static thread_local std::mt19937_64 rng{std::random_device{}()};
  return absl::StrCat(prefix, "_", getpid(), "_", counter.fetch_add(1), "_", rng() % 1000000);
}

bool WaitFor(const std::function<bool()>& condition, std::chrono::milliseconds timeout,
             std::chrono::milliseconds interval) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (true) {
    if (condition()) {
      return true;
    }
    if (std::chrono::steady_clock::now() >= deadline) {
      return condition();
    }
    std::this_thread::sleep_for(interval);
  }
}

std::string SiblingBinary(const std::string& name) {
  std::error_code ec;
  auto self = std::filesystem::read_symlink("/proc/self/exe", ec);
  if (ec) {
    return name;
  }
  return (self.parent_path() / name).string();
}

}  // namespace jieshui::testing
