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
namespace cv1 = ::jieshui::certification::v1;

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
  // New water per 万元 of value added (m³), of the size Jiangsu's statistics show for the sector
  // (illustrative, not quoted): dyeing and paper tens of m³, electronics and car parts a few.
  double m3_per_10k_yuan;
};

constexpr std::array<Sector, 14> kSectors = {{
    {"C1713", "印染", "棉印染布", "百米", 2'200'000, 1'600'000, true, 10, 45},
    {"C1723", "毛纺染整", "毛染整织物", "百米", 2'800'000, 2'000'000, true, 4, 40},
    {"C1513", "啤酒", "啤酒", "kL", 5'300'000, 3'800'000, true, 2, 30},
    {"C1514", "黄酒", "黄酒", "kL", 6'000'000, 4'500'000, true, 2, 28},
    {"C2221", "纸业", "纸板", "t", 20'000'000, 13'000'000, true, 4, 40},
    {"C2614", "化工", "有机化学原料", "t", 15'000'000, 10'000'000, true, 5, 22},
    {"C2710", "制药", "化学原料药", "t", 60'000'000, 45'000'000, true, 3, 18},
    {"C2822", "化纤", "涤纶纤维", "t", 8'000'000, 6'000'000, true, 3, 15},
    {"C3130", "钢材", "热轧钢材", "t", 2'500'000, 1'800'000, true, 3, 12},
    {"C3360", "表面处理", "", "", 0, 0, false, 8, 9},
    {"C3670", "汽车部件", "", "", 0, 0, false, 12, 3},
    {"C3973", "集成电路", "", "", 0, 0, false, 6, 6},
    {"C3982", "电路板", "印制电路板", "m²", 900'000, 600'000, false, 14, 10},
    {"C2926", "塑料包装", "", "", 0, 0, false, 10, 4},
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
  // The certification history (appended: the draws above keep their salts).
  kHistory,
  kApplies,
  kTitles,
  kTitleLevel,
  kTitleAge,
  kDocumentNumber,
  kLeader,
  kLeaderExpired,
  kLeaderAge,
  kBalance,
  kBalanceDate,
  kReturned,
  kReturnedBalance,
  kAgency,
  kWorkshops,
  kWorkshopWeight,
  kClosureGap,
  kQuality,
  kAudit,
  kAuditDate,
  kRectifications,
  kRectificationDeadline,
  kRectificationClosed,
  kRetrofit,
  kContract,
  kDemonstration,
  kProjectYear,
  kProjectSize,
  kApplicationState,
  // Statistics' submissions and the 2020 baseline (appended as well).
  kValueAdded,
  kValueAddedRate,
  kRevision,
  kPreliminary,
  kBaselineDecline,
  kBaselineGrowth,
  kBaselineReclaimed,
};

const Sector* SectorOf(std::string_view code) {
  for (const Sector& s : kSectors) {
    if (s.code == code) {
      return &s;
    }
  }
  return nullptr;
}

// A draw in [lo, hi].
int64_t Between(uint64_t h, int64_t lo, int64_t hi) {
  return lo + static_cast<int64_t>(h % static_cast<uint64_t>(hi - lo + 1));
}

// The last valid day of a title valid from `from` for `years`: the day before the anniversary
// (civil arithmetic takes 29 February of a common year to 1 March).
absl::CivilDay LastValidDay(absl::CivilDay from, int years) {
  return absl::CivilDay(from.year() + years, from.month(), from.day()) - 1;
}

// Who issues a level's certificates, for their numbers and documents.
struct Issuer {
  cv1::Level level;
  std::string_view certificate;  // 吴节水企〔2023〕…
  std::string_view document;     // 吴水〔2023〕…号
};
constexpr std::array<Issuer, 4> kIssuers = {{
    {cv1::LEVEL_DISTRICT, "吴节水企", "吴水"},
    {cv1::LEVEL_MUNICIPAL, "苏节水企", "苏水节"},
    {cv1::LEVEL_PROVINCIAL, "苏省节水企", "苏水资"},
    {cv1::LEVEL_LEADER, "苏水效领跑", "苏工信节能"},
}};

constexpr std::array<std::string_view, 3> kAgencies = {
    "江苏省水利科学研究院", "苏州市水利设计研究院有限公司", "江苏省水文水资源勘测局苏州分局"};
constexpr std::array<std::string_view, 2> kAuditors = {"苏州市节约用水管理中心",
                                                       "江苏省节约用水办公室"};
constexpr std::array<std::string_view, 4> kRectificationWork = {
    "完善二级计量，补装车间进水表", "修复厂区供水管网漏点", "冷却塔加装浮球阀与补水计量",
    "建立用水统计台账并按月分析"};
constexpr std::array<std::string_view, 3> kRetrofitTitles = {
    "循环冷却水系统节水改造", "工艺用水梯级利用改造", "中水回用系统扩容改造"};
constexpr std::array<std::string_view, 3> kContractTitles = {
    "合同节水管理：循环冷却水系统", "合同节水管理：厂区管网漏损控制", "合同节水管理：用水费用托管"};
constexpr std::array<std::string_view, 2> kServiceCompanies = {"苏州碧水节水科技有限公司",
                                                               "江苏清源合同节水服务有限公司"};

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

const std::string& RecordText(const cv1::Record& r) {
  switch (r.detail_case()) {
    case cv1::Record::kBalanceTest:
      return r.balance_test().findings();
    case cv1::Record::kAudit:
      return r.audit().findings();
    case cv1::Record::kRetrofit:
      return r.retrofit().title();
    case cv1::Record::kContract:
      return r.contract().title();
    case cv1::Record::kDemonstration:
      return r.demonstration().title();
    case cv1::Record::kPark:
      return r.park().evaluation();
    case cv1::Record::DETAIL_NOT_SET:
      break;
  }
  static const std::string kNone;
  return kNone;
}

common::v1::Date ToDate(absl::CivilDay day) {
  common::v1::Date out;
  out.set_year(static_cast<int32_t>(day.year()));
  out.set_month(day.month());
  out.set_day(day.day());
  return out;
}

absl::CivilDay DayOf(const common::v1::Date& date) {
  return absl::CivilDay(date.year(), date.month(), date.day());
}

absl::CivilDay ShanghaiDay(absl::Time t) { return absl::ToCivilDay(t, domain::ShanghaiTimeZone()); }

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
  certification_.as_of = ShanghaiDay(options_.to);
  for (int i = 0; i < options_.enterprises; ++i) {
    GenerateHistory(i);
  }
  GenerateStatistics();
  ChooseBaseline();
}

