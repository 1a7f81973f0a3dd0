// The simulated district: deterministic per seed, valid identifiers, gateways that send every
// reading (faults included) and a ground truth that adds up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "district.hpp"
#include "domain/industry_code.hpp"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "gateway.hpp"
#include "truth.hpp"

namespace jieshui::simulator {
namespace {

namespace rv1 = ::jieshui::registry::v1;

Options SmallDistrict(uint64_t seed, FaultOptions faults) {
  Options o;
  o.seed = seed;
  o.enterprises = 40;
  // 2026-09-28 00:00 to 2026-10-03 12:00 Shanghai: crosses a month end.
  o.from = domain::StartOf(*domain::Date::Create(2026, 9, 28));
  o.to = o.from + absl::Hours(5 * 24 + 12);
  o.faults = faults;
  return o;
}

FaultOptions ManyFaults() {
  FaultOptions f = FaultOptions::Default();
  f.outage_share = 0.5;
  f.duplicate_share = 0.02;
  f.out_of_order_share = 0.02;
  f.rollover_share = 0.3;
  f.spike_share = 0.01;
  f.over_plan_share = 0.3;
  return f;
}

TEST(District, TheSameSeedGivesTheSameDistrictAndAnotherSeedAnother) {
  const District a(SmallDistrict(7, ManyFaults()));
  const District b(SmallDistrict(7, ManyFaults()));
  const District c(SmallDistrict(8, ManyFaults()));
  ASSERT_EQ(a.meters().size(), b.meters().size());
  for (size_t i = 0; i < a.enterprises().size(); ++i) {
    EXPECT_EQ(a.enterprises()[i].enterprise.SerializeAsString(),
              b.enterprises()[i].enterprise.SerializeAsString());
    EXPECT_EQ(a.enterprises()[i].annual_plan_litres, b.enterprises()[i].annual_plan_litres);
  }
  for (size_t m = 0; m < a.meters().size(); ++m) {
    EXPECT_EQ(a.meters()[m].meter.SerializeAsString(), b.meters()[m].meter.SerializeAsString());
    for (int k = 1; k <= a.last_step(); k += 7) {
      EXPECT_EQ(a.Consumption(static_cast<int>(m), k), b.Consumption(static_cast<int>(m), k));
    }
  }
  EXPECT_NE(a.enterprises()[0].enterprise.uscc().value(),
            c.enterprises()[0].enterprise.uscc().value());
}

TEST(District, IdentifiersAreValidAndMetersSitAtLevelsOneToThree) {
  const District d(SmallDistrict(3, ManyFaults()));
  std::set<std::string> usccs;
  std::set<std::string> meter_ids;
  std::set<std::string> mns;
  const std::set<std::string> towns = {"甪直镇",   "木渎镇",   "胥口镇",   "东山镇",
                                       "光福镇",   "金庭镇",   "临湖镇",   "长桥街道",
                                       "越溪街道", "郭巷街道", "横泾街道", "香山街道",
                                       "苏苑街道", "龙西街道", "城南街道", "太湖街道"};
  ASSERT_EQ(d.enterprises().size(), 40U);
  for (const SimEnterprise& e : d.enterprises()) {
    const std::string& uscc = e.enterprise.uscc().value();
    EXPECT_TRUE(domain::Uscc::Parse(uscc).ok()) << uscc;
    EXPECT_TRUE(usccs.insert(uscc).second) << uscc;
    absl::StatusOr<domain::IndustryCode> code =
        domain::IndustryCode::Parse(e.enterprise.industry_code().value());
    ASSERT_TRUE(code.ok()) << e.enterprise.industry_code().value();
    EXPECT_EQ(e.enterprise.industry_code().value().substr(0, 1), "C");  // manufacturing
    EXPECT_EQ(e.enterprise.industry_code().value().size(), 5U);         // a class
    EXPECT_TRUE(towns.contains(e.enterprise.town())) << e.enterprise.town();
    EXPECT_GE(e.meters.size(), 1U);
    EXPECT_LE(e.meters.size(), 40U);
    const SimMeter& first = d.meters()[static_cast<size_t>(e.meters[0])];
    EXPECT_EQ(first.meter.level(), rv1::METER_LEVEL_1);
    EXPECT_EQ(first.meter.measures(), rv1::MEASURED_FLOW_INTAKE_MUNICIPAL_TAP);
    const rv1::MeteringPoints& p = e.enterprise.metering_points();
    EXPECT_EQ(static_cast<size_t>(p.level1() + p.level2() + p.level3()), e.meters.size());
    EXPECT_GT(e.annual_plan_litres.at(2026), 0);
  }
  for (const SimMeter& m : d.meters()) {
    EXPECT_TRUE(meter_ids.insert(m.meter.meter_id()).second) << m.meter.meter_id();
    EXPECT_GE(m.meter.level(), rv1::METER_LEVEL_1);
    EXPECT_LE(m.meter.level(), rv1::METER_LEVEL_3);
    EXPECT_GT(m.base_litres_per_hour, 0);
    if (m.channel == Channel::kHj212) {
      const std::string identity = m.meter.hj212().mn() + "/" + m.meter.hj212().data_code();
      EXPECT_TRUE(mns.insert(identity).second) << identity;
    }
  }
}

TEST(District, OverPlanEnterprisesArePlannedBelowWhatTheyUse) {
  const District d(SmallDistrict(11, ManyFaults()));
  int over = 0;
  for (const SimEnterprise& e : d.enterprises()) {
    int64_t hourly = 0;
    for (const int m : e.meters) {
      const SimMeter& meter = d.meters()[static_cast<size_t>(m)];
      if (meter.meter.level() == rv1::METER_LEVEL_1 && IsNewWater(meter.meter.measures())) {
        hourly += meter.base_litres_per_hour;
      }
    }
    // The mean weekly load is 0.804 of the base rate.
    const double expected = static_cast<double>(hourly) * 8760 * 0.804;
    const auto plan = static_cast<double>(e.annual_plan_litres.at(2026));
    if (e.over_plan) {
      ++over;
      EXPECT_LT(plan, expected);
    } else {
      EXPECT_GT(plan, expected);
    }
  }
  EXPECT_GT(over, 0);
}

// Plays every step; returns each meter's readings in the order sent.
std::vector<std::vector<TrueReading>> PlayAll(const District& d, GatewayTally* tally) {
  GatewayPlayer player(d);
  std::vector<std::vector<TrueReading>> sent(d.meters().size());
  std::vector<TrueReading> out;
  for (int k = 0; k <= d.last_step(); ++k) {
    out.clear();
    player.Play(k, &out);
    for (const TrueReading& r : out) {
      sent[static_cast<size_t>(r.meter)].push_back(r);
    }
  }
  *tally = player.tally();
  return sent;
}

TEST(Gateway, WithoutFaultsEveryReadingIsSentOnceInOrderAndRegistersAddUp) {
  const District d(SmallDistrict(5, FaultOptions{}));
  GatewayTally tally;
  const auto sent = PlayAll(d, &tally);
  EXPECT_EQ(tally.held, 0);
  EXPECT_EQ(tally.duplicates, 0);
  for (size_t m = 0; m < sent.size(); ++m) {
    ASSERT_EQ(sent[m].size(), static_cast<size_t>(d.last_step()) + 1);
    EXPECT_EQ(sent[m][0].register_milli, d.meters()[m].start_register_milli);
    for (int k = 1; k <= d.last_step(); ++k) {
      EXPECT_EQ(sent[m][static_cast<size_t>(k)].step, k);
      // m³ registers with three decimals: one thousandth is one litre.
      EXPECT_EQ(sent[m][static_cast<size_t>(k)].register_milli -
                    sent[m][static_cast<size_t>(k) - 1].register_milli,
                d.Consumption(static_cast<int>(m), k));
    }
  }
}

TEST(Gateway, FaultsDelayAndRepeatReadingsButLoseNoneAndStayWithinOneDay) {
  const District d(SmallDistrict(9, ManyFaults()));
  GatewayTally tally;
  const auto sent = PlayAll(d, &tally);
  EXPECT_GT(tally.held, 0);
  EXPECT_GT(tally.duplicates, 0);
  EXPECT_GT(tally.rollovers, 0);
  EXPECT_GT(tally.spikes, 0);
  int64_t late = 0;
  for (size_t m = 0; m < sent.size(); ++m) {
    std::map<int, int> times_sent;
    int newest = -1;
    for (const TrueReading& r : sent[m]) {
      ++times_sent[r.step];
      if (r.step < newest && times_sent[r.step] == 1) {
        ++late;
        // A late reading shares its Shanghai day with the reading that overtook it.
        EXPECT_EQ(domain::DateOf(d.TimeOf(r.step)), domain::DateOf(d.TimeOf(newest)));
      }
      newest = std::max(newest, r.step);
    }
    ASSERT_EQ(times_sent.size(), static_cast<size_t>(d.last_step()) + 1) << "meter " << m;
    for (const auto& [step, n] : times_sent) {
      EXPECT_LE(n, 2);
    }
  }
  EXPECT_EQ(late, tally.held);
  // A meter that rolled over wrapped at 10^6 m³: its register fell from the top to near 0.
  for (size_t m = 0; m < sent.size(); ++m) {
    if (d.meters()[m].meter.register_digits() == 6) {
      EXPECT_GT(d.meters()[m].start_register_milli, 900'000'000);
    }
  }
}

TEST(GroundTruth, MonthsSplitAtShanghaiMidnightAndNewWaterLeavesOutReclaimed) {
  const District d(SmallDistrict(13, ManyFaults()));
  const GroundTruth truth(d);
  EXPECT_THAT(truth.months(), ::testing::ElementsAre("2026-09", "2026-10"));
  // The hour ending 2026-10-01 00:00 Shanghai is step 3 × 24 and belongs to October.
  const int first_october = 3 * 24;
  ASSERT_EQ(MonthKey(d.TimeOf(first_october)), "2026-10");
  ASSERT_EQ(MonthKey(d.TimeOf(first_october - 1)), "2026-09");
  for (size_t e = 0; e < d.enterprises().size(); ++e) {
    std::map<std::string, int64_t> new_water;
    std::map<std::string, int64_t> reclaimed;
    for (const int m : d.enterprises()[e].meters) {
      const SimMeter& meter = d.meters()[static_cast<size_t>(m)];
      if (meter.meter.level() != rv1::METER_LEVEL_1) {
        continue;
      }
      for (int k = 1; k <= d.last_step(); ++k) {
        const std::string month = k < first_october ? "2026-09" : "2026-10";
        if (IsNewWater(meter.meter.measures())) {
          new_water[month] += d.Consumption(m, k);
        } else if (meter.meter.measures() == rv1::MEASURED_FLOW_INTAKE_RECLAIMED) {
          reclaimed[month] += d.Consumption(m, k);
        }
      }
    }
    for (const std::string month : {"2026-09", "2026-10"}) {
      const MonthTruth& t = truth.Of(static_cast<int>(e)).at(month);
      EXPECT_EQ(t.new_water, new_water[month]);
      EXPECT_GT(t.new_water, 0);
      const auto it = t.intake.find(rv1::MEASURED_FLOW_INTAKE_RECLAIMED);
      EXPECT_EQ(it == t.intake.end() ? 0 : it->second, reclaimed[month]);
    }
  }
}

}  // namespace
}  // namespace jieshui::simulator
