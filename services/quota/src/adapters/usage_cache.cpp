#include "quota/src/adapters/usage_cache.hpp"

#include <array>
#include <map>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace jieshui::quota {
namespace {

// Hash field names, in Flow order.
constexpr std::array<const char*, kFlowCount> kFlowFields = {
    "tap", "surface", "ground", "reclaimed", "recirculated", "reused", "discharge"};

}  // namespace

std::string PeriodKey::ToString() const {
  return month == 0 ? absl::StrCat(year) : absl::StrFormat("%04d-%02d", year, month);
}

UsageCache::UsageCache(redis::Client* client, std::string key_prefix, absl::Duration ttl,
                       Loader loader)
    : client_(client), prefix_(std::move(key_prefix)), ttl_(ttl), loader_(std::move(loader)) {}

UsageCache::~UsageCache() { Stop(); }

std::string UsageCache::KeyOf(const std::string& uscc, const PeriodKey& period) const {
  return absl::StrCat(prefix_, uscc, ":", period.ToString());
}

void UsageCache::Start() {
  if (client_ == nullptr) {
    return;
  }
  thread_ = std::thread([this] { RunWriter(); });
}

void UsageCache::Stop() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    stop_ = true;
  }
  cv_.notify_all();
  if (thread_.joinable()) {
    thread_.join();
  }
}

absl::Status UsageCache::Write(const std::string& uscc, const PeriodKey& period,
                               const UsageFigures& figures) {
  const std::string key = KeyOf(uscc, period);
  std::vector<redis::Argv> commands;
  redis::Argv hset = {"HSET", key};
  for (int f = 0; f < kFlowCount; ++f) {
    hset.emplace_back(kFlowFields[static_cast<size_t>(f)]);
    hset.push_back(absl::StrCat(figures.totals.litres[static_cast<size_t>(f)]));
  }
  hset.emplace_back("has_plan");
  hset.emplace_back(figures.has_plan ? "1" : "0");
  hset.emplace_back("plan");
  hset.push_back(absl::StrCat(figures.plan));
  // DEL first so a field from an older layout never lingers; all in one MULTI so a reader sees
  // the old hash or the new one, never half of each.
  commands.push_back({"MULTI"});
  commands.push_back({"DEL", key});
  commands.push_back(std::move(hset));
  commands.push_back({"PEXPIRE", key, absl::StrCat(absl::ToInt64Milliseconds(ttl_))});
  commands.push_back({"EXEC"});
  auto replies = client_->Pipeline(commands, redis::Idempotency::kIdempotent);
  if (!replies.ok()) {
    return replies.status();
  }
  for (const redis::Reply& r : *replies) {
    if (r.type() == redis::Reply::Type::kError) {
      return absl::UnavailableError(absl::StrCat("redis: ", r.str()));
    }
  }
  return absl::OkStatus();
}

void UsageCache::Invalidate(const std::string& uscc, const PeriodKey& period) {
  if (client_ == nullptr) {
    return;
  }
  {
    std::lock_guard<std::mutex> lock(mu_);
    dirty_[{uscc, period}] = ++generation_;
  }
  cv_.notify_all();
}

absl::StatusOr<std::optional<UsageFigures>> UsageCache::Get(const std::string& uscc,
                                                            const PeriodKey& period) {
  if (client_ == nullptr) {
    return absl::UnavailableError("usage cache: no redis configured");
  }
  {
    // A dirty key may hold figures older than PostgreSQL's: not served until rewritten.
    std::lock_guard<std::mutex> lock(mu_);
    if (dirty_.contains({uscc, period})) {
      return std::optional<UsageFigures>();
    }
  }
  auto fields = client_->HGetAll(KeyOf(uscc, period));
  if (!fields.ok()) {
    return fields.status();
  }
  if (fields->empty()) {
    return std::optional<UsageFigures>();
  }
  UsageFigures figures;
  for (int f = 0; f < kFlowCount; ++f) {
    auto it = fields->find(kFlowFields[static_cast<size_t>(f)]);
    if (it == fields->end() ||
        !absl::SimpleAtoi(it->second, &figures.totals.litres[static_cast<size_t>(f)])) {
      return std::optional<UsageFigures>();  // an entry of another layout: treat as a miss
    }
  }
  auto has_plan = fields->find("has_plan");
  auto plan = fields->find("plan");
  if (has_plan == fields->end() || plan == fields->end() ||
      !absl::SimpleAtoi(plan->second, &figures.plan)) {
    return std::optional<UsageFigures>();
  }
  figures.has_plan = has_plan->second == "1";
  return std::optional<UsageFigures>(figures);
}

size_t UsageCache::dirty() const {
  std::lock_guard<std::mutex> lock(mu_);
  return dirty_.size();
}

void UsageCache::RunWriter() {
  std::unique_lock<std::mutex> lock(mu_);
  while (!stop_) {
    cv_.wait(lock, [this] { return stop_ || !dirty_.empty(); });
    if (stop_) {
      break;
    }
    const std::map<Key, uint64_t> work = dirty_;
    lock.unlock();
    bool failed = false;
    for (const auto& [key, generation] : work) {
      // Read after the invalidating commit, so what is written is at least as new as it.
      auto figures = loader_(key.first, key.second);
      if (!figures.ok() || !Write(key.first, key.second, *figures).ok()) {
        failed = true;  // PostgreSQL or Redis down: the key stays dirty
        break;
      }
      std::lock_guard<std::mutex> relock(mu_);
      auto it = dirty_.find(key);
      if (it != dirty_.end() && it->second == generation) {
        dirty_.erase(it);
      }
    }
    lock.lock();
    if (failed) {
      // Try again in a while (or at Stop).
      cv_.wait_for(lock, std::chrono::milliseconds(500), [this] { return stop_; });
    }
  }
}

}  // namespace jieshui::quota
