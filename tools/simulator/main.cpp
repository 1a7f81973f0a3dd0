// jieshui-simulator: generates a district (parks, enterprises, meters, plans, quotas, a
// certification history, Statistics' value added and a 2020 baseline) from a seed and runs it
// through the platform: registers it, streams a simulated period of readings through gRPC and
// HJ 212 with the faults asked for, reports output, waits until quota's usage equals the ground
// truth, loads the certification history, compares certification's figures with the ground
// truth, submits the value added and the baseline to reporting, compares the action plan's six
// rows with the ground truth, and prints what happened. See tools/simulator/README.md.
//
//   jieshui-simulator run [--seed N] [--enterprises N] [--from DATE] [--to DATE|now]
//                         [--faults none|default] [--outages S] ... [--json]
//                         [--certification HOST:PORT] [--enterprise-keys DIR]
//                         [--industry-key-file FILE]
//                         [--reporting HOST:PORT] [--statistics-key-file FILE]
//   jieshui-simulator keys --dir DIR [same district options]
//   jieshui-simulator describe [same district options] [--json]
//   jieshui-simulator indicators [--reporting HOST:PORT] [--year Y] [--json]
//
// The API key (water_affairs) comes from JIESHUI_API_KEY.
// Exit status: 0 done and quota, certification and reporting match the ground truth, 1 they do
// not, 2 usage or a call failed.
#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <fstream>
#include <map>
#include <set>
#include <sstream>
#include <string>
#include <tuple>

#include "CLI/CLI.hpp"
#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "domain/period.hpp"
#include "domain/ratio.hpp"
#include "driver.hpp"
#include "nlohmann/json.hpp"

namespace {

namespace sim = ::jieshui::simulator;
namespace domain = ::jieshui::domain;

constexpr int kExitOk = 0;
constexpr int kExitMismatch = 1;
constexpr int kExitFailed = 2;

struct DistrictFlags {
  uint64_t seed = 1;
  int enterprises = 300;
  std::string from;
  std::string to = "now";
  std::string faults = "default";
  double outages = -1;
  double duplicates = -1;
  double out_of_order = -1;
  double rollovers = -1;
  double spikes = -1;
  double over_plan = -1;
  double hj212_share = 0.2;
  double certification_share = 0.15;
};

void AddDistrictFlags(CLI::App* app, DistrictFlags* f) {
  app->add_option("--seed", f->seed, "the district's seed: the same seed, the same district")
      ->capture_default_str();
  app->add_option("--enterprises", f->enterprises, "how many enterprises")
      ->check(CLI::Range(1, 100000))
      ->capture_default_str();
  app->add_option("--from", f->from,
                  "first day, YYYY-MM-DD, Asia/Shanghai (default: the 1st of last month)");
  app->add_option("--to", f->to, "last hour, YYYY-MM-DDTHH (Shanghai) or 'now'")
      ->capture_default_str();
  app->add_option("--faults", f->faults, "none, or default (the shares below)")
      ->check(CLI::IsMember({"none", "default"}))
      ->capture_default_str();
  app->add_option("--outages", f->outages, "share of gateways with an outage and back-fill");
  app->add_option("--duplicates", f->duplicates, "share of readings sent twice");
  app->add_option("--out-of-order", f->out_of_order, "share of readings arriving late");
  app->add_option("--rollovers", f->rollovers, "share of meters whose register wraps");
  app->add_option("--spikes", f->spikes, "share of hourly volumes that are bursts");
  app->add_option("--over-plan", f->over_plan,
                  "share of enterprises over plan (and, separately drawn, over quota)");
  app->add_option("--hj212-share", f->hj212_share,
                  "share of enterprises whose gateways speak HJ 212 over TCP")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
  app->add_option("--certification-share", f->certification_share,
                  "share of enterprises with a certification history")
      ->check(CLI::Range(0.0, 1.0))
      ->capture_default_str();
}

absl::StatusOr<sim::Options> BuildOptions(const DistrictFlags& f) {
  const absl::TimeZone tz = domain::ShanghaiTimeZone();
  sim::Options o;
  o.seed = f.seed;
  o.enterprises = f.enterprises;
  o.hj212_share = f.hj212_share;
  o.certification_share = f.certification_share;
  const absl::Time now = absl::Now();
  if (f.to == "now") {
    o.to = absl::FromUnixSeconds(absl::ToUnixSeconds(now) / 3600 * 3600);
  } else {
    absl::CivilHour hour;
    if (!absl::ParseCivilTime(f.to, &hour)) {
      return absl::InvalidArgumentError(
          absl::StrCat("--to: '", f.to, "' is not YYYY-MM-DDTHH or now"));
    }
    o.to = absl::FromCivil(hour, tz);
  }
  if (f.from.empty()) {
    const domain::YearMonth last_month = domain::MonthOf(o.to).Prev();
    o.from = domain::StartOf(last_month);
  } else {
    const absl::StatusOr<domain::Date> day = domain::Date::Parse(f.from, "--from");
    if (!day.ok()) {
      return day.status();
    }
    o.from = domain::StartOf(*day);
  }
  if (o.to - o.from < absl::Hours(2)) {
    return absl::InvalidArgumentError("--from/--to: the period must span at least two hours");
  }
  if (o.to > now) {
    return absl::InvalidArgumentError("--to: readings cannot come from the future");
  }
  o.faults = f.faults == "default" ? sim::FaultOptions::Default() : sim::FaultOptions{};
  const auto set = [](double flag, double* field) {
    if (flag >= 0) {
      *field = flag;
    }
  };
  set(f.outages, &o.faults.outage_share);
  set(f.duplicates, &o.faults.duplicate_share);
  set(f.out_of_order, &o.faults.out_of_order_share);
  set(f.rollovers, &o.faults.rollover_share);
  set(f.spikes, &o.faults.spike_share);
  set(f.over_plan, &o.faults.over_plan_share);
  return o;
}

std::string Thousands(int64_t n) {
  std::string digits = absl::StrCat(n < 0 ? -n : n);
  std::string out;
  for (size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) {
      out.push_back(',');
    }
    out.push_back(digits[i]);
  }
  return n < 0 ? "-" + out : out;
}

