// District simulator: drives a generated district through the running services. It registers
// the parks, enterprises and meters with the registry, sets plans, quotas and prices with quota,
// streams the gateways' readings to ingest (gRPC streams, and HJ 212-2017 over TCP for the
// enterprises with such gateways), reports output, waits until quota's figures equal the ground
// truth, and gathers what happened; then it loads the certification history (records filed and
// reviewed, titles imported, applications driven) and compares what certification serves with
// the ground truth; then Statistics' value added and the 2020 baseline go to reporting, and the
// action plan's six rows reporting serves are compared with the ground truth.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/time/time.h"
#include "district.hpp"
#include "gateway.hpp"
#include "truth.hpp"

namespace jieshui::simulator {

struct Targets {
  std::string registry = "127.0.0.1:50051";
  std::string ingest = "127.0.0.1:50052";
  std::string quota = "127.0.0.1:50053";
  std::string hj212 = "127.0.0.1:9212";
  // Empty: the certification history is left out.
  std::string certification = "127.0.0.1:50054";
  // A water_affairs key: it registers, sets plans, submits readings, files records on the
  // enterprises' behalf and reviews them, imports titles and reviews applications.
  std::string api_key;
  // An industry key: the second final-review approval of provincial and leader applications.
  std::string industry_key;
  // Empty: reporting is left out (value added, baseline, the six rows).
  std::string reporting = "127.0.0.1:50055";
  // A statistics key: Statistics submits the value added.
  std::string statistics_key;
};

struct RunOptions {
  Targets targets;
  // Readings per SubmitReadings batch on the stream.
  int batch = 5000;
  // HJ 212 connections: one per gateway up to this many, then shared.
  int hj212_connections = 200;
  // Spread the streaming over this long (0: as fast as the services take it).
  absl::Duration pace = absl::ZeroDuration();
  // How long to wait for the services to catch up (meters known, usage complete).
  absl::Duration settle_timeout = absl::Minutes(15);
  // The applicants' enterprise keys, <dir>/<USCC>.key (WriteEnterpriseKeys); empty: the
  // applications are left out (an enterprise creates, scores and submits its own).
  std::string enterprise_keys_dir;
  // Progress lines.
  std::function<void(const std::string&)> progress = [](const std::string&) {};
};

struct ImportTally {
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t rejected = 0;
};

struct ReadingTally {
  int64_t sent_grpc = 0;
  int64_t sent_hj212 = 0;
  int64_t hj212_frames = 0;        // uploads (one per gateway and hour)
  int64_t hj212_acknowledged = 0;  // data replies received (each after the readings were durable)
  int64_t accepted = 0;            // gRPC answers
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::map<std::string, int64_t> flags;           // VEE flag name → readings
  std::map<std::string, int64_t> reject_reasons;  // reason → readings
  double seconds = 0;
};

struct MonthSurcharge {
  std::string month;
  int enterprises = 0;  // with something due
  int64_t fen = 0;
};

struct OverPlanLine {
  std::string month;
  std::string uscc;
  std::string name;
  int64_t plan_litres = 0;
  int64_t used_litres = 0;
};

// One year as CountActivity counts it.
struct YearActivity {
  int year = 0;
  ActivityFigures expected;  // the district's, from the ground truth
  // Other enterprises' accepted records the service holds too (a stack shared with another
  // district); their titles cannot be listed by year, so `granted` stays 0 here.
  ActivityFigures others;
  ActivityFigures served;
};

struct CertificationReport {
  bool loaded = false;   // the whole history went in
  bool checked = false;  // and certification's figures were compared with the ground truth
  int titles_imported = 0;
  int titles_already_held = 0;  // imported by an earlier run
  int records_filed = 0;
  int records_found = 0;  // filed by an earlier run
  int records_accepted = 0;
  int records_returned = 0;
  int rectifications_closed = 0;
  int applications_created = 0;
  int applications_found = 0;
  int application_steps = 0;          // score sheets and actions taken
  bool applications_skipped = false;  // no enterprise keys
  std::string on;                     // the day the figures were compared on (Shanghai)
  std::vector<YearActivity> activity;
  // Ground truth on `on`, by level name: titles valid and expired.
  std::map<std::string, int> titles_valid;
  std::map<std::string, int> titles_expired;
  // Served: the district's enterprises ListCertified lists on `on`, by level name, and leaders.
  std::map<std::string, int> certified;
  int leaders = 0;
  // Served: the district's applications by state name.
  std::map<std::string, int> applications;
  int titles_checked = 0;  // titles read back with ListTitles
  std::vector<std::string> mismatches;
};

// One row of the action plan's attachment table as reporting serves it, read against a target:
// the year's own, or else the latest earlier year's with one (target_year says which).
struct TableRowView {
  std::string code;
  std::string title;  // reporting's (Chinese)
  bool count = false;
  bool defined = false;  // a ratio with something under it
  std::string numerator;
  std::string denominator;
  int64_t basis_points = 0;
  int64_t value = 0;    // a count
  int target_year = 0;  // 0: no year has a target for it
  int64_t target = 0;   // basis points, or the least count
  int64_t gap = 0;      // target − value, basis points or a count (positive: behind)
  bool on_track = false;
  // The ground truth's (run only).
  bool expected_known = false;
  std::string expected_numerator;
  std::string expected_denominator;
  bool expected_defined = false;
  int64_t expected_basis_points = 0;
  int64_t expected_value = 0;
};

// The district's six rows for one year (the year period: the months reported so far).
struct TableView {
  int year = 0;
  int64_t as_of_unix_ms = 0;
  std::string served_from;  // "Redis" or "PostgreSQL"
  // When Statistics' last figures for the year were submitted (run only).
  int64_t value_added_submitted_unix_ms = 0;
  std::vector<TableRowView> rows;
  // Other enterprises than the district's contribute (a stack shared with another district): the
  // district's own part was compared, not the whole rows.
  int other_enterprises = 0;
};

struct ReportingReport {
  bool loaded = false;             // value added and baseline are in
  bool checked = false;            // the six rows were compared with the ground truth
  int value_added_rows = 0;        // submitted by this run
  std::vector<int> versions;       // the imports of this run, in order
  bool value_added_found = false;  // an earlier run's submissions stand
  int baseline_version = 0;        // in force
  bool baseline_set = false;       // by this run
  std::vector<TableView> years;    // the simulated years
  std::vector<std::string> mismatches;
};

struct Report {
  ImportTally enterprises;
  ImportTally meters;
  int plans_set = 0;
  int quotas_set = 0;
  int production_reports = 0;
  GatewayTally gateway;
  int outages = 0;
  ReadingTally readings;
  int usage_checked = 0;                  // enterprise-months compared with the ground truth
  int usage_matching = 0;                 // of which quota's new water equals it
  std::map<std::string, int64_t> alerts;  // "monthly plan 80%" → count
  std::vector<MonthSurcharge> surcharges;
  std::vector<OverPlanLine> over_plan;  // furthest over first, per month, at most 5 each
  bool summarized = false;              // alerts, surcharges and over_plan were gathered
  CertificationReport certification;
  ReportingReport reporting;
};

// Each step returns the first failure; `report` keeps what was done so far.
absl::Status RegisterDistrict(const District& district, const RunOptions& options, Report* report);
absl::Status SetPlansAndQuotas(const District& district, const RunOptions& options, Report* report);
absl::Status StreamReadings(const District& district, const RunOptions& options, Report* report);
absl::Status ReportProduction(const District& district, const GroundTruth& truth,
                              const RunOptions& options, Report* report);
absl::Status WaitForUsage(const District& district, const GroundTruth& truth,
                          const RunOptions& options, Report* report);
absl::Status Summarize(const District& district, const GroundTruth& truth,
                       const RunOptions& options, Report* report);

// A new random API key per applicant enterprise, <dir>/<USCC>.key (mode 600, the folder 700);
// existing keys are kept. deploy/local/stack/keys.sh gives the services their SHA-256 as
// enterprise keys of that USCC, so the services started afterwards accept them. `created`
// counts the new ones.
absl::Status WriteEnterpriseKeys(const District& district, const std::string& dir, int* created);
// The applicants' keys from `dir`; FAILED_PRECONDITION naming the first one missing.
absl::StatusOr<std::map<std::string, std::string>> ReadEnterpriseKeys(const District& district,
                                                                      const std::string& dir);

// Files and reviews the history's records, imports its titles and drives its applications to
// the states they stand in. Safe to run again: what an earlier run did is found, not repeated.
absl::Status LoadCertificationHistory(const District& district, const RunOptions& options,
                                      Report* report);
// Compares certification's figures with the ground truth: CountActivity per year, ListCertified
// and its leaders today, ListApplications by state, ListTitles of some enterprises. Differences
// go to report->certification.mismatches; an error is a call that failed.
absl::Status CheckCertification(const District& district, const CertificationTruth& truth,
                                const RunOptions& options, Report* report);

// Sets the 2020 baseline (water_affairs: entered once, a change with its reason) and submits
// Statistics' value added through the streaming import (the statistics key), then the revised
// rows as a new version. Safe to run again: what reporting already holds is found, not repeated.
absl::Status LoadReporting(const District& district, const RunOptions& options, Report* report);
// Waits until the district's part of reporting's six rows for each simulated year, and the whole
// rows when they hold no other enterprise, equal the ground truth, or the settle timeout;
// differences go to report->reporting.mismatches. The rows, read against their targets, go to
// report->reporting.years.
absl::Status CheckReporting(const District& district, const ReportingTruth& truth,
                            const RunOptions& options, Report* report);
// The district's six rows for `year` as reporting serves them now, each against the year's
// target or the latest earlier year's (a reader key: options.targets.api_key).
absl::StatusOr<TableView> ReadTable(const RunOptions& options, int year);

}  // namespace jieshui::simulator
