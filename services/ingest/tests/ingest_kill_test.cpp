// The ingest binary is SIGKILLed while 100,000 readings of 1,000 meters stream in, and restarted;
// the client sends again every batch it had no answer for. Afterwards the reading topic and the
// ledger hold every reading exactly once per meter and timestamp, and each meter's consumption
// adds up to what its register says.
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <map>
#include <pqxx/pqxx>
#include <regex>
#include <set>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "ingest/src/adapters/record_codec.hpp"
#include "ingest_test_env.hpp"
#include "kafka/envelope.hpp"
#include "kafka/topic_reader.hpp"
#include "testing/child_process.hpp"
#include "testing/stack.hpp"

namespace jieshui::ingest {
namespace {

constexpr int kMeters = 1000;
constexpr int kSteps = 100;           // readings per meter
constexpr int kBatch = 500;           // readings per batch: half the meters at one step
constexpr int64_t kStepMs = 900'000;  // 15 minutes
constexpr int64_t kStepMilli = 1500;  // +1.5 m³ per step

std::string MeterId(int i) { return absl::StrFormat("K-%04d", i); }

class Ingest {
 public:
  bool Start() {
    process_ = std::make_unique<jieshui::testing::ChildProcess>();
    if (!process_->Start({JIESHUI_INGEST_BINARY, "--config", testing::ConfigPath()})) {
      return false;
    }
    auto line = process_->WaitForLine("grpc server started", std::chrono::seconds(120));
    std::smatch port;
    if (!line || !std::regex_search(*line, port, std::regex(R"("port":(\d+))"))) {
      return false;
    }
    channel_ =
        grpc::CreateChannel("127.0.0.1:" + port[1].str(), grpc::InsecureChannelCredentials());
    stub_ = v1::IngestService::NewStub(channel_);
    return true;
  }
  void Kill() {
    process_->Signal(SIGKILL);
    process_->Wait(std::chrono::seconds(30));
  }
  void Stop() {
    process_->Signal(SIGTERM);
    process_->Wait(std::chrono::seconds(30));
  }
  v1::IngestService::Stub& stub() { return *stub_; }
  std::vector<std::string> Lines() const { return process_->Lines(); }

