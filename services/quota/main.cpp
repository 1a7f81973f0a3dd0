// jieshui-quota: water plans, product quotas, usage, alerts, surcharges and rectification orders.
//   jieshui-quota --config services/quota/quota.yaml
#include <cstdio>
#include <exception>
#include <string>

#include "CLI/CLI.hpp"
#include "app.hpp"
#include "config/config_loader.hpp"
#include "grpcserver/server.hpp"
#include "log/log.hpp"

namespace {

int Run(int argc, char** argv) {
  CLI::App cli("Jieshui quota service: water plans, product quotas, usage, alerts, surcharges");
  std::string config_path = "services/quota/quota.yaml";
  cli.add_option("--config", config_path, "YAML configuration file")->check(CLI::ExistingFile);
  CLI11_PARSE(cli, argc, argv);

  auto config = jieshui::config::ConfigLoader::Load("quota", config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "quota: %s\n", std::string(config.status().message()).c_str());
    return 2;
  }
  auto settings = jieshui::quota::LoadQuotaConfig(*config);
  if (!settings.ok()) {
    std::fprintf(stderr, "quota: %s\n", std::string(settings.status().message()).c_str());
    return 2;
  }
  jieshui::log::Init("quota", settings->common.log_level);
  // Once at start-up, secrets redacted (Dump).
  for (const auto& [key, value] : config->Dump()) {
    jieshui::log::Info("config", {{"file", config_path}, {"key", key}, {"value", value}});
  }

  auto app = jieshui::quota::QuotaApp::Start(*std::move(settings));
  if (!app.ok()) {
    jieshui::log::Error("start failed", {{"error", std::string(app.status().message())}});
    return 1;
  }
  const int signal = jieshui::grpcserver::WaitForShutdownSignal();
  jieshui::log::Info("shutdown requested", {{"signal", signal}});
  (*app)->Stop();
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  jieshui::grpcserver::BlockShutdownSignals();
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    // Libraries return statuses; this catches what escapes third-party code (CLI11, allocation).
    std::fprintf(stderr, "quota: %s\n", e.what());
    return 1;
  }
}
