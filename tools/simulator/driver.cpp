#include "driver.hpp"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <map>
#include <memory>
#include <mutex>
#include <set>
#include <thread>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "calls.hpp"
#include "domain/period.hpp"
#include "grpcpp/grpcpp.h"
#include "hj212/frame.hpp"
#include "hj212/packet.hpp"
#include "jieshui/ingest/v1/ingest_service.grpc.pb.h"
#include "jieshui/quota/v1/quota_service.grpc.pb.h"
#include "jieshui/registry/v1/registry_service.grpc.pb.h"

namespace jieshui::simulator {
namespace {

namespace rv1 = ::jieshui::registry::v1;
namespace iv1 = ::jieshui::ingest::v1;
namespace qv1 = ::jieshui::quota::v1;

std::unique_ptr<grpc::ClientContext> Context(const RunOptions& options,
                                             std::chrono::seconds timeout = kCallTimeout) {
  return KeyContext(options.targets.api_key, timeout);
}

void AddSummary(const rv1::ImportSummary& summary, ImportTally* tally) {
  tally->created += summary.created();
  tally->updated += summary.updated();
  tally->unchanged += summary.unchanged();
  tally->rejected += summary.rejected();
}

std::string RowErrors(const rv1::ImportSummary& summary) {
  std::string out;
  for (int i = 0; i < summary.errors_size() && i < 5; ++i) {
    const rv1::RowError& e = summary.errors(i);
    absl::StrAppend(&out, "; row ", e.row(), " ", e.field(), ": ", e.reason());
  }
  return out;
}

common::v1::YearMonth ParseMonthKey(const std::string& key) {
  const absl::StatusOr<domain::YearMonth> ym = domain::YearMonth::Parse(key);
  common::v1::YearMonth out;
  out.set_year(ym->year());
  out.set_month(ym->month());
  return out;
}

// One HJ 212 connection: frames go out in order; a reader thread counts the data replies.
class Hj212Connection {
 public:
  static absl::StatusOr<std::unique_ptr<Hj212Connection>> Open(const std::string& address) {
    const size_t colon = address.rfind(':');
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    int port = 0;
    if (colon == std::string::npos ||
        ::inet_pton(AF_INET, address.substr(0, colon).c_str(), &addr.sin_addr) != 1 ||
        !absl::SimpleAtoi(address.substr(colon + 1), &port) || port <= 0 || port > 65535) {
      return absl::InvalidArgumentError(
          absl::StrCat("hj212 address: '", address, "' is not IPv4 host:port"));
    }
    addr.sin_port = htons(static_cast<uint16_t>(port));
    const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    if (fd < 0 || ::connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
      const std::string error = std::strerror(errno);
      if (fd >= 0) {
        ::close(fd);
      }
      return absl::UnavailableError(
          absl::StrCat("hj212: cannot connect to ", address, ": ", error));
    }
    return std::unique_ptr<Hj212Connection>(new Hj212Connection(fd));
  }

  ~Hj212Connection() {
    ::shutdown(fd_, SHUT_RDWR);
    if (reader_.joinable()) {
      reader_.join();
    }
    ::close(fd_);
  }
  Hj212Connection(const Hj212Connection&) = delete;
  Hj212Connection& operator=(const Hj212Connection&) = delete;

  absl::Status Send(const std::string& frame) {
    size_t done = 0;
    while (done < frame.size()) {
      const ssize_t n = ::send(fd_, frame.data() + done, frame.size() - done, MSG_NOSIGNAL);
      if (n <= 0) {
        return absl::UnavailableError(absl::StrCat("hj212: send failed: ", std::strerror(errno)));
      }
      done += static_cast<size_t>(n);
    }
    ++sent_;
    return absl::OkStatus();
  }

  int64_t sent() const { return sent_; }
  int64_t replies() const { return replies_.load(); }
  bool closed() const { return closed_.load(); }

 private:
  explicit Hj212Connection(int fd) : fd_(fd) {
    reader_ = std::thread([this] { ReadReplies(); });
  }

  void ReadReplies() {
    hj212::FrameDecoder decoder;
    std::string buffer(4096, '\0');
    while (true) {
      const ssize_t n = ::recv(fd_, buffer.data(), buffer.size(), 0);
      if (n <= 0) {
        closed_ = true;
        return;
      }
      decoder.Feed(std::string_view(buffer.data(), static_cast<size_t>(n)));
      while (auto next = decoder.Next()) {
        if (const auto* frame = std::get_if<hj212::Frame>(&*next);
            frame != nullptr && frame->data_segment.find("CN=9014") != std::string::npos) {
          replies_.fetch_add(1);
        }
      }
    }
  }

