#include "views.hpp"

#include <utility>
#include <vector>

#include "absl/strings/ascii.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/time/time.h"
#include "domain/industry_catalogue.hpp"
#include "domain/money.hpp"
#include "domain/period.hpp"
#include "domain/volume.hpp"
#include "google/protobuf/util/json_util.h"
#include "period_flags.hpp"
#include "table.hpp"

namespace jieshui::cli {
namespace {

namespace reg = ::jieshui::registry::v1;
namespace quota = ::jieshui::quota::v1;
using Fields = std::vector<std::pair<std::string, std::string>>;
using Align = Table::Align;

std::string DateText(const jieshui::common::v1::Date& date) {
  if (date.year() == 0) {
    return "";
  }
  absl::StatusOr<domain::Date> parsed = domain::Date::Create(date.year(), date.month(), date.day());
  return parsed.ok() ? parsed->ToString()
                     : absl::StrCat(date.year(), "-", date.month(), "-", date.day());
}

std::string SourceLabel(quota::WaterSource source) {
  return EnumLabel(quota::WaterSource_Name(source), "WATER_SOURCE_");
}

// "0-20%", "20-40%", "40%+" (an empty to_percent is unbounded).
std::string BandLabel(const std::string& from, const std::string& to) {
  return to.empty() ? absl::StrCat(from, "%+") : absl::StrCat(from, "-", to, "%");
}

void AppendWorking(const quota::SurchargeWorking& working, std::string* out) {
  absl::StrAppend(out, RenderFields({{"  allowed m³", CubicMetres(working.allowed().litres())},
                                     {"  used m³", CubicMetres(working.used().litres())},
                                     {"  over m³", CubicMetres(working.over().litres())}}));
  Table bands({{"  BAND"},
               {"VOLUME m³", Align::kRight},
               {"MULTIPLIER", Align::kRight},
               {"BASE PRICE yuan/m³", Align::kRight},
               {"AMOUNT yuan", Align::kRight}});
  for (const quota::SurchargeLine& line : working.lines()) {
    bands.AddRow({absl::StrCat("  ", BandLabel(line.from_percent(), line.to_percent())),
                  CubicMetres(line.volume().litres()), line.multiplier(),
                  line.base_price_yuan_per_cubic_metre(), Yuan(line.amount().fen())});
  }
  if (!bands.empty()) {
    absl::StrAppend(out, bands.Render());
  }
  absl::StrAppend(out, RenderFields({{"  amount yuan", Yuan(working.amount().fen())}}));
}

}  // namespace

std::string ProtoJson(const google::protobuf::Message& message) {
  google::protobuf::util::JsonPrintOptions options;
  options.preserve_proto_field_names = true;
  options.always_print_primitive_fields = true;
  std::string json;
  if (!google::protobuf::util::MessageToJsonString(message, &json, options).ok()) {
    return "{}";  // only for messages with invalid UTF-8, which the services never send
  }
  return json;
}

std::string EnumLabel(std::string_view name, std::string_view prefix) {
  if (name.substr(0, prefix.size()) == prefix) {
    name.remove_prefix(prefix.size());
  }
  return absl::AsciiStrToLower(absl::string_view(name.data(), name.size()));
}

std::string CubicMetres(int64_t litres) {
  return domain::Volume::Litres(litres).ToCubicMetresString();
}

std::string Yuan(int64_t fen) { return domain::Money::Fen(fen).ToYuanString(); }

std::string YesNo(bool value) { return value ? "yes" : "no"; }

std::string Percent(int64_t basis_points) {
  // Basis points are hundredths of a percent: the same digits as fen are of a yuan.
  return absl::StrCat(domain::Money::Fen(basis_points).ToYuanString(), "%");
}

std::string ShanghaiTime(int64_t unix_ms) {
  if (unix_ms == 0) {
    return "";
  }
  return absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(unix_ms),
                          domain::ShanghaiTimeZone());
}

std::string EnterprisesTable(const reg::ListEnterprisesResponse& list) {
  Table table({{"USCC"},
               {"NAME"},
               {"TOWN"},
               {"PARK"},
               {"INDUSTRY"},
               {"KEY-MONITORED"},
               {"LATEST INTAKE m³", Align::kRight},
               {"YEAR", Align::kRight}});
  for (const reg::Enterprise& e : list.enterprises()) {
    table.AddRow(
        {e.uscc().value(), e.name(), e.town(), e.park_id(),
         domain::IndustryLabel(e.industry_code().value()), YesNo(e.key_monitored()),
         CubicMetres(e.latest_annual_intake().litres()),
         e.latest_annual_intake_year() == 0 ? "" : absl::StrCat(e.latest_annual_intake_year())});
  }
  std::string out = table.Render();
  const int64_t total = list.page().total_count();
  absl::StrAppend(&out, list.enterprises_size(), " of ", total, " enterprises");
  if (!list.page().next_page_token().empty()) {
    absl::StrAppend(&out, " (more with --all)");
  }
  out.push_back('\n');
  return out;
}

