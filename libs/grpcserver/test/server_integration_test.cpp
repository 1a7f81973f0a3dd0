// Black-box test of GrpcServer: spawns grpcserver_test_server and talks to it over loopback TCP
// with real stubs (health, reflection, the echo service) and a plain HTTP scrape of /metrics.
#include <signal.h>

#include <chrono>
#include <optional>
#include <string>
#include <vector>

#include "grpc/health/v1/health.grpc.pb.h"
#include "grpc/reflection/v1alpha/reflection.grpc.pb.h"
#include "grpcpp/create_channel.h"
#include "grpcpp/security/credentials.h"
#include "gtest/gtest.h"
#include "httplib.h"
#include "jieshui/common/v1/errors.pb.h"
#include "jieshui/testing/v1/echo.grpc.pb.h"
#include "nlohmann/json.hpp"
#include "testing/child_process.hpp"
#include "testing/stack.hpp"

namespace {

namespace pb = jieshui::testing::v1;
using jieshui::testing::SiblingBinary;
using jieshui::testing::WaitFor;

constexpr char kWaterKey[] = "test-water-affairs-key";
constexpr char kEnterpriseKey[] = "test-enterprise-key";
constexpr char kEnterpriseUscc[] = "91320506MA1ABCDE0X";
constexpr char kOtherUscc[] = "91320506MA1ZZZZZ0Z";

// The test server as a child process: its first all-digit stdout line is the bound port, the
// other lines are its JSON logs.
class ServerProcess {
 public:
  bool Spawn(const std::string& path) { return child_.Start({path}); }

  std::optional<int> Port() const {
    for (const std::string& line : child_.Lines()) {
      if (!line.empty() && line.find_first_not_of("0123456789") == std::string::npos) {
        return std::stoi(line);
      }
    }
    return std::nullopt;
  }

  std::vector<nlohmann::json> JsonLines() const {
    std::vector<nlohmann::json> lines;
    for (const std::string& line : child_.Lines()) {
      auto parsed = nlohmann::json::parse(line, nullptr, /*allow_exceptions=*/false);
      if (parsed.is_object()) {
        lines.push_back(std::move(parsed));
      }
    }
    return lines;
  }

  void Signal(int signal_number) { child_.Signal(signal_number); }

  // Exit code (128 + signal when killed), or nullopt if still running after `timeout`.
  std::optional<int> WaitExit(std::chrono::milliseconds timeout) { return child_.Wait(timeout); }

 private:
  jieshui::testing::ChildProcess child_;
};

class GrpcServerIntegrationTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(server_.Spawn(SiblingBinary("grpcserver_test_server")));
    ASSERT_TRUE(WaitFor([this] { return server_.Port().has_value(); }, std::chrono::seconds(30)))
        << "server printed no port";
    port_ = *server_.Port();
    channel_ = grpc::CreateChannel("127.0.0.1:" + std::to_string(port_),
                                   grpc::InsecureChannelCredentials());
    echo_ = pb::EchoService::NewStub(channel_);
  }

  void TearDown() override {
    if (stopped_) {
      return;
    }
    // Clients going away first: an idle C++ channel never answers the server's GOAWAY ping, which
    // would hold the drain until its deadline (SigtermDrains... covers that case).
    echo_.reset();
    channel_.reset();
    server_.Signal(SIGTERM);
    auto status = server_.WaitExit(std::chrono::seconds(20));
    ASSERT_TRUE(status.has_value()) << "server did not exit after SIGTERM";
    EXPECT_EQ(*status, 0) << "exit code (128+n: killed by signal n)";
  }

  std::unique_ptr<grpc::ClientContext> Context(const std::string& authorization) {
    auto ctx = std::make_unique<grpc::ClientContext>();
    ctx->set_deadline(std::chrono::system_clock::now() + std::chrono::seconds(10));
    if (!authorization.empty()) {
      ctx->AddMetadata("authorization", authorization);
    }
    return ctx;
  }

  int64_t EchoCalls() {
    auto ctx = Context(std::string("Bearer ") + kWaterKey);
    pb::CountResponse response;
    grpc::Status status = echo_->Count(ctx.get(), pb::CountRequest(), &response);
    EXPECT_TRUE(status.ok()) << status.error_message();
    return response.echo_calls();
  }

  std::optional<jieshui::common::v1::ErrorDetail> Detail(const grpc::ClientContext& ctx) {
    const auto& trailers = ctx.GetServerTrailingMetadata();
    auto it = trailers.find("jieshui-error-bin");
    if (it == trailers.end()) {
      return std::nullopt;
    }
    jieshui::common::v1::ErrorDetail detail;
    if (!detail.ParseFromArray(it->second.data(), static_cast<int>(it->second.size()))) {
      return std::nullopt;
    }
    return detail;
  }

  ServerProcess server_;
  int port_ = 0;
  bool stopped_ = false;
  std::shared_ptr<grpc::Channel> channel_;
  std::unique_ptr<pb::EchoService::Stub> echo_;
};

