// District simulator: a generated Wuzhong district (parks, enterprises with valid USCCs and
// GB/T 4754 manufacturing codes, 1-40 meters each at levels 1-3, plans, quotas and output, a
// certification history: titles, records, applications; Statistics' value added and above-scale
// flags, and the 2020 baseline) and the water that truly flows through every meter each hour: the
// ground truth the platform's figures are checked against. Pure and deterministic: the same
// options give the same district.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/time/civil_time.h"
#include "absl/time/time.h"
#include "jieshui/certification/v1/certification_service.pb.h"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "jieshui/registry/v1/registry_service.pb.h"

namespace jieshui::simulator {

// Faults a real district shows, each on demand (all zero: a clean run).
struct FaultOptions {
  // Share of gateways (enterprises) that lose their uplink once for 1-outage_hours_max hours and
  // back-fill the buffered readings when it returns.
  double outage_share = 0.0;
  int outage_hours_max = 6;
  // Share of readings sent again by the gateway (one step later).
  double duplicate_share = 0.0;
  // Share of readings that arrive after the next one.
  double out_of_order_share = 0.0;
  // Share of meters whose register is near its top at the start and wraps during the run.
  double rollover_share = 0.0;
  // Share of hourly volumes that are a burst (a tank fill, a burst pipe) 30x the usual rate.
  double spike_share = 0.0;
  // Share of enterprises whose plan is below what they use (they run over plan).
  double over_plan_share = 0.0;

  // The faults of `--faults default`.
  static FaultOptions Default();
};

struct Options {
  uint64_t seed = 1;
  int enterprises = 300;
  // The simulated period, whole hours: a reading at `from` (the baseline) and every hour until
  // `to` inclusive.
  absl::Time from;
  absl::Time to;
  // Share of enterprises whose gateways speak HJ 212-2017 over TCP instead of gRPC.
  double hj212_share = 0.2;
  // Share of enterprises with a certification history (titles, records, applications).
  double certification_share = 0.15;
  FaultOptions faults;
};

// Where a meter's readings go.
enum class Channel { kGrpc, kHj212 };

struct SimMeter {
  registry::v1::Meter meter;
  int enterprise = 0;  // index into District::enterprises
  Channel channel = Channel::kGrpc;
  // Mean litres an hour on a working day at full load.
  int64_t base_litres_per_hour = 0;
  // The register at `from`, in thousandths of its unit (litres: the unit is m³).
  int64_t start_register_milli = 0;
  // Register range, thousandths: the register wraps to 0 at 10^digits units.
  int64_t register_range_milli = 0;
};

struct SimEnterprise {
  registry::v1::Enterprise enterprise;
  std::vector<int> meters;  // indices into District::meters
  // Its meters report through an HJ 212 gateway.
  bool hj212 = false;
  // The plan was set below expected use.
  bool over_plan = false;
  // Annual plan (new water, litres) per plan year the period touches.
  std::map<int, int64_t> annual_plan_litres;
  // The product whose output is reported ("" when the industry has no quota here).
  std::string product;
  // Litres of intake per unit of output the enterprise really needs (× 1000: millilitres).
  int64_t true_ml_per_unit = 0;
  // Gateway outage: readings of steps [outage_first, outage_last] are buffered and back-filled
  // after the reading of step outage_last + 1. outage_first = 0: none.
  int outage_first = 0;
  int outage_last = 0;
};

// The certification history (issue #16), dated back from the Shanghai day `Options::to` falls in.
// Titles were granted before the platform kept the lifecycle and come in from their certificates
// (ImportTitle); records are filed and then accepted or returned; applications are driven to the
// state they stand in. Nothing here is granted during a run: a public notice lasts days.

// A title as its certificate states it (valid_until set: the last valid day).
struct SimTitle {
  int enterprise = 0;
  certification::v1::ImportTitleRequest title;
};

// A record as filed (its uscc set) and what the bureau decides.
struct SimRecord {
  int enterprise = 0;
  certification::v1::Record record;
  // The year it counts in: a test's or audit's period_end year, a project's year.
  int year = 0;
  bool accept = true;
  std::string return_reason;  // when returned
  // Carried in the record's text (RecordText), so a re-run finds it instead of filing it again.
  std::string reference;
  // An audit's rectification items (item ids "1", "2", ...) the bureau has closed.
  std::vector<std::string> closed_items;
};

struct SimApplication {
  int enterprise = 0;
  certification::v1::Level level = certification::v1::LEVEL_UNSPECIFIED;
  // Where it stands: DRAFT (self-scored), SUBMITTED, PRELIMINARY_REVIEW, FINAL_REVIEW or
  // PUBLIC_NOTICE.
  certification::v1::ApplicationState state = certification::v1::APPLICATION_STATE_DRAFT;
  std::map<std::string, std::string> documents;  // by gate_id
};

struct CertificationHistory {
  absl::CivilDay as_of;  // the day the history is dated back from
  std::vector<SimTitle> titles;
  std::vector<SimRecord> records;
  std::vector<SimApplication> applications;
};

// Statistics' figures of one enterprise for one year (issue #17): its value added (工业增加值) in
// fen (1 万元 = 1,000,000 fen) and whether Statistics counts it above scale (规模以上) that year.
struct SimValueAdded {
  int enterprise = 0;
  int year = 0;
  int64_t fen = 0;
  bool above_scale = false;
  friend bool operator==(const SimValueAdded&, const SimValueAdded&) = default;
};

// What Statistics submits (ImportValueAdded): every enterprise for every year the period touches,
// then a few rows of the last year again as a new version: preliminary figures (初报) corrected,
// the first of them reclassified (its above-scale flag turned).
struct StatisticsSubmissions {
  std::vector<SimValueAdded> first;
  std::vector<SimValueAdded> revised;
};

// The 2020 baseline water_affairs enters (SetBaseline): the district's new water, value added and
// reclaimed water used.
struct SimBaseline {
  int64_t new_water_litres = 0;
  int64_t value_added_fen = 0;
  int64_t reclaimed_litres = 0;
  friend bool operator==(const SimBaseline&, const SimBaseline&) = default;
};

// One hour's reading as the meter shows it.
struct TrueReading {
  int meter = 0;
  int step = 0;
  int64_t register_milli = 0;  // after wrapping
};

class District {
 public:
  explicit District(const Options& options);

