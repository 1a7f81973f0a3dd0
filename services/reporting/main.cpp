// jieshui-reporting: the district's indicators against the action plan's targets.
//   jieshui-reporting --config services/reporting/reporting.yaml
#include "service/main.hpp"
#include "reporting/src/app.hpp"

int main(int argc, char** argv) {
  return jieshui::service::RunMain(
      argc, argv,
      {.name = "reporting",
       .description = "Jieshui reporting service: the district's indicators against the targets",
       .default_config = "services/reporting/reporting.yaml"},
      jieshui::reporting::LoadReportingConfig, jieshui::reporting::ReportingApp::Start);
}
