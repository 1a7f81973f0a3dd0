#include "log/log.hpp"

#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "nlohmann/json.hpp"

namespace jieshui::log {
namespace {

class LogTest : public ::testing::Test {
 protected:
  void SetUp() override {
    SetOutputForTesting(&out_);
    SetClockForTesting([] { return absl::FromUnixMillis(1700000000123); });
    Init("quota", Level::kInfo);
  }
  void TearDown() override {
    SetOutputForTesting(nullptr);
    SetClockForTesting(nullptr);
  }

  std::vector<nlohmann::json> Lines() {
    std::vector<nlohmann::json> lines;
    std::istringstream in(out_.str());
    std::string line;
    while (std::getline(in, line)) {
      lines.push_back(nlohmann::json::parse(line));  // throws (fails the test) if not JSON
    }
    return lines;
  }

  std::ostringstream out_;
};

TEST_F(LogTest, WritesOneJsonObjectPerLineWithFixedFields) {
  Info("reading accepted", {{"uscc", "91320506MA1XXXXX0Y"},
                            {"offset", 12},
                            {"partition", 3u},
                            {"ratio", 0.5},
                            {"late", false}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  const auto& line = lines[0];
  EXPECT_EQ(line["ts"], "2023-11-14T22:13:20.123Z");
  EXPECT_EQ(line["level"], "info");
  EXPECT_EQ(line["service"], "quota");
  EXPECT_EQ(line["msg"], "reading accepted");
  EXPECT_EQ(line["uscc"], "91320506MA1XXXXX0Y");
  EXPECT_EQ(line["offset"], 12);
  EXPECT_EQ(line["partition"], 3);
  EXPECT_EQ(line["ratio"], 0.5);
  EXPECT_EQ(line["late"], false);
}

TEST_F(LogTest, EscapesQuotesNewlinesAndKeepsChineseText) {
  const std::string msg = "enterprise \"苏州某某印染有限公司\"\nsecond line\tand \\ backslash";
  Warn(msg, {{"name", "吴中区节水办"}, {"raw", std::string("a\0b", 3)}});
  const std::string text = out_.str();
  // Exactly one physical line: the newline inside msg was escaped.
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), 1);
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "warn");
  EXPECT_EQ(lines[0]["msg"], msg);
  EXPECT_EQ(lines[0]["name"], "吴中区节水办");
  EXPECT_EQ(lines[0]["raw"], std::string("a\0b", 3));
}

TEST_F(LogTest, InvalidUtf8DoesNotThrowAndStaysJson) {
  Error("bad bytes", {{"payload", std::string("\xff\xfe ok")}});
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 1u);
  EXPECT_EQ(lines[0]["level"], "error");
  EXPECT_NE(lines[0]["payload"].get<std::string>().find(" ok"), std::string::npos);
}

TEST_F(LogTest, LevelFiltersAndReservedKeysCannotBeOverwritten) {
  Debug("hidden");
  Info("shown", {{"msg", "spoof"}, {"level", "error"}});
  SetLevel(Level::kDebug);
  Debug("now shown");
  auto lines = Lines();
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0]["msg"], "shown");
  EXPECT_EQ(lines[0]["level"], "info");
  EXPECT_EQ(lines[1]["msg"], "now shown");
  EXPECT_EQ(lines[1]["level"], "debug");
}

TEST_F(LogTest, ConcurrentWritersNeverInterleaveLines) {
  constexpr int kThreads = 8;
  constexpr int kPerThread = 200;
  std::vector<std::thread> threads;
  threads.reserve(kThreads);
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([t] {
      for (int i = 0; i < kPerThread; ++i) {
        Info("tick", {{"thread", t}, {"i", i}, {"pad", std::string(100, 'x')}});
      }
    });
  }
  for (auto& thread : threads) {
    thread.join();
  }
  EXPECT_EQ(Lines().size(), static_cast<size_t>(kThreads * kPerThread));
}

TEST(ParseLevelTest, AcceptsKnownNamesOnly) {
  EXPECT_EQ(*ParseLevel("DEBUG"), Level::kDebug);
  EXPECT_EQ(*ParseLevel("warning"), Level::kWarn);
  EXPECT_EQ(*ParseLevel("error"), Level::kError);
  EXPECT_EQ(ParseLevel("loud").status().code(), absl::StatusCode::kInvalidArgument);
}

}  // namespace
}  // namespace jieshui::log
