// Integration tests of the ingest service against the real local stack: the service in-process
// with its own schema and topics; readings over gRPC and over HJ 212 TCP; what lands on the
// reading and rejected topics and in the ledger.
#include <arpa/inet.h>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include "absl/strings/str_cat.h"
#include "hj212/frame.hpp"
#include "hj212/packet.hpp"
#include "httplib.h"
#include "ingest/src/adapters/record_codec.hpp"
#include "ingest/src/app.hpp"
#include "ingest_test_env.hpp"
#include "kafka/envelope.hpp"
#include "testing/stack.hpp"

namespace jieshui::ingest {
namespace {

using testing::Context;
using ::testing::HasSubstr;
using testing::kEnterpriseKey;
using testing::kEnterpriseUscc;
using testing::kGatewayKey;
using testing::kOtherUscc;
using testing::kWaterAffairsKey;

int64_t NowMs() { return absl::ToUnixMillis(absl::Now()); }

v1::Reading RegisterReading(const std::string& meter, int64_t ts, const std::string& value) {
  v1::Reading r;
  r.set_meter_id(meter);
  r.set_timestamp_unix_ms(ts);
  r.set_register_value(value);
  return r;
}

class IngestIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = testing::MakeTestEnv();
    testing::PublishMeters(env_.meter_topic, {testing::SampleMeter("M-A1", kEnterpriseUscc),
                                              testing::SampleMeter("M-A2", kEnterpriseUscc),
                                              testing::SampleMeter("M-B1", kOtherUscc)});
    auto app = testing::StartApp(env_.env);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    stub_ = v1::IngestService::NewStub(grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->port()),
                                                           grpc::InsecureChannelCredentials()));
  }
  void TearDown() override {
    if (app_) {
      app_->Stop();
    }
  }

  v1::SubmitReadingsResponse Submit(const std::vector<v1::Reading>& readings,
                                    const std::string& key = kGatewayKey) {
    v1::SubmitReadingsRequest request;
    request.set_batch_id("b");
    for (const auto& r : readings) {
      *request.add_readings() = r;
    }
    v1::SubmitReadingsResponse response;
    grpc::Status s = stub_->SubmitReadings(Context(key).get(), request, &response);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return response;
  }

  testing::TestEnv env_;
  std::unique_ptr<IngestApp> app_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

