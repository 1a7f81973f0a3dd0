// Certification's PostgreSQL records (migrations/0001_certification.sql): records, applications,
// titles, title reviews and violations as contract messages beside their query columns, and the
// facts other services announced (meters, monthly usage, over-plan years, open orders). Every
// change and the event announcing it go in one transaction (the outbox): a record, an application
// or a review on the activity topic, an enterprise's titles on the compacted status topic.
//
// The store holds no rules: a change comes in as a function of the current message, run inside the
// transaction with the row locked, and whatever it refuses stores nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include <pqxx/pqxx>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "certification/src/core/evaluation.hpp"
#include "db/pool.hpp"
#include "domain/metering_coverage.hpp"
#include "domain/period.hpp"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "kafka/consumer.hpp"
#include "kafka/envelope.hpp"

namespace jieshui::certification {

struct StoreOptions {
  std::string schema = "certification";
  std::string status_topic;
  std::string activity_topic;
  std::string producer = "certification";
  domain::CoverageRequirements coverage;
};

// An enterprise as the registry announced it, as far as certification needs it.
struct EnterpriseFacts {
  std::string uscc;
  std::string name;
  std::string industry_code;
  bool deregistered = false;
};

// A page of a list: its rows and the key to continue after, if there is more.
template <typename T>
struct Page {
  std::vector<T> rows;
  std::optional<int64_t> last_id;  // set when a next page may exist
};

struct RecordFilter {
  std::string uscc;  // "" every enterprise
  v1::RecordKind kind = v1::RECORD_KIND_UNSPECIFIED;
  int year = 0;
  v1::RecordStatus status = v1::RECORD_STATUS_UNSPECIFIED;
};

struct ApplicationFilter {
  std::string uscc;
  v1::Level level = v1::LEVEL_UNSPECIFIED;
  v1::ApplicationState state = v1::APPLICATION_STATE_UNSPECIFIED;
};

struct CertifiedFilter {
  domain::Date on;
  v1::Level level = v1::LEVEL_UNSPECIFIED;  // unspecified: the water-saving-enterprise levels
  std::string town;
  std::string park_id;
  std::string industry_code;  // a prefix: "C", "C17", "C1713"
};

// What an application change may do besides changing the application: grant a title (its id is
// then written into the application).
struct ApplicationEffects {
  std::optional<v1::Title> grant;
};

// A title review change: the review, and the title as the decision leaves it.
using ReviewChange = std::function<absl::Status(v1::TitleReview& review, v1::Title& title)>;

class CertificationStore {
 public:
  CertificationStore(db::ConnectionPool* pool, StoreOptions options);

  // ---- enterprises and facts ----
  // NOT_FOUND naming `field` when the registry has not announced the enterprise;
  // FAILED_PRECONDITION when it is deregistered.
  absl::StatusOr<EnterpriseFacts> Enterprise(pqxx::work& tx, const std::string& uscc,
                                             const std::string& field);
  // What the gates are judged on, on `on` (the documents are the caller's).
  absl::StatusOr<GateFacts> LoadFacts(pqxx::work& tx, const std::string& uscc,
                                      const domain::Date& on);
  // The documents of the enterprise's open application for `level` (empty without one).
  absl::StatusOr<std::map<std::string, std::string>> OpenApplicationDocuments(
      pqxx::work& tx, const std::string& uscc, v1::Level level);
  // The platform's figures from the enterprise's latest accepted balance test (empty without one).
  absl::StatusOr<Figures> LoadFigures(pqxx::work& tx, const std::string& uscc);
  // Runs `work` in one transaction (for reads that need several of the above).
  absl::Status Read(const std::function<absl::Status(pqxx::work&)>& work);

  // ---- records ----
  // Stores a prepared record (its id is set here) and announces it.
  absl::StatusOr<v1::Record> InsertRecord(v1::Record record);
  absl::StatusOr<v1::Record> GetRecord(int64_t record_id);
  absl::StatusOr<Page<v1::Record>> ListRecords(const RecordFilter& filter, int64_t after_id,
                                               int limit);
  // Changes one record under a row lock; `change` may refuse. Announced when it changed.
  absl::StatusOr<v1::Record> UpdateRecord(int64_t record_id,
                                          const std::function<absl::Status(v1::Record&)>& change);

