#include "certification/src/core/evaluation.hpp"

#include <algorithm>
#include <iterator>
#include <tuple>
#include <utility>

#include "absl/strings/ascii.h"
#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "domain/ratio.hpp"
#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

std::string M3(int64_t litres) { return absl::StrFormat("%d m³", litres / 1000); }

domain::Date YearsBefore(const domain::Date& on, int years) {
  auto d = domain::Date::Create(on.year() - years, on.month(), on.day());
  return d.ok() ? *d : *domain::Date::Create(on.year() - years, on.month(), on.day() - 1);
}

v1::GateResult Judge(const v1::Gate& gate, const GateFacts& f, const domain::Date& on) {
  v1::GateResult r;
  r.set_gate_id(gate.gate_id());
  r.set_kind(gate.kind());
  r.set_title(gate.title());
  const int years = std::max(1, gate.years());
  switch (gate.kind()) {
    case v1::GATE_KIND_NO_OVER_PLAN: {
      // The last `years` complete years and the current one.
      std::vector<std::string> over;
      for (int y : f.over_plan_years) {
        if (y >= on.year() - years && y <= on.year()) {
          over.push_back(absl::StrCat(y));
        }
      }
      r.set_passed(over.empty());
      r.set_evidence(
          over.empty()
              ? absl::StrCat("no annual over-plan alert in ", on.year() - years, "-", on.year())
              : absl::StrCat("annual over-plan alert in ", absl::StrJoin(over, ", ")));
      break;
    }
    case v1::GATE_KIND_METERING:
      r.set_passed(f.metering_met);
      r.set_evidence(f.metering_evidence);
      break;
    case v1::GATE_KIND_BALANCE_TEST: {
      const domain::Date since = YearsBefore(on, years);
      auto it = f.accepted_balance_tests.empty() ? f.accepted_balance_tests.end()
                                                 : std::prev(f.accepted_balance_tests.end());
      const bool ok = it != f.accepted_balance_tests.end() && it->first >= since;
      r.set_passed(ok);
      r.set_evidence(it == f.accepted_balance_tests.end()
                         ? "no accepted water balance test"
                         : absl::StrCat("latest accepted water balance test ", it->second,
                                        " ended ", it->first.ToString(),
                                        ok ? "" : absl::StrCat(", before ", since.ToString())));
      break;
    }
    case v1::GATE_KIND_NO_OPEN_RECTIFICATION:
      r.set_passed(f.open_rectification_orders == 0);
      r.set_evidence(absl::StrCat(f.open_rectification_orders, " open rectification order(s)"));
      break;
    case v1::GATE_KIND_SPECIALIST:
      r.set_passed(!f.specialist.empty());
      r.set_evidence(f.specialist.empty() ? "no water-saving specialist named"
                                          : absl::StrCat("specialist ", f.specialist));
      break;
    case v1::GATE_KIND_ANNUAL_INTAKE: {
      const int64_t threshold = gate.threshold().litres();
      const bool ok = f.last_year_new_water.has_value() && *f.last_year_new_water > threshold;
      r.set_passed(ok);
      r.set_evidence(f.last_year_new_water.has_value()
                         ? absl::StrCat(on.year() - 1, " new water ", M3(*f.last_year_new_water),
                                        ok ? " above " : ", not above ", M3(threshold))
                         : absl::StrCat("no usage announced for ", on.year() - 1));
      break;
    }
    case v1::GATE_KIND_CERTIFIED:
      r.set_passed(!f.valid_titles.empty());
      r.set_evidence(f.valid_titles.empty()
                         ? absl::StrCat("no valid water-saving-enterprise title on ", on.ToString())
                         : absl::StrCat("valid title ", absl::StrJoin(f.valid_titles, ", ")));
      break;
    case v1::GATE_KIND_NO_VIOLATION: {
      const domain::Date since = YearsBefore(on, years);
      std::vector<std::string> found;
      for (const domain::Date& d : f.violations) {
        if (d >= since && d <= on) {
          found.push_back(d.ToString());
        }
      }
      r.set_passed(found.empty());
      r.set_evidence(found.empty() ? absl::StrCat("no violation since ", since.ToString())
                                   : absl::StrCat("violation on ", absl::StrJoin(found, ", ")));
      break;
    }
    case v1::GATE_KIND_DOCUMENT: {
      auto it = f.documents.find(gate.gate_id());
      const bool ok = it != f.documents.end() && !it->second.empty();
      r.set_passed(ok);
      r.set_evidence(ok ? it->second : absl::StrCat("no document for ", gate.gate_id()));
      break;
    }
    default:
      r.set_passed(false);
      r.set_evidence("unknown gate kind");
  }
  return r;
}

}  // namespace