TEST_F(GrpcServerIntegrationTest, HealthCheckServesWithoutKey) {
  auto health = grpc::health::v1::Health::NewStub(channel_);
  for (const char* service : {"", "jieshui.testing.v1.EchoService"}) {
    auto ctx = Context("");
    grpc::health::v1::HealthCheckRequest request;
    request.set_service(service);
    grpc::health::v1::HealthCheckResponse response;
    grpc::Status status = health->Check(ctx.get(), request, &response);
    ASSERT_TRUE(status.ok()) << service << ": " << status.error_message();
    EXPECT_EQ(response.status(), grpc::health::v1::HealthCheckResponse::SERVING) << service;
  }
}

TEST_F(GrpcServerIntegrationTest, ReflectionListsAndDescribesServicesWithoutKey) {
  namespace refl = grpc::reflection::v1alpha;
  auto stub = refl::ServerReflection::NewStub(channel_);
  auto ctx = Context("");
  auto stream = stub->ServerReflectionInfo(ctx.get());

  refl::ServerReflectionRequest list;
  list.set_list_services("");
  ASSERT_TRUE(stream->Write(list));
  refl::ServerReflectionResponse listed;
  ASSERT_TRUE(stream->Read(&listed));
  std::vector<std::string> names;
  for (const auto& service : listed.list_services_response().service()) {
    names.push_back(service.name());
  }
  EXPECT_NE(std::find(names.begin(), names.end(), "jieshui.testing.v1.EchoService"), names.end());
  EXPECT_NE(std::find(names.begin(), names.end(), "grpc.health.v1.Health"), names.end());

  // Both are describable, so grpcurl can build requests for them.
  for (const char* symbol : {"jieshui.testing.v1.EchoService", "grpc.health.v1.Health"}) {
    refl::ServerReflectionRequest describe;
    describe.set_file_containing_symbol(symbol);
    ASSERT_TRUE(stream->Write(describe));
    refl::ServerReflectionResponse described;
    ASSERT_TRUE(stream->Read(&described));
    EXPECT_TRUE(described.has_file_descriptor_response())
        << symbol << ": " << described.error_response().error_message();
    EXPECT_GT(described.file_descriptor_response().file_descriptor_proto_size(), 0) << symbol;
  }
  stream->WritesDone();
  grpc::Status status = stream->Finish();
  EXPECT_TRUE(status.ok()) << status.error_message();
}

TEST_F(GrpcServerIntegrationTest, MissingOrWrongKeyIsUnauthenticatedWithoutSideEffect) {
  const int64_t before = EchoCalls();
  for (const std::string& authorization : {std::string(), std::string("Bearer wrong-key"),
                                           std::string("wrong-key"), std::string("Bearer ")}) {
    auto ctx = Context(authorization);
    pb::EchoRequest request;
    request.set_message("hello");
    pb::EchoResponse response;
    grpc::Status status = echo_->Echo(ctx.get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED)
        << "authorization \"" << authorization << "\": " << status.error_message();
    auto detail = Detail(*ctx);
    ASSERT_TRUE(detail.has_value());
    EXPECT_EQ(detail->code(), "UNAUTHENTICATED");
  }
  EXPECT_EQ(EchoCalls(), before) << "a handler ran its logic for an unauthenticated call";
}

