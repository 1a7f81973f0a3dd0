#include "certification/src/core/records.hpp"

#include <algorithm>
#include <functional>
#include <map>
#include <set>
#include <utility>
#include <vector>

#include "absl/numeric/int128.h"
#include "absl/strings/str_cat.h"
#include "certification/src/core/lifecycle.hpp"
#include "domain/fixed_decimal.hpp"
#include "errors/field_error.hpp"

namespace jieshui::certification {
namespace {

UnitVolumes FromProto(const v1::UnitVolumes& v) {
  return UnitVolumes{.new_tap = v.new_tap().litres(),
                     .new_surface = v.new_surface().litres(),
                     .new_ground = v.new_ground().litres(),
                     .new_nonconventional = v.new_nonconventional().litres(),
                     .recirculated = v.recirculated().litres(),
                     .series = v.series().litres(),
                     .cooling_recirculated = v.cooling_recirculated().litres(),
                     .cooling_new = v.cooling_new().litres(),
                     .consumption = v.consumption().litres(),
                     .discharge = v.discharge().litres(),
                     .leakage = v.leakage().litres(),
                     .wastewater_reused = v.wastewater_reused().litres()};
}

void SetRate(const Rate& r, v1::Rate* out) {
  out->set_numerator_litres(r.numerator);
  out->set_denominator_litres(r.denominator);
  out->set_basis_points(r.BasisPoints());
}

absl::Status RequireText(const std::string& value, const std::string& field) {
  return value.empty() ? errors::InvalidArgument(field, "required") : absl::OkStatus();
}

absl::Status RequireYear(int year, const std::string& field) {
  return year < 2000 || year > 2100 ? errors::InvalidArgument(field, "must be 2000..2100")
                                    : absl::OkStatus();
}

absl::Status RequireNonNegative(int64_t v, const std::string& field) {
  return v < 0 ? errors::InvalidArgument(field, "negative") : absl::OkStatus();
}

// The period [start, end]: both calendar days, end not before start. Returns the end.
absl::StatusOr<domain::Date> Period(const common::v1::Date& start, const common::v1::Date& end,
                                    const std::string& prefix) {
  auto s = ParseDate(start, absl::StrCat(prefix, ".period_start"));
  if (!s.ok()) {
    return s.status();
  }
  auto e = ParseDate(end, absl::StrCat(prefix, ".period_end"));
  if (!e.ok()) {
    return e.status();
  }
  if (*e < *s) {
    return errors::InvalidArgument(
        absl::StrCat(prefix, ".period_end"),
        absl::StrCat(e->ToString(), " is before period_start ", s->ToString()));
  }
  return *e;
}

absl::Status PrepareBalanceTest(v1::Record& r, const RecordRules& rules) {
  v1::BalanceTest& t = *r.mutable_balance_test();
  const std::string at = "record.balance_test";
  for (auto [value, field] :
       {std::pair{&t.agency(), "agency"}, {&t.standard_version(), "standard_version"}}) {
    if (absl::Status s = RequireText(*value, absl::StrCat(at, ".", field)); !s.ok()) {
      return s;
    }
  }
  auto end = Period(t.period_start(), t.period_end(), at);
  if (!end.ok()) {
    return end.status();
  }
  r.set_year(end->year());
  if (absl::Status s = RequireNonNegative(t.reasonable_annual_intake().litres(),
                                          absl::StrCat(at, ".reasonable_annual_intake"));
      !s.ok()) {
    return s;
  }
  for (int i = 0; i < t.products_size(); ++i) {
    const v1::ProductIntake& p = t.products(i);
    const std::string f = absl::StrCat(at, ".products[", i, "]");
    if (absl::Status s = RequireText(p.product(), absl::StrCat(f, ".product")); !s.ok()) {
      return s;
    }
    for (auto [text, name] : {std::pair{&p.litres_per_unit(), "litres_per_unit"},
                              {&p.quota_litres_per_unit(), "quota_litres_per_unit"}}) {
      if (text->empty() && std::string(name) == "quota_litres_per_unit") {
        continue;
      }
      auto v = domain::internal::ParseFixedDecimal(*text, 3, absl::StrCat(f, ".", name), "L");
      if (!v.ok()) {
        return v.status();
      }
    }
  }
  auto tree = BuildUnitTree(t);
  if (!tree.ok()) {
    return tree.status();
  }
  auto rates = DeriveRates(*tree);
  if (!rates.ok()) {
    return rates.status();
  }
  if (absl::Status s = CheckClosure(*tree, rules.closure_tolerance_bp); !s.ok()) {
    return s;
  }
  v1::BalanceRates* out = t.mutable_rates();
  SetRate(rates->repeat_utilisation, out->mutable_repeat_utilisation());
  SetRate(rates->cooling_recirculation, out->mutable_cooling_recirculation());
  SetRate(rates->leakage, out->mutable_leakage());
  SetRate(rates->wastewater_reuse, out->mutable_wastewater_reuse());
  SetRate(rates->nonconventional_share, out->mutable_nonconventional_share());
  return absl::OkStatus();
}

absl::Status PrepareAudit(v1::Record& r) {
  v1::Audit& a = *r.mutable_audit();
  const std::string at = "record.audit";
  if (absl::Status s = RequireText(a.auditor(), absl::StrCat(at, ".auditor")); !s.ok()) {
    return s;
  }
  auto end = Period(a.period_start(), a.period_end(), at);
  if (!end.ok()) {
    return end.status();
  }
  r.set_year(end->year());
  for (int i = 0; i < a.rectifications_size(); ++i) {
    v1::RectificationItem& item = *a.mutable_rectifications(i);
    const std::string f = absl::StrCat(at, ".rectifications[", i, "]");
    if (absl::Status s = RequireText(item.description(), absl::StrCat(f, ".description"));
        !s.ok()) {
      return s;
    }
    auto deadline = ParseDate(item.deadline(), absl::StrCat(f, ".deadline"));
    if (!deadline.ok()) {
      return deadline.status();
    }
    item.set_item_id(absl::StrCat(i + 1));
    item.set_closed(false);
  }
  return absl::OkStatus();
}

}  // namespace

absl::StatusOr<WaterUnit> BuildUnitTree(const v1::BalanceTest& test) {
  std::map<std::string, const v1::WaterUnit*> by_id;
  std::vector<std::string> roots;
  for (const v1::WaterUnit& u : test.units()) {
    if (u.unit_id().empty()) {
      return errors::InvalidArgument("units[]", "a unit without unit_id");
    }
    if (!by_id.emplace(u.unit_id(), &u).second) {
      return errors::InvalidArgument(absl::StrCat("units[", u.unit_id(), "]"), "repeated unit_id");
    }
    if (u.parent_id().empty()) {
      roots.push_back(u.unit_id());
    }
  }
  for (const v1::WaterUnit& u : test.units()) {
    if (!u.parent_id().empty() && !by_id.contains(u.parent_id())) {
      return errors::InvalidArgument(absl::StrCat("units[", u.unit_id(), "].parent_id"),
                                     absl::StrCat("no unit ", u.parent_id()));
    }
  }
  // Every unit must reach the root by its parents: a unit whose chain comes back to itself is in
  // a loop (checked before the root count, since a loop leaves its units without a root).
  for (const v1::WaterUnit& u : test.units()) {
    std::set<std::string> seen = {u.unit_id()};
    const v1::WaterUnit* at = &u;
    while (!at->parent_id().empty()) {
      if (!seen.insert(at->parent_id()).second) {
        return errors::InvalidArgument(absl::StrCat("units[", u.unit_id(), "].parent_id"),
                                       "the parents form a loop");
      }
      at = by_id.at(at->parent_id());
    }
  }
  if (roots.size() != 1) {
    return errors::InvalidArgument(
        "units", absl::StrCat("exactly one unit (the enterprise) has no parent; ", roots.size(),
                              " have none"));
  }
  std::map<std::string, std::vector<const v1::WaterUnit*>> children;
  for (const v1::WaterUnit& u : test.units()) {
    if (!u.parent_id().empty()) {
      children[u.parent_id()].push_back(&u);
    }
  }
  // Built depth first; the loop check above bounds the depth by the number of units.
  std::function<WaterUnit(const v1::WaterUnit&)> build = [&](const v1::WaterUnit& u) {
    WaterUnit out{.name = u.unit_id(), .volumes = FromProto(u.volumes()), .parts = {}};
    for (const v1::WaterUnit* c : children[u.unit_id()]) {
      out.parts.push_back(build(*c));
    }
    return out;
  };
  return build(*by_id.at(roots[0]));
}

absl::Status PrepareRecord(v1::Record& r, const RecordRules& rules) {
  v1::RecordKind kind = v1::RECORD_KIND_UNSPECIFIED;
  switch (r.detail_case()) {
    case v1::Record::kBalanceTest:
      kind = v1::RECORD_KIND_BALANCE_TEST;
      break;
    case v1::Record::kAudit:
      kind = v1::RECORD_KIND_AUDIT;
      break;
    case v1::Record::kRetrofit:
      kind = v1::RECORD_KIND_RETROFIT_PROJECT;
      break;
    case v1::Record::kContract:
      kind = v1::RECORD_KIND_CONTRACT_PROJECT;
      break;
    case v1::Record::kDemonstration:
      kind = v1::RECORD_KIND_DEMONSTRATION;
      break;
    case v1::Record::kPark:
      kind = v1::RECORD_KIND_PARK;
      break;
    case v1::Record::DETAIL_NOT_SET:
      return errors::InvalidArgument("record.detail",
                                     "one of balance_test, audit, retrofit, "
                                     "contract, demonstration, park is required");
  }
  if (r.kind() != v1::RECORD_KIND_UNSPECIFIED && r.kind() != kind) {
    return errors::InvalidArgument(
        "record.kind", absl::StrCat(v1::RecordKind_Name(r.kind()), " does not match the detail ",
                                    v1::RecordKind_Name(kind)));
  }
  r.set_kind(kind);
  switch (kind) {
    case v1::RECORD_KIND_BALANCE_TEST:
      return PrepareBalanceTest(r, rules);
    case v1::RECORD_KIND_AUDIT:
      return PrepareAudit(r);
    case v1::RECORD_KIND_RETROFIT_PROJECT: {
      const v1::RetrofitProject& p = r.retrofit();
      if (absl::Status s = RequireText(p.title(), "record.retrofit.title"); !s.ok()) {
        return s;
      }
      if (absl::Status s = RequireYear(p.year(), "record.retrofit.year"); !s.ok()) {
        return s;
      }
      for (auto [v, f] :
           {std::pair{p.investment().fen(), "record.retrofit.investment"},
            {p.subsidy().fen(), "record.retrofit.subsidy"},
            {p.expected_annual_saving().litres(), "record.retrofit.expected_annual_saving"}}) {
        if (absl::Status s = RequireNonNegative(v, f); !s.ok()) {
          return s;
        }
      }
      if (p.subsidy().fen() > p.investment().fen()) {
        return errors::InvalidArgument("record.retrofit.subsidy", "larger than the investment");
      }
      r.set_year(p.year());
      return absl::OkStatus();
    }
    case v1::RECORD_KIND_CONTRACT_PROJECT: {
      const v1::ContractProject& p = r.contract();
      if (p.mode() == v1::CONTRACT_MODE_UNSPECIFIED) {
        return errors::InvalidArgument("record.contract.mode", "not set");
      }
      for (auto [v, f] : {std::pair{&p.title(), "record.contract.title"},
                          {&p.service_company(), "record.contract.service_company"},
                          {&p.water_user(), "record.contract.water_user"}}) {
        if (absl::Status s = RequireText(*v, f); !s.ok()) {
          return s;
        }
      }
      if (absl::Status s = RequireYear(p.year(), "record.contract.year"); !s.ok()) {
        return s;
      }
      if (p.baseline_annual_intake().litres() <= 0) {
        return errors::InvalidArgument("record.contract.baseline_annual_intake", "must be > 0");
      }
      if (p.guaranteed_annual_saving().litres() < 0 ||
          p.guaranteed_annual_saving().litres() > p.baseline_annual_intake().litres()) {
        return errors::InvalidArgument("record.contract.guaranteed_annual_saving",
                                       "must be 0..baseline_annual_intake");
      }
      r.set_year(p.year());
      return absl::OkStatus();
    }
    case v1::RECORD_KIND_DEMONSTRATION: {
      const v1::Demonstration& d = r.demonstration();
      if (d.kind() == v1::DEMONSTRATION_KIND_UNSPECIFIED) {
        return errors::InvalidArgument("record.demonstration.kind", "not set");
      }
      if (absl::Status s = RequireText(d.title(), "record.demonstration.title"); !s.ok()) {
        return s;
      }
      if (absl::Status s = RequireYear(d.year(), "record.demonstration.year"); !s.ok()) {
        return s;
      }
      if (d.daily_capacity().litres() <= 0) {
        return errors::InvalidArgument("record.demonstration.daily_capacity", "must be > 0");
      }
      r.set_year(d.year());
      return absl::OkStatus();
    }
    case v1::RECORD_KIND_PARK: {
      if (absl::Status s = RequireText(r.park().park_id(), "record.park.park_id"); !s.ok()) {
        return s;
      }
      if (absl::Status s = RequireYear(r.park().year(), "record.park.year"); !s.ok()) {
        return s;
      }
      r.set_year(r.park().year());
      return absl::OkStatus();
    }
    default:
      break;
  }
  return absl::OkStatus();
}

Figures FiguresOf(const v1::Record& record) {
  Figures f;
  f.source = absl::StrCat("balance test ", record.record_id());
  const v1::BalanceRates& r = record.balance_test().rates();
  auto put = [&f](v1::Metric m, const v1::Rate& rate) {
    if (rate.denominator_litres() != 0) {
      f.basis_points[m] = rate.basis_points();
    }
  };
  put(v1::METRIC_REPEAT_UTILISATION, r.repeat_utilisation());
  put(v1::METRIC_LEAKAGE, r.leakage());
  put(v1::METRIC_COOLING_RECIRCULATION, r.cooling_recirculation());
  put(v1::METRIC_WASTEWATER_REUSE, r.wastewater_reuse());
  put(v1::METRIC_NONCONVENTIONAL_SHARE, r.nonconventional_share());
  // Unit intake against quota: the highest of the products that name a quota, as litres per unit
  // at 3 fraction digits (millilitres), so the ratio is exact: intake × 10000 / quota, half up.
  int64_t worst = -1;
  for (const v1::ProductIntake& p : record.balance_test().products()) {
    auto intake = domain::internal::ParseFixedDecimal(p.litres_per_unit(), 3, "intake", "L");
    auto quota = domain::internal::ParseFixedDecimal(p.quota_litres_per_unit(), 3, "quota", "L");
    if (!intake.ok() || !quota.ok() || *quota <= 0) {
      continue;
    }
    const int64_t bp =
        static_cast<int64_t>((absl::int128(*intake) * 20000 + *quota) / (absl::int128(*quota) * 2));
    worst = std::max(worst, bp);
  }
  if (worst >= 0) {
    f.basis_points[v1::METRIC_UNIT_INTAKE_VS_QUOTA] = worst;
  }
  return f;
}

}  // namespace jieshui::certification
