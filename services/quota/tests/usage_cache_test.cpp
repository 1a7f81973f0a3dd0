// Component tests of the usage cache against a real (private) redis-server: a dirty key is never
// served, an invalidation that arrives while the writer reloads keeps the key dirty (so an older
// figure cannot stay in Redis over a newer one), and a Redis outage leaves keys dirty until it
// answers again.
#include "quota/src/adapters/usage_cache.hpp"

#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>

#include "gtest/gtest.h"
#include "redis/client.hpp"
#include "redis_server.hpp"
#include "testing/stack.hpp"

namespace jieshui::quota {
namespace {

constexpr char kUscc[] = "91350200776049653A";
const PeriodKey kMonth{2026, 3};

UsageFigures Tap(int64_t litres) {
  UsageFigures f;
  f.totals[Flow::kMunicipalTap] = litres;
  f.has_plan = true;
  f.plan = 100'000;
  return f;
}

class UsageCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = redis::testing::RedisServerProcess::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    redis::Options options;
    options.port = server_->port();
    auto client = redis::Client::Create(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::make_unique<redis::Client>(*std::move(client));
    cache_ = std::make_unique<UsageCache>(
        client_.get(), "test:usage:", absl::Minutes(5),
        [this](const std::string&, const PeriodKey&) -> absl::StatusOr<UsageFigures> {
          std::unique_lock<std::mutex> lock(mu_);
          ++loads_;
          const int64_t value = database_litres_;  // what PostgreSQL holds when the load reads
          cv_.notify_all();
          cv_.wait(lock, [this] { return !hold_loads_; });
          return Tap(value);
        });
    cache_->Start();
  }
  void TearDown() override { cache_->Stop(); }

  std::optional<int64_t> Cached() {
    auto got = cache_->Get(kUscc, kMonth);
    if (!got.ok() || !got->has_value()) {
      return std::nullopt;
    }
    return (**got).totals[Flow::kMunicipalTap];
  }

  std::unique_ptr<redis::testing::RedisServerProcess> server_;
  std::unique_ptr<redis::Client> client_;
  std::unique_ptr<UsageCache> cache_;
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t database_litres_ = 0;
  int loads_ = 0;
  bool hold_loads_ = false;
};

TEST_F(UsageCacheTest, ADirtyKeyIsNotServedUntilTheWriterHasRewrittenIt) {
  {
    std::lock_guard<std::mutex> lock(mu_);
    database_litres_ = 10'000;
  }
  cache_->Invalidate(kUscc, kMonth);
  ASSERT_TRUE(jieshui::testing::WaitFor([&] { return Cached() == 10'000; }));
  {
    std::lock_guard<std::mutex> lock(mu_);
    database_litres_ = 25'000;
  }
  cache_->Invalidate(kUscc, kMonth);
  // From the invalidation on, the old 10,000 is never served: a miss, then the new figure.
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    const std::optional<int64_t> v = Cached();
    EXPECT_NE(v, std::optional<int64_t>(10'000));
    return v == 25'000;
  }));
  EXPECT_EQ(cache_->dirty(), 0U);
}

TEST_F(UsageCacheTest, AnInvalidationDuringAReloadKeepsTheKeyDirty) {
  {
    std::unique_lock<std::mutex> lock(mu_);
    database_litres_ = 1'000;
    hold_loads_ = true;
  }
  cache_->Invalidate(kUscc, kMonth);
  {
    // The writer has read 1,000 and is held; meanwhile a commit makes it 2,000 and invalidates.
    std::unique_lock<std::mutex> lock(mu_);
    ASSERT_TRUE(cv_.wait_for(lock, std::chrono::seconds(30), [this] { return loads_ == 1; }));
    database_litres_ = 2'000;
  }
  cache_->Invalidate(kUscc, kMonth);
  {
    std::lock_guard<std::mutex> lock(mu_);
    hold_loads_ = false;
  }
  cv_.notify_all();
  // The stale 1,000 may reach Redis, but the key stays dirty until 2,000 is written over it.
  ASSERT_TRUE(jieshui::testing::WaitFor([&] {
    const std::optional<int64_t> v = Cached();
    EXPECT_NE(v, std::optional<int64_t>(1'000));
    return v == 2'000;
  }));
  std::lock_guard<std::mutex> lock(mu_);
  EXPECT_GE(loads_, 2);
}

TEST_F(UsageCacheTest, KeysStayDirtyWhileRedisIsDownAndAreWrittenWhenItAnswers) {
  ASSERT_TRUE(server_->Stop().ok());
  {
    std::lock_guard<std::mutex> lock(mu_);
    database_litres_ = 7'000;
  }
  cache_->Invalidate(kUscc, kMonth);
  EXPECT_FALSE(cache_->Get(kUscc, kMonth).ok() && cache_->Get(kUscc, kMonth)->has_value());
  EXPECT_EQ(cache_->dirty(), 1U);
  ASSERT_TRUE(server_->Restart().ok());
  ASSERT_TRUE(jieshui::testing::WaitFor([&] { return Cached() == 7'000; }));
  EXPECT_EQ(cache_->dirty(), 0U);
}

}  // namespace
}  // namespace jieshui::quota
