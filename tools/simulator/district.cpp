#include "district.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <set>
#include <string_view>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "domain/period.hpp"
#include "domain/uscc.hpp"

namespace jieshui::simulator {
namespace {

namespace rv1 = ::jieshui::registry::v1;

// Industries of the district: GB/T 4754-2017 manufacturing classes (section C) with a product
// and a quota. The quota figures are illustrative, of the size provincial quota tables give
// (m³ per unit), not quoted from a standard.
struct Sector {
  std::string_view code;
  std::string_view name_word;  // in the company name
  std::string_view product;    // "" when no quota is simulated
  std::string_view unit;
  int64_t general_ml_per_unit;  // millilitres per unit (general value, 通用值)
  int64_t advanced_ml_per_unit;
  bool high_water_use;  // national policy's high water-use sectors
  int weight;           // how common in the district
};

constexpr std::array<Sector, 14> kSectors = {{
    {"C1713", "印染", "棉印染布", "百米", 2'200'000, 1'600'000, true, 10},
    {"C1723", "毛纺染整", "毛染整织物", "百米", 2'800'000, 2'000'000, true, 4},
    {"C1513", "啤酒", "啤酒", "kL", 5'300'000, 3'800'000, true, 2},
    {"C1514", "黄酒", "黄酒", "kL", 6'000'000, 4'500'000, true, 2},
    {"C2221", "纸业", "纸板", "t", 20'000'000, 13'000'000, true, 4},
    {"C2614", "化工", "有机化学原料", "t", 15'000'000, 10'000'000, true, 5},
    {"C2710", "制药", "化学原料药", "t", 60'000'000, 45'000'000, true, 3},
    {"C2822", "化纤", "涤纶纤维", "t", 8'000'000, 6'000'000, true, 3},
    {"C3130", "钢材", "热轧钢材", "t", 2'500'000, 1'800'000, true, 3},
    {"C3360", "表面处理", "", "", 0, 0, false, 8},
    {"C3670", "汽车部件", "", "", 0, 0, false, 12},
    {"C3973", "集成电路", "", "", 0, 0, false, 6},
    {"C3982", "电路板", "印制电路板", "m²", 900'000, 600'000, false, 14},
    {"C2926", "塑料包装", "", "", 0, 0, false, 10},
}};

struct ParkDef {
  std::string_view park_id;
  std::string_view name;
  std::string_view town;
};

// Industrial parks of Wuzhong (their towns are in the registry's `registry.towns`).
constexpr std::array<ParkDef, 6> kParks = {{
    {"WZ-ETDZ", "吴中经济技术开发区", "郭巷街道"},
    {"WZ-MUDU", "木渎镇工业园", "木渎镇"},
    {"WZ-LUZHI", "甪直镇工业集中区", "甪直镇"},
    {"WZ-XUKOU", "胥口镇工业园", "胥口镇"},
    {"WZ-LINHU", "临湖镇工业园", "临湖镇"},
    {"WZ-HENGJING", "横泾工业园", "横泾街道"},
}};

constexpr std::array<std::string_view, 16> kTowns = {
    "甪直镇",   "木渎镇",   "胥口镇",   "东山镇",   "光福镇",   "金庭镇",   "临湖镇",   "长桥街道",
    "越溪街道", "郭巷街道", "横泾街道", "香山街道", "苏苑街道", "龙西街道", "城南街道", "太湖街道"};

constexpr std::array<std::string_view, 24> kNameSyllables = {
    "吴", "越", "澄", "湖", "新", "华", "泰", "丰", "盛", "宏", "嘉", "恒",
    "瑞", "达", "鑫", "源", "东", "光", "晶", "润", "昌", "锦", "茂", "禾"};

constexpr std::string_view kUsccPrefix = "91320506";  // company, Wuzhong District (320506)

// Mean of HourProfile over a week, used to size plans.
constexpr double kMeanProfile = (5.0 * (12 * 1.25 + 12 * 0.6) / 24 + 2.0 * 0.5) / 7;

// Load in the hour ending at `end`, Shanghai time: day shifts on working days, less at night and
// at weekends.
double HourProfile(absl::Time end) {
  const absl::CivilSecond local =
      absl::ToCivilSecond(end - absl::Minutes(30), domain::ShanghaiTimeZone());
  const absl::Weekday day = absl::GetWeekday(local);
  if (day == absl::Weekday::saturday || day == absl::Weekday::sunday) {
    return 0.5;
  }
  return local.hour() >= 8 && local.hour() < 20 ? 1.25 : 0.6;
}

uint64_t SplitMix(uint64_t x) {
  x += 0x9E3779B97F4A7C15ULL;
  x = (x ^ (x >> 30U)) * 0xBF58476D1CE4E5B9ULL;
  x = (x ^ (x >> 27U)) * 0x94D049BB133111EBULL;
  return x ^ (x >> 31U);
}

double Unit(uint64_t h) { return static_cast<double>(h >> 11U) * 0x1.0p-53; }

// Salts that keep the draws of different purposes apart.
enum Salt : uint64_t {
  kSector = 1,
  kUsccSalt,
  kName1,
  kName2,
  kPark,
  kTown,
  kAboveScale,
  kSize,
  kMeterCount,
  kSurface,
  kGround,
  kReclaimed,
  kChannel,
  kOverPlan,
  kPlanFactor,
  kOverQuota,
  kQuotaFactor,
  kOutage,
  kOutageLength,
  kOutageStart,
  kSubLevel,
  kSubRate,
  kRollover,
  kStartRegister,
  kNoise,
  kSpike,
  kDuplicate,
  kOutOfOrder,
  kAccuracyClass,
};

rv1::MeasuredFlow IntakeFlow(rv1::WaterSourceKind kind) {
  switch (kind) {
    case rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE:
      return rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE;
    case rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND:
      return rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND;
    case rv1::WATER_SOURCE_KIND_RECLAIMED:
      return rv1::MEASURED_FLOW_INTAKE_RECLAIMED;
    default:
      return rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP;
  }
}

void SetDate(common::v1::Date* out, const domain::Date& date) {
  out->set_year(date.year());
  out->set_month(date.month());
  out->set_day(date.day());
}

}  // namespace

FaultOptions FaultOptions::Default() {
  return FaultOptions{.outage_share = 0.1,
                      .outage_hours_max = 6,
                      .duplicate_share = 0.002,
                      .out_of_order_share = 0.002,
                      .rollover_share = 0.05,
                      .spike_share = 0.0005,
                      .over_plan_share = 0.15};
}

bool IsNewWater(rv1::MeasuredFlow flow) {
  return flow == rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP ||
         flow == rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_SURFACE ||
         flow == rv1::MEASURED_FLOW_INTAKE_SELF_SUPPLIED_GROUND;
}

std::string MonthKey(absl::Time t) { return domain::MonthOf(t).ToString(); }

std::string FormatMilli(int64_t milli) {
  return absl::StrFormat("%d.%03d", milli / 1000, milli % 1000);
}

District::District(const Options& options)
    : options_(options),
      last_step_(static_cast<int>(absl::ToInt64Hours(options.to - options.from))) {
  Generate();
}

uint64_t District::Hash(uint64_t a, uint64_t b, uint64_t c) const {
  return SplitMix(SplitMix(SplitMix(options_.seed ^ (a * 0x9E3779B97F4A7C15ULL)) ^ b) ^ c);
}

void District::Generate() {
  parks_.reserve(kParks.size());
  for (const ParkDef& def : kParks) {
    rv1::Park park;
    park.set_park_id(std::string(def.park_id));
    park.set_name(std::string(def.name));
    park.set_town(std::string(def.town));
    parks_.push_back(std::move(park));
  }
  for (const int year : PlanYears()) {
    for (const Sector& sector : kSectors) {
      if (sector.product.empty()) {
        continue;
      }
      quota::v1::ProductQuota q;
      q.set_year(year);
      q.mutable_industry_code()->set_value(std::string(sector.code));
      q.set_product(std::string(sector.product));
      q.set_unit(std::string(sector.unit));
      q.set_general_litres_per_unit(FormatMilli(sector.general_ml_per_unit));
      q.set_advanced_litres_per_unit(FormatMilli(sector.advanced_ml_per_unit));
      q.set_source_standard("jieshui-simulator (illustrative figures)");
      quotas_.push_back(std::move(q));
    }
  }
  enterprises_.resize(static_cast<size_t>(std::max(0, options_.enterprises)));
  out_of_order_.clear();
  for (int i = 0; i < options_.enterprises; ++i) {
    GenerateEnterprise(i);
  }
  // Readings that arrive after the next one: both on the same Shanghai day, outside outages.
  out_of_order_.resize(meters_.size());
  if (options_.faults.out_of_order_share > 0) {
    for (size_t m = 0; m < meters_.size(); ++m) {
      const SimEnterprise& e = enterprises_[static_cast<size_t>(meters_[m].enterprise)];
      for (int k = 1; k + 1 <= last_step_; ++k) {
        if (Unit(Hash(kOutOfOrder, m, static_cast<uint64_t>(k))) >=
            options_.faults.out_of_order_share) {
          continue;
        }
        const bool in_outage =
            e.outage_first != 0 && k + 1 >= e.outage_first && k - 1 <= e.outage_last + 1;
        const bool after_previous = !out_of_order_[m].empty() && out_of_order_[m].back() >= k - 2;
        if (in_outage || after_previous ||
            domain::DateOf(TimeOf(k)) != domain::DateOf(TimeOf(k + 1))) {
          continue;
        }
        out_of_order_[m].push_back(k);
      }
    }
  }
}

void District::GenerateEnterprise(int index) {
  const auto i = static_cast<uint64_t>(index);
  SimEnterprise& sim = enterprises_[i];
  rv1::Enterprise& e = sim.enterprise;

  int total_weight = 0;
  for (const Sector& s : kSectors) {
    total_weight += s.weight;
  }
  int pick = static_cast<int>(Hash(kSector, i, 0) % static_cast<uint64_t>(total_weight));
  const Sector* sector = kSectors.data();
  for (const Sector& s : kSectors) {
    if (pick < s.weight) {
      sector = &s;
      break;
    }
    pick -= s.weight;
  }

  // A valid USCC (GB 32100-2015): Wuzhong companies, the organisation code drawn from the seed.
  static const std::string_view kAlphabet = domain::kUsccAlphabet;
  std::string uscc;
  for (uint64_t attempt = 0;; ++attempt) {
    std::string first17(kUsccPrefix);
    uint64_t h = Hash(kUsccSalt, i, attempt);
    for (int c = 0; c < 9; ++c) {
      first17.push_back(kAlphabet[h % kAlphabet.size()]);
      h /= kAlphabet.size();
    }
    const absl::StatusOr<char> check = domain::ComputeUsccCheckCharacter(first17);
    uscc = first17 + *check;
    if (usccs_.insert(uscc).second) {
      break;  // not drawn before
    }
  }
  e.mutable_uscc()->set_value(uscc);
  const std::string_view syllable1 = kNameSyllables[Hash(kName1, i, 0) % kNameSyllables.size()];
  const std::string_view syllable2 = kNameSyllables[Hash(kName2, i, 0) % kNameSyllables.size()];
  std::string name = absl::StrCat("苏州", std::string(syllable1), std::string(syllable2),
                                  std::string(sector->name_word));
  absl::StrAppend(&name, "有限公司（模拟", index + 1, "）");
  e.set_name(name);
  e.mutable_industry_code()->set_value(std::string(sector->code));
  const uint64_t park_draw = Hash(kPark, i, 0) % 10;
  if (park_draw < 7) {
    const ParkDef& park = kParks[park_draw % kParks.size()];
    e.set_park_id(std::string(park.park_id));
    e.set_town(std::string(park.town));
  } else {
    e.set_town(std::string(kTowns[Hash(kTown, i, 0) % kTowns.size()]));
  }
  e.set_address(absl::StrCat("苏州市吴中区", e.town(), "工业路", index + 1, "号"));
  e.set_above_scale(Unit(Hash(kAboveScale, i, 0)) < 0.85);

  // Annual new water: 5,000 to 1,250,000 m³, heavy sectors twice that.
  double annual_m3 = 5000.0 * std::pow(10.0, 2.4 * Unit(Hash(kSize, i, 0)));
  if (sector->high_water_use) {
    annual_m3 *= 2;
  }
  const auto new_water_per_hour =
      static_cast<int64_t>(annual_m3 * 1000.0 / (8760.0 * kMeanProfile));

  // Sources: tap always; self-supplied surface or ground water and reclaimed water for some.
  std::vector<rv1::WaterSourceKind> sources = {rv1::WATER_SOURCE_KIND_MUNICIPAL_TAP};
  if (Unit(Hash(kSurface, i, 0)) < (sector->high_water_use ? 0.35 : 0.08)) {
    sources.push_back(rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE);
  } else if (Unit(Hash(kGround, i, 0)) < 0.08) {
    sources.push_back(rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND);
  }
  if (Unit(Hash(kReclaimed, i, 0)) < 0.2) {
    sources.push_back(rv1::WATER_SOURCE_KIND_RECLAIMED);
  }
  for (const rv1::WaterSourceKind kind : sources) {
    rv1::WaterSource* source = e.add_water_sources();
    source->set_kind(kind);
    if (kind == rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE ||
        kind == rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND) {
      source->set_intake_permit_number(absl::StrFormat("取水(吴中)字[2021]第%05d号", index + 1));
      source->mutable_permitted_annual_volume()->set_litres(
          static_cast<int64_t>(annual_m3 * 1000.0));
    }
  }
  e.set_latest_annual_intake_year(domain::YearOf(options_.from) - 1);
  e.mutable_latest_annual_intake()->set_litres(static_cast<int64_t>(annual_m3 * 1000.0));
  e.set_key_monitored(annual_m3 >= 100'000);
  e.set_high_water_use_high_pollution(sector->high_water_use && annual_m3 >= 300'000);
  e.mutable_contact()->set_name(absl::StrCat("联系人", index + 1));
  e.mutable_contact()->set_phone(absl::StrFormat("0512-6%07d", index + 1));
  if (annual_m3 >= 100'000) {  // action plan: a specialist at every user of ≥ 100,000 t a year
    rv1::WaterSavingSpecialist* specialist = e.mutable_specialist();
    specialist->set_name(absl::StrCat("节水专员", index + 1));
    specialist->set_phone(absl::StrFormat("139%08d", index + 1));
    SetDate(specialist->mutable_appointed_on(),
            domain::DateOf(options_.from - absl::Hours(24 * 200)));
  }

  sim.hj212 = Unit(Hash(kChannel, i, 0)) < options_.hj212_share;

  // Meters: level 1 for every source and the discharge, the rest inside the plant.
  const int meter_count = 1 + static_cast<int>(39.0 * std::pow(Unit(Hash(kMeterCount, i, 0)), 2));
  const bool self_supplied = sources.size() > 1 && sources[1] != rv1::WATER_SOURCE_KIND_RECLAIMED;
  const int64_t tap_rate = self_supplied ? new_water_per_hour * 3 / 10 : new_water_per_hour;
  AddMeter(index, rv1::METER_LEVEL_1, rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP, tap_rate,
           "总进水表（自来水）");
  for (size_t s = 1; s < sources.size() && static_cast<int>(sim.meters.size()) < meter_count; ++s) {
    const bool reclaimed = sources[s] == rv1::WATER_SOURCE_KIND_RECLAIMED;
    AddMeter(index, rv1::METER_LEVEL_1, IntakeFlow(sources[s]),
             reclaimed ? new_water_per_hour / 8 : new_water_per_hour - tap_rate,
             reclaimed ? "再生水进水表" : "自备水取水计量");
  }
  if (static_cast<int>(sim.meters.size()) < meter_count) {
    AddMeter(index, rv1::METER_LEVEL_1, rv1::MEASURED_FLOW_DISCHARGE, new_water_per_hour * 7 / 10,
             "总排水口");
  }
  for (int n = static_cast<int>(sim.meters.size()); n < meter_count; ++n) {
    const auto j = static_cast<uint64_t>(n);
    const double share = 0.05 + 0.25 * Unit(Hash(kSubRate, i, j));
    const uint64_t kind = Hash(kSubLevel, i, j) % 10;
    if (kind < 5) {
      AddMeter(index, rv1::METER_LEVEL_2, rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP,
               static_cast<int64_t>(static_cast<double>(tap_rate) * share),
               absl::StrCat(n, "号车间进水"));
    } else if (kind < 7) {
      AddMeter(index, rv1::METER_LEVEL_2, rv1::MEASURED_FLOW_RECIRCULATED_COOLING,
               static_cast<int64_t>(static_cast<double>(new_water_per_hour) * share * 10),
               absl::StrCat(n, "号循环冷却水"));
    } else if (kind < 9) {
      AddMeter(index, rv1::METER_LEVEL_3, rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP,
               static_cast<int64_t>(static_cast<double>(tap_rate) * share / 3),
               absl::StrCat(n, "号主要用水设备"));
    } else {
      AddMeter(index, rv1::METER_LEVEL_3, rv1::MEASURED_FLOW_REUSED_PROCESS,
               static_cast<int64_t>(static_cast<double>(new_water_per_hour) * share),
               absl::StrCat(n, "号回用水"));
    }
  }
  rv1::MeteringPoints* points = e.mutable_metering_points();
  for (const int m : sim.meters) {
    switch (meters_[static_cast<size_t>(m)].meter.level()) {
      case rv1::METER_LEVEL_1:
        points->set_level1(points->level1() + 1);
        break;
      case rv1::METER_LEVEL_2:
        points->set_level2(points->level2() + 1);
        break;
      default:
        points->set_level3(points->level3() + 1);
        break;
    }
  }

  // Plans: above expected use, a little above, or (over-plan enterprises) below it.
  int64_t planned_rate = 0;
  for (const int m : sim.meters) {
    const SimMeter& meter = meters_[static_cast<size_t>(m)];
    if (meter.meter.level() == rv1::METER_LEVEL_1 && IsNewWater(meter.meter.measures())) {
      planned_rate += meter.base_litres_per_hour;
    }
  }
  const double expected_annual = static_cast<double>(planned_rate) * 8760.0 * kMeanProfile;
  sim.over_plan = Unit(Hash(kOverPlan, i, 0)) < options_.faults.over_plan_share;
  const double u = Unit(Hash(kPlanFactor, i, 0));
  double factor = 1.35 + 0.45 * u;
  if (sim.over_plan) {
    factor = 0.6 + 0.35 * u;
  } else if (u < 0.25) {
    factor = 1.1 + 0.6 * u;  // close to the plan: the 80% alert
  }
  for (const int year : PlanYears()) {
    // Whole cubic metres, as plans are issued.
    sim.annual_plan_litres[year] =
        static_cast<int64_t>(std::llround(expected_annual * factor / 1000.0)) * 1000;
  }

  if (!sector->product.empty()) {
    sim.product = std::string(sector->product);
    const bool over_quota = Unit(Hash(kOverQuota, i, 0)) < options_.faults.over_plan_share;
    const double q = Unit(Hash(kQuotaFactor, i, 0));
    const double quota_factor = over_quota ? 1.05 + 0.35 * q : 0.75 + 0.2 * q;
    sim.true_ml_per_unit = std::max<int64_t>(
        1, static_cast<int64_t>(static_cast<double>(sector->general_ml_per_unit) * quota_factor));
  }

  // A gateway outage inside one Shanghai day, so a month's total never moves between months
  // while the gap is estimated.
  if (Unit(Hash(kOutage, i, 0)) < options_.faults.outage_share &&
      options_.faults.outage_hours_max > 0 && last_step_ > 4) {
    const int length =
        1 + static_cast<int>(Hash(kOutageLength, i, 0) %
                             static_cast<uint64_t>(options_.faults.outage_hours_max));
    for (uint64_t attempt = 0; attempt < 64 && sim.outage_first == 0; ++attempt) {
      const int span = last_step_ - length - 2;
      if (span <= 0) {
        break;
      }
      const int start =
          2 + static_cast<int>(Hash(kOutageStart, i, attempt) % static_cast<uint64_t>(span));
      if (domain::DateOf(TimeOf(start)) == domain::DateOf(TimeOf(start + length))) {
        sim.outage_first = start;
        sim.outage_last = start + length - 1;
      }
    }
  }
}

void District::AddMeter(int enterprise, rv1::MeterLevel level, rv1::MeasuredFlow flow,
                        int64_t litres_per_hour, const std::string& description) {
  SimEnterprise& sim = enterprises_[static_cast<size_t>(enterprise)];
  const auto index = static_cast<uint64_t>(meters_.size());
  const int number = static_cast<int>(sim.meters.size()) + 1;
  SimMeter m;
  m.enterprise = enterprise;
  m.channel = sim.hj212 ? Channel::kHj212 : Channel::kGrpc;
  m.base_litres_per_hour = std::max<int64_t>(1, litres_per_hour);
  rv1::Meter& meter = m.meter;
  meter.set_meter_id(absl::StrFormat("SIM%d-E%04d-M%02d", options_.seed, enterprise + 1, number));
  *meter.mutable_uscc() = sim.enterprise.uscc();
  meter.set_description(description);
  meter.set_level(level);
  meter.set_measures(flow);
  meter.set_unit(rv1::METER_UNIT_CUBIC_METRE);
  meter.set_multiplier("1");
  static constexpr std::array<std::string_view, 3> kAccuracy = {"1", "2", "2.5"};
  meter.set_accuracy_class(
      std::string(kAccuracy[Hash(kAccuracyClass, index, 0) % kAccuracy.size()]));
  SetDate(meter.mutable_installed_on(), domain::DateOf(options_.from - absl::Hours(24 * 900)));
  SetDate(meter.mutable_calibration_due_on(),
          domain::DateOf(options_.from + absl::Hours(24 * (200 + (index % 400)))));
  meter.set_serial_number(absl::StrFormat("WZ%d%06d", options_.seed % 1000, index + 1));
  meter.set_status(rv1::METER_STATUS_ACTIVE);
  if (m.channel == Channel::kHj212) {
    // One gateway (MN) per enterprise; its meters by data code: w00000 (flow) for the first,
    // then numbered after it.
    meter.mutable_hj212()->set_mn(
        absl::StrFormat("S%dE%d", options_.seed % 1000000, enterprise + 1));
    meter.mutable_hj212()->set_data_code(absl::StrFormat("w%05d", number - 1));
  }
  // The register: 8 digits of m³, or 6 digits started near the top for a roll-over, which it
  // reaches in about three days.
  const bool rollover = Unit(Hash(kRollover, index, 0)) < options_.faults.rollover_share;
  meter.set_register_digits(rollover ? 6 : 8);
  m.register_range_milli = rollover ? 1'000'000'000LL : 100'000'000'000LL;
  const int64_t three_days = m.base_litres_per_hour * 72;
  m.start_register_milli =
      rollover ? std::max<int64_t>(m.register_range_milli / 2, m.register_range_milli - three_days)
               : static_cast<int64_t>(Hash(kStartRegister, index, 0) % 5'000'000ULL) * 1000;
  sim.meters.push_back(static_cast<int>(meters_.size()));
  meters_.push_back(std::move(m));
}

int64_t District::Consumption(int meter, int step) const {
  const SimMeter& m = meters_[static_cast<size_t>(meter)];
  const auto mi = static_cast<uint64_t>(meter);
  const auto k = static_cast<uint64_t>(step);
  const double noise = 0.8 + 0.4 * Unit(Hash(kNoise, mi, k));
  auto litres = static_cast<int64_t>(static_cast<double>(m.base_litres_per_hour) *
                                     HourProfile(TimeOf(step)) * noise);
  if (IsSpike(meter, step)) {
    litres = litres * 30 + 1000;
  }
  return litres;
}

bool District::IsSpike(int meter, int step) const {
  return options_.faults.spike_share > 0 && step > 24 &&
         Unit(Hash(kSpike, static_cast<uint64_t>(meter), static_cast<uint64_t>(step))) <
             options_.faults.spike_share;
}

bool District::IsHeld(int meter, int step) const {
  const SimEnterprise& e =
      enterprises_[static_cast<size_t>(meters_[static_cast<size_t>(meter)].enterprise)];
  if (e.outage_first != 0 && step >= e.outage_first && step <= e.outage_last) {
    return true;
  }
  const std::vector<int>& late = out_of_order_[static_cast<size_t>(meter)];
  return std::binary_search(late.begin(), late.end(), step);
}

bool District::IsDuplicated(int meter, int step) const {
  return options_.faults.duplicate_share > 0 && step >= 1 && step < last_step_ &&
         !IsHeld(meter, step) && !IsHeld(meter, step + 1) &&
         Unit(Hash(kDuplicate, static_cast<uint64_t>(meter), static_cast<uint64_t>(step))) <
             options_.faults.duplicate_share;
}

int64_t District::OutputMilli(int enterprise, int64_t month_new_water_litres) const {
  const SimEnterprise& e = enterprises_[static_cast<size_t>(enterprise)];
  if (e.true_ml_per_unit <= 0) {
    return 0;
  }
  // litres ÷ (ml per unit ÷ 1000) units, in thousandths of a unit.
  return month_new_water_litres * 1'000'000 / e.true_ml_per_unit;
}

std::vector<int> District::PlanYears() const {
  std::vector<int> years;
  const int first = domain::YearOf(TimeOf(1));
  const int last = domain::YearOf(TimeOf(std::max(1, last_step_)));
  for (int y = first; y <= last; ++y) {
    years.push_back(y);
  }
  return years;
}

}  // namespace jieshui::simulator