TEST_F(IngestIntegrationTest, BatchIsAnsweredPerReadingAndLandsOnTheTopics) {
  const int64_t t0 = NowMs() - 3'600'000;
  v1::Reading unknown = RegisterReading("NO-SUCH-METER", t0, "1");
  v1::Reading future = RegisterReading("M-A1", NowMs() + 3'600'000, "1");
  const v1::SubmitReadingsResponse first = Submit(
      {RegisterReading("M-A1", t0, "100.000"), RegisterReading("M-A1", t0 + 900'000, "101.250"),
       RegisterReading("M-A1", t0 + 900'000, "101.250"), unknown, future});
  ASSERT_EQ(first.results_size(), 5);
  EXPECT_EQ(first.results(0).outcome(), v1::OUTCOME_ACCEPTED);
  EXPECT_THAT(first.results(0).flags(), ::testing::ElementsAre(v1::VEE_FLAG_FIRST));
  EXPECT_EQ(first.results(1).outcome(), v1::OUTCOME_ACCEPTED);
  EXPECT_EQ(first.results(1).delta().litres(), 1250);
  EXPECT_EQ(first.results(2).outcome(), v1::OUTCOME_DUPLICATE);
  EXPECT_EQ(first.results(3).outcome(), v1::OUTCOME_REJECTED);
  EXPECT_EQ(first.results(3).reason(), v1::REJECT_REASON_UNKNOWN_METER);
  EXPECT_EQ(first.results(4).reason(), v1::REJECT_REASON_FUTURE_TIMESTAMP);
  EXPECT_EQ(first.accepted(), 2);
  EXPECT_EQ(first.duplicates(), 1);
  EXPECT_EQ(first.rejected(), 2);

  // Answered only once durable: the records are already on the topics, the enterprise's two in
  // one message keyed by its USCC.
  testing::TopicCollector readings(env_.reading_topic);
  ASSERT_EQ(readings.WaitFor(1), 1U);
  EXPECT_EQ(readings.messages()[0].key, kEnterpriseUscc);
  auto reading_event = kafka::DecodeEnvelope(readings.messages()[0].value);
  ASSERT_TRUE(reading_event.ok());
  auto records = RecordsOfEvent(*reading_event);
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 2U);
  int64_t total = 0;
  for (const v1::ReadingAccepted& accepted : *records) {
    EXPECT_EQ(accepted.meter_id(), "M-A1");
    EXPECT_EQ(accepted.measures(), jieshui::registry::v1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
    total += accepted.delta().litres();
  }
  EXPECT_EQ((*records)[0].interval_end_unix_ms(), t0);
  EXPECT_EQ((*records)[1].interval_end_unix_ms(), t0 + 900'000);
  EXPECT_EQ(total, 1250);
  testing::TopicCollector rejected(env_.rejected_topic);
  ASSERT_EQ(rejected.WaitFor(2), 2U);
  auto envelope = kafka::DecodeEnvelope(rejected.messages()[0].value);
  ASSERT_TRUE(envelope.ok());
  auto quarantined = kafka::UnpackPayload<v1::ReadingRejected>(*envelope);
  ASSERT_TRUE(quarantined.ok());
  EXPECT_EQ(quarantined->reading().meter_id(), "NO-SUCH-METER");
  EXPECT_EQ(quarantined->reason(), v1::REJECT_REASON_UNKNOWN_METER);

  // A meter registered after start is known once its event arrives.
  testing::PublishMeters(env_.meter_topic, {testing::SampleMeter("M-LATE", kOtherUscc)});
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    v1::SubmitReadingsResponse r = Submit({RegisterReading("M-LATE", t0, "5")});
    return r.accepted() == 1 || r.duplicates() == 1;
  }));

  // The ledger gets the records; an enterprise reads its own, not another's.
  v1::QueryLedgerRequest query;
  query.mutable_uscc()->set_value(kEnterpriseUscc);
  query.mutable_range()->set_start_unix_ms(t0 - 1);
  query.mutable_range()->set_end_unix_ms(NowMs());
  v1::QueryLedgerResponse ledger;
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    ledger.Clear();
    return stub_->QueryLedger(Context(kEnterpriseKey).get(), query, &ledger).ok() &&
           ledger.records_size() == 2;
  })) << ledger.ShortDebugString();
  EXPECT_EQ(ledger.records(1).record().register_value(), "101.250");
  query.mutable_uscc()->set_value(kOtherUscc);
  EXPECT_EQ(stub_->QueryLedger(Context(kEnterpriseKey).get(), query, &ledger).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->QueryLedger(Context(kGatewayKey).get(), query, &ledger).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::GetMeterStateRequest state_request;
  state_request.set_meter_id("M-A1");
  v1::MeterState state;
  ASSERT_TRUE(stub_->GetMeterState(Context(kWaterAffairsKey).get(), state_request, &state).ok());
  EXPECT_EQ(state.last_reading_unix_ms(), t0 + 900'000);
  EXPECT_EQ(state.last_register_value(), "101.250");
  EXPECT_EQ(state.readings_accepted(), 2);
}

// A reading sent again is a duplicate however old, and never recorded twice; the same meter and
// time with another value is a conflict, quarantined and counted nowhere. Both hold after a
// restart, when only the ledger remembers the old readings.
TEST_F(IngestIntegrationTest, AReadingSentAgainIsADuplicateAtAnyAgeAndAnotherValueAConflict) {
  const int64_t t0 = NowMs() - 30 * 3'600'000LL;
  std::vector<v1::Reading> day;
  day.reserve(40);
  for (int i = 0; i < 40; ++i) {  // 10 hours, quarter-hourly: far more than VEE's recent 16
    day.push_back(RegisterReading("M-A1", t0 + i * 900'000LL, absl::StrCat(100 + i, ".000")));
  }
  ASSERT_EQ(Submit(day).accepted(), 40);
  v1::Reading changed = day[0];
  changed.set_register_value("99.500");

  auto ledger_rows = [&] {
    v1::QueryLedgerRequest query;
    query.set_meter_id("M-A1");
    query.mutable_range()->set_start_unix_ms(t0 - 1);
    query.mutable_range()->set_end_unix_ms(NowMs());
    query.mutable_page()->set_page_size(1000);
    v1::QueryLedgerResponse ledger;
    const grpc::Status s = stub_->QueryLedger(Context(kWaterAffairsKey).get(), query, &ledger);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return ledger.records_size();
  };
  for (int round = 0; round < 2; ++round) {
    SCOPED_TRACE(round == 0 ? "while running" : "after a restart");
    const v1::SubmitReadingsResponse again = Submit(day);
    EXPECT_EQ(again.duplicates(), 40);
    EXPECT_EQ(again.accepted(), 0);
    const v1::SubmitReadingsResponse conflict = Submit({changed});
    ASSERT_EQ(conflict.results_size(), 1);
    EXPECT_EQ(conflict.results(0).outcome(), v1::OUTCOME_REJECTED);
    EXPECT_EQ(conflict.results(0).reason(), v1::REJECT_REASON_CONFLICT);
    EXPECT_THAT(conflict.results(0).detail(),
                HasSubstr("with register 100.000; this one has register 99.500"));
    // The ledger holds the day once: 40 real records (no gaps, so no estimates).
    ASSERT_TRUE(jieshui::testing::WaitFor([&] { return ledger_rows() == 40; }));
    if (round == 0) {
      app_->Stop();
      auto app = testing::StartApp(env_.env);
      ASSERT_TRUE(app.ok()) << app.status();
      app_ = *std::move(app);
      stub_ = v1::IngestService::NewStub(grpc::CreateChannel(
          absl::StrCat("127.0.0.1:", app_->port()), grpc::InsecureChannelCredentials()));
    }
  }
  // The conflicts were quarantined for review, with their reason.
  testing::TopicCollector rejected(env_.rejected_topic);
  ASSERT_EQ(rejected.WaitFor(2), 2U);
  for (const auto& message : rejected.messages()) {
    auto envelope = kafka::DecodeEnvelope(message.value);
    ASSERT_TRUE(envelope.ok());
    auto quarantined = kafka::UnpackPayload<v1::ReadingRejected>(*envelope);
    ASSERT_TRUE(quarantined.ok());
    EXPECT_EQ(quarantined->reason(), v1::REJECT_REASON_CONFLICT);
    EXPECT_EQ(quarantined->reading().register_value(), "99.500");
  }
  EXPECT_EQ(ledger_rows(), 40);
}

TEST_F(IngestIntegrationTest, OnlyGatewaysAndTheBureauSubmit) {
  v1::SubmitReadingsRequest request;
  *request.add_readings() = RegisterReading("M-A1", NowMs(), "1");
  v1::SubmitReadingsResponse response;
  EXPECT_EQ(stub_->SubmitReadings(Context(kEnterpriseKey).get(), request, &response).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(stub_->SubmitReadings(Context("").get(), request, &response).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_TRUE(stub_->SubmitReadings(Context(kWaterAffairsKey).get(), request, &response).ok());
  // A malformed reading is rejected with the field named, and the rest of the batch is served.
  v1::Reading bad = RegisterReading("M-A2", NowMs(), "12,5");
  const v1::SubmitReadingsResponse mixed = Submit({bad, RegisterReading("M-A2", NowMs(), "3")});
  ASSERT_EQ(mixed.results_size(), 2);
  EXPECT_EQ(mixed.results(0).reason(), v1::REJECT_REASON_MALFORMED);
  EXPECT_THAT(mixed.results(0).detail(), HasSubstr("register_value"));
  // The field is named once, first: "register_value: "12,5" ...", not "register_value:
  // register_value: ...".
  EXPECT_EQ(mixed.results(0).detail().rfind("register_value: \"12,5\"", 0), 0U)
      << mixed.results(0).detail();
  EXPECT_EQ(mixed.results(0).detail().find("register_value", 1), std::string::npos)
      << mixed.results(0).detail();
  EXPECT_EQ(mixed.results(1).outcome(), v1::OUTCOME_ACCEPTED);
}

TEST_F(IngestIntegrationTest, StreamAnswersEveryBatch) {
  auto ctx = Context(kGatewayKey);
  auto stream = stub_->StreamReadings(ctx.get());
  const int64_t t0 = NowMs() - int64_t{24} * 3'600'000;
  for (int b = 0; b < 20; ++b) {
    v1::SubmitReadingsRequest request;
    request.set_batch_id(absl::StrCat("batch-", b));
    for (int i = 0; i < 50; ++i) {
      const int step = b * 50 + i;
      *request.add_readings() =
          RegisterReading("M-A2", t0 + int64_t{step} * 60'000, absl::StrCat(1000 + step, ".5"));
    }
    ASSERT_TRUE(stream->Write(request));
  }
  stream->WritesDone();
  std::set<std::string> answered;
  int accepted = 0;
  v1::SubmitReadingsResponse response;
  while (stream->Read(&response)) {
    answered.insert(response.batch_id());
    accepted += response.accepted();
  }
  grpc::Status s = stream->Finish();
  EXPECT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(answered.size(), 20U);
  EXPECT_EQ(accepted, 1000);
}

class Hj212Client {
 public:
  explicit Hj212Client(int port) : fd_(::socket(AF_INET, SOCK_STREAM, 0)) {
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(port));
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    // NOLINTNEXTLINE(cppcoreguidelines-pro-type-reinterpret-cast): the sockets API
    connected_ = ::connect(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) == 0;
    timeval tv{10, 0};
    ::setsockopt(fd_, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  }
  ~Hj212Client() { ::close(fd_); }
  Hj212Client(const Hj212Client&) = delete;
  Hj212Client& operator=(const Hj212Client&) = delete;
  bool connected() const { return connected_; }
  void Send(std::string_view bytes) {
    ASSERT_EQ(::send(fd_, bytes.data(), bytes.size(), 0), static_cast<ssize_t>(bytes.size()));
  }
  // The next reply frame's data segment, or "" on timeout.
  std::string ReadReply() {
    char buffer[4096];
    while (true) {
      if (auto next = decoder_.Next()) {
        if (auto* frame = std::get_if<hj212::Frame>(&*next)) {
          return frame->data_segment;
        }
        continue;
      }
      const ssize_t n = ::recv(fd_, buffer, sizeof(buffer), 0);
      if (n <= 0) {
        return "";
      }
      decoder_.Feed(std::string_view(buffer, static_cast<size_t>(n)));
    }
  }

 private:
  int fd_ = -1;
  bool connected_ = false;
  hj212::FrameDecoder decoder_;
};

TEST_F(IngestIntegrationTest, Hj212FramesBecomeReadingsAndAreAnsweredOnceDurable) {
  auto meter = testing::SampleMeter("M-HJ", kOtherUscc);
  meter.mutable_hj212()->set_mn("88888880000001");
  meter.mutable_hj212()->set_data_code("w00000");
  testing::PublishMeters(env_.meter_topic, {meter});
  // Hour data: w00000-Cou is the volume of the hour starting at DataTime.
  const absl::Time hour =
      absl::FromUnixSeconds((absl::ToUnixSeconds(absl::Now()) / 3600 - 3) * 3600);
  auto frame_for = [&](absl::Time data_time, const std::string& cou, int flag,
                       const std::string& mn = "88888880000001") {
    hj212::DataUpload upload;
    upload.qn = hj212::FormatQn(data_time);
    upload.st = "32";
    upload.cn = std::string(hj212::kCnHourData);
    upload.pw = "123456";
    upload.mn = mn;
    upload.flag = flag;
    upload.data_time = data_time;
    hj212::Item flow;
    flow.code = "w00000";
    flow.fields = {{"Cou", cou}, {"Flag", "N"}};
    hj212::Item cod;  // a pollutant value on the same MN: not water volume, ignored
    cod.code = "w01018";
    cod.fields = {{"Avg", "35.2"}, {"Flag", "N"}};
    upload.items = {flow, cod};
    auto frame = hj212::BuildDataFrame(upload);
    EXPECT_TRUE(frame.ok()) << frame.status();
    return frame.value_or("");
  };
  // Known to intake once the registry event arrived.
  ASSERT_TRUE(jieshui::testing::WaitFor([&] { return app_->directory().Find("M-HJ") != nullptr; }));
  Hj212Client client(app_->hj212_port());
  ASSERT_TRUE(client.connected());
  // Garbage, then a frame with a corrupted CRC, then a good frame delivered in two pieces.
  std::string corrupted = frame_for(hour, "12.5", 5);
  corrupted[corrupted.size() - 4] = corrupted[corrupted.size() - 4] == '0' ? '1' : '0';
  client.Send("hello gateway\r\n");
  client.Send(corrupted);
  const std::string good = frame_for(hour, "12.5", 5);
  client.Send(good.substr(0, 30));
  client.Send(good.substr(30));
  const std::string reply = client.ReadReply();
  EXPECT_THAT(reply, HasSubstr("CN=9014"));
  EXPECT_THAT(reply, HasSubstr(absl::StrCat("QN=", hj212::FormatQn(hour))));
  // The reply came after the reading was durable: it is on the topic.
  testing::TopicCollector readings(env_.reading_topic);
  ASSERT_EQ(readings.WaitFor(1), 1U);
  // The first record of each message (one frame, one reading, one message).
  auto first_record = [&](size_t i) {
    auto event = kafka::DecodeEnvelope(readings.messages()[i].value);
    EXPECT_TRUE(event.ok());
    auto records = RecordsOfEvent(*event);
    EXPECT_TRUE(records.ok() && records->size() == 1U);
    return records.ok() && !records->empty() ? (*records)[0] : v1::ReadingAccepted();
  };
  const v1::ReadingAccepted accepted = first_record(0);
  EXPECT_EQ(accepted.meter_id(), "M-HJ");
  EXPECT_EQ(accepted.delta().litres(), 12'500);
  EXPECT_EQ(accepted.interval_start_unix_ms(), absl::ToUnixMillis(hour));
  EXPECT_EQ(accepted.interval_end_unix_ms(), absl::ToUnixMillis(hour + absl::Hours(1)));
  EXPECT_EQ(accepted.source(), "hj212");

  // The same frame again (a gateway resending): a duplicate, answered, nothing new on the topic.
  client.Send(good);
  EXPECT_THAT(client.ReadReply(), HasSubstr("CN=9014"));
  // A frame that wants no reply (Flag=4) is stored without one; the next one is answered.
  client.Send(frame_for(hour + absl::Hours(1), "10", 4));
  client.Send(frame_for(hour + absl::Hours(2), "11", 5));
  EXPECT_THAT(client.ReadReply(), HasSubstr(hj212::FormatQn(hour + absl::Hours(2))));
  // Three messages, for three different hours: the duplicate frame added none between them.
  ASSERT_EQ(readings.WaitFor(3), 3U);
  for (size_t i = 0; i < 3; ++i) {
    EXPECT_EQ(first_record(i).interval_start_unix_ms(),
              absl::ToUnixMillis(hour + absl::Hours(static_cast<int64_t>(i))));
  }

  // Every frame is counted in Prometheus by outcome: a length that is not digits, a frame whose
  // packet does not parse, and an MN no meter has (still answered, its reading quarantined).
  client.Send("##12a4");
  auto not_a_packet = hj212::EncodeFrame("this is not an HJ 212 packet");
  ASSERT_TRUE(not_a_packet.ok()) << not_a_packet.status();
  client.Send(*not_a_packet);
  client.Send(frame_for(hour, "1", 5, "77777770000007"));
  EXPECT_THAT(client.ReadReply(), HasSubstr("CN=9014"));
  httplib::Client http("127.0.0.1", app_->metrics_port());
  auto metrics = http.Get("/metrics");
  ASSERT_TRUE(metrics && metrics->status == 200);
  const std::string& text = metrics->body;
  auto value = [&](const std::string& series) -> int64_t {
    const size_t at = text.find("\n" + series + " ");
    return at == std::string::npos ? -1 : std::stoll(text.substr(at + series.size() + 2));
  };
  const std::string frames = "jieshui_ingest_hj212_frames_total";
  // good: the frame in two pieces, its resend, and the Flag=4 and Flag=5 frames.
  EXPECT_EQ(value(frames + "{outcome=\"good\"}"), 4) << text;
  EXPECT_GE(value(frames + "{outcome=\"garbage\"}"), 1) << text;  // "hello gateway", at least
  EXPECT_EQ(value(frames + "{outcome=\"bad_crc\"}"), 1) << text;
  EXPECT_EQ(value(frames + "{outcome=\"bad_length\"}"), 1) << text;
  EXPECT_EQ(value(frames + "{outcome=\"bad_packet\"}"), 1) << text;
  EXPECT_EQ(value(frames + "{outcome=\"unknown_mn\"}"), 1) << text;
  EXPECT_EQ(value(frames + "{outcome=\"too_long\"}"), 0) << text;
  EXPECT_EQ(value("jieshui_ingest_hj212_connections_total{outcome=\"accepted\"}"), 1) << text;
  EXPECT_EQ(value("jieshui_ingest_hj212_open_connections"), 1) << text;
}

}  // namespace
}  // namespace jieshui::ingest
