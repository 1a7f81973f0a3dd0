// Integration tests of the registry service against the real local stack: the gRPC API in-process
// with its own PostgreSQL schema and Kafka topics, called through the generated stub over TCP.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <set>

#include "csv/csv.hpp"
#include "google/protobuf/util/message_differencer.h"
#include "grpcserver/status.hpp"
#include "jieshui/events/v1/registry_events.pb.h"
#include "kafka/envelope.hpp"
#include "registry/src/app.hpp"
#include "registry_test_env.hpp"

namespace jieshui::registry {
namespace {

using google::protobuf::util::MessageDifferencer;
using testing::Context;
using ::testing::HasSubstr;
using testing::kEnterpriseAKey;
using testing::kGatewayKey;
using testing::kPartnerKey;
using testing::kUsccA;
using testing::kUsccB;
using testing::kWaterAffairsKey;
using testing::SampleEnterprise;
using testing::SampleMeter;
using testing::TopicReader;

class RegistryIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    env_ = testing::MakeTestEnv();
    auto app = testing::StartApp(env_.env);
    ASSERT_TRUE(app.ok()) << app.status();
    app_ = *std::move(app);
    channel_ = grpc::CreateChannel(absl::StrCat("127.0.0.1:", app_->port()),
                                   grpc::InsecureChannelCredentials());
    stub_ = v1::RegistryService::NewStub(channel_);
  }

  void TearDown() override {
    if (app_) {
      app_->Stop();
    }
  }

  v1::Enterprise Create(const v1::Enterprise& e) {
    v1::CreateEnterpriseRequest request;
    *request.mutable_enterprise() = e;
    v1::Enterprise created;
    grpc::Status s = stub_->CreateEnterprise(Context(kWaterAffairsKey).get(), request, &created);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return created;
  }

  v1::Meter Register(const v1::Meter& m) {
    v1::RegisterMeterRequest request;
    *request.mutable_meter() = m;
    v1::Meter registered;
    grpc::Status s = stub_->RegisterMeter(Context(kWaterAffairsKey).get(), request, &registered);
    EXPECT_TRUE(s.ok()) << s.error_message();
    return registered;
  }

  grpc::Status Get(const std::string& key, const std::string& uscc, v1::Enterprise* out) {
    v1::GetEnterpriseRequest request;
    request.mutable_uscc()->set_value(uscc);
    return stub_->GetEnterprise(Context(key).get(), request, out);
  }

  testing::TestEnv env_;
  std::unique_ptr<RegistryApp> app_;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<v1::RegistryService::Stub> stub_;
};

// The field the server named in the jieshui-error-bin trailer.
std::string ViolatedField(const grpc::ClientContext& ctx) {
  auto detail = grpcserver::ErrorDetailFromTrailers(ctx);
  if (!detail || detail->field_violations_size() == 0) {
    return "";
  }
  return detail->field_violations(0).field();
}

TEST_F(RegistryIntegrationTest, CreatePublishesTheFullStateOnTheCompactedTopic) {
  const v1::Enterprise created = Create(SampleEnterprise(kUsccA, "苏州吴中印染有限公司"));
  EXPECT_EQ(created.version(), 1);
  EXPECT_EQ(created.created().principal(), "water_affairs:bureau test");

  TopicReader reader(env_.enterprise_topic);
  auto events = reader.WaitForKey(kUsccA, 1);
  ASSERT_EQ(events.size(), 1U);
  EXPECT_EQ(events[0].subject_key(), kUsccA);
  EXPECT_EQ(events[0].producer(), "registry");
  auto changed = kafka::UnpackPayload<events::v1::EnterpriseChanged>(events[0]);
  ASSERT_TRUE(changed.ok()) << changed.status();
  EXPECT_EQ(changed->change(), v1::CHANGE_KIND_CREATED);
  EXPECT_TRUE(MessageDifferencer::Equals(changed->enterprise(), created))
      << changed->enterprise().ShortDebugString() << "\nvs\n"
      << created.ShortDebugString();

  const v1::Meter meter = Register(SampleMeter("WZ-M-0001", kUsccA, 1));
  TopicReader meters(env_.meter_topic);
  auto meter_events = meters.WaitForKey("WZ-M-0001", 1);  // keyed by meter id
  ASSERT_EQ(meter_events.size(), 1U);
  auto meter_changed = kafka::UnpackPayload<events::v1::MeterChanged>(meter_events[0]);
  ASSERT_TRUE(meter_changed.ok());
  EXPECT_TRUE(MessageDifferencer::Equals(meter_changed->meter(), meter));
}

