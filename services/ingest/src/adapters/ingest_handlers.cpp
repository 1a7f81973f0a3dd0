#include "ingest/src/adapters/ingest_handlers.hpp"

#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>

#include "absl/strings/str_cat.h"
#include "errors/field_error.hpp"
#include "grpcserver/auth.hpp"
#include "grpcserver/handler.hpp"
#include "grpcserver/status.hpp"
#include "ingest/src/adapters/ledger_query.hpp"
#include "ingest/src/adapters/record_codec.hpp"
#include "paging/page_token.hpp"

namespace jieshui::ingest {
namespace {

using grpcserver::Handle;
using grpcserver::Principal;
using grpcserver::PrincipalKind;
using grpcserver::PrincipalSet;
using grpcserver::principals::kReaders;

// Gateways push readings; the Water Affairs Bureau may submit corrections and manual readings.
constexpr PrincipalSet kSubmitters = {PrincipalKind::kMeterGateway, PrincipalKind::kWaterAffairs};

std::vector<const v1::Reading*> Pointers(const v1::SubmitReadingsRequest& req) {
  std::vector<const v1::Reading*> out;
  out.reserve(static_cast<size_t>(req.readings_size()));
  for (const v1::Reading& r : req.readings()) {
    out.push_back(&r);
  }
  return out;
}

}  // namespace

void FillResponse(const std::string& batch_id, const BatchResult& result,
                  v1::SubmitReadingsResponse* resp) {
  resp->set_batch_id(batch_id);
  for (size_t i = 0; i < result.results.size(); ++i) {
    const ReadingResult& r = result.results[i];
    v1::ReadingResult* out = resp->add_results();
    out->set_index(static_cast<int32_t>(i));
    switch (r.outcome) {
      case Outcome::kAccepted:
        out->set_outcome(v1::OUTCOME_ACCEPTED);
        for (v1::VeeFlag f : FlagsToProto(r.flags)) {
          out->add_flags(f);
        }
        out->mutable_delta()->set_litres(r.delta_litres);
        resp->set_accepted(resp->accepted() + 1);
        break;
      case Outcome::kDuplicate:
        out->set_outcome(v1::OUTCOME_DUPLICATE);
        resp->set_duplicates(resp->duplicates() + 1);
        break;
      case Outcome::kRejected:
        out->set_outcome(v1::OUTCOME_REJECTED);
        out->set_reason(RejectReasonToProto(r.rejection));
        out->set_detail(r.detail);
        resp->set_rejected(resp->rejected() + 1);
        break;
    }
  }
}

IngestHandlers::IngestHandlers(Intake* intake, MeterDirectory* directory, db::ConnectionPool* pool,
                               IngestHandlerOptions options)
    : intake_(intake), directory_(directory), pool_(pool), options_(std::move(options)) {}

grpc::Status IngestHandlers::SubmitReadings(grpc::ServerContext* ctx,
                                            const v1::SubmitReadingsRequest* req,
                                            v1::SubmitReadingsResponse* resp) {
  return Handle(ctx, kSubmitters, resp, [&](const Principal&) -> absl::Status {
    if (req->readings_size() > options_.max_batch_readings) {
      return errors::InvalidArgument(
          "readings", absl::StrCat(req->readings_size(), " readings; a batch holds at most ",
                                   options_.max_batch_readings));
    }
    BatchResult result = intake_->Submit(Pointers(*req), "grpc");
    if (!result.status.ok()) {
      return result.status;
    }
    FillResponse(req->batch_id(), result, resp);
    return absl::OkStatus();
  });
}

grpc::Status IngestHandlers::StreamReadings(
    grpc::ServerContext* ctx,
    grpc::ServerReaderWriter<v1::SubmitReadingsResponse, v1::SubmitReadingsRequest>* stream) {
  if (auto caller = grpcserver::Caller(ctx, kSubmitters); !caller.ok()) {
    return grpcserver::Reply(caller.status(), ctx);
  }
  // Answers are produced on Kafka's delivery thread and written by this stream's writer thread,
  // so a slow client never blocks deliveries.
  std::mutex mu;
  std::condition_variable cv;
  std::deque<v1::SubmitReadingsResponse> ready;
  int64_t outstanding = 0;
  bool reading_done = false;
  bool write_failed = false;
  absl::Status stream_error;

  std::thread writer([&] {
    std::unique_lock lock(mu);
    while (true) {
      cv.wait(lock, [&] { return !ready.empty() || (reading_done && outstanding == 0); });
      if (ready.empty()) {
        return;
      }
      v1::SubmitReadingsResponse response = std::move(ready.front());
      ready.pop_front();
      lock.unlock();
      const bool ok = write_failed ? false : stream->Write(response);
      lock.lock();
      if (!ok) {
        write_failed = true;
      }
      --outstanding;
      cv.notify_all();
    }
  });

  // Each request is kept alive (shared with its callback) until answered: the intake reads the
  // readings asynchronously.
  v1::SubmitReadingsRequest request;
  while (stream->Read(&request)) {
    if (request.readings_size() > options_.max_batch_readings) {
      std::lock_guard lock(mu);
      stream_error = errors::InvalidArgument(
          "readings",
          absl::StrCat("batch ", request.batch_id(), " has ", request.readings_size(),
                       " readings; a batch holds at most ", options_.max_batch_readings));
      break;
    }
    {
      std::unique_lock lock(mu);
      cv.wait(lock, [&] { return outstanding < options_.max_stream_batches_in_flight; });
      if (write_failed) {
        break;
      }
      ++outstanding;
    }
    auto owned = std::make_shared<v1::SubmitReadingsRequest>(std::move(request));
    request = v1::SubmitReadingsRequest();
    intake_->SubmitAsync(Pointers(*owned), "grpc", [&, owned](const BatchResult& result) {
      v1::SubmitReadingsResponse response;
      response.set_batch_id(owned->batch_id());
      if (result.status.ok()) {
        FillResponse(owned->batch_id(), result, &response);
      }
      // A batch Kafka did not confirm is answered with no results: the client sends it again.
      std::lock_guard lock(mu);
      if (!result.status.ok() && stream_error.ok()) {
        stream_error = result.status;
      }
      ready.push_back(std::move(response));
      cv.notify_all();
    });
  }
  {
    std::lock_guard lock(mu);
    reading_done = true;
    cv.notify_all();
  }
  writer.join();
  return grpcserver::Reply(stream_error, ctx);
}

grpc::Status IngestHandlers::QueryLedger(grpc::ServerContext* ctx,
                                         const v1::QueryLedgerRequest* req,
                                         v1::QueryLedgerResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& principal) -> absl::Status {
    LedgerQuery query;
    std::string owner;
    switch (req->subject_case()) {
      case v1::QueryLedgerRequest::kMeterId: {
        query.meter_id = req->meter_id();
        std::shared_ptr<const MeterInfo> meter = directory_->Find(req->meter_id());
        owner = meter != nullptr ? meter->uscc : "";
        if (principal.kind == PrincipalKind::kEnterprise && owner.empty()) {
          return grpcserver::Denied(principal, absl::StrCat("read meter ", req->meter_id()));
        }
        break;
      }
      case v1::QueryLedgerRequest::kUscc:
        query.uscc = req->uscc().value();
        owner = query.uscc;
        break;
      default:
        return errors::InvalidArgument("subject", "a meter_id or a uscc");
    }
    if (!owner.empty() && !grpcserver::CanAccessEnterprise(principal, owner)) {
      return grpcserver::Denied(principal, absl::StrCat("read the ledger of ", owner));
    }
    if (req->range().end_unix_ms() <= req->range().start_unix_ms()) {
      return errors::InvalidArgument("range", "end_unix_ms must be after start_unix_ms");
    }
    query.start_ms = req->range().start_unix_ms();
    query.end_ms = req->range().end_unix_ms();
    absl::StatusOr<int> size = paging::PageSize(req->page().page_size(), options_.page_size_default,
                                                options_.page_size_max);
    if (!size.ok()) {
      return size.status();
    }
    query.limit = *size;
    query.after_cursor = req->page().page_token();
    absl::StatusOr<LedgerPage> page = ingest::QueryLedger(*pool_, options_.schema, query);
    if (!page.ok()) {
      return page.status();
    }
    for (auto& record : page->records) {
      *resp->add_records() = std::move(record);
    }
    if (page->more) {
      resp->mutable_page()->set_next_page_token(page->last_cursor);
    }
    return absl::OkStatus();
  });
}

