// Structured JSON logging for Jieshui services: one JSON object per line on stdout with ts, level,
// service, msg and any key/values (request_id, event_id, uscc, topic, partition, offset, ...).
#pragma once

#include <cstdint>
#include <functional>
#include <initializer_list>
#include <ostream>
#include <string>
#include <string_view>
#include <type_traits>
#include <variant>

#include "absl/status/statusor.h"
#include "absl/time/time.h"

namespace jieshui::log {

enum class Level { kDebug = 0, kInfo = 1, kWarn = 2, kError = 3 };

// "debug", "info", "warn", "error".
std::string_view LevelName(Level level);
// Accepts the names above (case-insensitive) and "warning"; INVALID_ARGUMENT otherwise.
absl::StatusOr<Level> ParseLevel(std::string_view name);

// One value of a key/value pair. Strings, integers, floating point and booleans are kept as
// their JSON type; anything that is not valid UTF-8 is written with replacement characters.
class Value {
 public:
  using Storage =
      std::variant<std::string, std::int64_t, std::uint64_t, double, bool, std::nullptr_t>;

  // Implicit by design, so call sites write {{"uscc", u}, {"offset", 12}}.
  // NOLINTBEGIN(google-explicit-constructor)
  Value(const char* v) : storage_(v == nullptr ? Storage(nullptr) : Storage(std::string(v))) {}
  Value(std::string_view v) : storage_(std::string(v)) {}
  Value(const std::string& v) : storage_(v) {}
  Value(std::string&& v) : storage_(std::move(v)) {}
  Value(bool v) : storage_(v) {}
  Value(double v) : storage_(v) {}
  Value(float v) : storage_(static_cast<double>(v)) {}
  Value(std::nullptr_t) : storage_(nullptr) {}
  template <typename T,
            std::enable_if_t<std::is_integral_v<T> && !std::is_same_v<T, bool>, int> = 0>
  Value(T v) {
    if constexpr (std::is_signed_v<T>) {
      storage_ = static_cast<std::int64_t>(v);
    } else {
      storage_ = static_cast<std::uint64_t>(v);
    }
  }
  // NOLINTEND(google-explicit-constructor)

  const Storage& storage() const { return storage_; }

 private:
  Storage storage_;
};

struct Field {
  std::string_view key;
  Value value;
};

using Fields = std::initializer_list<Field>;

// Configures the process-wide logger. Safe to call again (e.g. tests); lines already written are
// unaffected. Before Init, the service is "unknown" and the level is info.
void Init(std::string_view service_name, Level level);
void SetLevel(Level level);
Level GetLevel();
bool Enabled(Level level);

// Redirects output (default std::cout). The stream must outlive its use; nullptr restores stdout.
// Meant for tests.
void SetOutputForTesting(std::ostream* out);
// Replaces the clock used for "ts" (default absl::Now). nullptr restores it. Meant for tests.
void SetClockForTesting(std::function<absl::Time()> clock);

// Writes one line if `level` is enabled. Thread-safe: lines from concurrent callers never
// interleave. Keys named ts, level, service or msg in `fields` are ignored (the fixed fields win).
void Write(Level level, std::string_view msg, Fields fields = {});

inline void Debug(std::string_view msg, Fields fields = {}) { Write(Level::kDebug, msg, fields); }
inline void Info(std::string_view msg, Fields fields = {}) { Write(Level::kInfo, msg, fields); }
inline void Warn(std::string_view msg, Fields fields = {}) { Write(Level::kWarn, msg, fields); }
inline void Error(std::string_view msg, Fields fields = {}) { Write(Level::kError, msg, fields); }

// The line Write would emit, without the newline. Exposed for tests and for callers that need the
// exact text (e.g. to forward it elsewhere).
std::string FormatLine(absl::Time ts, Level level, std::string_view service, std::string_view msg,
                       Fields fields);

}  // namespace jieshui::log
