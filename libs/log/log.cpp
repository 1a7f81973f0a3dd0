#include "log/log.hpp"

#include <atomic>
#include <iostream>
#include <mutex>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "nlohmann/json.hpp"
#include "strings/view.hpp"

namespace jieshui::log {
namespace {

using strings::Av;

struct LoggerState {
  std::mutex mu;
  std::string service = "unknown";
  std::ostream* out = nullptr;  // nullptr: std::cout
  std::function<absl::Time()> clock;
};

LoggerState& State() {
  // Leaked on purpose: loggers are used from destructors of other statics and from threads that
  // may outlive main.
  static auto* state = new LoggerState();
  return *state;
}

std::atomic<int> g_level{static_cast<int>(Level::kInfo)};

bool IsReserved(std::string_view key) {
  return key == "ts" || key == "level" || key == "service" || key == "msg";
}

nlohmann::ordered_json ToJson(const Value& value) {
  return std::visit(
      [](const auto& v) -> nlohmann::ordered_json {
        using T = std::decay_t<decltype(v)>;
        if constexpr (std::is_same_v<T, std::nullptr_t>) {
          return nullptr;
        } else {
          return v;
        }
      },
      value.storage());
}

}  // namespace

std::string_view LevelName(Level level) {
  switch (level) {
    case Level::kDebug:
      return "debug";
    case Level::kInfo:
      return "info";
    case Level::kWarn:
      return "warn";
    case Level::kError:
      return "error";
  }
  return "info";
}

absl::StatusOr<Level> ParseLevel(std::string_view name) {
  const std::string lower = absl::AsciiStrToLower(Av(name));
  if (lower == "debug") {
    return Level::kDebug;
  }
  if (lower == "info") {
    return Level::kInfo;
  }
  if (lower == "warn" || lower == "warning") {
    return Level::kWarn;
  }
  if (lower == "error") {
    return Level::kError;
  }
  return absl::InvalidArgumentError(
      absl::StrCat("log level: expected debug, info, warn or error, got \"", Av(name), "\""));
}

void Init(std::string_view service_name, Level level) {
  LoggerState& state = State();
  {
    std::lock_guard<std::mutex> lock(state.mu);
    state.service = std::string(service_name);
  }
  SetLevel(level);
}

void SetLevel(Level level) { g_level.store(static_cast<int>(level), std::memory_order_relaxed); }

Level GetLevel() { return static_cast<Level>(g_level.load(std::memory_order_relaxed)); }

bool Enabled(Level level) {
  return static_cast<int>(level) >= g_level.load(std::memory_order_relaxed);
}

void SetOutputForTesting(std::ostream* out) {
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.out = out;
}

void SetClockForTesting(std::function<absl::Time()> clock) {
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  state.clock = std::move(clock);
}

std::string FormatLine(absl::Time ts, Level level, std::string_view service, std::string_view msg,
                       Fields fields) {
  nlohmann::ordered_json line;
  line["ts"] = absl::FormatTime("%Y-%m-%dT%H:%M:%E3SZ", ts, absl::UTCTimeZone());
  line["level"] = std::string(LevelName(level));
  line["service"] = std::string(service);
  line["msg"] = std::string(msg);
  for (const Field& field : fields) {
    if (IsReserved(field.key)) {
      continue;
    }
    line[std::string(field.key)] = ToJson(field.value);
  }
  // `replace` instead of the default `strict`: invalid UTF-8 must not throw out of a log call.
  return line.dump(-1, ' ', false, nlohmann::ordered_json::error_handler_t::replace);
}

void Write(Level level, std::string_view msg, Fields fields) {
  if (!Enabled(level)) {
    return;
  }
  LoggerState& state = State();
  std::lock_guard<std::mutex> lock(state.mu);
  const absl::Time now = state.clock ? state.clock() : absl::Now();
  std::string text = FormatLine(now, level, state.service, msg, fields);
  text.push_back('\n');
  std::ostream& out = state.out != nullptr ? *state.out : std::cout;
  // One write and a flush per line: a supervisor reading the pipe sees whole lines promptly.
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
  out.flush();
}

}  // namespace jieshui::log
