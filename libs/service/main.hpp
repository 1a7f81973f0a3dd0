// The main() every Jieshui service shares: --config, configuration with its environment overrides,
// logging, start, wait for SIGTERM or SIGINT, stop. A service's main.cpp names itself, its loader
// and its app, and nothing else.
#pragma once

#include <cstdio>
#include <exception>
#include <string>
#include <utility>

#include "CLI/CLI.hpp"
#include "config/config_loader.hpp"
#include "grpcserver/server.hpp"
#include "log/log.hpp"
#include "service/clock.hpp"

namespace jieshui::service {

struct MainSpec {
  std::string name;            // "quota": config prefix JIESHUI_QUOTA_, log service name
  std::string description;     // --help
  std::string default_config;  // "services/quota/quota.yaml"
};

// `load(const config::ConfigLoader&)` returns absl::StatusOr<Config> whose `common.log_level` is
// set; `start(Config, Clock)` (the system clock here) returns absl::StatusOr<std::unique_ptr<App>>
// with App::Stop(). Exit codes: 0 after a clean stop, 1 when start-up failed, 2 for bad flags or
// configuration.
template <typename Load, typename Start>
int RunMain(int argc, char** argv, const MainSpec& spec, Load load, Start start) {
  // Before any thread exists, so every thread inherits the mask and sigwait() gets the signal.
  grpcserver::BlockShutdownSignals();
  try {
    CLI::App cli(spec.description);
    std::string config_path = spec.default_config;
    cli.add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
    CLI11_PARSE(cli, argc, argv);

    auto config = config::ConfigLoader::Load(spec.name, config_path);
    if (!config.ok()) {
      std::fprintf(stderr, "%s: %s\n", spec.name.c_str(),
                   std::string(config.status().message()).c_str());
      return 2;
    }
    auto settings = load(*config);
    if (!settings.ok()) {
      std::fprintf(stderr, "%s: %s\n", spec.name.c_str(),
                   std::string(settings.status().message()).c_str());
      return 2;
    }
    log::Init(spec.name, settings->common.log_level);
    // Once at start-up, secrets redacted (Dump).
    for (const auto& [key, value] : config->Dump()) {
      log::Info("config", {{"file", config_path}, {"key", key}, {"value", value}});
    }
    auto app = start(*std::move(settings), SystemClock());
    if (!app.ok()) {
      log::Error("start failed", {{"error", std::string(app.status().message())}});
      return 1;
    }
    const int signal = grpcserver::WaitForShutdownSignal();
    log::Info("shutdown requested", {{"signal", signal}});
    (*app)->Stop();
    return 0;
  } catch (const std::exception& e) {
    // Libraries return statuses; this catches what escapes third-party code (CLI11, allocation).
    std::fprintf(stderr, "%s: %s\n", spec.name.c_str(), e.what());
    return 1;
  }
}

}  // namespace jieshui::service
