// Reading a service's own keys into its config struct in one pass: integers with bounds, durations
// (with a lower bound, or as milliseconds), booleans, strings, enums and lists. The first error is
// kept and returned by status(); every error names the key and its environment variable.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>
#include <vector>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "config/config_loader.hpp"

namespace jieshui::config {

// Usage:
//   config::Reader r(loader);
//   r.Int("quota.max_batch_messages", 1, 100000, &out.max_batch)
//    .Duration("quota.cache_ttl", &out.cache_ttl, absl::Seconds(1))
//    .String("quota.topics.usage", &out.usage_topic);
//   if (!r.ok()) return r.status();
// Once one key fails, the later calls read nothing.
class Reader {
 public:
  explicit Reader(const ConfigLoader& config) : config_(config) {}

  Reader& String(std::string_view key, std::string* out) {
    return Take(config_.GetString(key), out);
  }
  // A file's path, relative ones from the configuration file's folder (ConfigLoader::GetPath).
  Reader& Path(std::string_view key, std::string* out) { return Take(config_.GetPath(key), out); }
  Reader& Bool(std::string_view key, bool* out) { return Take(config_.GetBool(key), out); }
  Reader& List(std::string_view key, std::vector<std::string>* out) {
    return Take(config_.GetStringList(key), out);
  }
  // A decimal integer in [min, max], into any integer type that holds that range.
  template <typename Integer>
  Reader& Int(std::string_view key, int64_t min, int64_t max, Integer* out) {
    static_assert(std::is_integral_v<Integer>);
    int64_t value = 0;
    Take(config_.GetInt(key, min, max), &value);
    if (status_.ok()) {
      *out = static_cast<Integer>(value);
    }
    return *this;
  }
  // A duration of at least `min`.
  Reader& Duration(std::string_view key, absl::Duration* out,
                   absl::Duration min = absl::ZeroDuration()) {
    Take(config_.GetDuration(key), out);
    if (status_.ok() && *out < min) {
      Fail(key, absl::StrCat("must be at least ", absl::FormatDuration(min)));
    }
    return *this;
  }
  // A duration as whole milliseconds, of at least `min_ms`.
  Reader& Millis(std::string_view key, int64_t* out, int64_t min_ms = 0) {
    absl::Duration d;
    Duration(key, &d, absl::Milliseconds(min_ms));
    if (status_.ok()) {
      *out = absl::ToInt64Milliseconds(d);
    }
    return *this;
  }
  // One of `names` (exact), mapped to its value.
  template <typename E>
  Reader& Enum(std::string_view key, const std::vector<std::pair<std::string, E>>& names, E* out) {
    std::string text;
    String(key, &text);
    if (!status_.ok()) {
      return *this;
    }
    for (const auto& [name, value] : names) {
      if (name == text) {
        *out = value;
        return *this;
      }
    }
    std::vector<std::string> allowed;
    for (const auto& entry : names) {
      allowed.push_back(entry.first);
    }
    return Fail(key, absl::StrCat("\"", text, "\" is not one of ", absl::StrJoin(allowed, ", ")));
  }
  // A check of values already read: INVALID_ARGUMENT naming `key` with `reason` unless `holds`.
  Reader& Require(bool holds, std::string_view key, std::string_view reason) {
    return holds ? *this : Fail(key, reason);
  }

  bool ok() const { return status_.ok(); }
  const absl::Status& status() const { return status_; }

 private:
  template <typename T>
  Reader& Take(absl::StatusOr<T> value, T* out) {
    if (!status_.ok()) {
      return *this;
    }
    if (!value.ok()) {
      status_ = value.status();
    } else {
      *out = *std::move(value);
    }
    return *this;
  }
  Reader& Fail(std::string_view key, std::string_view reason) {
    if (status_.ok()) {
      status_ = absl::InvalidArgumentError(absl::StrCat("config key ", std::string(key), " (env ",
                                                        config_.EnvVarFor(key),
                                                        "): ", std::string(reason)));
    }
    return *this;
  }

  const ConfigLoader& config_;
  absl::Status status_;
};

}  // namespace jieshui::config