std::string Yuan(int64_t fen) {
  return absl::StrFormat("%s.%02d", Thousands(fen / 100), fen % 100);
}

std::string CubicMetres(int64_t litres) { return Thousands((litres + 500) / 1000); }

nlohmann::json DistrictJson(const sim::District& d) {
  int hj212_meters = 0;
  int over_plan = 0;
  int outages = 0;
  for (const sim::SimMeter& m : d.meters()) {
    hj212_meters += m.channel == sim::Channel::kHj212 ? 1 : 0;
  }
  for (const sim::SimEnterprise& e : d.enterprises()) {
    over_plan += e.over_plan ? 1 : 0;
    outages += e.outage_first != 0 ? 1 : 0;
  }
  // Statistics' figures per year: value added, enterprises above scale, and those whose flag
  // differs from the registry's.
  nlohmann::json statistics = nlohmann::json::array();
  std::map<int, std::tuple<int64_t, int, int>> by_year;
  for (const auto& [key, v] : d.LatestValueAdded()) {
    auto& [fen, above, reclassified] = by_year[key.second];
    fen += v.fen;
    above += v.above_scale ? 1 : 0;
    reclassified +=
        v.above_scale != d.enterprises()[static_cast<size_t>(key.first)].enterprise.above_scale()
            ? 1
            : 0;
  }
  for (const auto& [year, figures] : by_year) {
    statistics.push_back({{"year", year},
                          {"value_added_fen", std::get<0>(figures)},
                          {"above_scale", std::get<1>(figures)},
                          {"flag_differs_from_registry", std::get<2>(figures)}});
  }
  const absl::TimeZone tz = domain::ShanghaiTimeZone();
  return {{"seed", d.options().seed},
          {"enterprises", d.enterprises().size()},
          {"meters", d.meters().size()},
          {"hj212_meters", hj212_meters},
          {"parks", d.parks().size()},
          {"over_plan_enterprises", over_plan},
          {"gateway_outages", outages},
          {"from", absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", d.options().from, tz)},
          {"to", absl::FormatTime("%Y-%m-%dT%H:%M:%S%Ez", d.options().to, tz)},
          {"hourly_steps", d.last_step()},
          {"certification",
           {{"as_of", absl::FormatCivilTime(d.certification().as_of)},
            {"titles", d.certification().titles.size()},
            {"records", d.certification().records.size()},
            {"applications", d.certification().applications.size()}}},
          {"statistics", statistics},
          {"baseline_2020",
           {{"new_water_litres", d.baseline().new_water_litres},
            {"value_added_fen", d.baseline().value_added_fen},
            {"reclaimed_litres", d.baseline().reclaimed_litres}}}};
}

nlohmann::json ActivityJson(const sim::ActivityFigures& f) {
  return {{"balance_tests", f.balance_tests},
          {"audits", f.audits},
          {"retrofit_projects", f.retrofit_projects},
          {"contract_projects", f.contract_projects},
          {"demonstrations", f.demonstrations},
          {"granted",
           {{"district", f.granted[1]},
            {"municipal", f.granted[2]},
            {"provincial", f.granted[3]},
            {"leader", f.granted[4]}}}};
}

nlohmann::json CertificationJson(const sim::CertificationReport& c) {
  nlohmann::json activity = nlohmann::json::array();
  for (const sim::YearActivity& y : c.activity) {
    activity.push_back({{"year", y.year},
                        {"expected", ActivityJson(y.expected)},
                        {"others", ActivityJson(y.others)},
                        {"served", ActivityJson(y.served)}});
  }
  return {{"loaded", c.loaded},
          {"checked", c.checked},
          {"titles", {{"imported", c.titles_imported}, {"already_held", c.titles_already_held}}},
          {"records",
           {{"filed", c.records_filed},
            {"found", c.records_found},
            {"accepted", c.records_accepted},
            {"returned", c.records_returned},
            {"rectifications_closed", c.rectifications_closed}}},
          {"applications",
           {{"created", c.applications_created},
            {"found", c.applications_found},
            {"steps", c.application_steps},
            {"skipped", c.applications_skipped},
            {"by_state", c.applications}}},
          {"on", c.on},
          {"activity", activity},
          {"titles_valid", c.titles_valid},
          {"titles_expired", c.titles_expired},
          {"certified", c.certified},
          {"leaders", c.leaders},
          {"titles_checked", c.titles_checked},
          {"mismatches", c.mismatches}};
}

nlohmann::json TableJson(const sim::TableView& t) {
  nlohmann::json rows = nlohmann::json::array();
  for (const sim::TableRowView& r : t.rows) {
    nlohmann::json row = {{"code", r.code},
                          {"title", r.title},
                          {"unit", r.count ? "count" : "ratio"},
                          {"target_year", r.target_year},
                          {"target", r.target},
                          {"gap", r.gap},
                          {"on_track", r.on_track}};
    if (r.count) {
      row["value"] = r.value;
    } else {
      row["numerator"] = r.numerator;
      row["denominator"] = r.denominator;
      row["defined"] = r.defined;
      row["basis_points"] = r.basis_points;
    }
    if (r.expected_known) {
      row["expected"] = r.count ? nlohmann::json{{"value", r.expected_value}}
                                : nlohmann::json{{"numerator", r.expected_numerator},
                                                 {"denominator", r.expected_denominator},
                                                 {"defined", r.expected_defined},
                                                 {"basis_points", r.expected_basis_points}};
    }
    rows.push_back(std::move(row));
  }
  return {{"year", t.year},
          {"as_of_unix_ms", t.as_of_unix_ms},
          {"value_added_submitted_unix_ms", t.value_added_submitted_unix_ms},
          {"served_from", t.served_from},
          {"other_enterprises", t.other_enterprises},
          {"rows", rows}};
}

nlohmann::json ReportingJson(const sim::District& d, const sim::ReportingReport& r) {
  nlohmann::json years = nlohmann::json::array();
  for (const sim::TableView& t : r.years) {
    years.push_back(TableJson(t));
  }
  const sim::SimBaseline& b = d.baseline();
  return {{"loaded", r.loaded},
          {"checked", r.checked},
          {"value_added",
           {{"rows_submitted", r.value_added_rows},
            {"versions", r.versions},
            {"found", r.value_added_found}}},
          {"baseline",
           {{"version", r.baseline_version},
            {"set", r.baseline_set},
            {"new_water_litres", b.new_water_litres},
            {"value_added_fen", b.value_added_fen},
            {"reclaimed_litres", b.reclaimed_litres}}},
          {"years", years},
          {"mismatches", r.mismatches}};
}

nlohmann::json ReportJson(const sim::District& d, const sim::Report& r) {
  nlohmann::json surcharges = nlohmann::json::array();
  for (const sim::MonthSurcharge& s : r.surcharges) {
    surcharges.push_back({{"month", s.month}, {"enterprises", s.enterprises}, {"fen", s.fen}});
  }
  nlohmann::json over_plan = nlohmann::json::array();
  for (const sim::OverPlanLine& o : r.over_plan) {
    over_plan.push_back({{"month", o.month},
                         {"uscc", o.uscc},
                         {"name", o.name},
                         {"plan_litres", o.plan_litres},
                         {"used_litres", o.used_litres}});
  }
  const auto tally = [](const sim::ImportTally& t) {
    return nlohmann::json{{"created", t.created},
                          {"updated", t.updated},
                          {"unchanged", t.unchanged},
                          {"rejected", t.rejected}};
  };
  return {{"registered", {{"enterprises", tally(r.enterprises)}, {"meters", tally(r.meters)}}},
          {"plans_set", r.plans_set},
          {"quotas_set", r.quotas_set},
          {"production_reports", r.production_reports},
          {"faults",
           {{"gateway_outages", r.outages},
            {"readings_held_and_back_filled", r.gateway.held},
            {"readings_sent_twice", r.gateway.duplicates},
            {"register_rollovers", r.gateway.rollovers},
            {"spikes", r.gateway.spikes}}},
          {"readings",
           {{"sent_grpc", r.readings.sent_grpc},
            {"sent_hj212", r.readings.sent_hj212},
            {"hj212_uploads", r.readings.hj212_frames},
            {"hj212_acknowledged", r.readings.hj212_acknowledged},
            {"accepted", r.readings.accepted},
            {"duplicates", r.readings.duplicates},
            {"rejected", r.readings.rejected},
            {"flags", r.readings.flags},
            {"reject_reasons", r.readings.reject_reasons},
            {"seconds", r.readings.seconds}}},
          {"usage", {{"checked", r.usage_checked}, {"matching_ground_truth", r.usage_matching}}},
          {"alerts", r.alerts},
          {"surcharges", surcharges},
          {"over_plan", over_plan},
          {"certification", CertificationJson(r.certification)},
          {"reporting", ReportingJson(d, r.reporting)}};
}

std::string Join(const std::map<std::string, int>& counts, const std::vector<std::string>& order) {
  std::string out;
  for (const std::string& key : order) {
    const auto it = counts.find(key);
    if (it != counts.end() && it->second > 0) {
      absl::StrAppend(&out, out.empty() ? "" : ", ", key, " ", it->second);
    }
  }
  return out.empty() ? "none" : out;
}

void PrintCertification(const sim::District& d, const sim::CertificationReport& c) {
  const std::vector<std::string> levels = {"district", "municipal", "provincial", "leader"};
  std::printf("Certification history (dated back from %s):\n",
              absl::FormatCivilTime(d.certification().as_of).c_str());
  std::printf("  Titles: %d imported from their certificates, %d held from an earlier run\n",
              c.titles_imported, c.titles_already_held);
  if (!c.on.empty()) {
    std::printf("    valid on %s: %s\n", c.on.c_str(), Join(c.titles_valid, levels).c_str());
    std::printf("    expired: %s\n", Join(c.titles_expired, levels).c_str());
  }
  std::printf(
      "  Records: %d filed, %d found from an earlier run; %d accepted, %d returned; %d "
      "rectification items closed\n",
      c.records_filed, c.records_found, c.records_accepted, c.records_returned,
      c.rectifications_closed);
  // As certification counts them (the served figures, equal to the ground truth when the check
  // passes).
  std::string granted;
  for (const sim::YearActivity& y : c.activity) {
    const sim::ActivityFigures& f = y.served;
    std::string records;
    for (const auto& [n, what] :
         std::vector<std::pair<int, const char*>>{{f.balance_tests, "balance tests"},
                                                  {f.audits, "audits"},
                                                  {f.retrofit_projects, "retrofit projects"},
                                                  {f.contract_projects, "contract projects"},
                                                  {f.demonstrations, "demonstrations"}}) {
      if (n > 0) {
        absl::StrAppend(&records, records.empty() ? "" : ", ", n, " ", what);
      }
    }
    if (!records.empty()) {
      std::printf("    accepted in %d: %s\n", y.year, records.c_str());
    }
    std::string titles;
    for (size_t level = 1; level < f.granted.size(); ++level) {
      if (f.granted[level] > 0) {
        absl::StrAppend(&titles, titles.empty() ? "" : ", ", levels[level - 1], " ",
                        f.granted[level]);
      }
    }
    if (!titles.empty()) {
      absl::StrAppend(&granted, granted.empty() ? "" : "; ", y.year, " ", titles);
    }
  }
  std::map<std::string, int> returned;
  for (const sim::SimRecord& r : d.certification().records) {
    if (!r.accept) {
      switch (r.record.detail_case()) {
        case jieshui::certification::v1::Record::kBalanceTest:
          ++returned["balance tests"];
          break;
        case jieshui::certification::v1::Record::kAudit:
          ++returned["audits"];
          break;
        default:
          ++returned["projects"];
          break;
      }
    }
  }
  std::printf("    returned: %s\n",
              Join(returned, {"balance tests", "audits", "projects"}).c_str());
  if (!granted.empty()) {
    std::printf("  Titles granted, by the year they were valid from: %s\n", granted.c_str());
  }
  if (c.applications_skipped) {
    std::printf("  Applications: left out (no --enterprise-keys)\n");
  } else {
    std::printf("  Applications: %d (%d found from an earlier run), %d steps taken; %s\n",
                c.applications_created + c.applications_found, c.applications_found,
                c.application_steps,
                Join(c.applications, {"draft", "submitted", "preliminary review", "final review",
                                      "public notice", "granted", "refused", "withdrawn"})
                    .c_str());
  }
  if (!c.checked) {
    return;
  }
  int certified = 0;
  for (const auto& [level, n] : c.certified) {
    certified += n;
  }
  std::printf("  Certified on %s (ListCertified): %d enterprises (%s), %d leaders\n", c.on.c_str(),
              certified, Join(c.certified, levels).c_str(), c.leaders);
  if (c.mismatches.empty()) {
    std::printf(
        "  Check: certification equals the ground truth (CountActivity of %zu years, "
        "ListCertified, ListApplications by state, ListTitles: %d titles)\n",
        c.activity.size(), c.titles_checked);
  } else {
    std::printf("  Check: %zu differences from the ground truth:\n", c.mismatches.size());
    for (const std::string& m : c.mismatches) {
      std::printf("    %s\n", m.c_str());
    }
  }
}

// The rows' names in English (reporting's titles are Chinese, and an ASCII name keeps the columns
// straight in a terminal).
std::string RowName(const std::string& code) {
  static const auto* names = new std::map<std::string, std::string>{
      {"water_use_per_value_added_decline", "1 water use per 10,000 CNY value added, decline"},
      {"repeat_utilisation_above_scale", "2 repeat utilisation, above-scale enterprises"},
      {"carrier_coverage", "3 carrier coverage, intake >= 200,000 m3 a year"},
      {"balance_tests", "4 water balance tests accepted"},
      {"audits", "5 water audits accepted"},
      {"reclaimed_water_increase", "6 reclaimed water used, increase"}};
  const auto it = names->find(code);
  return it == names->end() ? code : it->second;
}

// "+1.68 pt" from 168 basis points.
std::string PointsText(int64_t bp) {
  const int64_t m = bp < 0 ? -bp : bp;
  return absl::StrFormat("%s%d.%02d pt", bp < 0 ? "-" : "+", m / 100, m % 100);
}

// The district's six rows of one year against their targets.
void PrintTable(const sim::TableView& t) {
  const absl::TimeZone tz = domain::ShanghaiTimeZone();
  std::printf(
      "The action plan's attachment table, the district, %d (the year so far: the months with "
      "usage reported), as of %s, from %s\n",
      t.year,
      absl::FormatTime("%Y-%m-%d %H:%M:%S %Ez", absl::FromUnixMillis(t.as_of_unix_ms), tz).c_str(),
      t.served_from.c_str());
  std::set<int> target_years;
  for (const sim::TableRowView& r : t.rows) {
    if (r.target_year != 0) {
      target_years.insert(r.target_year);
    }
  }
  if (!target_years.contains(t.year) && target_years.size() == 1) {
    std::printf("  %d has no targets of its own: each row against %d's, the latest year with one\n",
                t.year, *target_years.begin());
  }
  std::printf("  %-50s %-18s %-16s %-10s %s\n", "row", "value", "target", "gap", "on track");
  for (const sim::TableRowView& r : t.rows) {
    std::string value;
    if (r.count) {
      value = absl::StrCat(r.value);
    } else if (!r.defined) {
      value = "undefined";
    } else {
      value = domain::BasisPointsText(r.basis_points);
      if (r.code == "carrier_coverage") {
        absl::StrAppend(&value, " (", r.numerator, "/", r.denominator, ")");
      }
    }
    std::string target = "none";
    std::string gap = "-";
    std::string on_track = "-";
    if (r.target_year != 0) {
      target = r.count ? absl::StrCat(">= ", r.target) : domain::BasisPointsText(r.target);
      if (r.target_year != t.year && target_years.size() > 1) {
        absl::StrAppend(&target, " (", r.target_year, ")");
      }
      gap = r.count ? absl::StrFormat("%+d", r.gap)
                    : (r.defined ? PointsText(r.gap) : std::string("-"));
      on_track = r.on_track ? "yes" : "no";
    }
    std::printf("  %-50s %-18s %-16s %-10s %s\n", RowName(r.code).c_str(), value.c_str(),
                target.c_str(), gap.c_str(), on_track.c_str());
  }
  std::printf(
      "  (gap = target - value, positive: behind; 1 and 6 against the 2020 baseline; 3 counts "
      "titles valid on 31 December)\n");
  if (t.value_added_submitted_unix_ms > t.as_of_unix_ms) {
    std::printf(
        "  (as of a time before Statistics' last submission for %d, %s: reporting moves as_of "
        "only with an event that changes the sums)\n",
        t.year,
        absl::FormatTime("%H:%M:%S", absl::FromUnixMillis(t.value_added_submitted_unix_ms), tz)
            .c_str());
  }
  if (t.other_enterprises > 0) {
    std::printf("  (the district's figures hold %d enterprises of another district too)\n",
                t.other_enterprises);
  }
}

void PrintReporting(const sim::District& d, const sim::ReportingReport& r) {
  const sim::SimBaseline& b = d.baseline();
  std::printf(
      "Reporting: the 2020 baseline version %d%s: new water %s m³, value added %s yuan, reclaimed "
      "water %s m³\n",
      r.baseline_version, r.baseline_set ? " (entered by this run)" : "",
      CubicMetres(b.new_water_litres).c_str(), Yuan(b.value_added_fen).c_str(),
      CubicMetres(b.reclaimed_litres).c_str());
  if (r.value_added_found) {
    std::printf("  Value added: Statistics' submissions of an earlier run stand\n");
  } else if (r.loaded) {
    std::printf(
        "  Value added: %d rows submitted by Statistics in versions %s (the last revises %zu)\n",
        r.value_added_rows, absl::StrJoin(r.versions, ", ").c_str(), d.statistics().revised.size());
  }
  for (const sim::TableView& t : r.years) {
    PrintTable(t);
  }
  if (!r.checked) {
    return;
  }
  const bool shared = std::any_of(r.years.begin(), r.years.end(),
                                  [](const sim::TableView& t) { return t.other_enterprises > 0; });
  if (r.mismatches.empty() && shared) {
    std::printf(
        "  Check: the district's part of reporting's six rows equals the ground truth, enterprise "
        "by enterprise (%zu years; the rows hold other enterprises too)\n",
        r.years.size());
  } else if (r.mismatches.empty()) {
    std::printf(
        "  Check: reporting's six rows equal the ground truth (%zu years: numerators, "
        "denominators and basis points, and the district's part enterprise by enterprise)\n",
        r.years.size());
  } else {
    std::printf("  Check: %zu differences from the ground truth:\n", r.mismatches.size());
    for (const std::string& m : r.mismatches) {
      std::printf("    %s\n", m.c_str());
    }
  }
}

void PrintText(const sim::District& d, const sim::Report& r, bool certification, bool reporting) {
  const nlohmann::json district = DistrictJson(d);
  std::printf(
      "District (seed %s): %s enterprises in %s parks and 16 towns, %s meters (%s over "
      "HJ 212)\n",
      district["seed"].dump().c_str(), district["enterprises"].dump().c_str(),
      district["parks"].dump().c_str(), Thousands(district["meters"].get<int64_t>()).c_str(),
      district["hj212_meters"].dump().c_str());
  std::printf("Period: %s to %s (Asia/Shanghai), %s hourly readings per meter\n",
              district["from"].get<std::string>().c_str(),
              district["to"].get<std::string>().c_str(), Thousands(d.last_step() + 1).c_str());
  std::printf(
      "Registered: enterprises %lld created, %lld updated, %lld unchanged; meters %lld "
      "created, %lld updated, %lld unchanged\n",
      static_cast<long long>(r.enterprises.created), static_cast<long long>(r.enterprises.updated),
      static_cast<long long>(r.enterprises.unchanged), static_cast<long long>(r.meters.created),
      static_cast<long long>(r.meters.updated), static_cast<long long>(r.meters.unchanged));
  std::printf("Plans: %d annual plans, %d product quotas, %d monthly output reports\n", r.plans_set,
              r.quotas_set, r.production_reports);
  std::printf(
      "Faults: %d gateway outages (%s readings back-filled), %s readings sent twice, %s "
      "register roll-overs, %s bursts\n",
      r.outages, Thousands(r.gateway.held).c_str(), Thousands(r.gateway.duplicates).c_str(),
      Thousands(r.gateway.rollovers).c_str(), Thousands(r.gateway.spikes).c_str());
  const sim::ReadingTally& t = r.readings;
  std::printf(
      "Readings: %s sent in %.1f s (%s by gRPC, %s by HJ 212 in %s uploads, %s "
      "acknowledged)\n",
      Thousands(t.sent_grpc + t.sent_hj212).c_str(), t.seconds, Thousands(t.sent_grpc).c_str(),
      Thousands(t.sent_hj212).c_str(), Thousands(t.hj212_frames).c_str(),
      Thousands(t.hj212_acknowledged).c_str());
  std::printf("  gRPC answers: %s accepted, %s duplicates, %s rejected\n",
              Thousands(t.accepted).c_str(), Thousands(t.duplicates).c_str(),
              Thousands(t.rejected).c_str());
  std::string flags;
  for (const auto& [flag, n] : t.flags) {
    absl::StrAppend(&flags, flags.empty() ? "" : ", ", flag, " ", Thousands(n));
  }
  std::printf("  flagged: %s\n", flags.empty() ? "none" : flags.c_str());
  for (const auto& [reason, n] : t.reject_reasons) {
    std::printf("  rejected %s: %s\n", reason.c_str(), Thousands(n).c_str());
  }
  if (r.usage_checked > 0) {
    std::printf(
        "Usage: quota's monthly new water equals the ground truth for %d of %d "
        "enterprise-months\n",
        r.usage_matching, r.usage_checked);
  }
  if (!r.summarized) {
    return;  // the run stopped before quota's outcome was gathered
  }
  std::string alerts;
  for (const auto& [kind, n] : r.alerts) {
    absl::StrAppend(&alerts, alerts.empty() ? "" : ", ", kind, ": ", n);
  }
  std::printf("Alerts raised: %s\n", alerts.empty() ? "none" : alerts.c_str());
  for (const sim::MonthSurcharge& s : r.surcharges) {
    std::printf("Surcharges due for %s: %s yuan from %d enterprises\n", s.month.c_str(),
                Yuan(s.fen).c_str(), s.enterprises);
  }
  std::string month;
  for (const sim::OverPlanLine& o : r.over_plan) {
    if (o.month != month) {
      month = o.month;
      std::printf("Furthest over plan in %s:\n", month.c_str());
    }
    std::printf("  %s %s: %s m³ of a %s m³ plan\n", o.uscc.c_str(), o.name.c_str(),
                CubicMetres(o.used_litres).c_str(), CubicMetres(o.plan_litres).c_str());
  }
  if (certification) {
    PrintCertification(d, r.certification);
  }
  if (reporting) {
    PrintReporting(d, r.reporting);
  }
}

// `indicators`: the six rows of `year` as reporting serves them now.
int PrintIndicators(const sim::RunOptions& options, int year, bool json) {
  sim::RunOptions once = options;
  once.settle_timeout = absl::Seconds(30);  // a reading, not a load: a down service is an error
  const absl::StatusOr<sim::TableView> table = sim::ReadTable(once, year);
  if (!table.ok()) {
    std::fprintf(stderr, "jieshui-simulator: %s\n", table.status().ToString().c_str());
    return kExitFailed;
  }
  if (json) {
    std::printf(
        "%s\n",
        TableJson(*table).dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    PrintTable(*table);
  }
  return kExitOk;
}

int Run(int argc, char** argv) {
  CLI::App app{"jieshui-simulator: a simulated Wuzhong district, run through the platform"};
  app.require_subcommand(1);
  app.fallthrough();
  DistrictFlags flags;
  sim::RunOptions run;
  bool json = false;
  double pace_seconds = 0;
  double settle_seconds = 900;
  app.add_flag("--json", json, "print the outcome as one JSON object");
  AddDistrictFlags(&app, &flags);
  CLI::App* run_cmd =
      app.add_subcommand("run", "register the district, stream its readings, report the outcome");
  run_cmd->add_option("--registry", run.targets.registry, "registry host:port")
      ->envname("JIESHUI_REGISTRY_TARGET")
      ->capture_default_str();
  run_cmd->add_option("--ingest", run.targets.ingest, "ingest gRPC host:port")
      ->envname("JIESHUI_INGEST_TARGET")
      ->capture_default_str();
  run_cmd->add_option("--hj212", run.targets.hj212, "ingest HJ 212 host:port")
      ->envname("JIESHUI_HJ212_TARGET")
      ->capture_default_str();
  run_cmd->add_option("--quota", run.targets.quota, "quota host:port")
      ->envname("JIESHUI_QUOTA_TARGET")
      ->capture_default_str();
  run_cmd
      ->add_option("--certification", run.targets.certification,
                   "certification host:port ('' leaves the certification history out)")
      ->envname("JIESHUI_CERTIFICATION_TARGET")
      ->capture_default_str();
  run_cmd->add_option("--enterprise-keys", run.enterprise_keys_dir,
                      "the applicants' keys, DIR/<USCC>.key (jieshui-simulator keys); without "
                      "them no application is made");
  std::string industry_key_file;
  run_cmd
      ->add_option("--industry-key-file", industry_key_file,
                   "an industry key: the second final-review approval of provincial titles")
      ->envname("JIESHUI_INDUSTRY_KEY_FILE");
  run_cmd
      ->add_option("--reporting", run.targets.reporting,
                   "reporting host:port ('' leaves value added, the baseline and the six rows out)")
      ->envname("JIESHUI_REPORTING_TARGET")
      ->capture_default_str();
  std::string statistics_key_file;
  run_cmd
      ->add_option("--statistics-key-file", statistics_key_file,
                   "a statistics key: Statistics submits the value added")
      ->envname("JIESHUI_STATISTICS_KEY_FILE");
  run_cmd->add_option("--batch", run.batch, "readings per gRPC batch")
      ->check(CLI::Range(1, 10000))
      ->capture_default_str();
  run_cmd->add_option("--pace", pace_seconds,
                      "spread the readings over this many seconds (0: as fast as taken)");
  run_cmd
      ->add_option("--settle-timeout", settle_seconds,
                   "seconds to wait for the services to catch up")
      ->capture_default_str();
  CLI::App* describe_cmd =
      app.add_subcommand("describe", "print the district a seed gives, without calling anything");
  CLI::App* indicators_cmd = app.add_subcommand(
      "indicators",
      "print the district's six rows of the action plan's table for a year, as reporting serves "
      "them now, against the year's targets (or the latest year's with one)");
  int indicators_year = domain::YearOf(absl::Now());
  indicators_cmd->add_option("--reporting", run.targets.reporting, "reporting host:port")
      ->envname("JIESHUI_REPORTING_TARGET")
      ->capture_default_str();
  indicators_cmd
      ->add_option("--year", indicators_year, "the year (default: this year, Shanghai time)")
      ->check(CLI::Range(2000, 2100))
      ->capture_default_str();
  std::string keys_dir;
  CLI::App* keys_cmd = app.add_subcommand(
      "keys",
      "write a random API key per applicant enterprise, DIR/<USCC>.key (kept when there); "
      "deploy/local/stack/keys.sh hands the services their SHA-256");
  keys_cmd->add_option("--dir", keys_dir, "the folder of the keys")->required();
  // The district's options count here (the applicants follow from them); `run`'s own may follow
  // too, as start.sh passes the same ones, and are ignored.
  AddDistrictFlags(keys_cmd, &flags);
  keys_cmd->fallthrough(false);
  keys_cmd->allow_extras();
  app.footer(
      "The API key (water_affairs) is read from JIESHUI_API_KEY; an applicant's from "
      "--enterprise-keys.");
  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    return app.exit(e) == 0 ? kExitOk : kExitFailed;
  }
  if (const char* key = std::getenv("JIESHUI_API_KEY"); key != nullptr) {
    run.targets.api_key = key;
  }
  if (indicators_cmd->parsed()) {
    return PrintIndicators(run, indicators_year, json);
  }
  absl::StatusOr<sim::Options> options = BuildOptions(flags);
  if (!options.ok()) {
    std::fprintf(stderr, "jieshui-simulator: %s\n",
                 std::string(options.status().message()).c_str());
    return kExitFailed;
  }
  const sim::District district(*options);
  if (describe_cmd->parsed()) {
    std::printf("%s\n", DistrictJson(district).dump(2).c_str());
    return kExitOk;
  }
  if (keys_cmd->parsed()) {
    int created = 0;
    if (const absl::Status s = sim::WriteEnterpriseKeys(district, keys_dir, &created); !s.ok()) {
      std::fprintf(stderr, "jieshui-simulator: %s\n", std::string(s.message()).c_str());
      return kExitFailed;
    }
    std::printf("%zu applicant enterprise keys in %s (%d new)\n", district.Applicants().size(),
                keys_dir.c_str(), created);
    return kExitOk;
  }
  for (const auto& [file, flag, key] :
       {std::tuple(&industry_key_file, "--industry-key-file", &run.targets.industry_key),
        std::tuple(&statistics_key_file, "--statistics-key-file", &run.targets.statistics_key)}) {
    if (file->empty()) {
      continue;
    }
    std::ifstream in(*file);
    std::stringstream text;
    text << in.rdbuf();
    *key = std::string(absl::StripAsciiWhitespace(text.str()));
    if (!in.is_open() || key->empty()) {
      std::fprintf(stderr, "jieshui-simulator: %s: no key in %s\n", flag, file->c_str());
      return kExitFailed;
    }
  }
  run.pace = absl::Seconds(pace_seconds);
  run.settle_timeout = absl::Seconds(settle_seconds);
  run.progress = [](const std::string& line) { std::fprintf(stderr, "%s\n", line.c_str()); };

  sim::Report report;
  const sim::GroundTruth truth(district);
  absl::Status status = sim::RegisterDistrict(district, run, &report);
  if (status.ok()) {
    status = sim::SetPlansAndQuotas(district, run, &report);
  }
  if (status.ok()) {
    status = sim::StreamReadings(district, run, &report);
  }
  if (status.ok()) {
    status = sim::ReportProduction(district, truth, run, &report);
  }
  absl::Status usage = absl::OkStatus();
  if (status.ok()) {
    usage = sim::WaitForUsage(district, truth, run, &report);
    status = sim::Summarize(district, truth, run, &report);
  }
  const bool certification = !run.targets.certification.empty();
  if (status.ok() && certification) {
    status = sim::LoadCertificationHistory(district, run, &report);
  }
  if (status.ok() && certification) {
    status = sim::CheckCertification(district, sim::CertificationTruth(district), run, &report);
  }
  const bool reporting = !run.targets.reporting.empty();
  if (status.ok() && reporting) {
    status = sim::LoadReporting(district, run, &report);
  }
  if (status.ok() && reporting) {
    status = sim::CheckReporting(district, sim::ReportingTruth(district, truth, certification), run,
                                 &report);
  }
  const bool certification_matches = report.certification.mismatches.empty();
  const bool reporting_matches = report.reporting.mismatches.empty();
  if (json) {
    nlohmann::json out = {{"district", DistrictJson(district)},
                          {"outcome", ReportJson(district, report)}};
    if (!status.ok() || !usage.ok()) {
      out["error"] = std::string(status.ok() ? usage.message() : status.message());
    } else if (!certification_matches) {
      out["error"] =
          "certification differs from the ground truth: " + report.certification.mismatches.front();
    } else if (!reporting_matches) {
      out["error"] =
          "reporting differs from the ground truth: " + report.reporting.mismatches.front();
    }
    std::printf("%s\n", out.dump(2, ' ', false, nlohmann::json::error_handler_t::replace).c_str());
  } else {
    PrintText(district, report, certification, reporting);
  }
  if (!status.ok()) {
    std::fprintf(stderr, "jieshui-simulator: %s\n", status.ToString().c_str());
    return kExitFailed;
  }
  if (!usage.ok()) {
    std::fprintf(stderr, "jieshui-simulator: %s\n", usage.ToString().c_str());
    return kExitMismatch;
  }
  if (!certification_matches) {
    std::fprintf(stderr, "jieshui-simulator: certification differs from the ground truth: %s\n",
                 report.certification.mismatches.front().c_str());
    return kExitMismatch;
  }
  if (!reporting_matches) {
    std::fprintf(stderr, "jieshui-simulator: reporting differs from the ground truth: %s\n",
                 report.reporting.mismatches.front().c_str());
    return kExitMismatch;
  }
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jieshui-simulator: %s\n", e.what());
    return kExitFailed;
  }
}