  int fd_;
  int64_t sent_ = 0;
  std::atomic<int64_t> replies_{0};
  std::atomic<bool> closed_{false};
  std::thread reader_;
};

// One upload of an enterprise's gateway: the readings of one hour (CN 2011 real-time data, the
// totaliser of each meter as `Rtd` in m³, one item per meter by its data code).
absl::StatusOr<std::string> Hj212Frame(const District& district, int step,
                                       const std::vector<TrueReading>& readings) {
  const SimMeter& first = district.meters()[static_cast<size_t>(readings.front().meter)];
  hj212::DataUpload upload;
  const absl::Time data_time = district.TimeOf(step);
  upload.qn = hj212::FormatQn(data_time);
  upload.st = "32";
  upload.cn = std::string(hj212::kCnRealTimeData);
  upload.pw = "123456";
  upload.mn = first.meter.hj212().mn();
  upload.flag = hj212::kFlagVersion2017 | hj212::kFlagAckWanted;
  upload.data_time = data_time;
  for (const TrueReading& r : readings) {
    hj212::Item item;
    item.code = district.meters()[static_cast<size_t>(r.meter)].meter.hj212().data_code();
    item.fields = {{"Rtd", FormatMilli(r.register_milli)}, {"Flag", "N"}};
    upload.items.push_back(std::move(item));
  }
  return hj212::BuildDataFrame(upload);
}

// The gRPC side: one StreamReadings call, answers read on their own thread.
class ReadingStream {
 public:
  ReadingStream(const RunOptions& options, ReadingTally* tally)
      : stub_(iv1::IngestService::NewStub(MakeChannel(options.targets.ingest))),
        context_(Context(options, std::chrono::hours(24))),
        stream_(stub_->StreamReadings(context_.get())),
        tally_(tally) {
    reader_ = std::thread([this] { ReadAnswers(); });
  }
  ~ReadingStream() {
    if (reader_.joinable()) {
      context_->TryCancel();
      reader_.join();
    }
  }
  ReadingStream(const ReadingStream&) = delete;
  ReadingStream& operator=(const ReadingStream&) = delete;

  bool Write(const iv1::SubmitReadingsRequest& request) {
    batches_.fetch_add(1);
    return stream_->Write(request);
  }

  grpc::Status Finish() {
    stream_->WritesDone();
    reader_.join();
    return stream_->Finish();
  }

  int64_t batches() const { return batches_.load(); }
  int64_t answered() const { return answered_.load(); }

 private:
  void ReadAnswers() {
    iv1::SubmitReadingsResponse response;
    while (stream_->Read(&response)) {
      const std::lock_guard lock(mu_);
      tally_->accepted += response.accepted();
      tally_->duplicates += response.duplicates();
      tally_->rejected += response.rejected();
      for (const iv1::ReadingResult& r : response.results()) {
        for (const int flag : r.flags()) {
          ++tally_->flags[iv1::VeeFlag_Name(static_cast<iv1::VeeFlag>(flag))];
        }
        if (r.outcome() == iv1::OUTCOME_REJECTED) {
          ++tally_->reject_reasons[iv1::RejectReason_Name(r.reason())];
        }
      }
      answered_.fetch_add(1);
    }
  }