 private:
  std::unique_ptr<jieshui::testing::ChildProcess> process_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::IngestService::Stub> stub_;
};

v1::SubmitReadingsRequest BatchAt(int index, int64_t t0) {
  // Batch k: step k / 2, meters [0, 500) or [500, 1000).
  const int step = index / 2;
  const int first = (index % 2) * kBatch;
  v1::SubmitReadingsRequest request;
  request.set_batch_id(absl::StrCat(index));
  for (int m = first; m < first + kBatch; ++m) {
    v1::Reading* r = request.add_readings();
    r->set_meter_id(MeterId(m));
    r->set_timestamp_unix_ms(t0 + step * kStepMs);
    const int64_t milli = 1'000'000 + m * 10'000 + step * kStepMilli;
    r->set_register_value(absl::StrFormat("%d.%03d", milli / 1000, milli % 1000));
  }
  return request;
}

// Streams `batches` (indexes) with up to 16 in flight; returns the ones answered. When
// `kill_after` answers have arrived, `on_kill` runs (it kills the server) and streaming stops.
std::set<int> Stream(Ingest& ingest, const std::vector<int>& batches, int64_t t0, int kill_after,
                     const std::function<void()>& on_kill) {
  std::set<int> answered;
  auto ctx = testing::Context(testing::kGatewayKey);
  auto stream = ingest.stub().StreamReadings(ctx.get());
  std::mutex mu;
  std::condition_variable cv;
  int in_flight = 0;
  bool killed = false;
  std::thread reader([&] {
    v1::SubmitReadingsResponse response;
    while (stream->Read(&response)) {
      std::lock_guard lock(mu);
      if (response.results_size() == kBatch &&
          response.accepted() + response.duplicates() == kBatch) {
        answered.insert(std::stoi(response.batch_id()));
      }
      --in_flight;
      cv.notify_all();
      if (kill_after > 0 && static_cast<int>(answered.size()) >= kill_after && !killed) {
        killed = true;
        on_kill();
        cv.notify_all();
        return;
      }
    }
    std::lock_guard lock(mu);
    killed = true;  // the stream ended (server gone or all answered)
    cv.notify_all();
  });
  for (int index : batches) {
    std::unique_lock lock(mu);
    cv.wait(lock, [&] { return in_flight < 16 || killed; });
    if (killed) {
      break;
    }
    ++in_flight;
    lock.unlock();
    if (!stream->Write(BatchAt(index, t0))) {
      break;
    }
  }
  stream->WritesDone();
  reader.join();
  stream->Finish();
  return answered;
}

TEST(IngestKillTest, EveryReadingExactlyOnceAcrossASigkill) {
  testing::TestEnv env = testing::MakeTestEnv();
  env.env["JIESHUI_INGEST_LOG_LEVEL"] = "info";
  std::vector<jieshui::registry::v1::Meter> meters;
  meters.reserve(kMeters);
  for (int i = 0; i < kMeters; ++i) {
    meters.push_back(testing::SampleMeter(
        MeterId(i), i % 2 == 0 ? testing::kEnterpriseUscc : testing::kOtherUscc));
  }
  testing::PublishMeters(env.meter_topic, meters);
  for (const auto& [name, value] : env.env) {
    ASSERT_EQ(setenv(name.c_str(), value.c_str(), 1), 0);
  }
  const int64_t t0 = absl::ToUnixMillis(absl::Now()) - (kSteps + 1) * kStepMs;
  std::vector<int> all;
  all.reserve(size_t{kMeters / kBatch} * kSteps);
  for (int i = 0; i < kMeters / kBatch * kSteps; ++i) {
    all.push_back(i);
  }

  Ingest ingest;
  ASSERT_TRUE(ingest.Start());
  std::set<int> answered = Stream(ingest, all, t0, 60, [&] { ingest.Kill(); });
  ASSERT_GE(answered.size(), 60U);
  ASSERT_LT(answered.size(), all.size()) << "the kill came too late to test anything";

  // Restarted: it rebuilds its state from the ledger and the topic, and the client sends again
  // everything it had no answer for, in order.
  ASSERT_TRUE(ingest.Start()) << ::testing::PrintToString(ingest.Lines());
  std::vector<int> again;
  for (int i : all) {
    if (!answered.contains(i)) {
      again.push_back(i);
    }
  }
  std::set<int> second = Stream(ingest, again, t0, 0, [] {});
  EXPECT_EQ(second.size(), again.size());

  // The topic: one REAL record per meter and timestamp, 100,000 in all.
  auto reader = kafka::TopicReader::Create(jieshui::testing::KafkaBootstrap(), env.reading_topic);
  ASSERT_TRUE(reader.ok()) << reader.status();
  auto ends = (*reader)->EndOffsets();
  ASSERT_TRUE(ends.ok());
  std::map<std::pair<std::string, int64_t>, int> real;
  std::map<std::string, int64_t> litres;
  while (!(*reader)->Reached(*ends)) {
    auto message = (*reader)->Poll(std::chrono::milliseconds(500));
    ASSERT_TRUE(message.ok());
    if (!message->has_value()) {
      continue;
    }
    auto envelope = kafka::DecodeEnvelope((*message)->value);
    ASSERT_TRUE(envelope.ok());
    auto records = RecordsOfEvent(*envelope);
    ASSERT_TRUE(records.ok()) << records.status();
    for (const v1::ReadingAccepted& accepted : *records) {
      litres[accepted.meter_id()] += accepted.delta().litres();
      if (accepted.kind() == v1::RECORD_KIND_REAL) {
        ++real[{accepted.meter_id(), accepted.interval_end_unix_ms()}];
      }
    }
  }
  EXPECT_EQ(real.size(), static_cast<size_t>(kMeters * kSteps));
  int duplicates = 0;
  for (const auto& [key, count] : real) {
    duplicates += count - 1;
  }
  EXPECT_EQ(duplicates, 0);
  ASSERT_EQ(litres.size(), static_cast<size_t>(kMeters));
  for (const auto& [meter, total] : litres) {
    EXPECT_EQ(total, (kSteps - 1) * kStepMilli) << meter;  // 1 litre per milli-m³
  }

  // The ledger catches up to the same: every reading once.
  pqxx::connection conn(jieshui::testing::PostgresUri());
  int64_t rows = 0;
  int64_t distinct = 0;
  const bool caught_up = jieshui::testing::WaitFor(
      [&] {
        pqxx::work tx(conn);
        pqxx::row r = tx.exec1(absl::StrCat(
            "SELECT count(*), count(DISTINCT (meter_id, interval_end)) FROM ",
            tx.quote_name(env.schema), ".readings WHERE kind = ", v1::RECORD_KIND_REAL));
        rows = r[0].as<int64_t>();
        distinct = r[1].as<int64_t>();
        return rows >= int64_t{kMeters} * kSteps;
      },
      std::chrono::seconds(180), std::chrono::milliseconds(500));
  EXPECT_TRUE(caught_up) << rows << " ledger rows";
  EXPECT_EQ(rows, kMeters * kSteps);
  EXPECT_EQ(distinct, kMeters * kSteps);
  ingest.Stop();
}

}  // namespace
}  // namespace jieshui::ingest