TEST_F(RegistryIntegrationTest, AStaleUpdateIsAbortedAndChangesNothing) {
  const v1::Enterprise v1_record = Create(SampleEnterprise(kUsccA, "原名称"));

  v1::UpdateEnterpriseRequest first;
  *first.mutable_enterprise() = v1_record;
  first.mutable_enterprise()->set_name("第一次修改");
  v1::Enterprise v2_record;
  ASSERT_TRUE(stub_->UpdateEnterprise(Context(kWaterAffairsKey).get(), first, &v2_record).ok());
  EXPECT_EQ(v2_record.version(), 2);

  // A second editor who also read version 1.
  v1::UpdateEnterpriseRequest stale;
  *stale.mutable_enterprise() = v1_record;
  stale.mutable_enterprise()->set_name("过期的修改");
  v1::Enterprise ignored;
  auto ctx = Context(kWaterAffairsKey);
  grpc::Status s = stub_->UpdateEnterprise(ctx.get(), stale, &ignored);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::ABORTED);
  EXPECT_THAT(s.error_message(), HasSubstr("stale version 1"));

  v1::Enterprise now;
  ASSERT_TRUE(Get(kWaterAffairsKey, kUsccA, &now).ok());
  EXPECT_EQ(now.version(), 2);
  EXPECT_EQ(now.name(), "第一次修改");

  v1::ListEnterpriseHistoryRequest history_request;
  history_request.mutable_uscc()->set_value(kUsccA);
  v1::ListEnterpriseHistoryResponse history;
  ASSERT_TRUE(
      stub_->ListEnterpriseHistory(Context(kPartnerKey).get(), history_request, &history).ok());
  ASSERT_EQ(history.revisions_size(), 2);
  EXPECT_EQ(history.revisions(0).enterprise().name(), "第一次修改");
  EXPECT_EQ(history.revisions(1).enterprise().name(), "原名称");

  // One more real change; the topic then holds versions 1, 2, 3 and nothing for the stale one.
  v1::UpdateEnterpriseRequest third;
  *third.mutable_enterprise() = now;
  third.mutable_enterprise()->set_key_monitored(true);
  v1::Enterprise v3_record;
  ASSERT_TRUE(stub_->UpdateEnterprise(Context(kWaterAffairsKey).get(), third, &v3_record).ok());
  TopicReader reader(env_.enterprise_topic);
  auto events = reader.WaitForKey(kUsccA, 3);
  std::vector<int64_t> versions;
  std::vector<std::string> names;
  for (const auto& envelope : events) {
    auto changed = kafka::UnpackPayload<events::v1::EnterpriseChanged>(envelope);
    ASSERT_TRUE(changed.ok());
    versions.push_back(changed->enterprise().version());
    names.push_back(changed->enterprise().name());
  }
  EXPECT_EQ(versions, (std::vector<int64_t>{1, 2, 3}));
  EXPECT_EQ(std::count(names.begin(), names.end(), "过期的修改"), 0);
}

