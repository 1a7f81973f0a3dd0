#include "reporting/src/core/indicators.hpp"

#include <algorithm>
#include <map>

#include "absl/strings/str_cat.h"

namespace jieshui::reporting {
namespace {

namespace v1 = ::jieshui::reporting::v1;

struct Definition {
  const char* title;
  const char* definition;
  v1::IndicatorUnit unit;
};

const std::map<std::string, Definition>& Definitions() {
  static const auto* defs = new std::map<std::string, Definition>{
      {codes::kWaterUseDecline,
       {"万元工业增加值用水量下降率",
        "1 − (Σ工业新水取用量 / Σ工业增加值) ÷ (2020年同口径); 新水 = 自来水 + 自备地表水 + "
        "自备地下水; "
        "增加值取统计局最新版本",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kRepeatUtilisation,
       {"规模以上工业企业用水重复利用率",
        "ΣVr / (ΣVr + ΣVf), 规模以上企业 (统计局当年标志, 缺省取登记标志); Vr = 循环 + 串联回用",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kCarrierCoverage,
       {"年取水量20万立方米以上企业节水载体覆盖率",
        "期末有效节水型企业称号的企业数 ÷ 年取水量达到门槛的企业数 (按数量计)",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kBalanceTests,
       {"水平衡测试(家)", "当年通过的水平衡测试数", v1::INDICATOR_UNIT_COUNT}},
      {codes::kAudits, {"用水审计(家)", "当年通过的用水审计数", v1::INDICATOR_UNIT_COUNT}},
      {codes::kReclaimedIncrease,
       {"工业再生水利用量增长率", "(当年再生水利用量 − 2020年) ÷ 2020年",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kSelfSuppliedCertified,
       {"年取水50万立方米以上自备水用户节水型企业覆盖率",
        "期末有效称号的自备水用户数 ÷ 年取水量达到50万立方米的自备水用户数",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kProvincialShare,
       {"省级节水型企业占比", "当年创建的省级称号数 ÷ 当年创建的节水型企业称号数",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kLeaders,
       {"水效领跑者(家)", "2023年起至期末获得的水效领跑者称号数", v1::INDICATOR_UNIT_COUNT}},
      {codes::kContractProjects,
       {"合同节水管理项目(个)", "2023年起至期末通过的合同节水项目数", v1::INDICATOR_UNIT_COUNT}},
      {codes::kDemonstrations,
       {"近零排放或再生水利用示范(个)", "2023年起至期末通过的示范项目数",
        v1::INDICATOR_UNIT_COUNT}},
      {codes::kSpecialistCoverage,
       {"年用水10万吨以上企业节水专员配备率", "设有节水专员的企业数 ÷ 年用水量达到10万吨的企业数",
        v1::INDICATOR_UNIT_RATIO}},
      {codes::kKeyMonitoredOnline,
       {"重点监控用水单位在线监测率", "期内有在线读数的重点监控单位数 ÷ 重点监控单位数",
        v1::INDICATOR_UNIT_RATIO}},
  };
  return *defs;
}

v1::Target Default(const char* code, int year, int64_t basis_points, int64_t count) {
  v1::Target t;
  t.set_code(code);
  t.set_year(year);
  t.set_unit(Definitions().at(code).unit);
  t.set_basis_points(basis_points);
  t.set_count(count);
  t.set_version(0);
  t.set_reason("行动方案附表 / 正文目标 (默认)");
  t.set_set_by("default");
  return t;
}

}  // namespace

const std::vector<std::string>& AllCodes() {
  static const auto* all = new std::vector<std::string>{codes::kWaterUseDecline,
                                                        codes::kRepeatUtilisation,
                                                        codes::kCarrierCoverage,
                                                        codes::kBalanceTests,
                                                        codes::kAudits,
                                                        codes::kReclaimedIncrease,
                                                        codes::kSelfSuppliedCertified,
                                                        codes::kProvincialShare,
                                                        codes::kLeaders,
                                                        codes::kContractProjects,
                                                        codes::kDemonstrations,
                                                        codes::kSpecialistCoverage,
                                                        codes::kKeyMonitoredOnline};
  return *all;
}

Parts PartsOf(const std::string& code, const Sums& sums) {
  if (code == codes::kWaterUseDecline) {
    return {.numerator = sums.new_water, .denominator = sums.value_added_fen};
  }
  if (code == codes::kReclaimedIncrease) {
    return {.numerator = sums.reclaimed, .denominator = 0};
  }
  const Value v = ValueOf(code, sums, std::nullopt);
  if (v.unit == v1::INDICATOR_UNIT_COUNT) {
    return {.numerator = v.count, .denominator = 0};
  }
  return {.numerator = v.ratio.numerator(), .denominator = v.ratio.denominator()};
}

bool IsCode(const std::string& code) { return Definitions().contains(code); }

v1::IndicatorUnit UnitOf(const std::string& code) { return Definitions().at(code).unit; }

Value ValueOf(const std::string& code, const Sums& s, const std::optional<BaselineSums>& base) {
  Value v;
  v.unit = UnitOf(code);
  using domain::Ratio;
  if (code == codes::kWaterUseDecline) {
    v.ratio = base.has_value() ? Ratio::DeclineFrom(Ratio(s.new_water, s.value_added_fen),
                                                    Ratio(base->new_water, base->value_added_fen))
                               : Ratio(0, 0);
  } else if (code == codes::kRepeatUtilisation) {
    v.ratio =
        Ratio(s.above_scale_reused, absl::int128(s.above_scale_reused) + s.above_scale_new_water);
  } else if (code == codes::kCarrierCoverage) {
    v.ratio = Ratio(s.carrier_certified, s.carrier_set);
  } else if (code == codes::kBalanceTests) {
    v.count = s.balance_tests;
  } else if (code == codes::kAudits) {
    v.count = s.audits;
  } else if (code == codes::kReclaimedIncrease) {
    // (R − R0) / R0 as one ratio: (R − R0) over R0.
    v.ratio = base.has_value() && base->reclaimed != 0
                  ? Ratio(absl::int128(s.reclaimed) - base->reclaimed, base->reclaimed)
                  : Ratio(0, 0);
  } else if (code == codes::kSelfSuppliedCertified) {
    v.ratio = Ratio(s.self_supplied_certified, s.self_supplied_set);
  } else if (code == codes::kProvincialShare) {
    v.ratio = Ratio(s.provincial_titles_created, s.titles_created);
  } else if (code == codes::kLeaders) {
    v.count = s.leaders;
  } else if (code == codes::kContractProjects) {
    v.count = s.contract_projects;
  } else if (code == codes::kDemonstrations) {
    v.count = s.demonstrations;
  } else if (code == codes::kSpecialistCoverage) {
    v.ratio = Ratio(s.specialist_named, s.specialist_set);
  } else if (code == codes::kKeyMonitoredOnline) {
    v.ratio = Ratio(s.key_monitored_online, s.key_monitored);
  }
  return v;
}

v1::Ratio RatioMessage(const domain::Ratio& ratio) {
  const std::optional<int64_t> bp = ratio.BasisPoints();
  v1::Ratio r;
  r.set_numerator(domain::Int128Text(ratio.numerator()));
  r.set_denominator(domain::Int128Text(ratio.denominator()));
  r.set_defined(bp.has_value());
  r.set_basis_points(bp.value_or(0));
  return r;
}

v1::Indicator MakeIndicator(const std::string& code, const Value& value,
                            const std::optional<v1::Target>& target, int64_t as_of_unix_ms) {
  const Definition& d = Definitions().at(code);
  v1::Indicator out;
  out.set_code(code);
  out.set_title(d.title);
  out.set_definition(d.definition);
  out.set_unit(value.unit);
  out.set_as_of_unix_ms(as_of_unix_ms);
  const std::optional<int64_t> bp = value.ratio.BasisPoints();
  if (value.unit == v1::INDICATOR_UNIT_RATIO) {
    *out.mutable_ratio() = RatioMessage(value.ratio);
  } else {
    out.set_count(value.count);
  }
  if (target.has_value()) {
    out.set_has_target(true);
    if (value.unit == v1::INDICATOR_UNIT_RATIO) {
      out.set_target_basis_points(target->basis_points());
      out.set_gap_basis_points(bp.has_value() ? target->basis_points() - *bp : 0);
      out.set_on_track(bp.has_value() && *bp >= target->basis_points());
    } else {
      out.set_target_count(target->count());
      out.set_gap_basis_points(target->count() - value.count);
      out.set_on_track(value.count >= target->count());
    }
  }
  return out;
}

std::vector<v1::Target> DefaultTargets() {
  std::vector<v1::Target> out;
  // The attachment table (DOMAIN.md), 2023-2025.
  const int years[] = {2023, 2024, 2025};
  const int64_t decline[] = {1300, 1600, 1900};
  const int64_t repeat[] = {9100, 9200, 9300};
  const int64_t coverage[] = {6000, 7000, 8000};
  const int64_t reclaimed[] = {1000, 1500, 2000};
  for (int i = 0; i < 3; ++i) {
    out.push_back(Default(codes::kWaterUseDecline, years[i], decline[i], 0));
    out.push_back(Default(codes::kRepeatUtilisation, years[i], repeat[i], 0));
    out.push_back(Default(codes::kCarrierCoverage, years[i], coverage[i], 0));
    out.push_back(Default(codes::kBalanceTests, years[i], 0, 5));
    out.push_back(Default(codes::kAudits, years[i], 0, 2));
    out.push_back(Default(codes::kReclaimedIncrease, years[i], reclaimed[i], 0));
    // The text: every self-supplied user ≥ 500,000 m³ certified by 2023 (and kept so);
    // provincial titles at least half of those created.
    out.push_back(Default(codes::kSelfSuppliedCertified, years[i], 10000, 0));
    out.push_back(Default(codes::kProvincialShare, years[i], 5000, 0));
  }
  // By 2025: one leader, one contract project, one demonstration; a specialist everywhere.
  out.push_back(Default(codes::kLeaders, 2025, 0, 1));
  out.push_back(Default(codes::kContractProjects, 2025, 0, 1));
  out.push_back(Default(codes::kDemonstrations, 2025, 0, 1));
  out.push_back(Default(codes::kSpecialistCoverage, 2025, 10000, 0));
  return out;
}

std::optional<v1::Target> TargetInForce(const std::vector<v1::Target>& targets,
                                        const std::string& code, int year) {
  std::optional<v1::Target> best;
  for (const v1::Target& t : targets) {
    if (t.code() == code && t.year() == year && (!best || t.version() > best->version())) {
      best = t;
    }
  }
  return best;
}

}  // namespace jieshui::reporting
