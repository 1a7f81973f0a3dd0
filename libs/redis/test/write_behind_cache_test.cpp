// The write-behind cache against a private redis-server: a miss is written for the next reader, a
// dirty key is never served until rewritten from the database, and a Redis outage only sends
// reads to the database until the writer catches up after the restart.
#include "redis/write_behind_cache.hpp"

#include <map>
#include <mutex>

#include <gtest/gtest.h>

#include "redis_server.hpp"
#include "testing/stack.hpp"

namespace jieshui::redis {
namespace {

using jieshui::testing::WaitFor;

class WriteBehindCacheTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto server = testing::RedisServerProcess::Start();
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    Options options;
    options.host = "127.0.0.1";
    options.port = server_->port();
    auto client = Client::Create(options);
    ASSERT_TRUE(client.ok()) << client.status();
    client_ = std::make_unique<Client>(*std::move(client));
    cache_ = std::make_unique<WriteBehindCache>(
        client_.get(), "test:", absl::Minutes(5), [this](const std::string& key) {
          std::lock_guard<std::mutex> lock(mu_);
          auto it = database_.find(key);
          if (it == database_.end()) {
            return absl::StatusOr<std::string>(absl::NotFoundError(key));
          }
          return absl::StatusOr<std::string>(it->second);
        });
    cache_->Start();
  }

  void TearDown() override { cache_->Stop(); }

  void SetInDatabase(const std::string& key, const std::string& value) {
    std::lock_guard<std::mutex> lock(mu_);
    database_[key] = value;
  }

  std::optional<std::string> Cached(const std::string& key) {
    auto v = cache_->Get(key);
    return v.ok() ? *v : std::nullopt;
  }

  std::mutex mu_;
  std::map<std::string, std::string> database_;
  std::unique_ptr<testing::RedisServerProcess> server_;
  std::unique_ptr<Client> client_;
  std::unique_ptr<WriteBehindCache> cache_;
};

TEST_F(WriteBehindCacheTest, AMissIsWrittenAndADirtyKeyIsNotServedUntilRewritten) {
  SetInDatabase("a", "1");
  EXPECT_EQ(Cached("a"), std::nullopt);  // a miss: read the database, and it gets written
  ASSERT_TRUE(WaitFor([&] { return Cached("a") == "1"; }));
  // The database changes; until the writer rewrote the key, it is not served (no "1" now).
  SetInDatabase("a", "2");
  cache_->Invalidate("a");
  const std::optional<std::string> now = Cached("a");
  EXPECT_TRUE(now == std::nullopt || now == "2") << *now;
  ASSERT_TRUE(WaitFor([&] { return Cached("a") == "2"; }));
  // A Reset (a rule every value depends on changed): nothing cached before is served.
  const std::string before = cache_->RedisKey("a");
  cache_->Reset();
  EXPECT_NE(cache_->RedisKey("a"), before);
  EXPECT_EQ(Cached("a"), std::nullopt);
  ASSERT_TRUE(WaitFor([&] { return Cached("a") == "2"; }));
  // Keys carry the process's generation: another cache (a restarted process) never reads them.
  WriteBehindCache later(client_.get(), "test:", absl::Minutes(5),
                         [](const std::string&) { return absl::StatusOr<std::string>("x"); });
  EXPECT_NE(later.RedisKey("a"), cache_->RedisKey("a"));
  auto fresh = later.Get("a");
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(*fresh, std::nullopt);
}

TEST_F(WriteBehindCacheTest, DuringAnOutageReadsGoToTheDatabaseAndTheCacheHealsAfter) {
  SetInDatabase("k", "old");
  Cached("k");
  ASSERT_TRUE(WaitFor([&] { return Cached("k") == "old"; }));
  ASSERT_TRUE(server_->Stop().ok());
  SetInDatabase("k", "new");
  cache_->Invalidate("k");
  EXPECT_FALSE(cache_->Get("k").ok() && cache_->Get("k")->has_value());  // never "old"
  ASSERT_TRUE(server_->Restart().ok());  // empty: persistence is off
  ASSERT_TRUE(WaitFor([&] { return Cached("k") == "new"; }, std::chrono::seconds(30)));
  EXPECT_EQ(cache_->dirty(), 0u);
}

}  // namespace
}  // namespace jieshui::redis
