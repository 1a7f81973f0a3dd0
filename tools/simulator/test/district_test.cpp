// The simulated district: deterministic per seed, valid identifiers, gateways that send every
// reading (faults included), a certification history the service takes (balance tests that
// close, applicants that pass the gates) and a ground truth that adds up.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <map>
#include <set>
#include <vector>

#include "district.hpp"
#include "domain/industry_code.hpp"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "gateway.hpp"
#include "truth.hpp"

namespace jieshui::simulator {
namespace {

namespace rv1 = ::jieshui::registry::v1;
namespace cv1 = ::jieshui::certification::v1;

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

// The default district: 300 enterprises, ending 2026-12-02 10:00 Shanghai.
Options DefaultDistrict(uint64_t seed) {
  Options o;
  o.seed = seed;
  o.to = domain::StartOf(*domain::Date::Create(2026, 12, 2)) + absl::Hours(10);
  o.from = domain::StartOf(*domain::Date::Create(2026, 11, 1));
  o.faults = FaultOptions::Default();
  return o;
}

int64_t NewWater(const cv1::UnitVolumes& v) {
  return v.new_tap().litres() + v.new_surface().litres() + v.new_ground().litres();
}

TEST(CertificationHistory, TheSameSeedGivesTheSameHistoryAndAnotherSeedAnother) {
  const District a(DefaultDistrict(4));
  const District b(DefaultDistrict(4));
  const District c(DefaultDistrict(5));
  const CertificationHistory& ha = a.certification();
  const CertificationHistory& hb = b.certification();
  ASSERT_EQ(ha.records.size(), hb.records.size());
  ASSERT_EQ(ha.titles.size(), hb.titles.size());
  ASSERT_EQ(ha.applications.size(), hb.applications.size());
  for (size_t i = 0; i < ha.records.size(); ++i) {
    EXPECT_EQ(ha.records[i].record.SerializeAsString(), hb.records[i].record.SerializeAsString());
    EXPECT_EQ(ha.records[i].accept, hb.records[i].accept);
    EXPECT_EQ(ha.records[i].closed_items, hb.records[i].closed_items);
  }
  for (size_t i = 0; i < ha.titles.size(); ++i) {
    EXPECT_EQ(ha.titles[i].title.SerializeAsString(), hb.titles[i].title.SerializeAsString());
  }
  for (size_t i = 0; i < ha.applications.size(); ++i) {
    EXPECT_EQ(ha.applications[i].enterprise, hb.applications[i].enterprise);
    EXPECT_EQ(ha.applications[i].state, hb.applications[i].state);
  }
  EXPECT_EQ(a.Applicants(), b.Applicants());
  EXPECT_NE(ha.records.front().record.uscc().value(),
            c.certification().records.front().record.uscc().value());
}

TEST(CertificationHistory, ADefaultDistrictHasTensOfRecordsExpiredAndValidTitlesAndApplications) {
  const District d(DefaultDistrict(1));
  const CertificationHistory& h = d.certification();
  EXPECT_EQ(h.as_of, absl::CivilDay(2026, 12, 2));
  // Modest, so a run stays fast: tens of records for 300 enterprises.
  EXPECT_GE(h.records.size(), 20U);
  EXPECT_LE(h.records.size(), 150U);
  std::map<cv1::Record::DetailCase, int> kinds;
  int returned = 0;
  for (const SimRecord& r : h.records) {
    ++kinds[r.record.detail_case()];
    returned += r.accept ? 0 : 1;
  }
  EXPECT_EQ(kinds.size(), 5U) << "balance tests, audits, retrofit, contract, demonstrations";
  EXPECT_GT(returned, 0);
  int expired = 0;
  int valid = 0;
  int leaders = 0;
  for (const SimTitle& t : h.titles) {
    (CertificationTruth::ValidOn(t, h.as_of) ? valid : expired) += 1;
    leaders += t.title.level() == cv1::LEVEL_LEADER ? 1 : 0;
  }
  EXPECT_GT(expired, 0);
  EXPECT_GT(valid, 0);
  EXPECT_GT(leaders, 0);
  std::set<cv1::ApplicationState> states;
  for (const SimApplication& a : h.applications) {
    states.insert(a.state);
  }
  EXPECT_GE(states.size(), 3U);
  EXPECT_EQ(d.Applicants().size(), h.applications.size()) << "one application per applicant";
}

TEST(CertificationHistory, NoShareNoHistory) {
  Options o = DefaultDistrict(1);
  o.certification_share = 0;
  const District d(o);
  EXPECT_TRUE(d.certification().records.empty());
  EXPECT_TRUE(d.certification().titles.empty());
  EXPECT_TRUE(d.certification().applications.empty());
}

// GB/T 12452: at every unit with parts, the parts' new water within 10% of the unit's own.
TEST(CertificationHistory, EveryBalanceTestClosesWithinTenPercentAndFillsWhatTheServiceRequires) {
  for (const uint64_t seed : {1, 2, 3}) {
    const District d(DefaultDistrict(seed));
    for (const SimRecord& r : d.certification().records) {
      if (!r.record.has_balance_test()) {
        continue;
      }
      const cv1::BalanceTest& t = r.record.balance_test();
      SCOPED_TRACE(r.reference);
      EXPECT_FALSE(t.agency().empty());
      EXPECT_FALSE(t.standard_version().empty());
      EXPECT_EQ(r.year, t.period_end().year());
      EXPECT_LE(DayOf(t.period_start()), DayOf(t.period_end()));
      ASSERT_GE(t.units_size(), 3);
      const cv1::WaterUnit& root = t.units(0);
      EXPECT_TRUE(root.parent_id().empty());
      int64_t parts = 0;
      for (int u = 1; u < t.units_size(); ++u) {
        EXPECT_EQ(t.units(u).parent_id(), root.unit_id());
        parts += NewWater(t.units(u).volumes());
      }
      const int64_t own = NewWater(root.volumes());
      ASSERT_GT(own, 0);
      // The workshops see 0.5-6% less than the enterprise's meter: short, never over.
      EXPECT_LT(parts, own);
      EXPECT_LE((own - parts) * 10000, 600 * own);
      EXPECT_GE((own - parts) * 10000, 40 * own);
    }
  }
}

// What the service will compute from an applicant's test (GB/T 7119 rates over the leaves):
// every rate defined and at the strictest thresholds schemes.yaml cites, so its technical items
// score full points.
TEST(CertificationHistory, ApplicantsPassTheGatesWithARecentExemplaryTest) {
  for (const uint64_t seed : {1, 2, 3}) {
    const District d(DefaultDistrict(seed));
    const CertificationHistory& h = d.certification();
    for (const SimApplication& a : h.applications) {
      const SimEnterprise& e = d.enterprises()[static_cast<size_t>(a.enterprise)];
      SCOPED_TRACE(e.enterprise.uscc().value());
      EXPECT_TRUE(d.CanApply(a.enterprise));
      EXPECT_FALSE(e.enterprise.specialist().name().empty());
      EXPECT_FALSE(e.over_plan);
      EXPECT_FALSE(a.documents.at("intake_permit").empty());
      EXPECT_GE(a.state, cv1::APPLICATION_STATE_DRAFT);
      EXPECT_LE(a.state, cv1::APPLICATION_STATE_PUBLIC_NOTICE);
      if (a.level == cv1::LEVEL_LEADER) {
        EXPECT_EQ(a.state, cv1::APPLICATION_STATE_DRAFT);
      }
      std::vector<const SimRecord*> accepted;
      for (const SimRecord& r : h.records) {
        if (r.enterprise == a.enterprise && r.accept && r.record.has_balance_test()) {
          accepted.push_back(&r);
        }
      }
      ASSERT_EQ(accepted.size(), 1U) << "the test scored is the applicant's only accepted one";
      const cv1::BalanceTest& t = accepted[0]->record.balance_test();
      EXPECT_GE(DayOf(t.period_end()), h.as_of - int64_t{3 * 365});
      int64_t vf = 0, vr = 0, vcr = 0, vcf = 0, vl = 0, vw = 0, vd = 0, vu = 0;
      for (int u = 1; u < t.units_size(); ++u) {
        const cv1::UnitVolumes& v = t.units(u).volumes();
        vf += NewWater(v);
        vr += v.recirculated().litres() + v.series().litres();
        vcr += v.cooling_recirculated().litres();
        vcf += v.cooling_new().litres();
        vl += v.leakage().litres();
        vw += v.wastewater_reused().litres();
        vd += v.discharge().litres();
        vu += v.new_nonconventional().litres();
      }
      EXPECT_GE(vr * 100, 97 * (vr + vf)) << "repeat utilisation";
      EXPECT_GE(vcr * 100, 95 * (vcr + vcf)) << "cooling recirculation";
      EXPECT_LE(vl * 100, 5 * vf) << "leakage";
      EXPECT_GE(vw * 100, 50 * (vw + vd)) << "wastewater reuse";
      EXPECT_GE(vu * 100, 5 * (vf + vu)) << "non-conventional water";
      EXPECT_LE(vcr, vr);
      EXPECT_LE(vw, vr);
      EXPECT_LE(vcf, vf);
      for (const cv1::ProductIntake& p : t.products()) {
        EXPECT_LT(std::stod(p.litres_per_unit()), std::stod(p.quota_litres_per_unit()));
      }
    }
  }
}

TEST(CertificationHistory, TitlesAndRecordsAreDatedInThePastAndFarFromToday) {
  const District d(DefaultDistrict(2));
  const CertificationHistory& h = d.certification();
  std::set<std::pair<int, std::string>> certificates;
  for (const SimTitle& t : h.titles) {
    const absl::CivilDay from = DayOf(t.title.valid_from());
    const absl::CivilDay until = DayOf(t.title.valid_until());
    EXPECT_LT(from, h.as_of - 29) << "imported once granted";
    EXPECT_LT(from, until);
    // Never within four weeks of today either way, so a run near midnight counts the same.
    EXPECT_TRUE(until < h.as_of - 28 || until > h.as_of + 28) << t.title.certificate_number();
    EXPECT_TRUE(certificates.emplace(t.title.level(), t.title.certificate_number()).second);
    EXPECT_FALSE(t.title.document_number().empty());
  }
  std::set<std::pair<int, std::string>> references;
  for (const SimRecord& r : h.records) {
    EXPECT_TRUE(references.emplace(r.enterprise, r.reference).second) << r.reference;
    EXPECT_NE(RecordText(r.record).find(r.reference), std::string::npos);
    EXPECT_GE(r.year, h.as_of.year() - 3);
    EXPECT_LE(r.year, h.as_of.year());
    EXPECT_EQ(r.accept, r.return_reason.empty());
    if (r.record.has_audit()) {
      EXPECT_GE(r.record.audit().rectifications_size(), 1);
      EXPECT_LE(r.closed_items.size(), static_cast<size_t>(r.record.audit().rectifications_size()));
    }
  }
}

TEST(CertificationTruth, CountsAcceptedRecordsByYearAndCertifiesAtTheHighestValidLevel) {
  const District d(DefaultDistrict(3));
  const CertificationHistory& h = d.certification();
  const CertificationTruth truth(d);
  int accepted = 0;
  int counted = 0;
  int titles = 0;
  for (const SimRecord& r : h.records) {
    accepted += r.accept ? 1 : 0;
  }
  for (const int year : truth.Years()) {
    const ActivityFigures a = truth.Activity(year);
    counted +=
        a.balance_tests + a.audits + a.retrofit_projects + a.contract_projects + a.demonstrations;
    for (const int n : a.granted) {
      titles += n;
    }
  }
  EXPECT_EQ(counted, accepted);
  EXPECT_EQ(titles, static_cast<int>(h.titles.size()));
  const auto certified = truth.CertifiedOn(h.as_of);
  EXPECT_FALSE(certified.empty());
  for (const SimTitle& t : h.titles) {
    const std::string& uscc = t.title.uscc().value();
    if (t.title.level() == cv1::LEVEL_LEADER) {
      EXPECT_EQ(truth.LeadersOn(h.as_of).contains(uscc), CertificationTruth::ValidOn(t, h.as_of));
    } else if (CertificationTruth::ValidOn(t, h.as_of)) {
      ASSERT_TRUE(certified.contains(uscc));
      EXPECT_GE(certified.at(uscc), t.title.level());
    }
  }
  for (const auto& [uscc, level] : certified) {
    EXPECT_NE(level, cv1::LEVEL_LEADER);
  }
  int applications = 0;
  for (const auto& [state, n] : truth.Applications()) {
    applications += n;
  }
  EXPECT_EQ(applications, static_cast<int>(h.applications.size()));
}

TEST(GroundTruth, RecirculatedAndReusedWaterCountAtEveryLevelAndAreNoNewWater) {
  const District d(SmallDistrict(13, ManyFaults()));
  const GroundTruth truth(d);
  int repeating = 0;
  for (size_t e = 0; e < d.enterprises().size(); ++e) {
    int64_t recirculated = 0;
    int64_t reused = 0;
    for (const int m : d.enterprises()[e].meters) {
      const rv1::MeasuredFlow flow = d.meters()[static_cast<size_t>(m)].meter.measures();
      for (int k = 1; k <= d.last_step(); ++k) {
        recirculated += flow == rv1::MEASURED_FLOW_RECIRCULATED_COOLING ? d.Consumption(m, k) : 0;
        reused += flow == rv1::MEASURED_FLOW_REUSED_PROCESS ? d.Consumption(m, k) : 0;
      }
    }
    int64_t served_recirculated = 0;
    int64_t served_reused = 0;
    for (const auto& [month, t] : truth.Of(static_cast<int>(e))) {
      served_recirculated += t.recirculated;
      served_reused += t.reused;
    }
    EXPECT_EQ(served_recirculated, recirculated);
    EXPECT_EQ(served_reused, reused);
    repeating += recirculated + reused > 0 ? 1 : 0;
  }
  EXPECT_GT(repeating, 0);
}

TEST(Statistics, EveryEnterpriseAndYearIsSubmittedAndAFewRowsAreRevisedAsANewVersion) {
  const District d(SmallDistrict(5, FaultOptions{}));
  const StatisticsSubmissions& s = d.statistics();
  ASSERT_EQ(d.PlanYears(), std::vector<int>{2026});
  ASSERT_EQ(s.first.size(), d.enterprises().size());
  std::set<int> enterprises;
  for (const SimValueAdded& v : s.first) {
    EXPECT_EQ(v.year, 2026);
    EXPECT_GT(v.fen, 0);
    EXPECT_EQ(v.fen % 100'000, 0) << "reported to 0.1 万元";
    enterprises.insert(v.enterprise);
  }
  EXPECT_EQ(enterprises.size(), d.enterprises().size());
  ASSERT_EQ(s.revised.size(), 3U);
  const auto latest = d.LatestValueAdded();
  for (size_t n = 0; n < s.revised.size(); ++n) {
    const SimValueAdded& final_figures = s.revised[n];
    const SimValueAdded& preliminary = s.first[static_cast<size_t>(final_figures.enterprise)];
    EXPECT_EQ(preliminary.enterprise, final_figures.enterprise);
    EXPECT_NE(preliminary.fen, final_figures.fen);
    // Within 10% (and the 0.1 万元 the figures are rounded to).
    EXPECT_LE(std::abs(preliminary.fen - final_figures.fen), final_figures.fen / 10 + 200'000);
    // The first revised row was classified the other way at first.
    EXPECT_EQ(preliminary.above_scale != final_figures.above_scale, n == 0);
    EXPECT_EQ(latest.at({final_figures.enterprise, 2026}), final_figures);
  }
  EXPECT_EQ(latest.size(), d.enterprises().size());
  const District again(SmallDistrict(5, FaultOptions{}));
  EXPECT_EQ(again.statistics().first, s.first);
  EXPECT_EQ(again.statistics().revised, s.revised);
  EXPECT_EQ(again.baseline(), d.baseline());
}

TEST(Statistics, WaterPerTenThousandYuanIsRealisticAndSomeFlagsDifferFromTheRegistry) {
  const District d(DefaultDistrict(2));
  int differ = 0;
  int above = 0;
  for (const auto& [key, v] : d.LatestValueAdded()) {
    const SimEnterprise& e = d.enterprises()[static_cast<size_t>(key.first)];
    const double wan = static_cast<double>(v.fen) / 1'000'000.0;
    const double m3 = static_cast<double>(e.enterprise.latest_annual_intake().litres()) / 1000.0;
    // Of the size sector figures show: a few m³ per 万元 (car parts) to some tens (dyeing).
    EXPECT_GE(m3 / wan, 1.5) << e.enterprise.industry_code().value();
    EXPECT_LE(m3 / wan, 60.0) << e.enterprise.industry_code().value();
    // Above scale at 2,000 万元 of revenue, which is value added over a rate of 20-35%.
    if (wan >= 2000 * 0.35) {
      EXPECT_TRUE(v.above_scale) << wan;
    }
    if (wan < 2000 * 0.2) {
      EXPECT_FALSE(v.above_scale) << wan;
    }
    differ += v.above_scale != e.enterprise.above_scale() ? 1 : 0;
    above += v.above_scale ? 1 : 0;
  }
  EXPECT_GT(differ, 0);
  EXPECT_GT(above, 0);
  EXPECT_LT(above, static_cast<int>(d.enterprises().size()));
}

TEST(ReportingTruth, BasisPointsAreRoundedOnceHalfAwayFromZero) {
  EXPECT_EQ(BasisPointsOf(1, 8), 1250);
  EXPECT_EQ(BasisPointsOf(2, 3), 6667);     // 6666.67
  EXPECT_EQ(BasisPointsOf(-1, 3), -3333);   // -3333.33
  EXPECT_EQ(BasisPointsOf(1, 20000), 1);    // 0.5 up
  EXPECT_EQ(BasisPointsOf(-1, 20000), -1);  // -0.5 away from zero
  EXPECT_EQ(BasisPointsOf(1, -20000), -1);
  EXPECT_EQ(BasisPointsOf(0, 5), 0);
  EXPECT_EQ(BasisPointsOf(5, 0), std::nullopt);
}

TEST(ReportingTruth, TheSixRowsAddUpTheEnterprisesAndTheBaselineMakesThemMeaningful) {
  const District d(SmallDistrict(5, FaultOptions{}));
  const GroundTruth ground(d);
  const ReportingTruth truth(d, ground, true);
  ASSERT_EQ(truth.Years(), std::vector<int>{2026});
  const std::vector<TableRow> rows = truth.Rows(2026);
  ASSERT_EQ(rows.size(), 6U);
  EXPECT_EQ(rows[0].code, "water_use_per_value_added_decline");
  EXPECT_EQ(rows[5].code, "reclaimed_water_increase");
  int64_t new_water = 0;
  int64_t value_added = 0;
  int64_t reclaimed = 0;
  absl::int128 above_repeated = 0;
  absl::int128 above_all = 0;
  int carriers = 0;
  int certified = 0;
  int tests = 0;
  for (size_t e = 0; e < d.enterprises().size(); ++e) {
    const EnterpriseYearFigures& f = truth.Of(static_cast<int>(e), 2026);
    new_water += f.new_water;
    value_added += f.value_added_fen;
    reclaimed += f.reclaimed;
    if (f.above_scale) {
      above_repeated += f.repeated;
      above_all += absl::int128(f.repeated) + f.new_water;
    }
    // 5.5 days of September and October: annualised over 2 months, × 6.
    EXPECT_EQ(f.annualised_intake, f.new_water * 12 / 2);
    EXPECT_EQ(f.carrier, f.annualised_intake >= 200'000'000);
    carriers += f.carrier ? 1 : 0;
    certified += f.carrier && f.certified ? 1 : 0;
    tests += f.balance_tests;
  }
  const SimBaseline& b = d.baseline();
  // 1: (Vf₀·ΣVA − ΣVf·VA₀) / (Vf₀·ΣVA).
  EXPECT_EQ(rows[0].numerator, absl::int128(b.new_water_litres) * value_added -
                                   absl::int128(new_water) * b.value_added_fen);
  EXPECT_EQ(rows[0].denominator, absl::int128(b.new_water_litres) * value_added);
  EXPECT_EQ(rows[1].numerator, above_repeated);
  EXPECT_EQ(rows[1].denominator, above_all);
  EXPECT_EQ(rows[2].numerator, certified);
  EXPECT_EQ(rows[2].denominator, carriers);
  EXPECT_TRUE(rows[3].count);
  EXPECT_EQ(rows[3].value, tests);
  EXPECT_EQ(rows[5].numerator, absl::int128(reclaimed) - b.reclaimed_litres);
  EXPECT_EQ(rows[5].denominator, b.reclaimed_litres);
  // The baseline was drawn for a decline of 12-22% and an increase of 8-25%: the rows land there,
  // give or take the meters' noise.
  ASSERT_TRUE(rows[0].basis_points.has_value());
  EXPECT_GE(*rows[0].basis_points, 1000);
  EXPECT_LE(*rows[0].basis_points, 2400);
  ASSERT_TRUE(rows[5].basis_points.has_value());
  EXPECT_GE(*rows[5].basis_points, 500);
  EXPECT_LE(*rows[5].basis_points, 2800);
  // Without the certification history no title and no record counts.
  const ReportingTruth bare(d, ground, false);
  EXPECT_EQ(bare.Rows(2026)[2].numerator, 0);
  EXPECT_EQ(bare.Rows(2026)[3].value, 0);
}

}  // namespace
}  // namespace jieshui::simulator
