#include "redis/write_behind_cache.hpp"

#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"

namespace jieshui::redis {

WriteBehindCache::WriteBehindCache(Client* client, const std::string& prefix, absl::Duration ttl,
                                   Loader loader)
    : client_(client),
      base_prefix_(prefix),
      // The process's generation: microseconds since the epoch at construction.
      prefix_(absl::StrCat(prefix, absl::ToUnixMicros(absl::Now()), ":")),
      ttl_(ttl),
      loader_(std::move(loader)) {}

WriteBehindCache::~WriteBehindCache() { Stop(); }

void WriteBehindCache::Start() {
  if (client_ == nullptr || thread_.joinable()) {
    return;
  }
  thread_ = std::thread([this] { RunWriter(); });
}

void WriteBehindCache::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

std::string WriteBehindCache::RedisKey(const std::string& key) const {
  std::lock_guard<std::mutex> lock(mu_);
  return absl::StrCat(prefix_, key);
}

void WriteBehindCache::Reset() {
  std::lock_guard<std::mutex> lock(mu_);
  std::string next = absl::StrCat(base_prefix_, absl::ToUnixMicros(absl::Now()), ":");
  if (next == prefix_) {
    next = absl::StrCat(base_prefix_, absl::ToUnixMicros(absl::Now()) + 1, ":");
  }
  prefix_ = std::move(next);
  dirty_.clear();
  ++generation_;
}

void WriteBehindCache::Invalidate(const std::string& key) {
  if (client_ == nullptr) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_[key] = ++generation_;
  }
  cv_.notify_all();
}

absl::StatusOr<std::optional<std::string>> WriteBehindCache::Get(const std::string& key) {
  if (client_ == nullptr) {
    return absl::UnavailableError("cache: no redis configured");
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (dirty_.contains(key)) {
      return std::optional<std::string>();
    }
  }
  auto value = client_->Get(RedisKey(key));
  if (!value.ok()) {
    return value.status();
  }
  if (!value->has_value()) {
    Invalidate(key);  // a miss: write it for the next reader
  }
  return *std::move(value);
}

size_t WriteBehindCache::dirty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dirty_.size();
}

int64_t WriteBehindCache::written() const {
  std::lock_guard<std::mutex> lock(mu_);
  return written_;
}

void WriteBehindCache::RunWriter() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || !dirty_.empty(); });
    if (stop_) {
      break;
    }
    const std::map<std::string, uint64_t> work = dirty_;
    // Written under the generation of when the work was taken: after a Reset, what was read
    // before it lands in keys no reader uses.
    const std::string prefix = prefix_;
    lock.unlock();
    bool failed = false;
    int64_t wrote = 0;
    for (const auto& [key, generation] : work) {
      // Read after the invalidating commit, so what is written is at least as new as it.
      auto value = loader_(key);
      absl::Status s = value.status();
      if (value.ok()) {
        s = client_->Set(absl::StrCat(prefix, key), *value, ttl_);
      } else if (absl::IsNotFound(value.status())) {
        s = client_->Del(absl::StrCat(prefix, key)).status();
      }
      if (!s.ok()) {
        failed = true;  // PostgreSQL or Redis down: the key stays dirty
        break;
      }
      ++wrote;
      std::lock_guard<std::mutex> relock(mu_);
      auto it = dirty_.find(key);
      if (it != dirty_.end() && it->second == generation) {
        dirty_.erase(it);
      }
    }
    lock.lock();
    written_ += wrote;
    if (failed) {
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; });
    }
  }
}

}  // namespace jieshui::redis
