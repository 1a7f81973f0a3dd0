// The certification service's water balance tests as quota knows them (table balance_tests): what
// the activity topic (jieshui.certification.activity.v1) last announced of each, applied exactly
// once with the consumed offsets (service::EventConsumer under the name kBalanceTestConsumer), and
// the check a plan increase makes against them.
#pragma once

#include <cstdint>
#include <string>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "kafka/consumer.hpp"
#include "kafka/envelope.hpp"

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

  // Applies one event of the activity topic inside the consumer's transaction
  // (service::EventConsumer, which stores the offsets with it and skips what was applied before):
  // a RecordChanged of a water balance test overwrites its row, so a later status wins; any other
  // event (another record kind, an application, a title review, a type added later) is passed
  // over. INVALID_ARGUMENT (dead-lettered) for a balance test without its id, enterprise or status.
  absl::Status ApplyEvent(pqxx::work& tx, const kafka::Message& message,
                          const kafka::EventEnvelope& event);

  // How many balance tests quota knows (for tests and operators).
  absl::StatusOr<int64_t> CountTests();

 private:
  db::ConnectionPool* pool_;
  std::string schema_;
};

}  // namespace jieshui::quota