TEST_F(RegistryIntegrationTest, BadRequestsNameTheFieldAndChangeNothing) {
  v1::CreateEnterpriseRequest request;
  *request.mutable_enterprise() = SampleEnterprise("91350203M0001QAY9B", "x");
  v1::Enterprise out;
  auto ctx = Context(kWaterAffairsKey);
  grpc::Status s = stub_->CreateEnterprise(ctx.get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_THAT(s.error_message(), HasSubstr("check character expected 9"));
  EXPECT_EQ(ViolatedField(*ctx), "enterprise.uscc");

  *request.mutable_enterprise() = SampleEnterprise(kUsccA, "x");
  request.mutable_enterprise()->mutable_industry_code()->set_value("C99");
  ctx = Context(kWaterAffairsKey);
  s = stub_->CreateEnterprise(ctx.get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedField(*ctx), "industry_code");
  EXPECT_EQ(Get(kWaterAffairsKey, kUsccA, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  *request.mutable_enterprise() = SampleEnterprise(kUsccA, "x");
  request.mutable_enterprise()->set_park_id("NO-SUCH-PARK");
  ctx = Context(kWaterAffairsKey);
  s = stub_->CreateEnterprise(ctx.get(), request, &out);
  EXPECT_EQ(s.error_code(), grpc::StatusCode::NOT_FOUND);
  EXPECT_EQ(ViolatedField(*ctx), "park_id");
  EXPECT_EQ(Get(kWaterAffairsKey, kUsccA, &out).error_code(), grpc::StatusCode::NOT_FOUND);

  Create(SampleEnterprise(kUsccA, "x"));
  *request.mutable_enterprise() = SampleEnterprise(kUsccA, "duplicate");
  EXPECT_EQ(stub_->CreateEnterprise(Context(kWaterAffairsKey).get(), request, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  ASSERT_TRUE(Get(kWaterAffairsKey, kUsccA, &out).ok());
  EXPECT_EQ(out.name(), "x");
}

TEST_F(RegistryIntegrationTest, ImportAppliesExactlyTheGoodRowsAndAReRunIsANoOp) {
  const std::vector<std::pair<int64_t, v1::Enterprise>> rows = [] {
    std::vector<std::pair<int64_t, v1::Enterprise>> out;
    out.emplace_back(2, SampleEnterprise(testing::UsccFor(1), "甲公司"));
    out.emplace_back(3, SampleEnterprise("91350203M0001QAY9B", "坏代码公司"));
    out.emplace_back(4, SampleEnterprise(testing::UsccFor(2), "乙公司"));
    v1::Enterprise bad_town = SampleEnterprise(testing::UsccFor(3), "丙公司");
    bad_town.set_town("Atlantis");
    out.emplace_back(5, bad_town);
    out.emplace_back(6, SampleEnterprise(testing::UsccFor(4), "丁公司"));
    out.emplace_back(7, SampleEnterprise(testing::UsccFor(1), "甲公司重复"));
    return out;
  }();
  auto run_import = [&] {
    v1::ImportSummary summary;
    auto ctx = Context(kWaterAffairsKey);
    auto writer = stub_->ImportEnterprises(ctx.get(), &summary);
    for (const auto& [row, enterprise] : rows) {
      v1::ImportEnterpriseRow message;
      message.set_row(row);
      *message.mutable_enterprise() = enterprise;
      EXPECT_TRUE(writer->Write(message));
    }
    writer->WritesDone();
    grpc::Status s = writer->Finish();
    EXPECT_TRUE(s.ok()) << s.error_message();
    return summary;
  };

  const v1::ImportSummary first = run_import();
  EXPECT_EQ(first.rows_received(), 6);
  EXPECT_EQ(first.created(), 3);
  EXPECT_EQ(first.rejected(), 3);
  ASSERT_EQ(first.errors_size(), 3);
  EXPECT_EQ(first.errors(0).row(), 3);
  EXPECT_EQ(first.errors(0).field(), "uscc");
  EXPECT_THAT(first.errors(0).reason(), HasSubstr("check character expected 9"));
  EXPECT_EQ(first.errors(1).row(), 5);
  EXPECT_EQ(first.errors(1).field(), "town");
  EXPECT_EQ(first.errors(2).row(), 7);
  EXPECT_THAT(first.errors(2).reason(), HasSubstr("also in row 2"));

  v1::ListEnterprisesRequest list;
  v1::ListEnterprisesResponse listed;
  ASSERT_TRUE(stub_->ListEnterprises(Context(kPartnerKey).get(), list, &listed).ok());
  std::set<std::string> names;
  for (const auto& e : listed.enterprises()) {
    names.insert(e.name());
    EXPECT_EQ(e.version(), 1);
  }
  EXPECT_EQ(names, (std::set<std::string>{"甲公司", "乙公司", "丁公司"}));

  const v1::ImportSummary second = run_import();
  EXPECT_EQ(second.created(), 0);
  EXPECT_EQ(second.updated(), 0);
  EXPECT_EQ(second.unchanged(), 3);
  EXPECT_EQ(second.rejected(), 3);
  listed.Clear();
  ASSERT_TRUE(stub_->ListEnterprises(Context(kPartnerKey).get(), list, &listed).ok());
  ASSERT_EQ(listed.enterprises_size(), 3);
  for (const auto& e : listed.enterprises()) {
    EXPECT_EQ(e.version(), 1) << "a re-run must not create new versions";
  }

  // Meters: a good row, a row for an unknown enterprise, a good row; re-run unchanged.
  auto run_meter_import = [&] {
    v1::ImportSummary summary;
    auto ctx = Context(kWaterAffairsKey);
    auto writer = stub_->ImportMeters(ctx.get(), &summary);
    const std::vector<v1::Meter> meters = {SampleMeter("M-1", testing::UsccFor(1), 1),
                                           SampleMeter("M-2", testing::UsccFor(3), 1),
                                           SampleMeter("M-3", testing::UsccFor(2), 2)};
    for (const v1::Meter& m : meters) {
      v1::ImportMeterRow message;  // row 0: numbered by position
      *message.mutable_meter() = m;
      EXPECT_TRUE(writer->Write(message));
    }
    writer->WritesDone();
    EXPECT_TRUE(writer->Finish().ok());
    return summary;
  };
  const v1::ImportSummary meters_first = run_meter_import();
  EXPECT_EQ(meters_first.created(), 2);
  ASSERT_EQ(meters_first.errors_size(), 1);
  EXPECT_EQ(meters_first.errors(0).row(), 2);
  EXPECT_EQ(meters_first.errors(0).code(), "NOT_FOUND");
  EXPECT_EQ(meters_first.errors(0).field(), "uscc");
  const v1::ImportSummary meters_second = run_meter_import();
  EXPECT_EQ(meters_second.unchanged(), 2);
  EXPECT_EQ(meters_second.created() + meters_second.updated(), 0);
}

TEST_F(RegistryIntegrationTest, AnEnterpriseKeyReadsOnlyItsOwnRecords) {
  Create(SampleEnterprise(kUsccA, "甲"));
  Create(SampleEnterprise(kUsccB, "乙"));
  Register(SampleMeter("A-1", kUsccA, 1));
  Register(SampleMeter("B-1", kUsccB, 1));

  v1::Enterprise out;
  EXPECT_TRUE(Get(kEnterpriseAKey, kUsccA, &out).ok());
  EXPECT_EQ(Get(kEnterpriseAKey, kUsccB, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);

  v1::GetMeterRequest own_meter;
  own_meter.set_meter_id("A-1");
  v1::Meter meter;
  EXPECT_TRUE(stub_->GetMeter(Context(kEnterpriseAKey).get(), own_meter, &meter).ok());
  v1::GetMeterRequest other_meter;
  other_meter.set_meter_id("B-1");
  EXPECT_EQ(stub_->GetMeter(Context(kEnterpriseAKey).get(), other_meter, &meter).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  v1::ListMetersRequest other_meters;
  other_meters.mutable_uscc()->set_value(kUsccB);
  v1::ListMetersResponse meters;
  EXPECT_EQ(stub_->ListMeters(Context(kEnterpriseAKey).get(), other_meters, &meters).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);
  v1::ListEnterprisesResponse listed;
  EXPECT_EQ(stub_->ListEnterprises(Context(kEnterpriseAKey).get(), {}, &listed).error_code(),
            grpc::StatusCode::PERMISSION_DENIED);

  // Writes are the bureau's: an enterprise, a partner or a gateway cannot change its record.
  v1::UpdateEnterpriseRequest update;
  *update.mutable_enterprise() = out;
  update.mutable_enterprise()->set_name("self-renamed");
  for (const char* key : {kEnterpriseAKey, kPartnerKey, kGatewayKey}) {
    EXPECT_EQ(stub_->UpdateEnterprise(Context(key).get(), update, &out).error_code(),
              grpc::StatusCode::PERMISSION_DENIED)
        << key;
  }
  // A gateway reads nothing; no key is unauthenticated.
  EXPECT_EQ(Get(kGatewayKey, kUsccA, &out).error_code(), grpc::StatusCode::PERMISSION_DENIED);
  EXPECT_EQ(Get("", kUsccA, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  EXPECT_EQ(Get("wrong-key", kUsccA, &out).error_code(), grpc::StatusCode::UNAUTHENTICATED);
  // Partners read any enterprise.
  EXPECT_TRUE(Get(kPartnerKey, kUsccB, &out).ok());
  EXPECT_EQ(out.name(), "乙");
}

TEST_F(RegistryIntegrationTest, ListFiltersPagesAndCounts) {
  v1::Park park;
  park.set_park_id("WZ-ETDZ");
  park.set_name("吴中经济技术开发区");
  park.set_town("郭巷街道");
  v1::CreateParkRequest create_park;
  *create_park.mutable_park() = park;
  v1::Park created_park;
  ASSERT_TRUE(stub_->CreatePark(Context(kWaterAffairsKey).get(), create_park, &created_park).ok());

  for (int i = 1; i <= 7; ++i) {
    v1::Enterprise e = SampleEnterprise(testing::UsccFor(i), absl::StrCat("企业", i));
    e.set_key_monitored(i % 2 == 1);                                         // 1, 3, 5, 7
    e.mutable_latest_annual_intake()->set_litres(int64_t{i} * 100'000'000);  // i × 100,000 m³
    e.mutable_industry_code()->set_value(i <= 3 ? "C2614" : "C3130");
    if (i >= 6) {
      e.set_park_id("WZ-ETDZ");
      e.set_town("郭巷街道");
    }
    Create(e);
  }
  auto list = [&](v1::ListEnterprisesRequest request) {
    std::vector<std::string> usccs;
    int64_t total = -1;
    request.mutable_page()->set_page_size(2);
    while (true) {
      v1::ListEnterprisesResponse page;
      grpc::Status s = stub_->ListEnterprises(Context(kPartnerKey).get(), request, &page);
      EXPECT_TRUE(s.ok()) << s.error_message();
      if (!s.ok()) {
        break;
      }
      total = page.page().total_count();
      for (const auto& e : page.enterprises()) {
        usccs.push_back(e.uscc().value());
      }
      if (page.page().next_page_token().empty()) {
        break;
      }
      request.mutable_page()->set_page_token(page.page().next_page_token());
    }
    return std::make_pair(usccs, total);
  };
  auto [all, all_total] = list({});
  EXPECT_EQ(all_total, 7);
  ASSERT_EQ(all.size(), 7U);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end()));

  v1::ListEnterprisesRequest monitored;
  monitored.set_key_monitored(true);
  monitored.mutable_min_annual_intake()->set_litres(300'000'000);  // ≥ 300,000 m³
  auto [big, big_total] = list(monitored);
  EXPECT_EQ(big_total, 3);  // 3, 5, 7
  EXPECT_EQ(big, (std::vector<std::string>{testing::UsccFor(3), testing::UsccFor(5),
                                           testing::UsccFor(7)}));

  v1::ListEnterprisesRequest in_park;
  in_park.set_park_id("WZ-ETDZ");
  in_park.set_industry_code_prefix("C31");
  EXPECT_EQ(list(in_park).second, 2);  // 6, 7
  v1::ListEnterprisesRequest chemicals;
  chemicals.set_industry_code_prefix("C26");
  EXPECT_EQ(list(chemicals).second, 3);

  // A token from one query is refused for another.
  v1::ListEnterprisesRequest first_page;
  first_page.mutable_page()->set_page_size(2);
  v1::ListEnterprisesResponse page;
  ASSERT_TRUE(stub_->ListEnterprises(Context(kPartnerKey).get(), first_page, &page).ok());
  v1::ListEnterprisesRequest other = chemicals;
  other.mutable_page()->set_page_token(page.page().next_page_token());
  auto ctx = Context(kPartnerKey);
  EXPECT_EQ(stub_->ListEnterprises(ctx.get(), other, &page).error_code(),
            grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(ViolatedField(*ctx), "page.page_token");

  // The key-monitored list and its CSV export.
  v1::ExportKeyMonitoredRequest export_request;
  v1::CsvFile file;
  ASSERT_TRUE(
      stub_->ExportKeyMonitored(Context(kWaterAffairsKey).get(), export_request, &file).ok());
  EXPECT_EQ(file.rows(), 4);
  EXPECT_EQ(file.content().substr(0, 3), "\xEF\xBB\xBF");
  auto records = csv::Reader::ReadAll(file.content());
  ASSERT_TRUE(records.ok()) << records.status();
  ASSERT_EQ(records->size(), 5U);
  EXPECT_EQ((*records)[0].fields[1], "统一社会信用代码");
  EXPECT_EQ((*records)[4].fields[1], testing::UsccFor(7));
  EXPECT_EQ((*records)[4].fields[4], "吴中经济技术开发区");
  EXPECT_THAT(file.file_name(), HasSubstr("重点监控用水单位名录_"));
}

TEST_F(RegistryIntegrationTest, DeregistrationIsSoftAndFreezesTheRecord) {
  const v1::Enterprise created = Create(SampleEnterprise(kUsccA, "甲"));
  v1::DeregisterEnterpriseRequest request;
  request.mutable_uscc()->set_value(kUsccA);
  request.set_version(created.version());
  request.set_reason("企业注销");
  request.mutable_effective_on()->set_year(2026);
  request.mutable_effective_on()->set_month(10);
  request.mutable_effective_on()->set_day(31);
  v1::Enterprise gone;
  ASSERT_TRUE(stub_->DeregisterEnterprise(Context(kWaterAffairsKey).get(), request, &gone).ok());
  EXPECT_EQ(gone.status(), v1::ENTERPRISE_STATUS_DEREGISTERED);

  v1::Enterprise read;
  ASSERT_TRUE(Get(kPartnerKey, kUsccA, &read).ok());
  EXPECT_EQ(read.deregistration().reason(), "企业注销");
  v1::ListEnterprisesResponse listed;
  ASSERT_TRUE(stub_->ListEnterprises(Context(kPartnerKey).get(), {}, &listed).ok());
  EXPECT_EQ(listed.page().total_count(), 0);
  v1::ListEnterprisesRequest with_gone;
  with_gone.set_include_deregistered(true);
  ASSERT_TRUE(stub_->ListEnterprises(Context(kPartnerKey).get(), with_gone, &listed).ok());
  EXPECT_EQ(listed.page().total_count(), 1);

  v1::RegisterMeterRequest meter;
  *meter.mutable_meter() = SampleMeter("A-9", kUsccA, 1);
  v1::Meter out;
  EXPECT_EQ(stub_->RegisterMeter(Context(kWaterAffairsKey).get(), meter, &out).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
  v1::UpdateEnterpriseRequest update;
  *update.mutable_enterprise() = read;
  update.mutable_enterprise()->set_name("复活");
  EXPECT_EQ(stub_->UpdateEnterprise(Context(kWaterAffairsKey).get(), update, &read).error_code(),
            grpc::StatusCode::FAILED_PRECONDITION);
}

TEST_F(RegistryIntegrationTest, CoverageOverdueCalibrationAndHj212Identity) {
  v1::Enterprise e = SampleEnterprise(kUsccA, "甲");  // points: 1 / 2 / 1
  Create(e);
  v1::Meter boundary = SampleMeter("A-L1", kUsccA, 1);
  boundary.mutable_hj212()->set_mn("88888880000001");
  boundary.mutable_hj212()->set_data_code("w00000");
  const v1::Meter registered = Register(boundary);
  v1::Meter workshop = SampleMeter("A-L2a", kUsccA, 2);
  workshop.mutable_calibration_due_on()->set_year(2026);
  workshop.mutable_calibration_due_on()->set_month(1);
  workshop.mutable_calibration_due_on()->set_day(15);
  Register(workshop);
  v1::Meter suspended = SampleMeter("A-L2b", kUsccA, 2);
  suspended.set_status(v1::METER_STATUS_SUSPENDED);
  Register(suspended);

  v1::GetMeteringCoverageRequest request;
  request.mutable_uscc()->set_value(kUsccA);
  request.mutable_as_of()->set_year(2026);
  request.mutable_as_of()->set_month(3);
  request.mutable_as_of()->set_day(1);
  v1::MeteringCoverage coverage;
  ASSERT_TRUE(stub_->GetMeteringCoverage(Context(kEnterpriseAKey).get(), request, &coverage).ok());
  ASSERT_EQ(coverage.levels_size(), 3);
  EXPECT_TRUE(coverage.levels(0).met());
  EXPECT_EQ(coverage.levels(1).installed_meters(), 1);  // the suspended one does not count
  EXPECT_EQ(coverage.levels(1).rate_basis_points(), 5000);
  EXPECT_FALSE(coverage.levels(1).met());
  EXPECT_FALSE(coverage.levels(2).met());  // one point declared, no meter
  EXPECT_FALSE(coverage.all_levels_met());
  ASSERT_EQ(coverage.overdue_calibration_size(), 1);
  EXPECT_EQ(coverage.overdue_calibration(0).meter_id(), "A-L2a");

  v1::ListOverdueCalibrationsRequest overdue;
  *overdue.mutable_as_of() = request.as_of();
  v1::ListMetersResponse overdue_meters;
  ASSERT_TRUE(
      stub_->ListOverdueCalibrations(Context(kPartnerKey).get(), overdue, &overdue_meters).ok());
  ASSERT_EQ(overdue_meters.meters_size(), 1);
  EXPECT_EQ(overdue_meters.meters(0).meter_id(), "A-L2a");

  // Two live meters cannot share an HJ 212 identity; after retiring the first, a new one can.
  v1::Meter clash = SampleMeter("A-L1-new", kUsccA, 1);
  *clash.mutable_hj212() = boundary.hj212();
  v1::RegisterMeterRequest clash_request;
  *clash_request.mutable_meter() = clash;
  v1::Meter out;
  auto ctx = Context(kWaterAffairsKey);
  EXPECT_EQ(stub_->RegisterMeter(ctx.get(), clash_request, &out).error_code(),
            grpc::StatusCode::ALREADY_EXISTS);
  EXPECT_EQ(ViolatedField(*ctx), "hj212");
  v1::RetireMeterRequest retire;
  retire.set_meter_id("A-L1");
  retire.set_version(registered.version());
  retire.set_reason("replaced by A-L1-new");
  *retire.mutable_retired_on() = request.as_of();
  v1::Meter retired;
  ASSERT_TRUE(stub_->RetireMeter(Context(kWaterAffairsKey).get(), retire, &retired).ok());
  EXPECT_EQ(retired.status(), v1::METER_STATUS_RETIRED);
  EXPECT_TRUE(stub_->RegisterMeter(Context(kWaterAffairsKey).get(), clash_request, &out).ok());
}

}  // namespace
}  // namespace jieshui::registry