std::string EnterpriseDetail(const reg::Enterprise& e) {
  std::vector<std::string> sources;
  sources.reserve(static_cast<std::size_t>(e.water_sources_size()));
  for (const reg::WaterSource& source : e.water_sources()) {
    std::string text = EnumLabel(reg::WaterSourceKind_Name(source.kind()), "WATER_SOURCE_KIND_");
    if (!source.intake_permit_number().empty()) {
      absl::StrAppend(&text, " (permit ", source.intake_permit_number(), ")");
    }
    if (source.permitted_annual_volume().litres() != 0) {
      absl::StrAppend(&text, " ", CubicMetres(source.permitted_annual_volume().litres()), " m³/yr");
    }
    sources.push_back(std::move(text));
  }
  Fields fields = {
      {"USCC", e.uscc().value()},
      {"name", e.name()},
      {"address", e.address()},
      {"town", e.town()},
      {"park", e.park_id()},
      {"industry", domain::IndustryLabel(e.industry_code().value())},  // with its GB/T 4754 name
      {"above scale", YesNo(e.above_scale())},
      {"key-monitored", YesNo(e.key_monitored())},
      {"high water use, high pollution", YesNo(e.high_water_use_high_pollution())},
      {"water sources", absl::StrJoin(sources, "; ")},
      {"latest annual intake m³",
       absl::StrCat(CubicMetres(e.latest_annual_intake().litres()),
                    e.latest_annual_intake_year() == 0
                        ? ""
                        : absl::StrCat(" (", e.latest_annual_intake_year(), ")"))},
      {"contact",
       absl::StrJoin({e.contact().name(), e.contact().phone(), e.contact().email()}, " ")},
      {"specialist", e.has_specialist()
                         ? absl::StrCat(e.specialist().name(), " ", e.specialist().phone())
                         : "none"},
      {"metering points", absl::StrCat("level 1: ", e.metering_points().level1(),
                                       ", level 2: ", e.metering_points().level2(),
                                       ", level 3: ", e.metering_points().level3())},
      {"status", EnumLabel(reg::EnterpriseStatus_Name(e.status()), "ENTERPRISE_STATUS_")},
      {"version", absl::StrCat(e.version())},
  };
  return RenderFields(fields);
}

std::string MetersTable(const reg::ListMetersResponse& list) {
  Table table({{"METER"},
               {"USCC"},
               {"LEVEL", Align::kRight},
               {"MEASURES"},
               {"UNIT"},
               {"MULTIPLIER", Align::kRight},
               {"STATUS"},
               {"CALIBRATION DUE"},
               {"DESCRIPTION"}});
  for (const reg::Meter& m : list.meters()) {
    table.AddRow({m.meter_id(), m.uscc().value(),
                  EnumLabel(reg::MeterLevel_Name(m.level()), "METER_LEVEL_"),
                  EnumLabel(reg::MeasuredFlow_Name(m.measures()), "MEASURED_FLOW_"),
                  EnumLabel(reg::MeterUnit_Name(m.unit()), "METER_UNIT_"), m.multiplier(),
                  EnumLabel(reg::MeterStatus_Name(m.status()), "METER_STATUS_"),
                  DateText(m.calibration_due_on()), m.description()});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.meters_size(), " meters\n");
  return out;
}

std::string MeterDetail(const reg::Meter& m) {
  Fields fields = {
      {"meter", m.meter_id()},
      {"USCC", m.uscc().value()},
      {"description", m.description()},
      {"level", EnumLabel(reg::MeterLevel_Name(m.level()), "METER_LEVEL_")},
      {"measures", EnumLabel(reg::MeasuredFlow_Name(m.measures()), "MEASURED_FLOW_")},
      {"unit", EnumLabel(reg::MeterUnit_Name(m.unit()), "METER_UNIT_")},
      {"multiplier", m.multiplier()},
      {"register digits", absl::StrCat(m.register_digits())},
      {"accuracy class", m.accuracy_class()},
      {"calibration due", DateText(m.calibration_due_on())},
      {"installed", DateText(m.installed_on())},
      {"serial number", m.serial_number()},
      {"HJ 212", m.hj212().mn().empty()
                     ? ""
                     : absl::StrCat("MN ", m.hj212().mn(), ", code ", m.hj212().data_code())},
      {"status", EnumLabel(reg::MeterStatus_Name(m.status()), "METER_STATUS_")},
      {"version", absl::StrCat(m.version())},
  };
  if (m.status() == reg::METER_STATUS_RETIRED) {
    fields.emplace_back("retired", absl::StrCat(DateText(m.retirement().retired_on()), ": ",
                                                m.retirement().reason()));
  }
  return RenderFields(fields);
}

