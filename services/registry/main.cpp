// jieshui-registry: the register of industrial enterprises, parks and meters (DESIGN.md).
//   jieshui-registry --config services/registry/registry.yaml
#include "service/main.hpp"
#include "registry/src/app.hpp"

int main(int argc, char** argv) {
  return jieshui::service::RunMain(
      argc, argv,
      {.name = "registry",
       .description =
           "Jieshui registry service: enterprises, parks, meters, the key-monitored list",
       .default_config = "services/registry/registry.yaml"},
      jieshui::registry::LoadRegistryConfig, jieshui::registry::RegistryApp::Start);
}
