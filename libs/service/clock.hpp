// The time a service reads (today's date in Shanghai, "now" for validation and deadlines), injected
// at start-up so tests can set it: the binary runs on the system clock.
#pragma once

#include <functional>

#include "absl/time/clock.h"
#include "absl/time/time.h"

namespace jieshui::service {

using Clock = std::function<absl::Time()>;

inline Clock SystemClock() {
  return [] { return absl::Now(); };
}

}  // namespace jieshui::service
