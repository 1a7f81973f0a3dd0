#include "report_views.hpp"

#include <algorithm>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "certification_flags.hpp"
#include "domain/industry_catalogue.hpp"
#include "nlohmann/json.hpp"
#include "report_flags.hpp"
#include "table.hpp"
#include "views.hpp"

namespace jieshui::cli {
namespace {

namespace v1 = ::jieshui::reporting::v1;
using Fields = std::vector<std::pair<std::string, std::string>>;
using Align = Table::Align;

constexpr int64_t kFenPerWanYuan = 1'000'000;

bool IsCount(v1::IndicatorUnit unit) { return unit == v1::INDICATOR_UNIT_COUNT; }

std::string ServedFrom(v1::ServedFrom from) {
  return EnumLabel(v1::ServedFrom_Name(from), "SERVED_FROM_");
}

// The exact sums under a ratio ("" for a count).
std::string Numerator(const v1::Indicator& i) {
  return IsCount(i.unit()) ? "" : i.ratio().numerator();
}
std::string Denominator(const v1::Indicator& i) {
  return IsCount(i.unit()) ? "" : i.ratio().denominator();
}

std::string OnTrack(const v1::Indicator& i) { return i.has_target() ? YesNo(i.on_track()) : ""; }

std::string TargetOf(const v1::Target& t) {
  return IsCount(t.unit()) ? absl::StrCat(">= ", t.count()) : Percent(t.basis_points());
}

void AppendMore(const common::v1::PageResponse& page, std::string* out) {
  if (!page.next_page_token().empty()) {
    absl::StrAppend(out, " (more with --all)");
  }
}

std::string StatusLabel(v1::ReportStatus status) {
  return EnumLabel(v1::ReportStatus_Name(status), "REPORT_STATUS_");
}

}  // namespace

std::string WanYuan(int64_t fen) {
  const bool negative = fen < 0;
  // Magnitude in unsigned arithmetic, so the most negative fen has one too.
  const uint64_t magnitude = negative ? 0 - static_cast<uint64_t>(fen) : static_cast<uint64_t>(fen);
  const uint64_t per_wan = kFenPerWanYuan;
  std::string fraction = absl::StrCat(magnitude % per_wan + per_wan).substr(1);  // 6 digits
  while (fraction.size() > 4 && fraction.back() == '0') {
    fraction.pop_back();
  }
  return absl::StrCat(negative ? "-" : "", magnitude / per_wan, ".", fraction);
}

std::string IndicatorValue(const v1::Indicator& i) {
  if (IsCount(i.unit())) {
    return absl::StrCat(i.count());
  }
  return i.ratio().defined() ? Percent(i.ratio().basis_points()) : "undefined";
}

std::string IndicatorTarget(const v1::Indicator& i) {
  if (!i.has_target()) {
    return "";
  }
  return IsCount(i.unit()) ? absl::StrCat(">= ", i.target_count())
                           : Percent(i.target_basis_points());
}

std::string IndicatorGap(const v1::Indicator& i) {
  if (!i.has_target()) {
    return "";
  }
  if (IsCount(i.unit())) {
    return absl::StrCat(i.gap_basis_points());
  }
  return i.ratio().defined() ? Percent(i.gap_basis_points()) : "";
}

std::string IndicatorsText(const v1::IndicatorSet& set) {
  std::string out = absl::StrCat(
      "Indicators of ", ScopeLabel(set.scope()), " for ", ReportPeriodLabel(set.period()),
      " (as of ", set.as_of_unix_ms() == 0 ? "no event yet" : ShanghaiTime(set.as_of_unix_ms()),
      ", served from ", ServedFrom(set.served_from()), ")\n");
  Table table({{"CODE"},
               {"TITLE"},
               {"VALUE", Align::kRight},
               {"NUMERATOR", Align::kRight},
               {"DENOMINATOR", Align::kRight},
               {"TARGET", Align::kRight},
               {"GAP", Align::kRight},
               {"ON TRACK"}});
  for (const v1::Indicator& i : set.indicators()) {
    table.AddRow({i.code(), i.title(), IndicatorValue(i), Numerator(i), Denominator(i),
                  IndicatorTarget(i), IndicatorGap(i), OnTrack(i)});
  }
  absl::StrAppend(&out, table.Render(), set.indicators_size(),
                  " indicators (gap = target - actual: positive is behind)\n");
  return out;
}

std::string ContributorsText(const v1::ListContributorsResponse& list, const std::string& scope,
                             const std::string& period) {
  const v1::Indicator& i = list.indicator();
  std::string out = absl::StrCat(i.code(), " ", i.title(), " of ", scope, " for ", period, ": ",
                                 IndicatorValue(i));
  if (!IsCount(i.unit())) {
    absl::StrAppend(&out, " (", i.ratio().numerator(), " / ", i.ratio().denominator(), ")");
  }
  out.push_back('\n');
  Table table({{"USCC"},
               {"NAME"},
               {"TOWN"},
               {"PARK"},
               {"INDUSTRY"},
               {"NUMERATOR", Align::kRight},
               {"DENOMINATOR", Align::kRight},
               {"IN NUMERATOR"}});
  for (const v1::Contribution& c : list.contributions()) {
    table.AddRow({c.uscc().value(), c.name(), c.town(), c.park_id(),
                  domain::IndustryLabel(c.industry_code().value()), c.numerator(), c.denominator(),
                  YesNo(c.in_numerator_set())});
  }
  absl::StrAppend(&out, table.Render(), list.contributions_size(), " enterprises");
  AppendMore(list.page(), &out);
  out.push_back('\n');
  return out;
}

std::string HistoryText(const v1::ListIndicatorHistoryResponse& list, const std::string& code,
                        const std::string& scope, const std::string& period) {
  std::string out = absl::StrCat("History of ", code, " of ", scope, " for ", period, "\n");
  Table table({{"CHANGED"},
               {"VALUE", Align::kRight},
               {"NUMERATOR", Align::kRight},
               {"DENOMINATOR", Align::kRight},
               {"TARGET", Align::kRight},
               {"GAP", Align::kRight},
               {"ON TRACK"}});
  for (const v1::IndicatorSnapshot& s : list.snapshots()) {
    const v1::Indicator& i = s.indicator();
    table.AddRow({ShanghaiTime(s.changed_at_unix_ms()), IndicatorValue(i), Numerator(i),
                  Denominator(i), IndicatorTarget(i), IndicatorGap(i), OnTrack(i)});
  }
  absl::StrAppend(&out, table.Render(), list.snapshots_size(), " snapshots");
  AppendMore(list.page(), &out);
  out.push_back('\n');
  return out;
}

std::string TargetsTable(const v1::ListTargetsResponse& list) {
  Table table({{"CODE"},
               {"YEAR", Align::kRight},
               {"TARGET", Align::kRight},
               {"VERSION", Align::kRight},
               {"REASON"},
               {"SET BY"},
               {"SET AT"}});
  for (const v1::Target& t : list.targets()) {
    table.AddRow({t.code(), absl::StrCat(t.year()), TargetOf(t), absl::StrCat(t.version()),
                  t.reason(), t.set_by(), ShanghaiTime(t.set_at_unix_ms())});
  }
  return absl::StrCat(table.Render(), list.targets_size(),
                      " targets (version 0 is the action plan's default)\n");
}

std::string TargetSetText(const v1::Target& t) {
  return absl::StrCat("target of ", t.code(), " for ", t.year(), " is now ", TargetOf(t),
                      " (version ", t.version(), ", set by ", t.set_by(), " at ",
                      ShanghaiTime(t.set_at_unix_ms()), "): ", t.reason(), "\n");
}

std::string ValueAddedTable(const v1::ListValueAddedResponse& list, int year) {
  Table table({{"USCC"},
               {"YEAR", Align::kRight},
               {"VALUE ADDED yuan", Align::kRight},
               {"万元", Align::kRight},
               {"ABOVE SCALE"},
               {"VERSION", Align::kRight},
               {"SOURCE"},
               {"SUBMITTED"}});
  for (const v1::ValueAdded& v : list.rows()) {
    table.AddRow({v.uscc().value(), absl::StrCat(v.year()), Yuan(v.value_added().fen()),
                  WanYuan(v.value_added().fen()), YesNo(v.above_scale()), absl::StrCat(v.version()),
                  v.source(), ShanghaiTime(v.submitted_at_unix_ms())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.rows_size(), " enterprises with value added for ", year);
  AppendMore(list.page(), &out);
  absl::StrAppend(&out, "; ", list.enterprises_without(), " registered enterprises without\n");
  return out;
}

std::string BaselineText(const v1::Baseline& b) {
  return RenderFields({{"baseline year", absl::StrCat(b.year())},
                       {"new water m³", CubicMetres(b.new_water().litres())},
                       {"value added yuan", Yuan(b.value_added().fen())},
                       {"value added 万元", WanYuan(b.value_added().fen())},
                       {"reclaimed water m³", CubicMetres(b.reclaimed_water().litres())},
                       {"version", absl::StrCat(b.version())},
                       {"reason", b.reason()},
                       {"set by", b.set_by()},
                       {"set at", ShanghaiTime(b.set_at_unix_ms())}});
}

std::string AnnualReportsTable(const v1::ListAnnualReportsResponse& list, int year) {
  std::string out = absl::StrCat("Annual implementation reports for ", year, " (due ",
                                 DateLabel(list.due_on()), ")\n");
  Table table({{"DEPARTMENT"},
               {"STATUS"},
               {"VERSION", Align::kRight},
               {"FILED"},
               {"FILED BY"},
               {"DOCUMENTS"}});
  for (const v1::AnnualReport& r : list.reports()) {
    table.AddRow(
        {r.department(), StatusLabel(r.status()), r.version() == 0 ? "" : absl::StrCat(r.version()),
         ShanghaiTime(r.filed_at_unix_ms()), r.filed_by(), absl::StrJoin(r.document_refs(), "; ")});
  }
  absl::StrAppend(&out, table.Render());
  return out;
}

std::string AnnualReportFiledText(const v1::AnnualReport& r) {
  return absl::StrCat("annual report of ", r.department(), " for ", r.year(), " filed ",
                      StatusLabel(r.status()), " (version ", r.version(), ", by ", r.filed_by(),
                      " at ", ShanghaiTime(r.filed_at_unix_ms()), ")\n");
}

std::string FormatValueAddedImportText(const ValueAddedImportReport& report) {
  std::string out = absl::StrCat(report.file, ": ", report.records, " rows");
  if (report.rejected_locally > 0) {
    absl::StrAppend(
        &out, ", ", report.rejected_locally,
        report.rejected_locally == 1 ? " not sent (a bad cell)" : " not sent (bad cells)");
  }
  if (report.dry_run) {
    absl::StrAppend(&out, "; dry run, nothing sent\n");
  } else if (report.sent == 0) {
    absl::StrAppend(&out, "; nothing sent\n");
  } else {
    const v1::ImportValueAddedResponse& r = report.response;
    absl::StrAppend(&out, "; ", report.sent, " sent: accepted ", r.accepted(), ", rejected ",
                    r.rejected());
    if (r.accepted() == 0 && r.rejected() > 0) {
      absl::StrAppend(&out, " (the service refused the import: nothing was stored)\n");
    } else {
      absl::StrAppend(&out, " (version ", r.version(), ")\n");
    }
  }
  for (const CellError& error : report.errors) {
    absl::StrAppend(&out, report.file, ": ", error.ToString(), "\n");
  }
  return out;
}

std::string FormatValueAddedImportJson(const ValueAddedImportReport& report) {
  nlohmann::json errors = nlohmann::json::array();
  for (const CellError& error : report.errors) {
    errors.push_back({{"line", error.line},
                      {"column_number", error.column_number},
                      {"column", error.column},
                      {"reason", error.reason}});
  }
  const nlohmann::json json = {{"file", report.file},
                               {"rows", report.records},
                               {"sent", report.sent},
                               {"dry_run", report.dry_run},
                               {"rejected_locally", report.rejected_locally},
                               {"accepted", report.response.accepted()},
                               {"rejected", report.response.rejected()},
                               {"version", report.response.version()},
                               {"errors", std::move(errors)}};
  return json.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace jieshui::cli