void District::GenerateStatistics() {
  const std::vector<int> years = PlanYears();
  // Value added (万元) from the enterprise's annual new water at its sector's intensity (±30%),
  // growing 6% a year; Statistics reports it to 0.1 万元.
  const auto value_added_fen = [&](int index, int year) {
    const SimEnterprise& e = enterprises_[static_cast<size_t>(index)];
    const Sector* sector = SectorOf(e.enterprise.industry_code().value());
    const double intensity = sector->m3_per_10k_yuan *
                             (0.7 + 0.6 * Unit(Hash(kValueAdded, static_cast<uint64_t>(index), 0)));
    const double annual_m3 =
        static_cast<double>(e.enterprise.latest_annual_intake().litres()) / 1000.0;
    const double wan = annual_m3 / intensity * (1.0 + 0.06 * (year - years.front()));
    return std::max<int64_t>(1, std::llround(wan * 10.0)) * 100'000;
  };
  for (const int year : years) {
    for (int i = 0; i < options_.enterprises; ++i) {
      const int64_t fen = value_added_fen(i, year);
      // Above scale (规模以上工业企业, National Bureau of Statistics since 2011): main-business
      // revenue of 20 million yuan (2,000 万元) a year or more. Revenue is value added over the
      // value-added rate (20-35%). The registry's flag is drawn on its own, so the two differ for
      // some enterprises, and Statistics' flag for the year is the one that counts.
      const double rate = 0.2 + 0.15 * Unit(Hash(kValueAddedRate, static_cast<uint64_t>(i), 0));
      const bool above_scale = static_cast<double>(fen) / 1'000'000.0 / rate >= 2000.0;
      statistics_.first.push_back(
          SimValueAdded{.enterprise = i, .year = year, .fen = fen, .above_scale = above_scale});
    }
  }
  // A few rows of the last year again: the first submission held preliminary figures (90-110% of
  // the final), and the first revised enterprise was classified the other way at first.
  std::vector<int> order(static_cast<size_t>(std::max(0, options_.enterprises)));
  for (size_t i = 0; i < order.size(); ++i) {
    order[i] = static_cast<int>(i);
  }
  std::sort(order.begin(), order.end(), [&](int a, int b) {
    return Hash(kRevision, static_cast<uint64_t>(a), 0) <
           Hash(kRevision, static_cast<uint64_t>(b), 0);
  });
  order.resize(std::min<size_t>(order.size(), 3));
  const size_t last_year_first = statistics_.first.size() - enterprises_.size();
  for (size_t n = 0; n < order.size(); ++n) {
    SimValueAdded& preliminary = statistics_.first[last_year_first + static_cast<size_t>(order[n])];
    statistics_.revised.push_back(preliminary);
    const double factor = 0.9 + 0.2 * Unit(Hash(kPreliminary, static_cast<uint64_t>(order[n]),
                                                static_cast<uint64_t>(preliminary.year)));
    int64_t fen = std::llround(static_cast<double>(preliminary.fen) * factor / 100'000.0) * 100'000;
    if (fen == preliminary.fen) {
      fen += 100'000;
    }
    preliminary.fen = fen;
    if (n == 0) {
      preliminary.above_scale = !preliminary.above_scale;
    }
  }
}

std::map<std::pair<int, int>, SimValueAdded> District::LatestValueAdded() const {
  std::map<std::pair<int, int>, SimValueAdded> out;
  for (const std::vector<SimValueAdded>* version : {&statistics_.first, &statistics_.revised}) {
    for (const SimValueAdded& v : *version) {
      out[{v.enterprise, v.year}] = v;
    }
  }
  return out;
}

void District::ChooseBaseline() {
  const int year = PlanYears().back();
  // The expected litres of the last simulated year: each meter's rate over the load profile of
  // the year's hours (the noise averages 1).
  double profile = 0;
  for (int k = 1; k <= last_step_; ++k) {
    if (domain::YearOf(TimeOf(k)) == year) {
      profile += HourProfile(TimeOf(k));
    }
  }
  double new_water = 0;
  double reclaimed = 0;
  for (const SimMeter& m : meters_) {
    if (m.meter.level() != rv1::METER_LEVEL_1) {
      continue;
    }
    const double litres = static_cast<double>(m.base_litres_per_hour) * profile;
    if (IsNewWater(m.meter.measures())) {
      new_water += litres;
    } else if (m.meter.measures() == rv1::MEASURED_FLOW_INTAKE_RECLAIMED) {
      reclaimed += litres;
    }
  }
  double value_added = 0;
  for (const auto& [key, v] : LatestValueAdded()) {
    value_added += key.second == year ? static_cast<double>(v.fen) : 0.0;
  }
  const double growth = 1.2 + 0.2 * Unit(Hash(kBaselineGrowth, 0, 0));
  const double decline = 0.12 + 0.10 * Unit(Hash(kBaselineDecline, 0, 0));
  const double increase = 0.08 + 0.17 * Unit(Hash(kBaselineReclaimed, 0, 0));
  // Whole 万元 and whole m³, as the district's statistics state them.
  baseline_.value_added_fen =
      std::max<int64_t>(1, std::llround(value_added / growth / 1'000'000.0)) * 1'000'000;
  const double intensity_2020 = value_added > 0 ? new_water / value_added / (1.0 - decline) : 0;
  baseline_.new_water_litres =
      std::max<int64_t>(1, std::llround(intensity_2020 *
                                        static_cast<double>(baseline_.value_added_fen) / 1000.0)) *
      1000;
  baseline_.reclaimed_litres = std::llround(reclaimed / (1.0 + increase) / 1000.0) * 1000;
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

bool District::CanApply(int enterprise) const {
  const SimEnterprise& e = enterprises_[static_cast<size_t>(enterprise)];
  const rv1::MeteringPoints& p = e.enterprise.metering_points();
  // The gates of schemes.yaml the platform checks: a specialist, GB/T 24789 metering at every
  // level (each level needs declared points), no over-plan year.
  return !e.enterprise.specialist().name().empty() && p.level1() > 0 && p.level2() > 0 &&
         p.level3() > 0 && !e.over_plan;
}

std::vector<int> District::Applicants() const {
  std::set<int> out;
  for (const SimApplication& a : certification_.applications) {
    out.insert(a.enterprise);
  }
  return {out.begin(), out.end()};
}

// A water balance test of 30 days ending `end`: the enterprise's metered new water and two to four
// workshops whose new water falls 0.5-6% short of it (what no workshop meter sees), inside the
// 10% closure of GB/T 12452. An exemplary test, the one an applicant files, meets the strictest
// thresholds commonly cited (repeat utilisation ≥ 97%, leakage ≤ 5%, cooling recirculation ≥
// 95%, wastewater reuse ≥ 50%, non-conventional water ≥ 5%, unit intake ≤ the quota) and leaves
// no rate undefined; an ordinary one is what most enterprises measure.
cv1::Record District::BalanceTest(int index, absl::CivilDay end, bool exemplary) const {
  const auto i = static_cast<uint64_t>(index);
  const auto day = static_cast<uint64_t>(end - absl::CivilDay(2000, 1, 1));
  const SimEnterprise& sim = enterprises_[i];
  cv1::Record r;
  *r.mutable_uscc() = sim.enterprise.uscc();
  cv1::BalanceTest* t = r.mutable_balance_test();
  t->set_agency(std::string(kAgencies[Hash(kAgency, i, day) % kAgencies.size()]));
  t->set_standard_version("GB/T 12452-2022");
  *t->mutable_period_start() = ToDate(end - 29);
  *t->mutable_period_end() = ToDate(end);

  const int64_t annual = sim.enterprise.latest_annual_intake().litres();
  const int64_t period_new = annual * 30 / 365;
  bool surface = false;
  bool ground = false;
  for (const rv1::WaterSource& source : sim.enterprise.water_sources()) {
    surface = surface || source.kind() == rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_SURFACE;
    ground = ground || source.kind() == rv1::WATER_SOURCE_KIND_SELF_SUPPLIED_GROUND;
  }
  // As the meters: tap is 30% where the enterprise supplies itself.
  const int64_t own_tap = surface || ground ? period_new * 3 / 10 : period_new;
  const int64_t own_self = period_new - own_tap;
  const auto set_new = [&](cv1::UnitVolumes* v, int64_t tap, int64_t self) {
    v->mutable_new_tap()->set_litres(tap);
    if (surface) {
      v->mutable_new_surface()->set_litres(self);
    } else if (ground) {
      v->mutable_new_ground()->set_litres(self);
    }
  };
  cv1::WaterUnit* root = t->add_units();
  root->set_unit_id("e");
  root->set_name("全厂");
  set_new(root->mutable_volumes(), own_tap, own_self);

  static constexpr std::array<std::string_view, 4> kWorkshopNames = {"一车间", "二车间", "三车间",
                                                                     "四车间"};
  const int workshops = 2 + static_cast<int>(Hash(kWorkshops, i, day) % 3);
  std::vector<int64_t> weights;
  int64_t weight_sum = 0;
  for (int j = 0; j < workshops; ++j) {
    weights.push_back(
        100 +
        static_cast<int64_t>(Hash(kWorkshopWeight, i, day + 977 * static_cast<int64_t>(j)) % 100));
    weight_sum += weights.back();
  }
  const int64_t gap_bp = Between(Hash(kClosureGap, i, day), 50, 600);
  const double q = Unit(Hash(kQuality, i, day));
  for (int j = 0; j < workshops; ++j) {
    const double share = static_cast<double>(weights[static_cast<size_t>(j)]) /
                         static_cast<double>(weight_sum) *
                         (1.0 - static_cast<double>(gap_bp) / 10000.0);
    const auto tap = static_cast<int64_t>(static_cast<double>(own_tap) * share);
    const auto self = static_cast<int64_t>(static_cast<double>(own_self) * share);
    const auto vf = static_cast<double>(tap + self);
    // Per litre of new water: recirculated (of it cooling), cooling make-up, leakage,
    // discharge, treated wastewater reused (within the recirculated), non-conventional water.
    const double recirculated = exemplary ? 40.0 : 1.0 + 14.0 * q;
    const double cooling = exemplary ? 0.9 : 0.5 + 0.4 * q;
    const double leakage = exemplary ? 0.015 : 0.02 + 0.06 * (1.0 - q);
    const double discharge = exemplary ? 0.3 : 0.5;
    const double reused = exemplary ? 0.6 : 0.3 * q;
    const double nonconventional = exemplary ? 0.1 : (q > 0.5 ? 0.04 : 0.0);
    cv1::WaterUnit* u = t->add_units();
    u->set_unit_id(absl::StrCat("ws", j + 1));
    u->set_name(std::string(kWorkshopNames[static_cast<size_t>(j)]));
    u->set_parent_id("e");
    cv1::UnitVolumes* v = u->mutable_volumes();
    set_new(v, tap, self);
    const auto litres = [vf](double per_litre) { return std::llround(vf * per_litre); };
    v->mutable_recirculated()->set_litres(litres(recirculated));
    v->mutable_cooling_recirculated()->set_litres(litres(recirculated * cooling));
    v->mutable_cooling_new()->set_litres(litres(0.3));
    v->mutable_leakage()->set_litres(litres(leakage));
    v->mutable_discharge()->set_litres(litres(discharge));
    v->mutable_consumption()->set_litres(litres(1.0 - discharge - leakage));
    v->mutable_wastewater_reused()->set_litres(litres(reused));
    v->mutable_new_nonconventional()->set_litres(litres(nonconventional));
  }
  if (const Sector* sector = SectorOf(sim.enterprise.industry_code().value());
      sector != nullptr && !sector->product.empty()) {
    cv1::ProductIntake* p = t->add_products();
    p->set_product(std::string(sector->product));
    p->set_unit(std::string(sector->unit));
    const double factor = exemplary ? 0.8 : 0.75 + 0.45 * q;
    p->set_litres_per_unit(FormatMilli(
        static_cast<int64_t>(static_cast<double>(sector->general_ml_per_unit) * factor)));
    p->set_quota_litres_per_unit(FormatMilli(sector->general_ml_per_unit));
  }
  t->mutable_reasonable_annual_intake()->set_litres(annual * 95 / 100 / 1000 * 1000);
  t->set_findings(exemplary ? "计量器具配备齐全，各车间用水合理"
                            : "冷却塔补水偏高，厂区管网存在渗漏");
  t->set_measures(exemplary ? "保持循环水系统运行，按月分析用水台账"
                            : "更换浮球阀，修复漏点，加装二级计量");
  return r;
}

void District::GenerateHistory(int index) {
  const auto i = static_cast<uint64_t>(index);
  if (Unit(Hash(kHistory, i, 0)) >= options_.certification_share) {
    return;
  }
  const SimEnterprise& sim = enterprises_[i];
  CertificationHistory& h = certification_;
  const absl::CivilDay today = h.as_of;
  const std::string number = absl::StrFormat("S%d-%04d", options_.seed, index + 1);

  // Titles, as their certificates state them: an expired one, a valid one, or an expired one
  // followed by a valid one a level up; a few valid holders are water-efficiency leaders too.
  const auto add_title = [&](cv1::Level level, absl::CivilDay from, int years) {
    const Issuer& issuer = kIssuers[static_cast<size_t>(level) - 1];
    SimTitle title{.enterprise = index, .title = {}};
    cv1::ImportTitleRequest& t = title.title;
    *t.mutable_uscc() = sim.enterprise.uscc();
    t.set_level(level);
    t.set_certificate_number(
        absl::StrCat(std::string(issuer.certificate), "〔", from.year(), "〕", number));
    t.set_document_number(absl::StrCat(std::string(issuer.document), "〔", from.year(), "〕",
                                       Between(Hash(kDocumentNumber, i, level), 10, 99), "号"));
    *t.mutable_valid_from() = ToDate(from);
    *t.mutable_valid_until() = ToDate(LastValidDay(from, years));
    h.titles.push_back(std::move(title));
  };
  const double titles = Unit(Hash(kTitles, i, 0));
  const double level_draw = Unit(Hash(kTitleLevel, i, 0));
  cv1::Level valid_level = cv1::LEVEL_UNSPECIFIED;
  if (titles < 0.55) {
    // Expired 30 days to almost three years ago (5-year titles).
    const cv1::Level expired =
        titles >= 0.25 || level_draw < 0.6 ? cv1::LEVEL_DISTRICT : cv1::LEVEL_MUNICIPAL;
    add_title(expired, today - (1826 + Between(Hash(kTitleAge, i, 1), 30, 1000)), 5);
  }
  if (titles >= 0.25 && titles < 0.85) {
    if (titles < 0.55) {  // the ladder: a level above the expired district title
      valid_level = level_draw < 0.6 ? cv1::LEVEL_MUNICIPAL : cv1::LEVEL_PROVINCIAL;
    } else {
      valid_level = level_draw < 0.4    ? cv1::LEVEL_DISTRICT
                    : level_draw < 0.75 ? cv1::LEVEL_MUNICIPAL
                                        : cv1::LEVEL_PROVINCIAL;
    }
    // Granted 60 days to 4.7 years ago: at least four months still to run.
    add_title(valid_level, today - Between(Hash(kTitleAge, i, 2), 60, 1700), 5);
  }
  if (valid_level != cv1::LEVEL_UNSPECIFIED && Unit(Hash(kLeader, i, 0)) < 0.3) {
    // A leader title lasts 2 years from publication: expired 30-400 days ago, or valid for at
    // least four more months.
    const bool expired = Unit(Hash(kLeaderExpired, i, 0)) < 0.35;
    add_title(cv1::LEVEL_LEADER,
              today - (expired ? 730 + Between(Hash(kLeaderAge, i, 0), 30, 400)
                               : Between(Hash(kLeaderAge, i, 0), 30, 600)),
              2);
  }

  // Records, each carrying a reference of its own in its text.
  int n = 0;
  const auto add_record = [&](cv1::Record record, int year, bool may_be_returned,
                              std::string return_reason) {
    ++n;
    SimRecord r{.enterprise = index,
                .record = std::move(record),
                .year = year,
                .accept = true,
                .return_reason = {},
                .reference = absl::StrFormat("〔模拟 %s-R%d〕", number, n),
                .closed_items = {}};
    if (may_be_returned && Unit(Hash(kReturned, i, static_cast<uint64_t>(n))) < 0.15) {
      r.accept = false;
      r.return_reason = std::move(return_reason);
    }
    std::string* text = nullptr;
    switch (r.record.detail_case()) {
      case cv1::Record::kBalanceTest:
        text = r.record.mutable_balance_test()->mutable_findings();
        break;
      case cv1::Record::kAudit:
        text = r.record.mutable_audit()->mutable_findings();
        break;
      case cv1::Record::kRetrofit:
        text = r.record.mutable_retrofit()->mutable_title();
        break;
      case cv1::Record::kContract:
        text = r.record.mutable_contract()->mutable_title();
        break;
      default:
        text = r.record.mutable_demonstration()->mutable_title();
        break;
    }
    absl::StrAppend(text, r.reference);
    h.records.push_back(std::move(r));
    return &h.records.back();
  };
  const bool applies = CanApply(index) && Unit(Hash(kApplies, i, 0)) < 0.8;
  if (applies) {
    // The gate wants an accepted test within 3 years: this one ended 20-300 days ago.
    const absl::CivilDay end = today - Between(Hash(kBalanceDate, i, 0), 20, 300);
    add_record(BalanceTest(index, end, true), static_cast<int>(end.year()), false, "");
  } else if (Unit(Hash(kBalance, i, 0)) < 0.55) {
    const absl::CivilDay end = today - Between(Hash(kBalanceDate, i, 0), 20, 1000);
    add_record(BalanceTest(index, end, false), static_cast<int>(end.year()), true,
               "测试期未覆盖主要生产工况，请补测");
  }
  if (Unit(Hash(kReturnedBalance, i, 0)) < 0.1) {
    const absl::CivilDay end = today - Between(Hash(kBalanceDate, i, 1), 400, 1000);
    SimRecord* r =
        add_record(BalanceTest(index, end, false), static_cast<int>(end.year()), false, "");
    r->accept = false;
    r->return_reason = "缺少水平衡方框图，车间用水量未逐一实测";
  }
  if (Unit(Hash(kAudit, i, 0)) < 0.3) {
    const absl::CivilDay end = today - Between(Hash(kAuditDate, i, 0), 30, 900);
    cv1::Record record;
    *record.mutable_uscc() = sim.enterprise.uscc();
    cv1::Audit* a = record.mutable_audit();
    a->set_auditor(std::string(kAuditors[Hash(kAudit, i, 1) % kAuditors.size()]));
    *a->mutable_period_start() = ToDate(end - 89);
    *a->mutable_period_end() = ToDate(end);
    a->set_findings("用水计量与台账不完整，部分管网漏损偏高");
    const int items = 1 + static_cast<int>(Hash(kRectifications, i, 0) % 3);
    std::vector<std::string> closed;
    for (int k = 0; k < items; ++k) {
      const auto ku = static_cast<uint64_t>(k);
      cv1::RectificationItem* item = a->add_rectifications();
      item->set_description(std::string(
          kRectificationWork[(Hash(kRectifications, i, ku + 1)) % kRectificationWork.size()]));
      const absl::CivilDay deadline = end + Between(Hash(kRectificationDeadline, i, ku), 60, 180);
      *item->mutable_deadline() = ToDate(deadline);
      // Items past their deadline were mostly done, and the bureau closed them.
      if (deadline < today && Unit(Hash(kRectificationClosed, i, ku)) < 0.7) {
        closed.push_back(absl::StrCat(k + 1));
      }
    }
    SimRecord* r = add_record(std::move(record), static_cast<int>(end.year()), true,
                              "整改措施未明确责任人与完成时限");
    r->closed_items = std::move(closed);
  }
  const int64_t annual = sim.enterprise.latest_annual_intake().litres();
  const auto project_year = [&](uint64_t salt) {
    return static_cast<int>(today.year() - Between(Hash(kProjectYear, i, salt), 0, 2));
  };
  if (Unit(Hash(kRetrofit, i, 0)) < 0.25) {
    cv1::Record record;
    *record.mutable_uscc() = sim.enterprise.uscc();
    cv1::RetrofitProject* p = record.mutable_retrofit();
    p->set_title(std::string(kRetrofitTitles[Hash(kRetrofit, i, 1) % kRetrofitTitles.size()]));
    // 500,000 to 5,000,000 yuan, up to 30% of it subsidised.
    const int64_t investment = Between(Hash(kProjectSize, i, 1), 50, 500) * 1'000'000;
    p->mutable_investment()->set_fen(investment);
    p->mutable_subsidy()->set_fen(investment * Between(Hash(kProjectSize, i, 2), 0, 30) / 100);
    p->set_year(project_year(1));
    p->mutable_expected_annual_saving()->set_litres(annual *
                                                    Between(Hash(kProjectSize, i, 3), 5, 15) / 100);
    add_record(std::move(record), p->year(), true, "投资明细与节水量测算依据不足");
  }
  if (Unit(Hash(kContract, i, 0)) < 0.1) {
    cv1::Record record;
    *record.mutable_uscc() = sim.enterprise.uscc();
    cv1::ContractProject* p = record.mutable_contract();
    const int64_t mode = Between(Hash(kContract, i, 1), 1, 3);
    p->set_title(std::string(kContractTitles[static_cast<size_t>(mode) - 1]));
    p->set_mode(static_cast<cv1::ContractMode>(mode));
    p->set_service_company(
        std::string(kServiceCompanies[Hash(kContract, i, 2) % kServiceCompanies.size()]));
    p->set_water_user(sim.enterprise.name());
    p->set_year(project_year(2));
    p->mutable_baseline_annual_intake()->set_litres(annual);
    p->mutable_guaranteed_annual_saving()->set_litres(
        annual * Between(Hash(kProjectSize, i, 4), 8, 20) / 100);
    add_record(std::move(record), p->year(), true, "合同未载明节水效益分享比例");
  }
  if (Unit(Hash(kDemonstration, i, 0)) < 0.08) {
    cv1::Record record;
    *record.mutable_uscc() = sim.enterprise.uscc();
    cv1::Demonstration* d = record.mutable_demonstration();
    const bool zero_discharge = Hash(kDemonstration, i, 1) % 2 == 0;
    d->set_kind(zero_discharge ? cv1::DEMONSTRATION_KIND_NEAR_ZERO_DISCHARGE
                               : cv1::DEMONSTRATION_KIND_RECLAIMED_WATER);
    d->set_title(zero_discharge ? "废水近零排放示范工程" : "再生水利用示范工程");
    d->set_year(project_year(3));
    d->mutable_daily_capacity()->set_litres(Between(Hash(kProjectSize, i, 5), 200, 2000) * 1000);
    add_record(std::move(record), d->year(), true, "处理能力未经第三方核定");
  }

  // An application a level above the valid title (district when none): a leader candidate's
  // stays a draft (last year's intake, a leader gate, is not in the platform), the others stand
  // anywhere from draft to public notice.
  if (applies) {
    SimApplication app{.enterprise = index,
                       .level = cv1::LEVEL_DISTRICT,
                       .state = cv1::APPLICATION_STATE_DRAFT,
                       .documents = {}};
    switch (valid_level) {
      case cv1::LEVEL_DISTRICT:
        app.level = cv1::LEVEL_MUNICIPAL;
        break;
      case cv1::LEVEL_MUNICIPAL:
        app.level = cv1::LEVEL_PROVINCIAL;
        break;
      case cv1::LEVEL_PROVINCIAL:
        app.level = cv1::LEVEL_LEADER;
        break;
      default:
        break;
    }
    if (app.level != cv1::LEVEL_LEADER) {
      app.state = static_cast<cv1::ApplicationState>(cv1::APPLICATION_STATE_DRAFT +
                                                     Hash(kApplicationState, i, 0) % 5);
    }
    std::string permit;
    for (const rv1::WaterSource& source : sim.enterprise.water_sources()) {
      if (!source.intake_permit_number().empty()) {
        permit = source.intake_permit_number();
      }
    }
    app.documents["intake_permit"] =
        permit.empty() ? absl::StrFormat("供水合同 苏州吴中供水〔2022〕第%05d号", index + 1)
                       : permit;
    h.applications.push_back(std::move(app));
  }
}

}  // namespace jieshui::simulator
