// End to end: the jieshui-registry binary as users run it, configured by its YAML file and
// environment, called over TCP with the generated stub; its services discovered through
// reflection and its health checked as a load balancer would; SIGTERM stops it cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <csignal>
#include <cstdlib>
#include <regex>
#include <tuple>

#include "grpc/health/v1/health.grpc.pb.h"
#include "registry_test_env.hpp"
#include "testing/child_process.hpp"

namespace jieshui::registry {
namespace {

using testing::Context;
using testing::kWaterAffairsKey;

TEST(RegistryEndToEnd, BinaryServesTheApiReflectionAndHealthOverTcp) {
  testing::TestEnv env = testing::MakeTestEnv();
  env.env["JIESHUI_REGISTRY_LOG_LEVEL"] = "info";  // the start-up line below is logged at info
  for (const auto& [name, value] : env.env) {
    ASSERT_EQ(setenv(name.c_str(), value.c_str(), 1), 0);
  }
  jieshui::testing::ChildProcess registry;
  ASSERT_TRUE(registry.Start({JIESHUI_REGISTRY_BINARY, "--config", testing::ConfigPath()}));
  auto started = registry.WaitForLine("grpc server started", std::chrono::seconds(60));
  ASSERT_TRUE(started.has_value()) << "registry did not start; output:\n"
                                   << ::testing::PrintToString(registry.Lines());
  std::smatch port;
  ASSERT_TRUE(std::regex_search(*started, port, std::regex(R"("port":(\d+))"))) << *started;
  auto channel =
      grpc::CreateChannel("127.0.0.1:" + port[1].str(), grpc::InsecureChannelCredentials());

  // The API through the generated stub.
  auto stub = v1::RegistryService::NewStub(channel);
  v1::CreateEnterpriseRequest create;
  *create.mutable_enterprise() =
      testing::SampleEnterprise(testing::UsccFor(99), "苏州吴中印染有限公司");
  v1::Enterprise created;
  grpc::Status s = stub->CreateEnterprise(Context(kWaterAffairsKey).get(), create, &created);
  ASSERT_TRUE(s.ok()) << s.error_message();
  EXPECT_EQ(created.version(), 1);
  v1::GetEnterpriseRequest get;
  get.mutable_uscc()->set_value(testing::UsccFor(99));
  v1::Enterprise read;
  ASSERT_TRUE(stub->GetEnterprise(Context(kWaterAffairsKey).get(), get, &read).ok());
  EXPECT_EQ(read.name(), "苏州吴中印染有限公司");
  EXPECT_EQ(stub->GetEnterprise(Context("").get(), get, &read).error_code(),
            grpc::StatusCode::UNAUTHENTICATED);

  // Reflection lists and describes the service, so grpcurl and other stock clients can call it
  // (checked from a separate process: see libs/grpcserver/test/reflection_list.cpp).
  {
    jieshui::testing::ChildProcess reflection;
    ASSERT_TRUE(reflection.Start({JIESHUI_REFLECTION_LIST, "127.0.0.1:" + port[1].str(),
                                  "jieshui.registry.v1.RegistryService"}));
    auto code = reflection.Wait(std::chrono::seconds(60));
    const std::vector<std::string> lines = reflection.Lines();
    EXPECT_EQ(code.value_or(-1), 0) << ::testing::PrintToString(lines);
    EXPECT_THAT(lines, ::testing::Contains("service jieshui.registry.v1.RegistryService"));
    EXPECT_THAT(lines, ::testing::Contains("service grpc.health.v1.Health"));
    EXPECT_THAT(lines, ::testing::Contains(::testing::StartsWith(
                           "described jieshui.registry.v1.RegistryService ")));
  }

  auto health = grpc::health::v1::Health::NewStub(channel);
  grpc::health::v1::HealthCheckRequest check;
  check.set_service("jieshui.registry.v1.RegistryService");
  grpc::health::v1::HealthCheckResponse healthy;
  grpc::ClientContext health_ctx;
  ASSERT_TRUE(health->Check(&health_ctx, check, &healthy).ok());
  EXPECT_EQ(healthy.status(), grpc::health::v1::HealthCheckResponse::SERVING);

  // The operator's CLI imports the example registers from CSV; a second run changes nothing.
  ASSERT_EQ(setenv("JIESHUI_API_KEY", kWaterAffairsKey, 1), 0);
  auto cli = [&](const std::vector<std::string>& args) {
    jieshui::testing::ChildProcess process;
    std::vector<std::string> argv = {JIESHUI_REGISTRY_CLI, "--target",
                                     "127.0.0.1:" + port[1].str()};
    argv.insert(argv.end(), args.begin(), args.end());
    EXPECT_TRUE(process.Start(argv));
    auto code = process.Wait(std::chrono::seconds(60));
    std::string output;
    for (const std::string& line : process.Lines()) {
      output += line + "\n";
    }
    return std::make_pair(code.value_or(-1), output);
  };
  const std::string examples = JIESHUI_SOURCE_DIR "/tools/registry/examples/";
  auto [code, output] = cli({"import-enterprises", examples + "enterprises.csv"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, ::testing::HasSubstr("created 4"));
  std::tie(code, output) = cli({"import-meters", examples + "meters.csv"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, ::testing::HasSubstr("created 6"));
  std::tie(code, output) = cli({"import-enterprises", examples + "enterprises.csv"});
  EXPECT_EQ(code, 0) << output;
  EXPECT_THAT(output, ::testing::HasSubstr("unchanged 4"));
  v1::ListMetersRequest meters_of;
  meters_of.mutable_uscc()->set_value(testing::kUsccA);
  v1::ListMetersResponse meters;
  ASSERT_TRUE(stub->ListMeters(Context(kWaterAffairsKey).get(), meters_of, &meters).ok());
  EXPECT_EQ(meters.page().total_count(), 2);

  registry.Signal(SIGTERM);
  auto exit_code = registry.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(exit_code.has_value()) << "registry did not stop after SIGTERM";
  EXPECT_EQ(*exit_code, 0);
}

}  // namespace
}  // namespace jieshui::registry