std::string LevelName(v1::Level level) {
  std::string name = v1::Level_Name(level);
  if (absl::StartsWith(name, "LEVEL_")) {
    name = name.substr(6);
  }
  return absl::AsciiStrToLower(name);
}

absl::Status ValidateScheme(const v1::Scheme& s) {
  const std::string at = absl::StrCat("schemes[", s.scheme_id(), "]");
  if (s.scheme_id().empty()) {
    return errors::InvalidArgument("schemes[].scheme_id", "empty");
  }
  if (s.level() == v1::LEVEL_UNSPECIFIED) {
    return errors::InvalidArgument(absl::StrCat(at, ".level"), "not set");
  }
  if (s.version() < 1) {
    return errors::InvalidArgument(absl::StrCat(at, ".version"), "must be 1 or more");
  }
  if (s.pass_mark() < 1 || s.pass_mark() > 100) {
    return errors::InvalidArgument(absl::StrCat(at, ".pass_mark"), "must be 1..100");
  }
  if (s.notice_days() < 0 || s.validity_years() < 1) {
    return errors::InvalidArgument(absl::StrCat(at, ".validity_years"),
                                   "validity must be 1 year or more, notice 0 days or more");
  }
  std::set<std::string> ids;
  for (const v1::Gate& g : s.gates()) {
    if (g.gate_id().empty() || !ids.insert(g.gate_id()).second) {
      return errors::InvalidArgument(absl::StrCat(at, ".gates[", g.gate_id(), "]"),
                                     "empty or repeated gate id");
    }
    if (g.kind() == v1::GATE_KIND_UNSPECIFIED) {
      return errors::InvalidArgument(absl::StrCat(at, ".gates[", g.gate_id(), "].kind"), "not set");
    }
  }
  int total = 0;
  ids.clear();
  for (const v1::Item& item : s.items()) {
    const std::string f = absl::StrCat(at, ".items[", item.item_id(), "]");
    if (item.item_id().empty() || !ids.insert(item.item_id()).second) {
      return errors::InvalidArgument(f, "empty or repeated item id");
    }
    if (item.points() < 1) {
      return errors::InvalidArgument(absl::StrCat(f, ".points"), "must be 1 or more");
    }
    if (item.metric() != v1::METRIC_UNSPECIFIED) {
      if (item.deduct_per_point() < 0) {
        return errors::InvalidArgument(absl::StrCat(f, ".deduct_per_point"), "negative");
      }
      if (!ThresholdFor(s, "", item.metric()).ok()) {
        return errors::InvalidArgument(
            absl::StrCat(f, ".metric"),
            absl::StrCat("no default threshold for ", v1::Metric_Name(item.metric())));
      }
    }
    total += item.points();
  }
  if (total != 100) {
    return errors::InvalidArgument(absl::StrCat(at, ".items"),
                                   absl::StrCat("points add up to ", total, ", not 100"));
  }
  return absl::OkStatus();
}

absl::StatusOr<v1::Scheme> SchemeInForce(const std::vector<v1::Scheme>& schemes, v1::Level level,
                                         const domain::Date& on) {
  const v1::Scheme* best = nullptr;
  auto from = [](const v1::Scheme& s) {
    return std::make_tuple(s.effective_from().year(), s.effective_from().month(),
                           s.effective_from().day(), s.version());
  };
  for (const v1::Scheme& s : schemes) {
    if (s.level() != level || std::make_tuple(s.effective_from().year(), s.effective_from().month(),
                                              s.effective_from().day()) >
                                  std::make_tuple(on.year(), on.month(), on.day())) {
      continue;
    }
    if (best == nullptr || from(s) > from(*best)) {
      best = &s;
    }
  }
  if (best == nullptr) {
    return absl::NotFoundError(
        absl::StrCat("no ", LevelName(level), " scheme in force on ", on.ToString()));
  }
  return *best;
}

std::optional<int64_t> YearNewWater(const std::vector<MonthUsage>& usage, int year) {
  std::optional<int64_t> total;
  for (const MonthUsage& m : usage) {
    if (m.year == year) {
      total = total.value_or(0) + m.new_water;
    }
  }
  return total;
}

