// jieshui-quota: water plans, product quotas, usage, alerts, surcharges and rectification orders.
//   jieshui-quota --config services/quota/quota.yaml
#include "service/main.hpp"
#include "quota/src/app.hpp"

int main(int argc, char** argv) {
  return jieshui::service::RunMain(
      argc, argv,
      {.name = "quota",
       .description =
           "Jieshui quota service: water plans, product quotas, usage, alerts, surcharges",
       .default_config = "services/quota/quota.yaml"},
      jieshui::quota::LoadQuotaConfig, jieshui::quota::QuotaApp::Start);
}