  std::unique_ptr<iv1::IngestService::Stub> stub_;
  std::unique_ptr<grpc::ClientContext> context_;
  std::unique_ptr<grpc::ClientReaderWriter<iv1::SubmitReadingsRequest, iv1::SubmitReadingsResponse>>
      stream_;
  ReadingTally* tally_;
  std::mutex mu_;
  std::atomic<int64_t> batches_{0};
  std::atomic<int64_t> answered_{0};
  std::thread reader_;
};

// Streams one import row per item (rows numbered from 2, as a file's data rows would be) and
// adds the registry's summary to `tally`; any rejected row fails the run.
template <typename Row, typename Item, typename StartCall, typename FillRow>
absl::Status Import(const std::vector<Item>& items, const std::string& what,
                    const RunOptions& options, StartCall start_call, FillRow fill_row,
                    ImportTally* tally) {
  rv1::ImportSummary summary;
  auto context = Context(options, std::chrono::seconds(600));
  auto writer = start_call(context.get(), &summary);
  int64_t row = 1;
  for (const Item& item : items) {
    Row r;
    r.set_row(++row);
    fill_row(item, &r);
    if (!writer->Write(r)) {
      break;  // the call ended; Finish says why
    }
  }
  writer->WritesDone();
  if (const grpc::Status s = writer->Finish(); !s.ok()) {
    return FromGrpc(s, "import " + what, options.targets.registry);
  }
  AddSummary(summary, tally);
  if (summary.rejected() > 0) {
    return absl::InvalidArgumentError(
        absl::StrCat("registry rejected ", summary.rejected(), " ", what, RowErrors(summary)));
  }
  return absl::OkStatus();
}

}  // namespace

absl::Status RegisterDistrict(const District& district, const RunOptions& options, Report* report) {
  const std::string& target = options.targets.registry;
  auto stub = rv1::RegistryService::NewStub(MakeChannel(target));
  for (const rv1::Park& park : district.parks()) {
    rv1::CreateParkRequest request;
    *request.mutable_park() = park;
    rv1::Park created;
    const grpc::Status s = Retry(options.settle_timeout, [&] {
      return stub->CreatePark(Context(options).get(), request, &created);
    });
    if (!s.ok() && s.error_code() != grpc::StatusCode::ALREADY_EXISTS) {
      return FromGrpc(s, "CreatePark " + park.park_id(), target);
    }
  }
  if (absl::Status s = Import<rv1::ImportEnterpriseRow>(
          district.enterprises(), "enterprises", options,
          [&](grpc::ClientContext* c, rv1::ImportSummary* r) {
            return stub->ImportEnterprises(c, r);
          },
          [](const SimEnterprise& e, rv1::ImportEnterpriseRow* row) {
            *row->mutable_enterprise() = e.enterprise;
          },
          &report->enterprises);
      !s.ok()) {
    return s;
  }
  if (absl::Status s = Import<rv1::ImportMeterRow>(
          district.meters(), "meters", options,
          [&](grpc::ClientContext* c, rv1::ImportSummary* r) { return stub->ImportMeters(c, r); },
          [](const SimMeter& m, rv1::ImportMeterRow* row) { *row->mutable_meter() = m.meter; },
          &report->meters);
      !s.ok()) {
    return s;
  }
  options.progress(absl::StrFormat("registered %d enterprises and %d meters in %d parks",
                                   district.enterprises().size(), district.meters().size(),
                                   district.parks().size()));

  // Ingest learns of meters from the registry's topic: wait until it knows every one, or its
  // readings would be refused as unknown.
  auto ingest = iv1::IngestService::NewStub(MakeChannel(options.targets.ingest));
  for (const SimMeter& m : district.meters()) {
    iv1::GetMeterStateRequest request;
    request.set_meter_id(m.meter.meter_id());
    iv1::MeterState state;
    const grpc::Status s = RetryWhileNotFound(options.settle_timeout, [&] {
      return ingest->GetMeterState(Context(options).get(), request, &state);
    });
    if (!s.ok()) {
      return FromGrpc(s, "GetMeterState " + m.meter.meter_id(), options.targets.ingest);
    }
  }
  return absl::OkStatus();
}

absl::Status SetPlansAndQuotas(const District& district, const RunOptions& options,
                               Report* report) {
  const std::string& target = options.targets.quota;
  auto stub = qv1::QuotaService::NewStub(MakeChannel(target));
  for (const qv1::ProductQuota& quota : district.quotas()) {
    qv1::SetProductQuotaRequest request;
    *request.mutable_quota() = quota;
    qv1::ProductQuota stored;
    if (const grpc::Status s =
            Retry(options.settle_timeout,
                  [&] { return stub->SetProductQuota(Context(options).get(), request, &stored); });
        !s.ok()) {
      return FromGrpc(s, "SetProductQuota " + quota.product(), target);
    }
    ++report->quotas_set;
  }
  for (const SimEnterprise& e : district.enterprises()) {
    for (const auto& [year, litres] : e.annual_plan_litres) {
      qv1::SetAnnualPlanRequest request;
      *request.mutable_uscc() = e.enterprise.uscc();
      request.set_year(year);
      request.mutable_total()->set_litres(litres);
      request.set_reason("jieshui-simulator: plan of the simulated district");
      qv1::AnnualPlan plan;
      // Quota learns of enterprises from the registry's topic.
      const grpc::Status s = RetryWhileNotFound(options.settle_timeout, [&] {
        return stub->SetAnnualPlan(Context(options).get(), request, &plan);
      });
      if (!s.ok()) {
        return FromGrpc(s, "SetAnnualPlan " + e.enterprise.uscc().value(), target);
      }
      ++report->plans_set;
    }
  }
  options.progress(absl::StrFormat("set %d annual plans and %d product quotas", report->plans_set,
                                   report->quotas_set));
  return absl::OkStatus();
}

absl::Status StreamReadings(const District& district, const RunOptions& options, Report* report) {
  for (const SimEnterprise& e : district.enterprises()) {
    report->outages += e.outage_first != 0 ? 1 : 0;
  }
  // Each HJ 212 gateway (one per enterprise) has its own connection, as on site; past
  // `hj212_connections` gateways share them. A meter always uses the same one, so its readings
  // stay in order.
  std::vector<std::unique_ptr<Hj212Connection>> connections;
  std::map<int, size_t> connection_of;  // enterprise → connection
  for (size_t e = 0; e < district.enterprises().size(); ++e) {
    if (!district.enterprises()[e].hj212) {
      continue;
    }
    if (static_cast<int>(connections.size()) < std::max(1, options.hj212_connections)) {
      absl::StatusOr<std::unique_ptr<Hj212Connection>> c =
          Hj212Connection::Open(options.targets.hj212);
      if (!c.ok()) {
        return c.status();
      }
      connections.push_back(*std::move(c));
    }
    connection_of[static_cast<int>(e)] = connection_of.size() % connections.size();
  }
  ReadingTally& tally = report->readings;
  ReadingStream stream(options, &tally);
  GatewayPlayer player(district);
  const absl::Time started = absl::Now();
  iv1::SubmitReadingsRequest batch;
  int64_t batch_number = 0;
  bool stream_broken = false;
  const auto flush = [&] {
    if (batch.readings_size() == 0 || stream_broken) {
      return;
    }
    batch.set_batch_id(absl::StrFormat("sim-%d-%d-%d", district.options().seed,
                                       absl::ToUnixMillis(started), ++batch_number));
    tally.sent_grpc += batch.readings_size();
    stream_broken = !stream.Write(batch);
    batch.Clear();
  };
  std::vector<TrueReading> readings;
  const int last = district.last_step();
  for (int step = 0; step <= last && !stream_broken; ++step) {
    if (options.pace > absl::ZeroDuration() && last > 0) {
      absl::SleepFor(started + options.pace * step / last - absl::Now());
    }
    readings.clear();
    player.Play(step, &readings);
    // An enterprise's HJ 212 readings of this step go out in rounds: a meter's n-th reading in
    // round n, each round one upload per hour it holds (back-filled hours are uploads of their
    // own), so every meter's readings keep their order.
    std::map<int, std::vector<std::map<int, std::vector<TrueReading>>>> rounds;
    int previous_meter = -1;
    size_t position = 0;
    for (const TrueReading& r : readings) {
      const SimMeter& meter = district.meters()[static_cast<size_t>(r.meter)];
      if (meter.channel == Channel::kHj212) {
        position = r.meter == previous_meter ? position + 1 : 0;
        previous_meter = r.meter;
        auto& enterprise_rounds = rounds[meter.enterprise];
        if (enterprise_rounds.size() <= position) {
          enterprise_rounds.resize(position + 1);
        }
        enterprise_rounds[position][r.step].push_back(r);
        continue;
      }
      iv1::Reading* reading = batch.add_readings();
      reading->set_meter_id(meter.meter.meter_id());
      reading->set_timestamp_unix_ms(absl::ToUnixMillis(district.TimeOf(r.step)));
      reading->set_register_value(FormatMilli(r.register_milli));
      reading->set_data_flag("N");
      if (batch.readings_size() >= options.batch) {
        flush();
      }
    }
    for (const auto& [enterprise, enterprise_rounds] : rounds) {
      Hj212Connection& c = *connections[connection_of.at(enterprise)];
      for (const auto& round : enterprise_rounds) {
        for (const auto& [hour, hour_readings] : round) {
          absl::StatusOr<std::string> frame = Hj212Frame(district, hour, hour_readings);
          if (!frame.ok()) {
            return frame.status();
          }
          if (absl::Status s = c.Send(*frame); !s.ok()) {
            return s;
          }
          tally.sent_hj212 += static_cast<int64_t>(hour_readings.size());
        }
      }
    }
    if (step % 24 == 0 || step == last) {
      options.progress(absl::StrFormat(
          "%s: %d readings sent (%d gRPC, %d HJ 212), %d gRPC batches answered",
          absl::FormatTime("%Y-%m-%d %H:00", district.TimeOf(step), domain::ShanghaiTimeZone()),
          tally.sent_grpc + tally.sent_hj212, tally.sent_grpc, tally.sent_hj212,
          stream.answered()));
    }
  }
  flush();
  const grpc::Status finished = stream.Finish();
  if (!finished.ok() || stream_broken) {
    return FromGrpc(finished, "StreamReadings", options.targets.ingest);
  }
  // Every HJ 212 frame asked for a reply, sent once its reading was durable.
  const absl::Time deadline = absl::Now() + options.settle_timeout;
  for (const auto& c : connections) {
    while (c->replies() < c->sent() && !c->closed() && absl::Now() < deadline) {
      absl::SleepFor(absl::Milliseconds(50));
    }
    tally.hj212_frames += c->sent();
    tally.hj212_acknowledged += c->replies();
  }
  tally.seconds = absl::ToDoubleSeconds(absl::Now() - started);
  report->gateway = player.tally();
  if (tally.hj212_acknowledged < tally.hj212_frames) {
    return absl::DeadlineExceededError(
        absl::StrCat("hj212: ", tally.hj212_frames - tally.hj212_acknowledged, " of ",
                     tally.hj212_frames, " uploads were not acknowledged"));
  }
  return absl::OkStatus();
}

absl::Status ReportProduction(const District& district, const GroundTruth& truth,
                              const RunOptions& options, Report* report) {
  const std::string& target = options.targets.quota;
  auto stub = qv1::QuotaService::NewStub(MakeChannel(target));
  for (size_t i = 0; i < district.enterprises().size(); ++i) {
    const SimEnterprise& e = district.enterprises()[i];
    if (e.product.empty()) {
      continue;
    }
    for (const auto& [month, figures] : truth.Of(static_cast<int>(i))) {
      qv1::ReportProductionRequest request;
      qv1::ProductionReport* r = request.mutable_report();
      *r->mutable_uscc() = e.enterprise.uscc();
      *r->mutable_month() = ParseMonthKey(month);
      r->set_product(e.product);
      r->set_output(FormatMilli(district.OutputMilli(static_cast<int>(i), figures.new_water)));
      qv1::ProductionReport stored;
      if (const grpc::Status s = Retry(
              options.settle_timeout,
              [&] { return stub->ReportProduction(Context(options).get(), request, &stored); });
          !s.ok()) {
        return FromGrpc(s, "ReportProduction " + e.enterprise.uscc().value(), target);
      }
      ++report->production_reports;
    }
  }
  return absl::OkStatus();
}

absl::Status WaitForUsage(const District& district, const GroundTruth& truth,
                          const RunOptions& options, Report* report) {
  const std::string& target = options.targets.quota;
  auto stub = qv1::QuotaService::NewStub(MakeChannel(target));
  // (enterprise, month) pairs whose figure does not match yet.
  std::set<std::pair<int, std::string>> pending;
  for (size_t i = 0; i < district.enterprises().size(); ++i) {
    for (const std::string& month : truth.months()) {
      pending.emplace(static_cast<int>(i), month);
    }
  }
  report->usage_checked = static_cast<int>(pending.size());
  const absl::Time deadline = absl::Now() + options.settle_timeout;
  absl::Status last_error;
  while (!pending.empty()) {
    for (auto it = pending.begin(); it != pending.end();) {
      const auto& [enterprise, month] = *it;
      qv1::GetUsageRequest request;
      *request.mutable_uscc() =
          district.enterprises()[static_cast<size_t>(enterprise)].enterprise.uscc();
      *request.mutable_period()->mutable_month() = ParseMonthKey(month);
      qv1::Usage usage;
      const grpc::Status s = Retry(options.settle_timeout, [&] {
        return stub->GetUsage(Context(options).get(), request, &usage);
      });
      if (s.ok() && usage.new_water().litres() == truth.Of(enterprise).at(month).new_water) {
        it = pending.erase(it);
      } else {
        if (!s.ok()) {
          last_error = FromGrpc(s, "GetUsage", target);
        }
        ++it;
      }
    }
    report->usage_matching = report->usage_checked - static_cast<int>(pending.size());
    if (pending.empty() || absl::Now() > deadline) {
      break;
    }
    options.progress(absl::StrFormat("quota: %d of %d enterprise-months complete",
                                     report->usage_matching, report->usage_checked));
    absl::SleepFor(absl::Seconds(1));
  }
  if (!pending.empty()) {
    return absl::DeadlineExceededError(absl::StrCat(
        pending.size(), " enterprise-months differ from the ground truth after ",
        absl::FormatDuration(options.settle_timeout), " (first: ",
        district.enterprises()[static_cast<size_t>(pending.begin()->first)]
            .enterprise.uscc()
            .value(),
        " ", pending.begin()->second, ")", last_error.ok() ? "" : "; ", last_error.message()));
  }
  return absl::OkStatus();
}

absl::Status Summarize(const District& district, const GroundTruth& truth,
                       const RunOptions& options, Report* report) {
  const std::string& target = options.targets.quota;
  auto stub = qv1::QuotaService::NewStub(MakeChannel(target));
  std::set<std::string> ours;
  for (const SimEnterprise& e : district.enterprises()) {
    ours.insert(e.enterprise.uscc().value());
  }
  report->alerts.clear();
  std::string page_token;
  do {
    qv1::ListAlertsRequest request;
    request.mutable_page()->set_page_size(1000);
    request.mutable_page()->set_page_token(page_token);
    qv1::ListAlertsResponse response;
    if (const grpc::Status s =
            Retry(options.settle_timeout,
                  [&] { return stub->ListAlerts(Context(options).get(), request, &response); });
        !s.ok()) {
      return FromGrpc(s, "ListAlerts", target);
    }
    for (const qv1::Alert& a : response.alerts()) {
      if (!ours.contains(a.uscc().value())) {
        continue;
      }
      std::string key;
      switch (a.kind()) {
        case qv1::ALERT_KIND_MONTHLY_PLAN:
          key = absl::StrCat("monthly plan ", a.threshold_percent(), "%");
          break;
        case qv1::ALERT_KIND_ANNUAL_PLAN:
          key = absl::StrCat("annual plan ", a.threshold_percent(), "%");
          break;
        default:
          key = "over quota";
          break;
      }
      ++report->alerts[key];
    }
    page_token = response.page().next_page_token();
  } while (!page_token.empty());

  report->surcharges.clear();
  for (const std::string& month : truth.months()) {
    MonthSurcharge due{.month = month};
    for (const SimEnterprise& e : district.enterprises()) {
      qv1::ComputeSurchargeRequest request;
      *request.mutable_uscc() = e.enterprise.uscc();
      *request.mutable_period()->mutable_month() = ParseMonthKey(month);
      qv1::SurchargeStatement statement;
      if (const grpc::Status s = Retry(
              options.settle_timeout,
              [&] { return stub->ComputeSurcharge(Context(options).get(), request, &statement); });
          !s.ok()) {
        return FromGrpc(s, "ComputeSurcharge " + e.enterprise.uscc().value(), target);
      }
      if (statement.total().fen() > 0) {
        ++due.enterprises;
        due.fen += statement.total().fen();
      }
    }
    report->surcharges.push_back(due);

    qv1::ListOverPlanRequest request;
    *request.mutable_period()->mutable_month() = ParseMonthKey(month);
    request.set_limit(1000);
    qv1::ListOverPlanResponse response;
    if (const grpc::Status s =
            Retry(options.settle_timeout,
                  [&] { return stub->ListOverPlan(Context(options).get(), request, &response); });
        !s.ok()) {
      return FromGrpc(s, "ListOverPlan", target);
    }
    int shown = 0;
    for (const qv1::OverPlanEntry& entry : response.entries()) {
      if (!ours.contains(entry.uscc().value()) || shown >= 5) {
        continue;
      }
      ++shown;
      report->over_plan.push_back(OverPlanLine{.month = month,
                                               .uscc = entry.uscc().value(),
                                               .name = entry.enterprise_name(),
                                               .plan_litres = entry.plan().litres(),
                                               .used_litres = entry.used().litres()});
    }
  }
  report->summarized = true;
  return absl::OkStatus();
}

}  // namespace jieshui::simulator