std::string UsageText(const quota::Usage& usage) {
  const std::string period = usage.has_day() ? DateText(usage.day()) : PeriodLabel(usage.period());
  std::string out = absl::StrCat("Usage of ", usage.uscc().value(), " in ", period, "\n");
  Table intake({{"INTAKE SOURCE"}, {"m³", Align::kRight}});
  for (const quota::SourceVolume& source : usage.intake()) {
    intake.AddRow({SourceLabel(source.source()), CubicMetres(source.volume().litres())});
  }
  absl::StrAppend(&out, intake.Render());
  Fields fields = {
      {"new water m³", CubicMetres(usage.new_water().litres())},
      {"plan m³", usage.plan_known() ? CubicMetres(usage.plan().litres()) : "no plan"},
      {"share of plan used", usage.plan_known() ? Percent(usage.used_basis_points()) : ""},
      {"recirculated m³", CubicMetres(usage.recirculated().litres())},
      {"reused m³", CubicMetres(usage.reused().litres())},
      {"discharge m³", CubicMetres(usage.discharge().litres())},
      {"served from", usage.served_from()},
  };
  absl::StrAppend(&out, RenderFields(fields));
  return out;
}

std::string AlertsTable(const quota::ListAlertsResponse& list) {
  Table table({{"ALERT"},
               {"USCC"},
               {"KIND"},
               {"PERIOD"},
               {"THRESHOLD", Align::kRight},
               {"USED m³", Align::kRight},
               {"LIMIT m³", Align::kRight},
               {"PRODUCT"},
               {"STATUS"},
               {"RAISED"}});
  for (const quota::Alert& a : list.alerts()) {
    table.AddRow({a.alert_id(), a.uscc().value(),
                  EnumLabel(quota::AlertKind_Name(a.kind()), "ALERT_KIND_"),
                  PeriodLabel(a.period()), absl::StrCat(a.threshold_percent(), "%"),
                  CubicMetres(a.used().litres()), CubicMetres(a.limit().litres()), a.product(),
                  EnumLabel(quota::AlertStatus_Name(a.status()), "ALERT_STATUS_"),
                  ShanghaiTime(a.raised_at_unix_ms())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.alerts_size(), " alerts");
  if (!list.page().next_page_token().empty()) {
    absl::StrAppend(&out, " (more with --all)");
  }
  out.push_back('\n');
  return out;
}

std::string SurchargeText(const quota::SurchargeStatement& statement) {
  std::string out = absl::StrCat(
      "Surcharge of ", statement.uscc().value(), " for ", PeriodLabel(statement.period()),
      statement.schedule_is_default() ? " (default schedule)" : "", "\n");
  if (statement.has_over_plan()) {
    absl::StrAppend(&out, "Over plan:\n");
    AppendWorking(statement.over_plan(), &out);
  } else {
    absl::StrAppend(&out, "Over plan: no plan for the period\n");
  }
  for (const quota::SurchargeWorking& working : statement.over_quota()) {
    absl::StrAppend(&out, "Over quota, ", working.product(), ":\n");
    AppendWorking(working, &out);
  }
  absl::StrAppend(&out, RenderFields({{"Total yuan", Yuan(statement.total().fen())}}));
  return out;
}

std::string PlanText(const quota::AnnualPlan& plan) {
  std::string out = absl::StrCat("Plan of ", plan.uscc().value(), " for ", plan.year(),
                                 plan.year_closed() ? " (year closed)" : "", "\n");
  const quota::PlanVersion& current = plan.current();
  absl::StrAppend(
      &out,
      RenderFields(
          {{"total m³", CubicMetres(current.total().litres())},
           {"version", absl::StrCat(current.version())},
           {"change", EnumLabel(quota::PlanChangeKind_Name(current.change()), "PLAN_CHANGE_KIND_")},
           {"monthly split", current.split_filed() ? "filed by the enterprise" : "even split"},
           {"reason", current.reason()}}));
  Table months({{"MONTH"}, {"PLAN m³", Align::kRight}});
  for (int i = 0; i < current.monthly_size(); ++i) {
    months.AddRow({absl::StrCat(plan.year(), "-", i < 9 ? "0" : "", i + 1),
                   CubicMetres(current.monthly(i).litres())});
  }
  absl::StrAppend(&out, months.Render());
  return out;
}

std::string OverPlanTable(const quota::ListOverPlanResponse& list) {
  Table table({{"USCC"},
               {"NAME"},
               {"PLAN m³", Align::kRight},
               {"USED m³", Align::kRight},
               {"OVER m³", Align::kRight},
               {"OVER", Align::kRight}});
  for (const quota::OverPlanEntry& e : list.entries()) {
    table.AddRow({e.uscc().value(), e.enterprise_name(), CubicMetres(e.plan().litres()),
                  CubicMetres(e.used().litres()), CubicMetres(e.over().litres()),
                  e.zero_plan() ? "zero plan" : Percent(e.over_basis_points())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.entries_size(), " enterprises over plan\n");
  return out;
}

}  // namespace jieshui::cli
