#include "quota/src/adapters/balance_test_store.hpp"

#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/uscc.hpp"
#include "errors/field_error.hpp"
#include "jieshui/events/v1/certification_events.pb.h"
#include "quota/src/adapters/quota_tables.hpp"

namespace jieshui::quota {

namespace cert = ::jieshui::certification::v1;
namespace ev = ::jieshui::events::v1;

std::string BalanceTestStatusWord(cert::RecordStatus status) {
  switch (status) {
    case cert::RECORD_STATUS_SUBMITTED:
      return "submitted";
    case cert::RECORD_STATUS_ACCEPTED:
      return "accepted";
    case cert::RECORD_STATUS_RETURNED:
      return "returned";
    default:
      return absl::StrCat("status ", static_cast<int>(status));
  }
}

absl::Status RequireAcceptedBalanceTest(pqxx::work& tx, const std::string& ref,
                                        const std::string& uscc) {
  constexpr char kField[] = "water_balance_test_ref";
  pqxx::result r =
      tx.exec_params("SELECT uscc, status FROM balance_tests WHERE record_id = $1 FOR SHARE", ref);
  if (r.empty()) {
    return errors::InvalidArgument(
        kField, absl::StrCat("unknown water balance test \"", ref,
                             "\": the certification service has announced no test by that "
                             "reference"));
  }
  const std::string owner = r[0][0].as<std::string>();
  const std::string status = r[0][1].as<std::string>();
  if (owner != absl::AsciiStrToUpper(uscc)) {
    return errors::InvalidArgument(
        kField, absl::StrCat("water balance test \"", ref, "\" is a test of enterprise ", owner,
                             ", not of ", uscc));
  }
  if (status != BalanceTestStatusWord(cert::RECORD_STATUS_ACCEPTED)) {
    return errors::InvalidArgument(
        kField, absl::StrCat("water balance test \"", ref, "\" is not accepted (its status is ",
                             status, "); an increase needs an accepted test"));
  }
  return absl::OkStatus();
}

BalanceTestStore::BalanceTestStore(db::ConnectionPool* pool, std::string schema)
    : pool_(pool), schema_(std::move(schema)) {}

absl::Status BalanceTestStore::ApplyEvent(pqxx::work& tx, const kafka::Message& message,
                                          const kafka::EventEnvelope& event) {
  if (!event.payload().Is<ev::RecordChanged>()) {
    return absl::OkStatus();  // an application, a title review, or a type added later
  }
  auto changed = kafka::UnpackPayload<ev::RecordChanged>(event);
  if (!changed.ok()) {
    return changed.status();
  }
  const cert::Record& record = changed->record();
  if (record.kind() != cert::RECORD_KIND_BALANCE_TEST) {
    return absl::OkStatus();  // an audit, a project, a demonstration, a park
  }
  const std::string what = absl::StrCat("event ", event.event_id(), ": balance test");
  if (record.record_id().empty()) {
    return absl::InvalidArgumentError(absl::StrCat(what, " without a record_id"));
  }
  auto uscc = domain::Uscc::Parse(record.uscc().value(), "record.uscc");
  if (!uscc.ok()) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", record.record_id(), ": ", uscc.status().message()));
  }
  if (record.status() == cert::RECORD_STATUS_UNSPECIFIED) {
    return absl::InvalidArgumentError(
        absl::StrCat(what, " ", record.record_id(), " without a status"));
  }
  int64_t updated_ms =
      event.occurred_at().seconds() * 1000 + event.occurred_at().nanos() / 1'000'000;
  if (updated_ms <= 0) {
    updated_ms = message.timestamp_ms > 0 ? message.timestamp_ms : absl::ToUnixMillis(absl::Now());
  }
  tx.exec_params(
      "INSERT INTO balance_tests (record_id, uscc, status, updated_at, source_partition, "
      "source_offset) VALUES ($1, $2, $3, to_timestamp($4::double precision / 1000), $5, $6) "
      "ON CONFLICT (record_id) DO UPDATE SET uscc = EXCLUDED.uscc, status = EXCLUDED.status, "
      "updated_at = EXCLUDED.updated_at, source_partition = EXCLUDED.source_partition, "
      "source_offset = EXCLUDED.source_offset",
      record.record_id(), uscc->value(), BalanceTestStatusWord(record.status()), updated_ms,
      message.partition, message.offset);
  return absl::OkStatus();
}

absl::StatusOr<int64_t> BalanceTestStore::CountTests() {
  return Transact<int64_t>(pool_, [](pqxx::work& tx) -> absl::StatusOr<int64_t> {
    return tx.exec("SELECT count(*) FROM balance_tests")[0][0].as<int64_t>();
  });
}

}  // namespace jieshui::quota
