#include "redis/options.hpp"

#include <algorithm>

#include "absl/strings/str_cat.h"

namespace jieshui::redis {

absl::Status ValidateOptions(const Options& options) {
  if (options.host.empty()) {
    return absl::InvalidArgumentError("redis options: host is empty");
  }
  if (options.port <= 0 || options.port > 65535) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis options: port ", options.port, " is not in 1..65535"));
  }
  if (options.pool_size <= 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis options: pool_size ", options.pool_size, " must be positive"));
  }
  // hiredis treats a zero timeval as "no timeout", which would let one stuck server hang a
  // caller forever; require real budgets.
  if (options.connect_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("redis options: connect_timeout must be positive");
  }
  if (options.command_timeout <= absl::ZeroDuration()) {
    return absl::InvalidArgumentError("redis options: command_timeout must be positive");
  }
  if (options.borrow_timeout < absl::ZeroDuration()) {
    return absl::InvalidArgumentError("redis options: borrow_timeout must not be negative");
  }
  if (options.db < 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("redis options: db ", options.db, " must not be negative"));
  }
  if (options.username.has_value() && !options.password.has_value()) {
    return absl::InvalidArgumentError("redis options: username given without password");
  }
  if (options.reconnect_backoff_initial <= absl::ZeroDuration() ||
      options.reconnect_backoff_max < options.reconnect_backoff_initial) {
    return absl::InvalidArgumentError(
        "redis options: need 0 < reconnect_backoff_initial <= reconnect_backoff_max");
  }
  return absl::OkStatus();
}

absl::Duration ReconnectBackoff(const Options& options, int consecutive_failures) {
  if (consecutive_failures <= 0) {
    return absl::ZeroDuration();
  }
  absl::Duration wait = options.reconnect_backoff_initial;
  for (int i = 1; i < consecutive_failures && wait < options.reconnect_backoff_max; ++i) {
    wait *= 2;
  }
  return std::min(wait, options.reconnect_backoff_max);
}

}  // namespace jieshui::redis
