// gRPC handlers of jieshui.ingest.v1.IngestService: authorisation, batch limits and answers per
// reading around the intake pipeline, and the ledger queries.
#pragma once

#include <functional>
#include <string>

#include "db/pool.hpp"
#include "ingest/src/adapters/intake.hpp"
#include "jieshui/ingest/v1/ingest_service.grpc.pb.h"

namespace jieshui::ingest {

struct IngestHandlerOptions {
  std::string schema;  // PostgreSQL schema of the ledger
  int max_batch_readings = 10000;
  // Batches of one stream that may wait for Kafka at once; the stream stops reading beyond it.
  int max_stream_batches_in_flight = 64;
  int page_size_default = 100;
  int page_size_max = 5000;
};

class IngestHandlers final : public v1::IngestService::Service {
 public:
  IngestHandlers(Intake* intake, MeterDirectory* directory, db::ConnectionPool* pool,
                 IngestHandlerOptions options);

  grpc::Status SubmitReadings(grpc::ServerContext* ctx, const v1::SubmitReadingsRequest* req,
                              v1::SubmitReadingsResponse* resp) override;
  grpc::Status StreamReadings(grpc::ServerContext* ctx,
                              grpc::ServerReaderWriter<v1::SubmitReadingsResponse,
                                                       v1::SubmitReadingsRequest>* stream) override;
  grpc::Status QueryLedger(grpc::ServerContext* ctx, const v1::QueryLedgerRequest* req,
                           v1::QueryLedgerResponse* resp) override;
  grpc::Status GetMeterState(grpc::ServerContext* ctx, const v1::GetMeterStateRequest* req,
                             v1::MeterState* resp) override;

 private:
  Intake* intake_;
  MeterDirectory* directory_;
  db::ConnectionPool* pool_;
  IngestHandlerOptions options_;
};

// Fills a response from a batch result (exposed for the HJ 212 listener's logs and for tests).
void FillResponse(const std::string& batch_id, const BatchResult& result,
                  v1::SubmitReadingsResponse* resp);

}  // namespace jieshui::ingest
