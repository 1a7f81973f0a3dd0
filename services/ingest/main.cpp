// jieshui-ingest: meter readings in over gRPC and HJ 212, VEE, Kafka out, the raw ledger.
//   jieshui-ingest --config services/ingest/ingest.yaml
#include "service/main.hpp"
#include "ingest/src/app.hpp"

int main(int argc, char** argv) {
  return jieshui::service::RunMain(
      argc, argv,
      {.name = "ingest",
       .description = "Jieshui ingest service: meter readings, VEE, the raw ledger",
       .default_config = "services/ingest/ingest.yaml"},
      jieshui::ingest::LoadIngestConfig, jieshui::ingest::IngestApp::Start);
}
