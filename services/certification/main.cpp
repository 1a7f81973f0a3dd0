// jieshui-certification: water-saving enterprises and leaders, water balance tests, audits,
// projects and demonstrations.
//   jieshui-certification --config services/certification/certification.yaml
#include "service/main.hpp"
#include "certification/src/app.hpp"

int main(int argc, char** argv) {
  return jieshui::service::RunMain(
      argc, argv,
      {.name = "certification",
       .description = "Jieshui certification service: water-saving enterprises and leaders, "
                      "water balance tests, audits and projects",
       .default_config = "services/certification/certification.yaml"},
      jieshui::certification::LoadCertificationConfig,
      jieshui::certification::CertificationApp::Start);
}
