// jieshui-health against a real GrpcServer (grpcserver_test_server, a child process): SERVING is
// exit 0, an unknown service, a closed port and bad arguments are not.
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "gtest/gtest.h"
#include "testing/child_process.hpp"

namespace {

using std::chrono::seconds;

struct ProbeResult {
  std::optional<int> exit_code;
  std::vector<std::string> stdout_lines;
};

ProbeResult RunProbe(std::vector<std::string> args) {
  args.insert(args.begin(), JIESHUI_HEALTH_BINARY);
  jieshui::testing::ChildProcess probe;
  if (!probe.Start(args)) {
    return {};
  }
  ProbeResult result;
  result.exit_code = probe.Wait(seconds(20));
  result.stdout_lines = probe.Lines();
  return result;
}

class HealthProbeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Start({JIESHUI_TEST_SERVER_BINARY}));
    // The test server prints its port as a line of digits among its JSON log lines.
    std::optional<std::string> port;
    while (!port.has_value()) {
      std::optional<std::string> line = server_.ReadLine(seconds(30));
      ASSERT_TRUE(line.has_value()) << "the test server printed no port";
      if (!line->empty() && line->find_first_not_of("0123456789") == std::string::npos) {
        port = line;
      }
    }
    address_ = "127.0.0.1:" + *port;
  }

  jieshui::testing::ChildProcess server_;
  std::string address_;
};

TEST_F(HealthProbeTest, ServingServerExitsZero) {
  ProbeResult result = RunProbe({address_});
  EXPECT_EQ(result.exit_code, 0);
  ASSERT_EQ(result.stdout_lines.size(), 1u);
  EXPECT_EQ(result.stdout_lines[0], address_ + ": SERVING");

  result = RunProbe({address_, "--service", "jieshui.testing.v1.EchoService", "--timeout", "5s"});
  EXPECT_EQ(result.exit_code, 0);
}

TEST_F(HealthProbeTest, UnknownServiceIsNotServing) {
  ProbeResult result = RunProbe({address_, "--service", "no.such.Service"});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_TRUE(result.stdout_lines.empty());
}

TEST_F(HealthProbeTest, StoppedServerIsNotServing) {
  server_.Signal(SIGTERM);
  ASSERT_EQ(server_.Wait(seconds(30)), 0);
  EXPECT_EQ(RunProbe({address_, "--timeout", "1s"}).exit_code, 1);
}

TEST(HealthProbeArgsTest, BadArgumentsExitTwo) {
  EXPECT_EQ(RunProbe({}).exit_code, 2);
  EXPECT_EQ(RunProbe({"127.0.0.1:1", "--timeout", "soon"}).exit_code, 2);
  EXPECT_EQ(RunProbe({"127.0.0.1:1", "--frob"}).exit_code, 2);
}

}  // namespace