std::vector<v1::GateResult> EvaluateGates(const v1::Scheme& scheme, const GateFacts& facts,
                                          const domain::Date& on) {
  std::vector<v1::GateResult> out;
  out.reserve(scheme.gates_size());
  for (const v1::Gate& gate : scheme.gates()) {
    out.push_back(Judge(gate, facts, on));
  }
  return out;
}

absl::StatusOr<int64_t> ThresholdFor(const v1::Scheme& scheme, const std::string& industry_code,
                                     v1::Metric metric) {
  // GB/T 4754 division: the section letter and two digits ("C17" of "C1713").
  const std::string division = industry_code.size() >= 3 ? industry_code.substr(0, 3) : "";
  std::optional<int64_t> fallback;
  for (const v1::IndustryThresholds& t : scheme.thresholds()) {
    if (t.division() != division && !t.division().empty()) {
      continue;
    }
    for (const v1::Threshold& th : t.thresholds()) {
      if (th.metric() != metric) {
        continue;
      }
      if (!t.division().empty()) {
        return th.basis_points();
      }
      fallback = th.basis_points();
    }
  }
  if (!fallback.has_value()) {
    return absl::NotFoundError(absl::StrCat("scheme ", scheme.scheme_id(), " has no threshold for ",
                                            v1::Metric_Name(metric)));
  }
  return *fallback;
}

int32_t MetricPoints(const v1::Item& item, int64_t figure_bp, int64_t threshold_bp) {
  const int64_t shortfall =
      item.lower_is_better() ? figure_bp - threshold_bp : threshold_bp - figure_bp;
  if (shortfall <= 0) {
    return item.points();
  }
  const int64_t started_points = (shortfall + 99) / 100;
  const int64_t deducted = started_points * item.deduct_per_point();
  return static_cast<int32_t>(std::max<int64_t>(0, item.points() - deducted));
}

absl::StatusOr<v1::ScoreSheet> Score(const v1::Scheme& scheme, const std::string& industry_code,
                                     const Figures& figures,
                                     const std::vector<v1::ItemScore>& entered,
                                     v1::ScoreStage stage) {
  std::map<std::string, const v1::ItemScore*> given;
  for (const v1::ItemScore& e : entered) {
    const std::string f = absl::StrCat("items[", e.item_id(), "]");
    if (!given.emplace(e.item_id(), &e).second) {
      return errors::InvalidArgument(f, "scored twice");
    }
    auto item = std::find_if(scheme.items().begin(), scheme.items().end(),
                             [&](const v1::Item& i) { return i.item_id() == e.item_id(); });
    if (item == scheme.items().end()) {
      return errors::InvalidArgument(f, absl::StrCat("not an item of scheme ", scheme.scheme_id()));
    }
    if (e.points() < 0 || e.points() > item->points()) {
      return errors::InvalidArgument(
          absl::StrCat(f, ".points"),
          absl::StrCat(e.points(), " is outside 0..", item->points(), " (the item's points)"));
    }
    if (item->metric() != v1::METRIC_UNSPECIFIED && figures.basis_points.contains(item->metric())) {
      return errors::InvalidArgument(
          f, absl::StrCat("computed by the platform from ", figures.source));
    }
  }
  v1::ScoreSheet sheet;
  sheet.set_stage(stage);
  int32_t total = 0;
  for (const v1::Item& item : scheme.items()) {
    v1::ItemScore* out = sheet.add_items();
    out->set_item_id(item.item_id());
    auto figure = figures.basis_points.find(item.metric());
    if (item.metric() != v1::METRIC_UNSPECIFIED && figure != figures.basis_points.end()) {
      auto threshold = ThresholdFor(scheme, industry_code, item.metric());
      if (!threshold.ok()) {
        return threshold.status();
      }
      out->set_computed(true);
      out->set_figure_basis_points(figure->second);
      out->set_threshold_basis_points(*threshold);
      out->set_points(MetricPoints(item, figure->second, *threshold));
      out->set_working(absl::StrCat(domain::BasisPointsText(figure->second),
                                    item.lower_is_better() ? " against at most " : " against ",
                                    domain::BasisPointsText(*threshold), ": ", out->points(),
                                    " of ", item.points(), " (", figures.source, ")"));
    } else {
      auto it = given.find(item.item_id());
      if (it == given.end()) {
        return errors::InvalidArgument(absl::StrCat("items[", item.item_id(), "]"), "not scored");
      }
      out->set_points(it->second->points());
      out->set_working(it->second->working());
    }
    total += out->points();
  }
  sheet.set_total(total);
  sheet.set_passed(total >= scheme.pass_mark());
  return sheet;
}

}  // namespace jieshui::certification
