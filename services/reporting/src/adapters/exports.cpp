#include "reporting/src/adapters/exports.hpp"

#include <algorithm>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/time/time.h"
#include "domain/ratio.hpp"
#include "reporting/src/core/indicators.hpp"
#include "reporting/src/core/periods.hpp"

namespace jieshui::reporting {
namespace {

using sheet::Cell;
using sheet::Column;
using sheet::Fixed;

// The first year of the action plan.
constexpr int kFirstPlanYear = 2023;
// How many contributors one store read fetches.
constexpr int kContributorsPage = 1000;

Cell CubicMetres(int64_t litres) { return Fixed{.units = litres, .scale = 3}; }
Cell Yuan(int64_t fen) { return Fixed{.units = fen, .scale = 2}; }
Cell Percent(int64_t basis_points) { return Fixed{.units = basis_points, .scale = 2}; }
Cell Text(std::string text) { return std::move(text); }
Cell YesNo(bool yes) { return std::string(yes ? "是" : "否"); }

// A decimal integer as a number cell when it fits in 64 bits (products of sums may not).
Cell Integer(const std::string& digits) {
  int64_t v = 0;
  if (absl::SimpleAtoi(digits, &v)) {
    return v;
  }
  return digits;
}

std::string ScopeLabel(const v1::Scope& scope) {
  switch (scope.kind()) {
    case v1::SCOPE_KIND_TOWN:
      return absl::StrCat("镇/街道 ", scope.value());
    case v1::SCOPE_KIND_PARK:
      return absl::StrCat("园区 ", scope.value());
    case v1::SCOPE_KIND_INDUSTRY:
      return absl::StrCat("行业 ", scope.value());
    case v1::SCOPE_KIND_ENTERPRISE:
      return absl::StrCat("企业 ", scope.value());
    default:
      return "全区";
  }
}

std::string PeriodLabel(const v1::IndicatorPeriod& period) {
  switch (period.kind()) {
    case v1::PERIOD_KIND_YEAR_TO_DATE:
      return absl::StrFormat("%d年1-%d月", period.year(), period.month());
    case v1::PERIOD_KIND_QUARTER:
      return absl::StrFormat("%d年第%d季度", period.year(), period.quarter());
    case v1::PERIOD_KIND_MONTH:
      return absl::StrFormat("%d年%d月", period.year(), period.month());
    default:
      return absl::StrFormat("%d年", period.year());
  }
}

std::string AsOfLabel(int64_t as_of_ms) {
  if (as_of_ms == 0) {
    return "数据截至：尚无数据";
  }
  return absl::StrCat("数据截至：",
                      absl::FormatTime("%Y-%m-%d %H:%M:%S", absl::FromUnixMillis(as_of_ms),
                                       absl::FixedTimeZone(8 * 3600)),
                      "（北京时间）");
}

std::vector<Column> EnterpriseColumns() {
  return {{.header = "统一社会信用代码", .group = "", .width = 21},
          {.header = "企业名称", .group = "", .width = 30},
          {.header = "镇/街道", .group = "", .width = 10},
          {.header = "园区", .group = "", .width = 10},
          {.header = "行业代码", .group = "", .width = 9}};
}

std::vector<Cell> EnterpriseCells(const std::string& uscc, const std::string& name,
                                  const std::string& town, const std::string& park_id,
                                  const std::string& industry_code) {
  return {Text(uscc), Text(name), Text(town), Text(park_id), Text(industry_code)};
}

// An indicator's value, target and gap in the row's unit (percent or a count).
Cell ActualOf(const v1::Indicator& i) {
  if (i.unit() == v1::INDICATOR_UNIT_COUNT) {
    return i.count();
  }
  if (!i.ratio().defined()) {
    return Text("无数据");
  }
  return Percent(i.ratio().basis_points());
}
Cell TargetOf(const v1::Indicator& i) {
  if (!i.has_target()) {
    return {};
  }
  return i.unit() == v1::INDICATOR_UNIT_COUNT ? Cell(i.target_count())
                                              : Percent(i.target_basis_points());
}
Cell GapOf(const v1::Indicator& i) {
  if (!i.has_target() || (i.unit() == v1::INDICATOR_UNIT_RATIO && !i.ratio().defined())) {
    return {};
  }
  return i.unit() == v1::INDICATOR_UNIT_COUNT ? Cell(i.gap_basis_points())
                                              : Percent(i.gap_basis_points());
}

// The attachment table's layout: one row per indicator, per year its target, actual, gap and
// on-track; the six rows of the table on the first sheet, the text's own targets on the second.
absl::StatusOr<sheet::Workbook> AnnualReport(ReportingStore& store, const v1::Scope& scope,
                                             int last_year, const domain::Date& today) {
  std::vector<v1::IndicatorSet> years;
  int64_t as_of = 0;
  for (int year = kFirstPlanYear; year <= last_year; ++year) {
    v1::IndicatorPeriod period;
    period.set_year(year);
    if (year < today.year()) {
      period.set_kind(v1::PERIOD_KIND_YEAR);
    } else {
      period.set_kind(v1::PERIOD_KIND_YEAR_TO_DATE);
      period.set_month(today.month());
    }
    auto set = store.Indicators(scope, period, {});
    if (!set.ok()) {
      return set.status();
    }
    as_of = std::max(as_of, set->as_of_unix_ms());
    years.push_back(*std::move(set));
  }
  const std::vector<std::string>& codes = AllCodes();
  auto make = [&](std::string name, std::string title, size_t from, size_t to) {
    sheet::Sheet s;
    s.name = std::move(name);
    s.title = {
        std::move(title), absl::StrCat("范围：", ScopeLabel(scope)), AsOfLabel(as_of),
        "比率类指标单位为%（差距 = 目标 − 实际，正数为落后）；计数类指标单位为项，目标为下限"};
    s.columns = {{.header = "序号", .group = "", .width = 6},
                 {.header = "主要目标", .group = "", .width = 44},
                 {.header = "单位", .group = "", .width = 6}};
    for (const v1::IndicatorSet& y : years) {
      const std::string group =
          y.period().kind() == v1::PERIOD_KIND_YEAR
              ? absl::StrCat(y.period().year(), "年")
              : absl::StrFormat("%d年(1-%d月)", y.period().year(), y.period().month());
      for (const char* h : {"目标", "实际", "差距", "是否达标"}) {
        s.columns.push_back({.header = h, .group = group, .width = 10});
      }
    }
    for (size_t c = from; c < to && c < codes.size(); ++c) {
      const v1::Indicator* first = nullptr;
      std::vector<Cell> row = {static_cast<int64_t>(c - from + 1)};
      for (const v1::IndicatorSet& y : years) {
        for (const v1::Indicator& i : y.indicators()) {
          if (i.code() != codes[c]) {
            continue;
          }
          if (first == nullptr) {
            first = &i;
            row.push_back(Text(i.title()));
            row.push_back(Text(i.unit() == v1::INDICATOR_UNIT_COUNT ? "项" : "%"));
          }
          row.push_back(TargetOf(i));
          row.push_back(ActualOf(i));
          row.push_back(GapOf(i));
          row.push_back(i.has_target() ? YesNo(i.on_track()) : Cell{});
        }
      }
      if (first != nullptr) {
        s.rows.push_back(std::move(row));
      }
    }
    return s;
  };
  sheet::Workbook book;
  book.sheets.push_back(
      make("分年度实施计划表", "吴中区工业节水三年行动分年度实施计划表（执行情况）", 0, 6));
  book.sheets.push_back(
      make("行动方案其他目标", "吴中区工业节水三年行动方案其他目标（执行情况）", 6, codes.size()));
  return book;
}

absl::StatusOr<sheet::Workbook> Ledger(ReportingStore& store, const v1::Scope& scope,
                                       const v1::IndicatorPeriod& period) {
  const std::vector<int> months = MonthsOf(period);
  const int first_month = months.front();
  const int last_month = months.back();
  auto rows = store.Ledger(ScopeKey(scope), period.year(), first_month, last_month);
  if (!rows.ok()) {
    return rows.status();
  }
  sheet::Sheet s;
  s.name = "统计台账";
  s.title = {absl::StrCat("工业企业用水统计台账（", PeriodLabel(period), "）"),
             absl::StrCat("范围：", ScopeLabel(scope)),
             "水量单位：m³；金额单位：元；超计划水量与累进加价为计量周期内截至当时的应缴数"};
  s.columns = EnterpriseColumns();
  const std::vector<Column> figures = {{.header = "月份", .group = "", .width = 9},
                                       {.header = "自来水", .group = "取水量(m³)", .width = 13},
                                       {.header = "自备地表水", .group = "取水量(m³)", .width = 13},
                                       {.header = "自备地下水", .group = "取水量(m³)", .width = 13},
                                       {.header = "再生水", .group = "取水量(m³)", .width = 13},
                                       {.header = "新水量(m³)", .group = "", .width = 13},
                                       {.header = "循环水量(m³)", .group = "重复利用", .width = 13},
                                       {.header = "回用水量(m³)", .group = "重复利用", .width = 13},
                                       {.header = "排水量(m³)", .group = "", .width = 13},
                                       {.header = "月计划(m³)", .group = "", .width = 13},
                                       {.header = "超计划水量(m³)", .group = "", .width = 14},
                                       {.header = "应缴累进加价(元)", .group = "", .width = 15}};
  s.columns.insert(s.columns.end(), figures.begin(), figures.end());
  for (const LedgerRow& r : *rows) {
    std::vector<Cell> row = EnterpriseCells(r.uscc, r.name, r.town, r.park_id, r.industry_code);
    row.push_back(Text(absl::StrFormat("%04d-%02d", r.year, r.month)));
    for (int64_t litres : {r.tap, r.surface, r.ground, r.reclaimed, r.new_water, r.recirculated,
                           r.reused, r.discharge}) {
      row.push_back(CubicMetres(litres));
    }
    row.push_back(r.plan_known ? CubicMetres(r.plan) : Cell{});
    row.push_back(CubicMetres(r.over_plan));
    row.push_back(Yuan(r.surcharge_fen));
    s.rows.push_back(std::move(row));
  }
  return sheet::Workbook{.sheets = {std::move(s)}};
}

absl::StatusOr<sheet::Workbook> KeyMonitored(ReportingStore& store, const v1::Scope& scope,
                                             const v1::IndicatorPeriod& period) {
  auto rows = store.KeyMonitored(ScopeKey(scope), PeriodKey(period));
  if (!rows.ok()) {
    return rows.status();
  }
  sheet::Sheet s;
  s.name = "重点监控用水单位";
  s.title = {absl::StrCat("区级重点监控用水单位名录及用水情况（", PeriodLabel(period), "）"),
             absl::StrCat("范围：", ScopeLabel(scope)),
             "水量单位：m³；金额单位：元；重复利用率 = 重复利用水量 ÷ (重复利用水量 + 新水量)"};
  s.columns = EnterpriseColumns();
  const std::vector<Column> figures = {{.header = "已报送月数", .group = "", .width = 10},
                                       {.header = "在线报送", .group = "", .width = 9},
                                       {.header = "新水量(m³)", .group = "", .width = 14},
                                       {.header = "重复利用水量(m³)", .group = "", .width = 15},
                                       {.header = "重复利用率(%)", .group = "", .width = 12},
                                       {.header = "排水量(m³)", .group = "", .width = 14},
                                       {.header = "计划(m³)", .group = "", .width = 14},
                                       {.header = "超计划水量(m³)", .group = "", .width = 14},
                                       {.header = "应缴累进加价(元)", .group = "", .width = 15}};
  s.columns.insert(s.columns.end(), figures.begin(), figures.end());
  for (const KeyMonitoredRow& r : *rows) {
    std::vector<Cell> row = EnterpriseCells(r.uscc, r.name, r.town, r.park_id, r.industry_code);
    row.emplace_back(static_cast<int64_t>(r.months_reported));
    row.push_back(YesNo(r.online));
    row.push_back(CubicMetres(r.new_water));
    row.push_back(CubicMetres(r.repeated));
    const domain::Ratio rate(r.repeated, absl::int128(r.repeated) + r.new_water);
    row.push_back(rate.defined() ? Percent(*rate.BasisPoints()) : Cell{});
    row.push_back(CubicMetres(r.discharge));
    row.push_back(CubicMetres(r.plan));
    row.push_back(CubicMetres(r.over_plan));
    row.push_back(Yuan(r.surcharge_fen));
    s.rows.push_back(std::move(row));
  }
  return sheet::Workbook{.sheets = {std::move(s)}};
}

absl::StatusOr<sheet::Workbook> Contributors(ReportingStore& store, const v1::Scope& scope,
                                             const v1::IndicatorPeriod& period,
                                             const std::string& code) {
  auto set = store.Indicators(scope, period, {code});
  if (!set.ok()) {
    return set.status();
  }
  const v1::Indicator& indicator = set->indicators(0);
  sheet::Sheet s;
  s.name = "指标明细";
  s.title = {absl::StrCat(indicator.title(), " 企业明细（", PeriodLabel(period), "）"),
             absl::StrCat("范围：", ScopeLabel(scope), "；口径：", indicator.definition()),
             AsOfLabel(indicator.as_of_unix_ms()),
             "分子、分母为各企业计入的量：水量单位为升，工业增加值单位为分，计数类为项"};
  s.columns = EnterpriseColumns();
  s.columns.push_back({.header = "分子", .group = "", .width = 16});
  s.columns.push_back({.header = "分母", .group = "", .width = 16});
  s.columns.push_back({.header = "计入分子集合", .group = "", .width = 12});
  std::string after;
  for (;;) {
    auto rows = store.Contributors(ScopeKey(scope), PeriodKey(period), after, kContributorsPage);
    if (!rows.ok()) {
      return rows.status();
    }
    for (size_t i = 0; i < rows->size() && static_cast<int>(i) < kContributorsPage; ++i) {
      const v1::Contribution c = ContributionOf(code, (*rows)[i]);
      std::vector<Cell> row = EnterpriseCells(c.uscc().value(), c.name(), c.town(), c.park_id(),
                                              c.industry_code().value());
      row.push_back(Integer(c.numerator()));
      row.push_back(Integer(c.denominator()));
      row.push_back(YesNo(c.in_numerator_set()));
      s.rows.push_back(std::move(row));
    }
    if (static_cast<int>(rows->size()) <= kContributorsPage) {
      break;
    }
    after = (*rows)[kContributorsPage - 1].uscc;
  }
  return sheet::Workbook{.sheets = {std::move(s)}};
}

}  // namespace

v1::Contribution ContributionOf(const std::string& code, const ContributorRow& row) {
  v1::Contribution c;
  c.mutable_uscc()->set_value(row.uscc);
  c.set_name(row.name);
  c.set_town(row.town);
  c.set_park_id(row.park_id);
  c.mutable_industry_code()->set_value(row.industry_code);
  const Parts parts = PartsOf(code, row.sums);
  c.set_numerator(domain::Int128Text(parts.numerator));
  c.set_denominator(domain::Int128Text(parts.denominator));
  // A set indicator (coverage, a rate): counted in the numerator's set.
  c.set_in_numerator_set(UnitOf(code) == v1::INDICATOR_UNIT_RATIO &&
                         code != codes::kWaterUseDecline && code != codes::kReclaimedIncrease &&
                         parts.numerator != 0);
  return c;
}

absl::StatusOr<sheet::Workbook> ExportBook(ReportingStore& store, const v1::ExportRequest& req,
                                           const domain::Date& today) {
  switch (req.kind()) {
    case v1::EXPORT_KIND_ANNUAL_REPORT:
      return AnnualReport(store, req.scope(), req.period().year(), today);
    case v1::EXPORT_KIND_LEDGER:
      return Ledger(store, req.scope(), req.period());
    case v1::EXPORT_KIND_KEY_MONITORED:
      return KeyMonitored(store, req.scope(), req.period());
    case v1::EXPORT_KIND_CONTRIBUTORS:
      return Contributors(store, req.scope(), req.period(), req.code());
    default:
      return absl::InvalidArgumentError("kind: not an export");
  }
}

absl::StatusOr<ExportFile> WriteExport(const sheet::Workbook& book, const v1::ExportRequest& req) {
  std::string base;
  switch (req.kind()) {
    case v1::EXPORT_KIND_ANNUAL_REPORT:
      base = "分年度实施计划表";
      break;
    case v1::EXPORT_KIND_LEDGER:
      base = "统计台账";
      break;
    case v1::EXPORT_KIND_KEY_MONITORED:
      base = "重点监控用水单位";
      break;
    default:
      base = absl::StrCat("指标明细_", req.code());
  }
  std::string scope = ScopeKey(req.scope());
  for (char& ch : scope) {
    if (ch == ':' || ch == '/' || ch == '\\' || ch == ' ') {
      ch = '_';
    }
  }
  ExportFile file;
  file.file_name = absl::StrCat(base, "_", scope, "_", PeriodKey(req.period()));
  if (req.format() == v1::EXPORT_FORMAT_CSV) {
    file.file_name += ".csv";
    file.bytes = sheet::WriteCsv(book.sheets.at(0));
    return file;
  }
  auto bytes = sheet::WriteXlsx(book);
  if (!bytes.ok()) {
    return bytes.status();
  }
  file.file_name += ".xlsx";
  file.bytes = *std::move(bytes);
  return file;
}

}  // namespace jieshui::reporting