TEST_F(GrpcServerIntegrationTest, UnguardedHandlerIsStillRefusedAtTheEdge) {
  // Count does not call RequirePrincipal; the interceptor must still answer UNAUTHENTICATED.
  auto ctx = Context("");
  pb::CountResponse response;
  grpc::Status status = echo_->Count(ctx.get(), pb::CountRequest(), &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();

  // The per-RPC metrics saw the enforced code, not the handler's OK.
  int metrics_port = 0;
  for (const auto& line : server_.JsonLines()) {
    if (line.value("msg", "") == "grpc server started") {
      metrics_port = line.value("metrics_port", 0);
    }
  }
  ASSERT_GT(metrics_port, 0);
  httplib::Client http("127.0.0.1", metrics_port);
  std::string body;
  const bool found = WaitFor(
      [&] {
        auto scraped = http.Get("/metrics");
        body = scraped ? scraped->body : "";
        std::istringstream in(body);
        std::string line;
        while (std::getline(in, line)) {
          if (line.rfind("jieshui_grpc_server_handled_total{", 0) == 0 &&
              line.find("grpc_code=\"UNAUTHENTICATED\"") != std::string::npos &&
              line.find("grpc_method=\"/jieshui.testing.v1.EchoService/Count\"") !=
                  std::string::npos &&
              line.size() >= 2 && line.substr(line.size() - 2) == " 1") {
            return true;
          }
        }
        return false;
      },
      std::chrono::seconds(10));
  EXPECT_TRUE(found) << body;
}

TEST_F(GrpcServerIntegrationTest, ValidKeysEchoThePrincipal) {
  const int64_t before = EchoCalls();
  {
    auto ctx = Context(std::string("Bearer ") + kWaterKey);
    pb::EchoRequest request;
    request.set_message("节水 \"hello\"");
    request.set_uscc(kOtherUscc);  // departments read every enterprise
    pb::EchoResponse response;
    grpc::Status status = echo_->Echo(ctx.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.message(), "节水 \"hello\"");
    EXPECT_EQ(response.principal_kind(), "water_affairs");
    EXPECT_EQ(response.principal_name(), "Wuzhong water affairs bureau");
  }
  {
    auto ctx = Context(std::string("bearer ") + kEnterpriseKey);  // the scheme in any case
    pb::EchoRequest request;
    request.set_uscc(kEnterpriseUscc);
    pb::EchoResponse response;
    grpc::Status status = echo_->Echo(ctx.get(), request, &response);
    ASSERT_TRUE(status.ok()) << status.error_message();
    EXPECT_EQ(response.principal_kind(), "enterprise");
  }
  {
    auto ctx = Context(kEnterpriseKey);  // a bare key, without the scheme: refused
    pb::EchoRequest request;
    request.set_uscc(kEnterpriseUscc);
    pb::EchoResponse response;
    grpc::Status status = echo_->Echo(ctx.get(), request, &response);
    EXPECT_EQ(status.error_code(), grpc::StatusCode::UNAUTHENTICATED) << status.error_message();
    EXPECT_NE(status.error_message().find("Bearer <key>"), std::string::npos);
  }
  EXPECT_EQ(EchoCalls(), before + 2);
}

TEST_F(GrpcServerIntegrationTest, EnterpriseAskingForAnotherUsccIsPermissionDenied) {
  const int64_t before = EchoCalls();
  auto ctx = Context(std::string("Bearer ") + kEnterpriseKey);
  pb::EchoRequest request;
  request.set_uscc(kOtherUscc);
  pb::EchoResponse response;
  grpc::Status status = echo_->Echo(ctx.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::PERMISSION_DENIED) << status.error_message();
  EXPECT_NE(status.error_message().find(kOtherUscc), std::string::npos);
  EXPECT_EQ(EchoCalls(), before);
}

TEST_F(GrpcServerIntegrationTest, InvalidArgumentCarriesErrorDetail) {
  auto ctx = Context(std::string("Bearer ") + kWaterKey);
  pb::FailRequest request;
  request.set_field("readings[3].timestamp");
  request.set_reason("in the future");
  pb::FailResponse response;
  grpc::Status status = echo_->Fail(ctx.get(), request, &response);
  EXPECT_EQ(status.error_code(), grpc::StatusCode::INVALID_ARGUMENT);
  EXPECT_EQ(status.error_message(), "readings[3].timestamp: in the future");
  auto detail = Detail(*ctx);
  ASSERT_TRUE(detail.has_value()) << "no jieshui-error-bin trailer";
  EXPECT_EQ(detail->code(), "INVALID_ARGUMENT");
  EXPECT_EQ(detail->message(), "readings[3].timestamp: in the future");
  ASSERT_EQ(detail->field_violations_size(), 1);
  EXPECT_EQ(detail->field_violations(0).field(), "readings[3].timestamp");
  EXPECT_EQ(detail->field_violations(0).reason(), "in the future");
}

TEST_F(GrpcServerIntegrationTest, SigtermDrainsAndRunsStopHooksInReverseOrder) {
  // A connected client keeps its channel open through the shutdown: the drain is bounded by the
  // server's drain timeout (5 s in the test server).
  EXPECT_GE(EchoCalls(), 0);
  stopped_ = true;
  const auto start = std::chrono::steady_clock::now();
  server_.Signal(SIGTERM);
  auto status = server_.WaitExit(std::chrono::seconds(20));
  ASSERT_TRUE(status.has_value()) << "server did not exit after SIGTERM";
  EXPECT_EQ(*status, 0) << "exit code (128+n: killed by signal n)";
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));

  std::vector<std::string> hooks;
  bool drained_before_hooks = false;
  for (const auto& line : server_.JsonLines()) {
    if (line.value("msg", "") == "grpc server drained") {
      drained_before_hooks = hooks.empty();
    }
    if (line.value("msg", "") == "hook ran") {
      hooks.push_back(line.value("hook", ""));
    }
  }
  EXPECT_EQ(hooks, (std::vector<std::string>{"second-registered", "first-registered"}));
  EXPECT_TRUE(drained_before_hooks);
}

}  // namespace
