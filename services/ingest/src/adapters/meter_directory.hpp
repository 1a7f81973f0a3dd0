// What ingest knows of the district's meters: the registry's compacted meter topic read from the
// beginning into memory at start, and followed afterwards, so a meter registered later is known
// as soon as its event arrives. Also maps HJ 212 identities (MN + data code) to meters.
#pragma once

#include <atomic>
#include <chrono>
#include <memory>
#include <optional>
#include <shared_mutex>
#include <string>
#include <thread>
#include <unordered_map>

#include "absl/container/flat_hash_map.h"
#include "absl/status/status.h"
#include "ingest/src/core/vee.hpp"
#include "kafka/table_follower.hpp"

namespace jieshui::ingest {

class MeterDirectory {
 public:
  MeterDirectory(std::string bootstrap_servers, std::string meter_topic);
  ~MeterDirectory();
  MeterDirectory(const MeterDirectory&) = delete;
  MeterDirectory& operator=(const MeterDirectory&) = delete;

  // Reads the topic up to its end as of now (UNAVAILABLE after `timeout`), then keeps following
  // it on a background thread (kafka::TableFollower).
  absl::Status Start(std::chrono::milliseconds timeout);
  void Stop() { follower_.Stop(); }

  // Shared, immutable snapshots: a lookup costs a reference count, not a copy (it runs for every
  // reading). nullptr when unknown.
  std::shared_ptr<const MeterInfo> Find(const std::string& meter_id) const;
  // The live (not retired) meter a gateway names with MN + data code.
  std::shared_ptr<const MeterInfo> FindByHj212(const std::string& mn,
                                               const std::string& data_code) const;
  // True when some live meter has HJ 212 identity `mn` (whatever its data code).
  bool KnowsHj212Mn(const std::string& mn) const;
  size_t size() const;
  int64_t events_applied() const { return events_applied_.load(); }
  // Grows with every change of the meters, so a caller may keep what Find returned and trust it
  // while the generation it read before the Find is still current.
  uint64_t generation() const { return generation_.load(std::memory_order_acquire); }

  // Applies one registry meter event (the topic's value). INVALID_ARGUMENT for a message that is
  // not a valid meter event (the follower logs and skips it).
  absl::Status ApplyEvent(const std::string& value);

 private:
  kafka::TableFollower follower_;
  mutable std::shared_mutex mu_;
  absl::flat_hash_map<std::string, std::shared_ptr<const MeterInfo>> meters_;
  std::unordered_map<std::string, std::string> by_hj212_;  // "MN\x1fcode" -> meter id
  std::unordered_map<std::string, std::string> hj212_of_;  // meter id -> its key above
  std::unordered_map<std::string, int> meters_of_mn_;      // MN -> live meters with it
  std::atomic<int64_t> events_applied_{0};
  std::atomic<uint64_t> generation_{1};
};

}  // namespace jieshui::ingest
