// The certification service's water balance tests as quota knows them (table balance_tests): what
// the activity topic (jieshui.certification.activity.v1) last announced of each, applied exactly
// once with the consumed offsets, and the check a plan increase makes against them.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"

namespace jieshui::quota {

// The consumer name the offsets are stored under (not the Kafka group: a new group replays the
// topic, and the stored offsets make that replay change nothing).
inline constexpr char kBalanceTestConsumer[] = "quota-balance-tests";

// One balance test as a RecordChanged announced it.
struct BalanceTest {
  std::string record_id;
  std::string uscc;  // upper case
  certification::v1::RecordStatus status = certification::v1::RECORD_STATUS_UNSPECIFIED;
  int64_t updated_at_ms = 0;  // the event's occurred_at
};

// One consumed message of the activity topic: a balance test, or nothing for a message that is
// about something else (another record kind, an application, a title review) or was
// dead-lettered; its offset is stored either way.
struct ActivityMessage {
  std::string topic;
  int32_t partition = 0;
  int64_t offset = 0;
  std::optional<BalanceTest> test;
};

struct BalanceTestApplyResult {
  int messages_applied = 0;  // not seen before
  int tests_changed = 0;     // balance tests written
};

// "submitted", "accepted", "returned"; "status N" for a value this version does not know.
std::string BalanceTestStatusWord(certification::v1::RecordStatus status);

// OK when `ref` is a balance test of `uscc` whose last announced status is accepted (its row is
// locked FOR SHARE until `tx` ends, so a later announcement waits for the plan change); otherwise
// INVALID_ARGUMENT on the field water_balance_test_ref saying which: unknown, of another
// enterprise, or not accepted (with its status).
absl::Status RequireAcceptedBalanceTest(pqxx::work& tx, const std::string& ref,
                                        const std::string& uscc);

class BalanceTestStore {
 public:
  BalanceTestStore(db::ConnectionPool* pool, std::string schema);

  // Applies the messages not applied before, in offset order (a later status of a test wins), in
  // one transaction with their next offsets.
  absl::StatusOr<BalanceTestApplyResult> Apply(const std::vector<ActivityMessage>& messages);

 private:
  db::ConnectionPool* pool_;
  std::string schema_;
};

}  // namespace jieshui::quota