  const Options& options() const { return options_; }
  const std::vector<registry::v1::Park>& parks() const { return parks_; }
  const std::vector<SimEnterprise>& enterprises() const { return enterprises_; }
  const std::vector<SimMeter>& meters() const { return meters_; }
  const std::vector<quota::v1::ProductQuota>& quotas() const { return quotas_; }

  // Steps 0..last_step(): step 0 is the baseline reading at `from`, step k the reading at
  // from + k hours, which closes the interval (k-1, k].
  int last_step() const { return last_step_; }
  absl::Time TimeOf(int step) const { return options_.from + absl::Hours(step); }

  // Ground truth: litres through `meter` in the hour that ends at step `step` (1..last_step()).
  int64_t Consumption(int meter, int step) const;
  // Whether the hour ending at `step` is a burst (for the summary).
  bool IsSpike(int meter, int step) const;

  // What the gateway does with a meter's reading of a step.
  bool IsHeld(int meter, int step) const;        // buffered, sent after a later reading
  bool IsDuplicated(int meter, int step) const;  // sent again one step later

  // Output of the enterprise's product in a month, thousandths of its unit, given the month's
  // true new-water intake: the figure the enterprise reports.
  int64_t OutputMilli(int enterprise, int64_t month_new_water_litres) const;

  // Plan years the period touches, in order.
  std::vector<int> PlanYears() const;

  const CertificationHistory& certification() const { return certification_; }
  // Whether the enterprise may take an application past its draft: the gates the platform
  // checks at submission pass for it (a specialist, meters at levels 1-3, not over plan); it also
  // gets an accepted balance test recent enough.
  bool CanApply(int enterprise) const;
  // The enterprises with an application (they need an enterprise API key), in order.
  std::vector<int> Applicants() const;

  const StatisticsSubmissions& statistics() const { return statistics_; }
  // Statistics' latest version of each (enterprise, year): the first submission with the revised
  // rows in place.
  std::map<std::pair<int, int>, SimValueAdded> LatestValueAdded() const;
  // The 2020 baseline. The platform's year holds only the months metered, and the simulation
  // meters part of a year; so the baseline's volumes are 2020's over the same stretch of the
  // year (its value added 2020's whole year, as Statistics' figures are): the district's expected
  // water of the last simulated year from its meters' rates, at 2020's intensity (drawn 12-22%
  // higher per 万元 than now) and 2020's value added (drawn 20-40% lower), and reclaimed water
  // drawn 8-25% lower. So the decline and the increase land near the plan's targets, either side.
  const SimBaseline& baseline() const { return baseline_; }

 private:
  void Generate();
  void GenerateEnterprise(int index);
  void GenerateHistory(int index);
  void GenerateStatistics();
  void ChooseBaseline();
  certification::v1::Record BalanceTest(int index, absl::CivilDay period_end, bool exemplary) const;
  void AddMeter(int enterprise, registry::v1::MeterLevel level, registry::v1::MeasuredFlow flow,
                int64_t litres_per_hour, const std::string& description);
  uint64_t Hash(uint64_t a, uint64_t b, uint64_t c) const;

  Options options_;
  int last_step_ = 0;
  std::vector<registry::v1::Park> parks_;
  std::vector<SimEnterprise> enterprises_;
  std::vector<SimMeter> meters_;
  std::vector<quota::v1::ProductQuota> quotas_;
  CertificationHistory certification_;
  StatisticsSubmissions statistics_;
  SimBaseline baseline_;
  std::set<std::string> usccs_;  // drawn so far
  // Meters whose reading of a step arrives after the next one, per meter: steps.
  std::vector<std::vector<int>> out_of_order_;
};

// New water (tap, self-supplied surface and ground) as ground truth: whether a flow counts
// against a plan.
bool IsNewWater(registry::v1::MeasuredFlow flow);

// The Asia/Shanghai "YYYY-MM" of the day the hour ending at `t` belongs to.
std::string MonthKey(absl::Time t);

// Thousandths of the unit, as a register shows it: "12345.678".
std::string FormatMilli(int64_t milli);

// The text of a record that carries the simulator's reference: a test's or audit's findings, a
// project's or demonstration's title.
const std::string& RecordText(const certification::v1::Record& record);

common::v1::Date ToDate(absl::CivilDay day);
absl::CivilDay DayOf(const common::v1::Date& date);
// The Shanghai day an instant falls in.
absl::CivilDay ShanghaiDay(absl::Time t);

}  // namespace jieshui::simulator
