// jieshui-cli: the operator's command line for the whole platform: enterprises and meters from
// the registry (list, show, CSV import), meter readings into ingest from a CSV file, usage,
// alerts, plans and surcharges from quota, titles, records, applications and eligibility from
// certification, and indicators, targets, Statistics' value added, the baseline, annual reports
// and exports from reporting. Tables by default, one JSON document with --json.
// See tools/cli/README.md. Exit status: 0 done, 1 some rows or readings rejected, 2 usage, local
// input or a call failed.
#include <cstdio>
#include <exception>
#include <optional>
#include <string>
#include <vector>

#include "CLI/CLI.hpp"
#include "call.hpp"
#include "commands.hpp"
#include "readings_report.hpp"
#include "report_commands.hpp"

namespace {

using jieshui::cli::kExitFailed;
using jieshui::cli::kExitOk;

void AddPeriodOptions(CLI::App* command, jieshui::cli::PeriodFlags* period, bool with_day) {
  command->add_option("--month", period->month, "a month, YYYY-MM");
  command->add_option("--year", period->year, "a year, YYYY");
  if (with_day) {
    command->add_option("--day", period->day, "one day, YYYY-MM-DD (Asia/Shanghai)");
  }
}

// report …: the reporting service's subcommands (report_commands.hpp) and their options.
struct ReportCommands {
  CLI::App* indicators = nullptr;
  CLI::App* contributors = nullptr;
  CLI::App* history = nullptr;
  CLI::App* watch = nullptr;
  CLI::App* targets = nullptr;
  CLI::App* set_target = nullptr;
  CLI::App* value_added_import = nullptr;
  CLI::App* value_added_list = nullptr;
  CLI::App* baseline = nullptr;
  CLI::App* set_baseline = nullptr;
  CLI::App* annual_reports = nullptr;
  CLI::App* file_annual_report = nullptr;
  CLI::App* export_file = nullptr;

  jieshui::cli::IndicatorQuery query;
  std::string code;
  bool all_pages = false;
  std::string from;
  std::string to;
  int watch_count = 0;
  int from_year = 0;
  int to_year = 0;
  bool history_flag = false;
  jieshui::cli::TargetChange target;
  std::string file;
  std::string source;
  bool dry_run = false;
  int year = 0;
  std::string uscc;
  jieshui::cli::BaselineChange baseline_change;
  std::string text_file;
  std::vector<std::string> document_refs;
  jieshui::cli::ExportOptions export_options;
};

// --scope, --year | --ytd | --quarter | --month, and (with `codes`) the repeatable --code.
void AddQueryOptions(CLI::App* command, jieshui::cli::IndicatorQuery* query, bool codes) {
  command->add_option("--scope", query->scope,
                      "district (default), town:NAME, park:ID, industry:C17 or enterprise:USCC");
  command->add_option("--year", query->period.year, "a year, YYYY");
  command->add_option("--ytd", query->period.ytd, "a year to date: January to the end of YYYY-MM");
  command->add_option("--quarter", query->period.quarter, "a quarter, YYYY-Qn");
  command->add_option("--month", query->period.month, "a month, YYYY-MM");
  if (codes) {
    // One code per --code (repeat it for several), so a code never takes the next argument.
    command->add_option("--code", query->codes, "only this indicator (repeatable)")
        ->expected(1)
        ->allow_extra_args(false)
        ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);
  }
}

