// End to end: the jieshui-registry binary as users run it, configured by its YAML file and
// environment, called over TCP with the generated stub; its services discovered through
// reflection and its health checked as a load balancer would; SIGTERM stops it cleanly.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <csignal>
#include <cstdlib>
#include <regex>
#include <string>
#include <tuple>
#include <vector>

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

// The components named by the log lines `msg` ("started", "stopping") of a run, in order.
std::vector<std::string> Components(const std::vector<std::string>& lines, const std::string& msg) {
  const std::regex line(R"re("msg":")re" + msg + R"re(","component":"([^"]+)")re");
  std::vector<std::string> out;
  for (const std::string& l : lines) {
    std::smatch m;
    if (std::regex_search(l, m, line)) {
      out.push_back(m[1].str());
    }
  }
  return out;
}

void SetEnvironment(const testing::TestEnv& env) {
  for (const auto& [name, value] : env.env) {
    ASSERT_EQ(setenv(name.c_str(), value.c_str(), 1), 0);
  }
}

// service/lifecycle.hpp: SIGTERM stops the components in reverse start order, and the log says so.
TEST(RegistryEndToEnd, SigtermStopsTheComponentsInReverseStartOrder) {
  testing::TestEnv env = testing::MakeTestEnv();
  env.env["JIESHUI_REGISTRY_LOG_LEVEL"] = "info";
  SetEnvironment(env);
  jieshui::testing::ChildProcess registry;
  ASSERT_TRUE(registry.Start({JIESHUI_REGISTRY_BINARY, "--config", testing::ConfigPath()}));
  ASSERT_TRUE(registry.WaitForLine("grpc server started", std::chrono::seconds(60)).has_value())
      << ::testing::PrintToString(registry.Lines());
  registry.Signal(SIGTERM);
  auto exit_code = registry.Wait(std::chrono::seconds(30));
  ASSERT_TRUE(exit_code.has_value()) << "registry did not stop after SIGTERM";
  EXPECT_EQ(*exit_code, 0);

  const std::vector<std::string> lines = registry.Lines();
  EXPECT_THAT(
      Components(lines, "started"),
      ::testing::ElementsAre("postgres pool", "migrations", "kafka topics", "kafka producer",
                             "outbox relay", "metrics endpoint", "grpc server"));
  // The steps with something to stop, latest first: calls drain before the relay stops, the relay
  // before the producer flushes, the producer before the pool closes.
  EXPECT_THAT(
      Components(lines, "stopping"),
      ::testing::ElementsAre("grpc server", "outbox relay", "kafka producer", "postgres pool"));
}

// A start-up that fails halfway (here: the metrics port is taken) stops what it started, latest
// first, and exits non-zero naming the step.
TEST(RegistryEndToEnd, AStartThatFailsHalfwayStopsWhatItStartedAndNamesTheStep) {
  const int busy = socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(busy, 0);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  address.sin_port = 0;
  ASSERT_EQ(bind(busy, reinterpret_cast<sockaddr*>(&address), sizeof(address)), 0);
  ASSERT_EQ(listen(busy, 1), 0);
  socklen_t length = sizeof(address);
  ASSERT_EQ(getsockname(busy, reinterpret_cast<sockaddr*>(&address), &length), 0);

  testing::TestEnv env = testing::MakeTestEnv();
  env.env["JIESHUI_REGISTRY_LOG_LEVEL"] = "info";
  env.env["JIESHUI_REGISTRY_METRICS_LISTEN"] =
      "127.0.0.1:" + std::to_string(ntohs(address.sin_port));
  SetEnvironment(env);
  jieshui::testing::ChildProcess registry;
  ASSERT_TRUE(registry.Start({JIESHUI_REGISTRY_BINARY, "--config", testing::ConfigPath()}));
  auto exit_code = registry.Wait(std::chrono::seconds(60));
  close(busy);
  ASSERT_TRUE(exit_code.has_value()) << "registry did not exit";
  EXPECT_EQ(*exit_code, 1);

  const std::vector<std::string> lines = registry.Lines();
  EXPECT_THAT(Components(lines, "stopping"),
              ::testing::ElementsAre("outbox relay", "kafka producer", "postgres pool"));
  EXPECT_THAT(lines, ::testing::Contains(::testing::AllOf(
                         ::testing::HasSubstr(R"("msg":"start failed")"),
                         ::testing::HasSubstr("start-up step metrics endpoint: "))));
}

}  // namespace
}  // namespace jieshui::registry
