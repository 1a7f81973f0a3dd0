// PostgreSQL store of the registry: records with their history, and the change events written to
// the transactional outbox in the same transaction, so an event exists exactly when its change
// does. All changes go through Mutate*, which locks the stored record, asks a decider (the rules
// in core/*_rules.hpp) what the next record is, and writes record, history row and event together.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "absl/status/statusor.h"
#include "db/pool.hpp"
#include "jieshui/common/v1/types.pb.h"
#include "jieshui/registry/v1/resources.pb.h"
#include "registry/src/core/rules.hpp"

namespace jieshui::registry {

struct StoreOptions {
  std::string schema = "registry";
  std::string enterprise_topic;
  std::string meter_topic;
  std::string producer = "registry";
};

struct EnterpriseFilter {
  std::string town;
  std::string park_id;
  std::string industry_code_prefix;  // canonical GB/T 4754 prefix
  std::optional<bool> above_scale;
  std::optional<bool> key_monitored;
  std::optional<bool> has_specialist;
  std::optional<bool> high_water_use_high_pollution;
  int64_t min_annual_intake_litres = 0;  // 0 = no threshold
  bool include_deregistered = false;
};

// One page of a keyset-paginated list: records after the cursor key, in key order.
template <typename Record>
struct Page {
  std::vector<Record> records;
  int64_t total_count = 0;  // all records matching the filter
  bool more = false;        // there are records after the last one returned
};

template <typename Record>
struct Revision {
  v1::ChangeKind change = v1::CHANGE_KIND_UNSPECIFIED;
  Record record;
};

class RegistryStore {
 public:
  using EnterpriseDecider =
      std::function<absl::StatusOr<Decision<v1::Enterprise>>(const v1::Enterprise* current)>;
  using ParkDecider = std::function<absl::StatusOr<Decision<v1::Park>>(const v1::Park* current)>;
  using MeterDecider = std::function<absl::StatusOr<Decision<v1::Meter>>(
      const v1::Meter* current, const v1::Enterprise* owner)>;

  RegistryStore(db::ConnectionPool* pool, StoreOptions options);

  // Runs `decide` on the locked current record and stores what it returns. NOT_FOUND naming
  // park_id when the enterprise names a park that does not exist.
  absl::StatusOr<Decision<v1::Enterprise>> MutateEnterprise(const std::string& uscc,
                                                            const EnterpriseDecider& decide);
  absl::StatusOr<Decision<v1::Park>> MutatePark(const std::string& park_id,
                                                const ParkDecider& decide);
  // The owner passed to `decide` is the enterprise of the stored meter, or `owner_uscc` for a
  // meter not yet stored. ALREADY_EXISTS naming hj212 when another live meter has the same MN and
  // data code.
  absl::StatusOr<Decision<v1::Meter>> MutateMeter(const std::string& meter_id,
                                                  const std::string& owner_uscc,
                                                  const MeterDecider& decide);

  // NOT_FOUND when there is no such record.
  absl::StatusOr<v1::Enterprise> GetEnterprise(const std::string& uscc);
  absl::StatusOr<Page<v1::Enterprise>> ListEnterprises(const EnterpriseFilter& filter,
                                                       const std::string& after_uscc, int limit);
  absl::StatusOr<std::vector<Revision<v1::Enterprise>>> EnterpriseHistory(const std::string& uscc);

  absl::StatusOr<v1::Park> GetPark(const std::string& park_id);
  absl::StatusOr<Page<v1::Park>> ListParks(const std::string& town, const std::string& after_id,
                                           int limit);

  absl::StatusOr<v1::Meter> GetMeter(const std::string& meter_id);
  absl::StatusOr<Page<v1::Meter>> ListMeters(const std::string& uscc, bool include_retired,
                                             const std::string& after_id, int limit);
  absl::StatusOr<std::vector<Revision<v1::Meter>>> MeterHistory(const std::string& meter_id);
  // Meters not retired whose calibration fell due before `as_of` ("YYYY-MM-DD"), optionally of one
  // enterprise, ordered by meter id.
  absl::StatusOr<Page<v1::Meter>> ListOverdueCalibrations(const std::string& as_of,
                                                          const std::string& uscc,
                                                          const std::string& after_id, int limit);

 private:
  db::ConnectionPool* pool_;
  StoreOptions options_;
};

// Protobuf JSON as stored in the `record` columns (field names as in the .proto).
std::string RecordJson(const google::protobuf::Message& message);
absl::Status ParseRecordJson(const std::string& json, google::protobuf::Message* message);
// "YYYY-MM-DD".
std::string DateText(const common::v1::Date& date);

}  // namespace jieshui::registry