void AddReportCommands(CLI::App* app, ReportCommands* r) {
  CLI::App* report = app->add_subcommand(
      "report", "indicators, targets, value added, baseline, annual reports (reporting)");
  report->require_subcommand(1)->fallthrough();
  const auto year_check = CLI::Range(1, 9999);

  r->indicators = report->add_subcommand("indicators", "the indicators of a scope and period");
  AddQueryOptions(r->indicators, &r->query, true);

  r->contributors = report->add_subcommand("contributors", "the enterprises behind one indicator");
  r->contributors->add_option("CODE", r->code, "indicator code")->required();
  AddQueryOptions(r->contributors, &r->query, false);
  r->contributors->add_flag("--all", r->all_pages, "every page (default: the first 50)");

  r->history = report->add_subcommand("history", "one indicator's snapshots as it changed");
  r->history->add_option("CODE", r->code, "indicator code")->required();
  AddQueryOptions(r->history, &r->query, false);
  r->history->add_option("--from", r->from, "changes from this day, YYYY-MM-DD");
  r->history->add_option("--to", r->to, "changes up to this day (included), YYYY-MM-DD");
  r->history->add_flag("--all", r->all_pages, "every page (default: the first 50)");

  r->watch = report->add_subcommand("watch", "the indicators now, then each change");
  AddQueryOptions(r->watch, &r->query, true);
  r->watch->add_option("--count", r->watch_count, "stop after N sets (default: follow)")
      ->check(CLI::PositiveNumber);

  r->targets = report->add_subcommand("targets", "the targets per year");
  r->targets->add_option("--from-year", r->from_year, "from this year")->check(year_check);
  r->targets->add_option("--to-year", r->to_year, "up to this year")->check(year_check);
  r->targets->add_flag("--history", r->history_flag, "every version, not only the one in force");

  r->set_target =
      report->add_subcommand("set-target", "a new version of a year's target (water_affairs)");
  r->set_target->add_option("CODE", r->target.code, "indicator code")->required();
  r->set_target->add_option("--year", r->target.year, "the target's year")
      ->required()
      ->check(year_check);
  r->set_target->add_option("--percent", r->target.percent, "a ratio's target, e.g. 93.00");
  r->set_target->add_option("--count", r->target.count, "a count's minimum, e.g. 5")
      ->check(CLI::NonNegativeNumber);
  r->set_target->add_option("--reason", r->target.reason, "why it changes")->required();

  CLI::App* value_added = report->add_subcommand("value-added", "Statistics' value added");
  value_added->require_subcommand(1)->fallthrough();
  r->value_added_import = value_added->add_subcommand(
      "import", "import value added from a CSV or XLSX file (statistics)");
  r->value_added_import->add_option("FILE", r->file, "CSV or XLSX file (tools/cli/README.md)")
      ->required();
  r->value_added_import->add_option("--source", r->source,
                                    "the submission's reference (default: the file's name)");
  r->value_added_import->add_flag("--dry-run", r->dry_run, "check the file only, send nothing");
  r->value_added_list =
      value_added->add_subcommand("list", "the latest value added of each enterprise's year");
  r->value_added_list->add_option("--year", r->year, "YYYY")->required()->check(year_check);
  r->value_added_list->add_option("--uscc", r->uscc, "only this enterprise");
  r->value_added_list->add_flag("--all", r->all_pages, "every page (default: the first 50)");

  r->baseline = report->add_subcommand("baseline", "the 2020 baseline");
  r->set_baseline =
      report->add_subcommand("set-baseline", "enter or change the 2020 baseline (water_affairs)");
  r->set_baseline
      ->add_option("--new-water-m3", r->baseline_change.new_water_m3,
                   "the district's industrial new-water intake in 2020, m³")
      ->required();
  r->set_baseline
      ->add_option("--value-added-wan", r->baseline_change.value_added_wan,
                   "the district's industrial value added in 2020, 万元")
      ->required();
  r->set_baseline
      ->add_option("--reclaimed-m3", r->baseline_change.reclaimed_m3,
                   "reclaimed water used by industry in 2020, m³")
      ->required();
  r->set_baseline->add_option("--reason", r->baseline_change.reason,
                              "why it changes (required once a baseline exists)");

  r->annual_reports =
      report->add_subcommand("annual-reports", "each department's annual report for a year");
  r->annual_reports->add_option("--year", r->year, "YYYY")->required()->check(year_check);
  r->file_annual_report = report->add_subcommand(
      "file-annual-report", "file the caller's department's annual report for a year");
  r->file_annual_report->add_option("--year", r->year, "YYYY")->required()->check(year_check);
  r->file_annual_report->add_option("--text-file", r->text_file, "the report's text, UTF-8")
      ->required();
  r->file_annual_report->add_option("--doc", r->document_refs, "a document reference (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

  r->export_file = report->add_subcommand("export", "write an export to a file");
  r->export_file
      ->add_option("KIND", r->export_options.kind,
                   "annual-report, ledger, key-monitored or contributors")
      ->required();
  r->export_file->add_option("--format", r->export_options.format, "xlsx or csv")->required();
  r->export_file->add_option("--out", r->export_options.out, "the file to write")->required();
  AddQueryOptions(r->export_file, &r->export_options.query, true);
}

// The report subcommand given, run; std::nullopt when none was.
std::optional<int> RunReportCommand(const jieshui::cli::GlobalOptions& options,
                                    const ReportCommands& r) {
  namespace cli = ::jieshui::cli;
  if (r.indicators->parsed()) {
    return cli::ShowIndicators(options, r.query);
  }
  if (r.contributors->parsed()) {
    return cli::ListContributors(options, r.code, r.query, r.all_pages);
  }
  if (r.history->parsed()) {
    return cli::ShowIndicatorHistory(options, r.code, r.query, r.from, r.to, r.all_pages);
  }
  if (r.watch->parsed()) {
    return cli::WatchIndicators(options, r.query, r.watch_count);
  }
  if (r.targets->parsed()) {
    return cli::ListTargets(options, r.from_year, r.to_year, r.history_flag);
  }
  if (r.set_target->parsed()) {
    return cli::SetTarget(options, r.target);
  }
  if (r.value_added_import->parsed()) {
    return cli::ImportValueAdded(options, r.file, r.source, r.dry_run);
  }
  if (r.value_added_list->parsed()) {
    return cli::ListValueAdded(options, r.year, r.uscc, r.all_pages);
  }
  if (r.baseline->parsed()) {
    return cli::ShowBaseline(options);
  }
  if (r.set_baseline->parsed()) {
    return cli::SetBaseline(options, r.baseline_change);
  }
  if (r.annual_reports->parsed()) {
    return cli::ListAnnualReports(options, r.year);
  }
  if (r.file_annual_report->parsed()) {
    return cli::FileAnnualReport(options, r.year, r.text_file, r.document_refs);
  }
  if (r.export_file->parsed()) {
    return cli::ExportReport(options, r.export_options);
  }
  return std::nullopt;
}

int Run(int argc, char** argv) {
  CLI::App app{
      "jieshui-cli: enterprises, meters, readings, usage, alerts, surcharges, certification and "
      "reporting"};
  app.require_subcommand(1);
  // Global options are also accepted after the subcommand: "enterprises list --json".
  app.fallthrough();
  jieshui::cli::GlobalOptions options;
  app.add_option("--registry", options.registry, "registry address host:port")
      ->envname("JIESHUI_REGISTRY_TARGET")
      ->capture_default_str();
  app.add_option("--ingest", options.ingest, "ingest address host:port")
      ->envname("JIESHUI_INGEST_TARGET")
      ->capture_default_str();
  app.add_option("--quota", options.quota, "quota address host:port")
      ->envname("JIESHUI_QUOTA_TARGET")
      ->capture_default_str();
  app.add_option("--certification", options.certification, "certification address host:port")
      ->envname("JIESHUI_CERTIFICATION_TARGET")
      ->capture_default_str();
  app.add_option("--reporting", options.reporting, "reporting address host:port")
      ->envname("JIESHUI_REPORTING_TARGET")
      ->capture_default_str();
  app.add_flag("--json", options.json, "print the result as one JSON document");
  app.add_option("--timeout", options.timeout_seconds, "seconds a call may take")
      ->check(CLI::PositiveNumber)
      ->capture_default_str();
  app.footer("The API key is read from JIESHUI_API_KEY and sent as 'authorization: Bearer <key>'.");

  // enterprises list | show
  CLI::App* enterprises = app.add_subcommand("enterprises", "enterprises in the registry");
  enterprises->require_subcommand(1)->fallthrough();
  jieshui::cli::EnterpriseFilter filter;
  CLI::App* enterprises_list = enterprises->add_subcommand("list", "list enterprises");
  enterprises_list->add_option("--town", filter.town, "only this town");
  enterprises_list->add_option("--park", filter.park, "only this industrial park (park_id)");
  enterprises_list->add_option("--industry", filter.industry_prefix,
                               "GB/T 4754 code prefix: C, C26, C2614");
  enterprises_list->add_flag("--key-monitored", filter.key_monitored,
                             "only key-monitored enterprises");
  enterprises_list->add_flag("--all", filter.all_pages, "every page (default: the first 50)");
  std::string enterprise_uscc;
  CLI::App* enterprises_show = enterprises->add_subcommand("show", "one enterprise in full");
  enterprises_show->add_option("USCC", enterprise_uscc, "unified social credit code")->required();

  // meters list | show
  CLI::App* meters = app.add_subcommand("meters", "meters in the registry");
  meters->require_subcommand(1)->fallthrough();
  std::string meters_uscc;
  bool include_retired = false;
  CLI::App* meters_list = meters->add_subcommand("list", "the meters of one enterprise");
  meters_list->add_option("USCC", meters_uscc, "unified social credit code")->required();
  meters_list->add_flag("--include-retired", include_retired, "also retired meters");
  std::string meter_id;
  CLI::App* meters_show = meters->add_subcommand("show", "one meter in full");
  meters_show->add_option("METER_ID", meter_id, "meter id")->required();

  // import enterprises | meters
  CLI::App* import = app.add_subcommand("import", "import the registry's CSV files");
  import->require_subcommand(1)->fallthrough();
  std::string import_file;
  bool dry_run = false;
  CLI::App* import_enterprises =
      import->add_subcommand("enterprises", "import enterprises from a CSV file");
  CLI::App* import_meters = import->add_subcommand("meters", "import meters from a CSV file");
  for (CLI::App* sub : {import_enterprises, import_meters}) {
    sub->add_option("FILE", import_file, "CSV file (tools/registry/README.md)")->required();
    sub->add_flag("--dry-run", dry_run, "check the file only, send nothing");
  }

  // readings submit
  CLI::App* readings = app.add_subcommand("readings", "meter readings");
  readings->require_subcommand(1)->fallthrough();
  std::string readings_file;
  int batch_size = jieshui::cli::kDefaultBatchSize;
  CLI::App* readings_submit =
      readings->add_subcommand("submit", "submit readings from a CSV file to ingest");
  readings_submit->add_option("FILE", readings_file, "CSV file (tools/cli/README.md)")->required();
  readings_submit->add_option("--batch", batch_size, "readings per SubmitReadings call")
      ->check(CLI::Range(1, jieshui::cli::kMaxBatchSize))
      ->capture_default_str();

  // usage, alerts, surcharge, plan, over-plan
  std::string uscc;
  jieshui::cli::PeriodFlags period;
  CLI::App* usage = app.add_subcommand("usage", "an enterprise's use against plan");
  usage->add_option("USCC", uscc, "unified social credit code")->required();
  AddPeriodOptions(usage, &period, true);

  jieshui::cli::AlertFilter alert_filter;
  CLI::App* alerts = app.add_subcommand("alerts", "plan and quota alerts");
  alerts->add_option("--uscc", alert_filter.uscc, "only this enterprise");
  AddPeriodOptions(alerts, &alert_filter.period, false);
  alerts->add_option("--status", alert_filter.status, "open or acknowledged")
      ->check(CLI::IsMember({"open", "acknowledged"}));
  alerts->add_flag("--all", alert_filter.all_pages, "every page (default: the first 50)");

  CLI::App* surcharge =
      app.add_subcommand("surcharge", "the progressive surcharge with its working");
  surcharge->add_option("USCC", uscc, "unified social credit code")->required();
  AddPeriodOptions(surcharge, &period, false);

  int plan_year = 0;
  CLI::App* plan = app.add_subcommand("plan", "an enterprise's annual plan and monthly split");
  plan->add_option("USCC", uscc, "unified social credit code")->required();
  plan->add_option("--year", plan_year, "the plan year")->required()->check(CLI::Range(1, 9999));

  int over_plan_limit = 0;
  CLI::App* over_plan = app.add_subcommand("over-plan", "enterprises over plan, furthest first");
  AddPeriodOptions(over_plan, &period, false);
  over_plan->add_option("--limit", over_plan_limit, "at most this many (default 100)")
      ->check(CLI::NonNegativeNumber);

  // certification titles | certified | due | eligibility | activity | records | record |
  // applications | application | review-record | reviews. Dates, levels, kinds, statuses and
  // states are checked by certification_flags.hpp, which names the flag.
  CLI::App* certification =
      app.add_subcommand("certification", "titles, records and applications (certification)");
  certification->require_subcommand(1)->fallthrough();
  std::string cert_uscc;
  std::string cert_on;
  std::string cert_level;
  CLI::App* cert_titles =
      certification->add_subcommand("titles", "an enterprise's titles with their status");
  cert_titles->add_option("--uscc", cert_uscc, "unified social credit code")->required();
  cert_titles->add_option("--on", cert_on, "only titles valid on this day, YYYY-MM-DD");

  jieshui::cli::CertifiedFilter certified_filter;
  CLI::App* cert_certified =
      certification->add_subcommand("certified", "the certified enterprises on a day");
  cert_certified->add_option("--on", certified_filter.on, "the day, YYYY-MM-DD")->required();
  cert_certified->add_option("--level", certified_filter.level,
                             "district, municipal, provincial or leader (default: the "
                             "water-saving-enterprise levels)");
  cert_certified->add_option("--town", certified_filter.town, "only this town");
  cert_certified->add_option("--park", certified_filter.park,
                             "only this industrial park (park_id)");
  cert_certified->add_option("--industry", certified_filter.industry_prefix,
                             "GB/T 4754 code prefix: C, C17, C1713");
  cert_certified->add_flag("--all", certified_filter.all_pages,
                           "every page (default: the first 50)");

  int due_days = 0;
  CLI::App* cert_due = certification->add_subcommand(
      "due", "titles expiring in the next N days and the open title reviews");
  cert_due->add_option("--days", due_days, "1-3660")->required()->check(CLI::Range(1, 3660));

  CLI::App* cert_eligibility = certification->add_subcommand(
      "eligibility", "every gate of a level's scheme for an enterprise, with its evidence");
  cert_eligibility->add_option("--uscc", cert_uscc, "unified social credit code")->required();
  cert_eligibility->add_option("--level", cert_level, "district, municipal, provincial or leader")
      ->required();
  cert_eligibility->add_option("--on", cert_on, "the day the gates are judged on (default today)");

  int activity_year = 0;
  CLI::App* cert_activity = certification->add_subcommand(
      "activity", "a year's accepted records and titles granted by level");
  cert_activity->add_option("--year", activity_year, "YYYY")
      ->required()
      ->check(CLI::Range(1, 9999));

  jieshui::cli::RecordFilter record_filter;
  CLI::App* cert_records = certification->add_subcommand(
      "records", "balance tests, audits, projects, demonstrations and park records");
  cert_records->add_option("--uscc", record_filter.uscc, "only this enterprise");
  cert_records->add_option("--kind", record_filter.kind,
                           "balance_test, audit, retrofit, contract, demonstration or park");
  cert_records->add_option("--year", record_filter.year, "the year a record counts in")
      ->check(CLI::Range(1, 9999));
  cert_records->add_option("--status", record_filter.status, "submitted, accepted or returned");
  cert_records->add_flag("--all", record_filter.all_pages, "every page (default: the first 50)");
  std::string cert_id;
  CLI::App* cert_record = certification->add_subcommand("record", "one record in full");
  cert_record->add_option("ID", cert_id, "record id")->required();

  jieshui::cli::ApplicationFilter application_filter;
  CLI::App* cert_applications =
      certification->add_subcommand("applications", "applications for a title");
  cert_applications->add_option("--uscc", application_filter.uscc, "only this enterprise");
  cert_applications->add_option("--level", application_filter.level,
                                "district, municipal, provincial or leader");
  cert_applications->add_option("--state", application_filter.state,
                                "draft, submitted, preliminary_review, final_review, "
                                "public_notice, granted, refused or withdrawn");
  cert_applications->add_flag("--all", application_filter.all_pages,
                              "every page (default: the first 50)");
  CLI::App* cert_application = certification->add_subcommand(
      "application", "one application with its gates, score sheets and history");
  cert_application->add_option("ID", cert_id, "application id")->required();

  bool review_accept = false;
  bool review_return = false;
  std::vector<std::string> review_reasons;
  CLI::App* cert_review_record = certification->add_subcommand(
      "review-record", "accept or return a submitted record (water_affairs)");
  cert_review_record->add_option("ID", cert_id, "record id")->required();
  cert_review_record->add_flag("--accept", review_accept, "accept the record");
  cert_review_record->add_flag("--return", review_return, "return it, with --reason");
  // One text per --reason (repeat it for several), so a reason never takes the record id.
  cert_review_record->add_option("--reason", review_reasons, "why it is returned (repeatable)")
      ->expected(1)
      ->allow_extra_args(false)
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeAll);

  bool open_only = false;
  CLI::App* cert_reviews = certification->add_subcommand("reviews", "title reviews");
  cert_reviews->add_option("--uscc", cert_uscc, "only this enterprise");
  cert_reviews->add_flag("--open", open_only, "only the open ones");

  ReportCommands report;
  AddReportCommands(&app, &report);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int code = app.exit(e);
    return code == 0 ? kExitOk : kExitFailed;
  }
  options.api_key = jieshui::tools::ApiKeyFromEnvironment();

  if (std::optional<int> exit_status = RunReportCommand(options, report)) {
    return *exit_status;
  }
  if (enterprises_list->parsed()) {
    return jieshui::cli::ListEnterprises(options, filter);
  }
  if (enterprises_show->parsed()) {
    return jieshui::cli::ShowEnterprise(options, enterprise_uscc);
  }
  if (meters_list->parsed()) {
    return jieshui::cli::ListMeters(options, meters_uscc, include_retired);
  }
  if (meters_show->parsed()) {
    return jieshui::cli::ShowMeter(options, meter_id);
  }
  if (import_enterprises->parsed() || import_meters->parsed()) {
    return jieshui::cli::ImportRegisterFile(options, import_enterprises->parsed(), import_file,
                                            dry_run);
  }
  if (readings_submit->parsed()) {
    return jieshui::cli::SubmitReadings(options, readings_file, batch_size);
  }
  if (usage->parsed()) {
    return jieshui::cli::ShowUsage(options, uscc, period);
  }
  if (alerts->parsed()) {
    return jieshui::cli::ListAlerts(options, alert_filter);
  }
  if (surcharge->parsed()) {
    return jieshui::cli::ShowSurcharge(options, uscc, period);
  }
  if (plan->parsed()) {
    return jieshui::cli::ShowPlan(options, uscc, plan_year);
  }
  if (over_plan->parsed()) {
    return jieshui::cli::ListOverPlan(options, period, over_plan_limit);
  }
  if (cert_titles->parsed()) {
    return jieshui::cli::ListTitles(options, cert_uscc, cert_on);
  }
  if (cert_certified->parsed()) {
    return jieshui::cli::ListCertified(options, certified_filter);
  }
  if (cert_due->parsed()) {
    return jieshui::cli::ListDue(options, due_days);
  }
  if (cert_eligibility->parsed()) {
    return jieshui::cli::ShowEligibility(options, cert_uscc, cert_level, cert_on);
  }
  if (cert_activity->parsed()) {
    return jieshui::cli::CountActivity(options, activity_year);
  }
  if (cert_records->parsed()) {
    return jieshui::cli::ListRecords(options, record_filter);
  }
  if (cert_record->parsed()) {
    return jieshui::cli::ShowRecord(options, cert_id);
  }
  if (cert_applications->parsed()) {
    return jieshui::cli::ListApplications(options, application_filter);
  }
  if (cert_application->parsed()) {
    return jieshui::cli::ShowApplication(options, cert_id);
  }
  if (cert_review_record->parsed()) {
    return jieshui::cli::ReviewRecord(options, cert_id, review_accept, review_return,
                                      review_reasons);
  }
  return jieshui::cli::ListTitleReviews(options, cert_uscc, open_only);
}

}  // namespace

int main(int argc, char** argv) {
  // CLI11, gRPC and allocation report failures as exceptions; none may end the tool with
  // std::terminate instead of an exit status.
  try {
    return Run(argc, argv);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "jieshui-cli: %s\n", e.what());
    return kExitFailed;
  }
}