grpc::Status IngestHandlers::GetMeterState(grpc::ServerContext* ctx,
                                           const v1::GetMeterStateRequest* req,
                                           v1::MeterState* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& principal) -> absl::Status {
    std::shared_ptr<const MeterInfo> meter = directory_->Find(req->meter_id());
    if (meter == nullptr) {
      return absl::NotFoundError(
          absl::StrCat("meter ", req->meter_id(), " is not in the registry"));
    }
    if (!grpcserver::CanAccessEnterprise(principal, meter->uscc)) {
      return grpcserver::Denied(principal, absl::StrCat("read meter ", req->meter_id()));
    }
    resp->set_meter_id(meter->meter_id);
    resp->mutable_uscc()->set_value(meter->uscc);
    std::optional<MeterState> state = intake_->StateOf(req->meter_id());
    if (state.has_value() && state->has_last) {
      resp->set_has_reading(true);
      resp->set_last_reading_unix_ms(state->last_ms);
      if (state->last_register_milli.has_value()) {
        resp->set_last_register_value(FormatRegisterMilli(*state->last_register_milli));
      }
      for (v1::VeeFlag f : FlagsToProto(state->last_flags)) {
        resp->add_last_flags(f);
      }
      resp->set_readings_accepted(state->real_accepted);
    }
    return absl::OkStatus();
  });
}

}  // namespace jieshui::ingest
