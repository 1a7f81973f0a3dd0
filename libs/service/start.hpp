// Starting a service in-process as its binary would (libs/service/main.hpp): for tests and
// benchmarks that run services inside their own process.
#pragma once

#include <string>
#include <utility>

#include "config/config_loader.hpp"
#include "service/clock.hpp"

namespace jieshui::service {

// Loads `config_path` with `env` as the JIESHUI_<NAME>_* overrides, then the service's
// `load(const config::ConfigLoader&)` and `start(Config, Clock)` as RunMain calls them, on
// `clock` (a test's fixed or shifted time). Returns the app, or the first error.
template <typename Load, typename Start>
auto LoadAndStart(const std::string& name, const std::string& config_path,
                  const config::EnvMap& env, Load load, Start start, Clock clock = SystemClock())
    -> decltype(start(*load(std::declval<const config::ConfigLoader&>()), SystemClock())) {
  auto config = config::ConfigLoader::Load(name, config_path, env);
  if (!config.ok()) {
    return config.status();
  }
  auto settings = load(*config);
  if (!settings.ok()) {
    return settings.status();
  }
  return start(*std::move(settings), std::move(clock));
}

}  // namespace jieshui::service