  // ---- applications ----
  // ALREADY_EXISTS when the enterprise has an open application for the level.
  absl::StatusOr<v1::Application> InsertApplication(v1::Application app);
  absl::StatusOr<v1::Application> GetApplication(int64_t application_id);
  absl::StatusOr<Page<v1::Application>> ListApplications(const ApplicationFilter& filter,
                                                         int64_t after_id, int limit);
  // Changes one application under a row lock. `change` sees the transaction (for facts) and may
  // ask for a title to be granted. The last history entry, when `change` added one, is announced.
  absl::StatusOr<v1::Application> UpdateApplication(
      int64_t application_id,
      const std::function<absl::Status(pqxx::work&, v1::Application&, ApplicationEffects&)>&
          change);

  // ---- titles, reviews, violations ----
  absl::StatusOr<v1::Title> GetTitle(int64_t title_id);
  // Stores a title entered from its certificate (ImportTitle) and announces the enterprise's
  // titles. ALREADY_EXISTS naming certificate_number when that certificate is already held.
  absl::StatusOr<v1::Title> InsertTitle(v1::Title title);
  absl::StatusOr<std::vector<v1::Title>> ListTitles(const std::string& uscc);
  absl::StatusOr<Page<v1::CertifiedEnterprise>> ListCertified(const CertifiedFilter& filter,
                                                              int64_t after_id, int limit);
  // Titles valid on `today` whose last valid day is within `days`, and the open reviews.
  absl::StatusOr<v1::ListDueResponse> ListDue(const domain::Date& today, int days);
  // Opens a review of a title (which reads UNDER_REVIEW meanwhile). FAILED_PRECONDITION when one
  // is open already or the title is no longer valid on `today`.
  absl::StatusOr<v1::TitleReview> OpenReview(int64_t title_id, v1::TitleReview review,
                                             const domain::Date& today);
  absl::StatusOr<v1::TitleReview> DecideReview(int64_t review_id, const ReviewChange& change);
  absl::StatusOr<std::vector<v1::TitleReview>> ListReviews(const std::string& uscc, bool open_only);
  // Stores a violation and opens a revocation review of each title valid on its day.
  absl::StatusOr<v1::Violation> InsertViolation(v1::Violation violation, const std::string& actor,
                                                int64_t now_ms);

  // ---- counts ----
  // Accepted records by kind counted in `year`, and titles granted in it by level.
  absl::StatusOr<v1::ActivityCounts> CountActivity(int year);

  // ---- other services' events (service::EventConsumer) ----
  // Applies one event of the registry's meter topic or quota's usage and alert topics; other
  // payload types are ignored. An annual plan alert at or above 100% records the over-plan year
  // and opens a revocation review of each title valid on the day it was crossed.
  absl::Status ApplyEvent(pqxx::work& tx, const kafka::Message& message,
                          const kafka::EventEnvelope& event);

 private:
  // Opens a review inside `tx`; false when the title already has an open one or one from the
  // same trigger.
  absl::StatusOr<std::optional<v1::TitleReview>> OpenReviewIn(pqxx::work& tx, v1::Title title,
                                                              v1::TitleReview review);
  // Gives `title` its id and stores it.
  absl::Status InsertTitleIn(pqxx::work& tx, v1::Title& title);
  void AnnounceStatus(pqxx::work& tx, const std::string& uscc);
  void Announce(pqxx::work& tx, const std::string& topic, const std::string& key,
                const google::protobuf::Message& payload);
  absl::StatusOr<std::vector<v1::Title>> ValidTitles(pqxx::work& tx, const std::string& uscc,
                                                     const domain::Date& on);

  db::ConnectionPool* pool_;
  StoreOptions options_;
};

}  // namespace jieshui::certification
