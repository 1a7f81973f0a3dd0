// The certification history through the certification service (driver.hpp): records filed by
// water_affairs on the enterprises' behalf and reviewed, titles imported from their certificates,
// applications created, scored and submitted by each enterprise with its own key and reviewed by
// the bureaus (separation of duties: no one both applies and reviews); then its figures against
// the ground truth.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "absl/strings/match.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "calls.hpp"
#include "driver.hpp"
#include "jieshui/certification/v1/certification_service.grpc.pb.h"

namespace jieshui::simulator {
namespace {

namespace cv1 = ::jieshui::certification::v1;

using Stub = cv1::CertificationService::Stub;

std::string LevelName(cv1::Level level) {
  switch (level) {
    case cv1::LEVEL_DISTRICT:
      return "district";
    case cv1::LEVEL_MUNICIPAL:
      return "municipal";
    case cv1::LEVEL_PROVINCIAL:
      return "provincial";
    case cv1::LEVEL_LEADER:
      return "leader";
    default:
      return "unspecified";
  }
}

std::string StateName(cv1::ApplicationState state) {
  switch (state) {
    case cv1::APPLICATION_STATE_DRAFT:
      return "draft";
    case cv1::APPLICATION_STATE_SUBMITTED:
      return "submitted";
    case cv1::APPLICATION_STATE_PRELIMINARY_REVIEW:
      return "preliminary review";
    case cv1::APPLICATION_STATE_FINAL_REVIEW:
      return "final review";
    case cv1::APPLICATION_STATE_PUBLIC_NOTICE:
      return "public notice";
    case cv1::APPLICATION_STATE_GRANTED:
      return "granted";
    case cv1::APPLICATION_STATE_REFUSED:
      return "refused";
    case cv1::APPLICATION_STATE_WITHDRAWN:
      return "withdrawn";
    default:
      return "unspecified";
  }
}

bool HasSheet(const cv1::Application& app, cv1::ScoreStage stage) {
  return std::any_of(app.scores().begin(), app.scores().end(),
                     [stage](const cv1::ScoreSheet& s) { return s.stage() == stage; });
}

bool Approved(const cv1::Application& app, const std::string& role) {
  return std::find(app.approvals().begin(), app.approvals().end(), role) != app.approvals().end();
}

// Whether the platform computes a metric item from the enterprise's latest accepted balance test,
// as the contract says: a rate is undefined when its denominator is 0, unit intake needs a
// product that names its quota. Those items are not entered (the service refuses them).
bool Computed(const cv1::Record* test, cv1::Metric metric) {
  if (test == nullptr) {
    return false;
  }
  const cv1::BalanceRates& r = test->balance_test().rates();
  switch (metric) {
    case cv1::METRIC_REPEAT_UTILISATION:
      return r.repeat_utilisation().denominator_litres() != 0;
    case cv1::METRIC_LEAKAGE:
      return r.leakage().denominator_litres() != 0;
    case cv1::METRIC_COOLING_RECIRCULATION:
      return r.cooling_recirculation().denominator_litres() != 0;
    case cv1::METRIC_WASTEWATER_REUSE:
      return r.wastewater_reuse().denominator_litres() != 0;
    case cv1::METRIC_NONCONVENTIONAL_SHARE:
      return r.nonconventional_share().denominator_litres() != 0;
    case cv1::METRIC_UNIT_INTAKE_VS_QUOTA:
      return std::any_of(
          test->balance_test().products().begin(), test->balance_test().products().end(),
          [](const cv1::ProductIntake& p) { return !p.quota_litres_per_unit().empty(); });
    default:
      return false;
  }
}

class HistoryLoader {
 public:
  HistoryLoader(const District& district, const RunOptions& options, CertificationReport* report)
      : district_(district),
        options_(options),
        report_(report),
        target_(options.targets.certification),
        stub_(cv1::CertificationService::NewStub(MakeChannel(target_))) {}

  absl::Status Run() {
    const CertificationHistory& h = district_.certification();
    std::set<int> enterprises;
    for (const SimRecord& r : h.records) {
      enterprises.insert(r.enterprise);
    }
    for (const SimTitle& t : h.titles) {
      enterprises.insert(t.enterprise);
    }
    for (const SimApplication& a : h.applications) {
      enterprises.insert(a.enterprise);
    }
    options_.progress(absl::StrFormat(
        "certification: the history of %d enterprises (%d records, %d titles, %d applications)",
        enterprises.size(), h.records.size(), h.titles.size(), h.applications.size()));
    // Certification learns of enterprises from the registry's topic, in the background.
    for (const int e : enterprises) {
      if (absl::Status s = WaitUntilKnown(e); !s.ok()) {
        return s;
      }
    }
    for (const int e : enterprises) {
      if (absl::Status s = LoadRecords(e); !s.ok()) {
        return s;
      }
    }
    options_.progress(absl::StrFormat(
        "certification: %d records filed (%d found from an earlier run), %d accepted, %d "
        "returned",
        report_->records_filed, report_->records_found, report_->records_accepted,
        report_->records_returned));
    for (const SimTitle& t : h.titles) {
      if (absl::Status s = ImportTitle(t); !s.ok()) {
        return s;
      }
    }
    options_.progress(absl::StrFormat("certification: %d titles imported (%d held before)",
                                      report_->titles_imported, report_->titles_already_held));
    if (absl::Status s = DriveApplications(); !s.ok()) {
      return s;
    }
    report_->loaded = true;
    return absl::OkStatus();
  }

 private:
  std::string Uscc(int e) const {
    return district_.enterprises()[static_cast<size_t>(e)].enterprise.uscc().value();
  }
  std::unique_ptr<grpc::ClientContext> WaterAffairs() const {
    return KeyContext(options_.targets.api_key);
  }

  absl::Status WaitUntilKnown(int e) {
    cv1::GetEligibilityRequest request;
    request.mutable_uscc()->set_value(Uscc(e));
    request.set_level(cv1::LEVEL_DISTRICT);
    cv1::EligibilityReport report;
    const grpc::Status s = RetryWhileNotFound(options_.settle_timeout, [&] {
      return stub_->GetEligibility(WaterAffairs().get(), request, &report);
    });
    return s.ok() ? absl::OkStatus() : FromGrpc(s, "GetEligibility " + Uscc(e), target_);
  }

  // The enterprise's records: each found by its reference or filed, then reviewed as the
  // district says, an audit's items closed.
  absl::Status LoadRecords(int e) {
    std::vector<cv1::Record> held;
    cv1::ListRecordsRequest list;
    list.mutable_uscc()->set_value(Uscc(e));
    list.mutable_page()->set_page_size(1000);
    if (const grpc::Status s = AllPages<cv1::ListRecordsResponse>(
            options_.settle_timeout,
            [&](const std::string& token, cv1::ListRecordsResponse* out) {
              list.mutable_page()->set_page_token(token);
              return stub_->ListRecords(WaterAffairs().get(), list, out);
            },
            [&](const cv1::ListRecordsResponse& r) {
              held.insert(held.end(), r.records().begin(), r.records().end());
            });
        !s.ok()) {
      return FromGrpc(s, "ListRecords " + Uscc(e), target_);
    }
    for (const SimRecord& sim : district_.certification().records) {
      if (sim.enterprise != e) {
        continue;
      }
      auto found = std::find_if(held.begin(), held.end(), [&](const cv1::Record& r) {
        return r.detail_case() == sim.record.detail_case() &&
               absl::StrContains(RecordText(r), sim.reference);
      });
      cv1::Record record;
      if (found != held.end()) {
        record = *found;
        ++report_->records_found;
      } else {
        cv1::CreateRecordRequest create;
        *create.mutable_record() = sim.record;
        if (const grpc::Status s =
                Retry(options_.settle_timeout,
                      [&] { return stub_->CreateRecord(WaterAffairs().get(), create, &record); });
            !s.ok()) {
          return FromGrpc(s, "CreateRecord " + sim.reference, target_);
        }
        ++report_->records_filed;
      }
      if (record.status() == cv1::RECORD_STATUS_SUBMITTED) {
        cv1::ReviewRecordRequest review;
        review.set_record_id(record.record_id());
        review.set_accept(sim.accept);
        if (!sim.accept) {
          review.add_reasons(sim.return_reason);
        }
        if (const grpc::Status s =
                Retry(options_.settle_timeout,
                      [&] { return stub_->ReviewRecord(WaterAffairs().get(), review, &record); });
            !s.ok()) {
          return FromGrpc(s, "ReviewRecord " + record.record_id(), target_);
        }
        ++(sim.accept ? report_->records_accepted : report_->records_returned);
      }
      for (const std::string& item : sim.closed_items) {
        const auto& items = record.audit().rectifications();
        if (std::any_of(items.begin(), items.end(), [&](const cv1::RectificationItem& i) {
              return i.item_id() == item && i.closed();
            })) {
          continue;
        }
        cv1::UpdateRectificationRequest close;
        close.set_record_id(record.record_id());
        close.set_item_id(item);
        close.set_feedback("已完成整改，复查合格");
        close.set_close(true);
        if (const grpc::Status s = Retry(
                options_.settle_timeout,
                [&] { return stub_->UpdateRectification(WaterAffairs().get(), close, &record); });
            !s.ok()) {
          return FromGrpc(s, "UpdateRectification " + record.record_id(), target_);
        }
        ++report_->rectifications_closed;
      }
      if (record.has_balance_test() && record.status() == cv1::RECORD_STATUS_ACCEPTED) {
        // The latest accepted test is what scoring takes its figures from.
        auto [it, inserted] = latest_test_.try_emplace(e, record);
        if (!inserted && DayOf(it->second.balance_test().period_end()) <
                             DayOf(record.balance_test().period_end())) {
          it->second = record;
        }
      }
    }
    return absl::OkStatus();
  }

  absl::Status ImportTitle(const SimTitle& t) {
    cv1::Title title;
    const grpc::Status s = Retry(options_.settle_timeout, [&] {
      return stub_->ImportTitle(WaterAffairs().get(), t.title, &title);
    });
    if (s.error_code() == grpc::StatusCode::ALREADY_EXISTS) {
      ++report_->titles_already_held;  // the certificate came in on an earlier run
      return absl::OkStatus();
    }
    if (!s.ok()) {
      return FromGrpc(s, "ImportTitle " + t.title.certificate_number(), target_);
    }
    ++report_->titles_imported;
    return absl::OkStatus();
  }

  absl::Status DriveApplications() {
    const CertificationHistory& h = district_.certification();
    if (h.applications.empty()) {
      return absl::OkStatus();
    }
    if (options_.enterprise_keys_dir.empty()) {
      report_->applications_skipped = true;
      options_.progress("certification: no --enterprise-keys, so no applications");
      return absl::OkStatus();
    }
    absl::StatusOr<std::map<std::string, std::string>> keys =
        ReadEnterpriseKeys(district_, options_.enterprise_keys_dir);
    if (!keys.ok()) {
      return keys.status();
    }
    keys_ = *std::move(keys);
    cv1::ListSchemesRequest schemes_request;
    *schemes_request.mutable_in_force_on() = ToDate(ShanghaiDay(absl::Now()));
    cv1::ListSchemesResponse schemes;
    if (const grpc::Status s = Retry(
            options_.settle_timeout,
            [&] { return stub_->ListSchemes(WaterAffairs().get(), schemes_request, &schemes); });
        !s.ok()) {
      return FromGrpc(s, "ListSchemes", target_);
    }
    for (const cv1::Scheme& scheme : schemes.schemes()) {
      schemes_[scheme.level()] = scheme;
    }
    for (const SimApplication& a : h.applications) {
      if (absl::Status s = Drive(a); !s.ok()) {
        return s;
      }
    }
    options_.progress(absl::StrFormat(
        "certification: %d applications (%d found from an earlier run), %d steps taken",
        report_->applications_created + report_->applications_found, report_->applications_found,
        report_->application_steps));
    return absl::OkStatus();
  }

  // The application of `a` from wherever it stands to the state the district asks; each step is
  // taken by whom the lifecycle wants.
  absl::Status Drive(const SimApplication& a) {
    const std::string uscc = Uscc(a.enterprise);
    const std::string& enterprise_key = keys_.at(uscc);
    const auto scheme = schemes_.find(a.level);
    if (scheme == schemes_.end()) {
      return absl::FailedPreconditionError(
          absl::StrCat("certification: no ", LevelName(a.level), " scheme in force today"));
    }
    cv1::Application app;
    if (absl::Status s = FindOrCreate(a, enterprise_key, &app); !s.ok()) {
      return s;
    }
    const std::string what = absl::StrCat("application ", app.application_id(), " of ", uscc);
    for (int step = 0; step < 12; ++step) {
      grpc::Status s;
      std::string call;
      const cv1::ApplicationState state = app.state();
      if (state == cv1::APPLICATION_STATE_DRAFT && !HasSheet(app, cv1::SCORE_STAGE_SELF)) {
        call = "self score";
        s = Score(app, cv1::SCORE_STAGE_SELF, scheme->second, enterprise_key, &app);
      } else if (state == a.state || state > cv1::APPLICATION_STATE_PUBLIC_NOTICE ||
                 state > a.state) {
        return absl::OkStatus();  // where the district wants it (or past it: the check says so)
      } else if (state == cv1::APPLICATION_STATE_DRAFT) {
        if (absl::Status gates = WaitForGates(uscc, a.level); !gates.ok()) {
          return gates;
        }
        call = "SUBMIT";
        s = Act(app, cv1::ACTION_SUBMIT, enterprise_key, &app);
      } else if (state == cv1::APPLICATION_STATE_SUBMITTED) {
        call = "START_REVIEW";
        s = Act(app, cv1::ACTION_START_REVIEW, options_.targets.api_key, &app);
      } else if (state == cv1::APPLICATION_STATE_PRELIMINARY_REVIEW) {
        if (!HasSheet(app, cv1::SCORE_STAGE_PRELIMINARY)) {
          call = "preliminary score";
          s = Score(app, cv1::SCORE_STAGE_PRELIMINARY, scheme->second, options_.targets.api_key,
                    &app);
        } else {
          call = "PASS_PRELIMINARY";
          s = Act(app, cv1::ACTION_PASS_PRELIMINARY, options_.targets.api_key, &app);
        }
      } else if (!HasSheet(app, cv1::SCORE_STAGE_FINAL)) {  // final review
        call = "final score";
        s = Score(app, cv1::SCORE_STAGE_FINAL, scheme->second, options_.targets.api_key, &app);
      } else if (!Approved(app, "water_affairs")) {
        call = "APPROVE_FINAL (water_affairs)";
        s = Act(app, cv1::ACTION_APPROVE_FINAL, options_.targets.api_key, &app);
      } else {
        // Provincial titles and leaders need Industry's approval too (dual_approval).
        if (options_.targets.industry_key.empty()) {
          return absl::FailedPreconditionError(absl::StrCat(
              what, ": the final review needs industry's approval too: give --industry-key-file"));
        }
        call = "APPROVE_FINAL (industry)";
        s = Act(app, cv1::ACTION_APPROVE_FINAL, options_.targets.industry_key, &app);
      }
      if (!s.ok()) {
        return FromGrpc(s, absl::StrCat(what, ": ", call), target_);
      }
      ++report_->application_steps;
    }
    return absl::InternalError(absl::StrCat(what, ": still not ", StateName(a.state),
                                            " after 12 steps, at ", StateName(app.state())));
  }

  absl::Status FindOrCreate(const SimApplication& a, const std::string& enterprise_key,
                            cv1::Application* app) {
    const std::string uscc = Uscc(a.enterprise);
    cv1::ListApplicationsRequest list;
    list.mutable_uscc()->set_value(uscc);
    list.set_level(a.level);
    cv1::ListApplicationsResponse held;
    if (const grpc::Status s =
            Retry(options_.settle_timeout,
                  [&] { return stub_->ListApplications(WaterAffairs().get(), list, &held); });
        !s.ok()) {
      return FromGrpc(s, "ListApplications " + uscc, target_);
    }
    if (held.applications_size() > 0) {
      *app = held.applications(0);
      ++report_->applications_found;
      return absl::OkStatus();
    }
    cv1::CreateApplicationRequest create;
    create.mutable_uscc()->set_value(uscc);
    create.set_level(a.level);
    create.mutable_documents()->insert(a.documents.begin(), a.documents.end());
    if (const grpc::Status s = Retry(options_.settle_timeout,
                                     [&] {
                                       return stub_->CreateApplication(
                                           KeyContext(enterprise_key).get(), create, app);
                                     });
        !s.ok()) {
      return FromGrpc(s, "CreateApplication " + uscc, target_);
    }
    ++report_->applications_created;
    return absl::OkStatus();
  }

  // Every item the platform does not compute, at full points.
  grpc::Status Score(const cv1::Application& app, cv1::ScoreStage stage, const cv1::Scheme& scheme,
                     const std::string& key, cv1::Application* out) {
    const int e = EnterpriseOf(app.uscc().value());
    const auto test = latest_test_.find(e);
    cv1::ScoreApplicationRequest request;
    request.set_application_id(app.application_id());
    request.set_stage(stage);
    for (const cv1::Item& item : scheme.items()) {
      if (item.metric() != cv1::METRIC_UNSPECIFIED &&
          Computed(test == latest_test_.end() ? nullptr : &test->second, item.metric())) {
        continue;
      }
      cv1::ItemScore* s = request.add_items();
      s->set_item_id(item.item_id());
      s->set_points(item.points());
      s->set_working("jieshui-simulator: full points");
    }
    return Retry(options_.settle_timeout,
                 [&] { return stub_->ScoreApplication(KeyContext(key).get(), request, out); });
  }

  grpc::Status Act(const cv1::Application& app, cv1::Action action, const std::string& key,
                   cv1::Application* out) {
    cv1::ActRequest request;
    request.set_application_id(app.application_id());
    request.set_action(action);
    return Retry(options_.settle_timeout,
                 [&] { return stub_->Act(KeyContext(key).get(), request, out); });
  }

  // Until every gate the platform checks passes (the documents come with the application):
  // certification reads the registry's meters and quota's alerts in the background.
  absl::Status WaitForGates(const std::string& uscc, cv1::Level level) {
    cv1::GetEligibilityRequest request;
    request.mutable_uscc()->set_value(uscc);
    request.set_level(level);
    const absl::Time deadline = absl::Now() + options_.settle_timeout;
    std::string failed;
    while (true) {
      cv1::EligibilityReport report;
      const grpc::Status s = Retry(options_.settle_timeout, [&] {
        return stub_->GetEligibility(WaterAffairs().get(), request, &report);
      });
      if (!s.ok()) {
        return FromGrpc(s, "GetEligibility " + uscc, target_);
      }
      failed.clear();
      for (const cv1::GateResult& g : report.gates()) {
        if (!g.passed() && g.kind() != cv1::GATE_KIND_DOCUMENT) {
          failed = absl::StrCat(g.gate_id(), " (", g.evidence(), ")");
          break;
        }
      }
      if (failed.empty()) {
        return absl::OkStatus();
      }
      if (absl::Now() > deadline) {
        return absl::DeadlineExceededError(
            absl::StrCat("certification: ", uscc, " still fails gate ", failed, " after ",
                         absl::FormatDuration(options_.settle_timeout)));
      }
      absl::SleepFor(absl::Milliseconds(250));
    }
  }

  int EnterpriseOf(const std::string& uscc) const {
    for (size_t i = 0; i < district_.enterprises().size(); ++i) {
      if (district_.enterprises()[i].enterprise.uscc().value() == uscc) {
        return static_cast<int>(i);
      }
    }
    return -1;
  }

  const District& district_;
  const RunOptions& options_;
  CertificationReport* report_;
  std::string target_;
  std::unique_ptr<Stub> stub_;
  std::map<int, cv1::Record> latest_test_;  // enterprise → its latest accepted test, as served
  std::map<std::string, std::string> keys_;
  std::map<cv1::Level, cv1::Scheme> schemes_;
};

ActivityFigures FiguresOf(const cv1::ActivityCounts& c) {
  ActivityFigures f;
  f.balance_tests = c.balance_tests();
  f.audits = c.audits();
  f.retrofit_projects = c.retrofit_projects();
  f.contract_projects = c.contract_projects();
  f.demonstrations = c.demonstrations();
  f.granted = {0, c.granted_district(), c.granted_municipal(), c.granted_provincial(),
               c.granted_leader()};
  return f;
}

std::string Describe(const ActivityFigures& f) {
  return absl::StrFormat(
      "%d balance tests, %d audits, %d retrofit, %d contract, %d demonstrations; granted "
      "%d/%d/%d/%d",
      f.balance_tests, f.audits, f.retrofit_projects, f.contract_projects, f.demonstrations,
      f.granted[1], f.granted[2], f.granted[3], f.granted[4]);
}

}  // namespace

absl::Status LoadCertificationHistory(const District& district, const RunOptions& options,
                                      Report* report) {
  return HistoryLoader(district, options, &report->certification).Run();
}

absl::Status CheckCertification(const District& district, const CertificationTruth& truth,
                                const RunOptions& options, Report* report) {
  CertificationReport& c = report->certification;
  const std::string& target = options.targets.certification;
  auto stub = cv1::CertificationService::NewStub(MakeChannel(target));
  const auto context = [&options] { return KeyContext(options.targets.api_key); };
  const absl::CivilDay today = ShanghaiDay(absl::Now());
  c.on = absl::FormatCivilTime(today);
  c.activity.clear();
  c.mismatches.clear();
  std::set<std::string> ours;
  for (const SimEnterprise& e : district.enterprises()) {
    ours.insert(e.enterprise.uscc().value());
  }
  const auto mismatch = [&c](std::string line) { c.mismatches.push_back(std::move(line)); };

  // 1. CountActivity per year: the district's accepted records, and those of any other
  // enterprise the service holds (listed), add up to what it counts.
  for (const int year : truth.Years()) {
    YearActivity line{.year = year, .expected = truth.Activity(year), .others = {}, .served = {}};
    cv1::ListRecordsRequest list;
    list.set_year(year);
    list.set_status(cv1::RECORD_STATUS_ACCEPTED);
    list.mutable_page()->set_page_size(1000);
    if (const grpc::Status s = AllPages<cv1::ListRecordsResponse>(
            options.settle_timeout,
            [&](const std::string& token, cv1::ListRecordsResponse* out) {
              list.mutable_page()->set_page_token(token);
              return stub->ListRecords(context().get(), list, out);
            },
            [&](const cv1::ListRecordsResponse& r) {
              for (const cv1::Record& record : r.records()) {
                if (ours.contains(record.uscc().value())) {
                  continue;
                }
                ActivityFigures& o = line.others;
                switch (record.kind()) {
                  case cv1::RECORD_KIND_BALANCE_TEST:
                    ++o.balance_tests;
                    break;
                  case cv1::RECORD_KIND_AUDIT:
                    ++o.audits;
                    break;
                  case cv1::RECORD_KIND_RETROFIT_PROJECT:
                    ++o.retrofit_projects;
                    break;
                  case cv1::RECORD_KIND_CONTRACT_PROJECT:
                    ++o.contract_projects;
                    break;
                  case cv1::RECORD_KIND_DEMONSTRATION:
                    ++o.demonstrations;
                    break;
                  default:
                    break;
                }
              }
            });
        !s.ok()) {
      return FromGrpc(s, absl::StrCat("ListRecords ", year), target);
    }
    cv1::CountActivityRequest count;
    count.set_year(year);
    cv1::ActivityCounts counts;
    if (const grpc::Status s =
            Retry(options.settle_timeout,
                  [&] { return stub->CountActivity(context().get(), count, &counts); });
        !s.ok()) {
      return FromGrpc(s, absl::StrCat("CountActivity ", year), target);
    }
    line.served = FiguresOf(counts);
    ActivityFigures want = line.expected;
    want.balance_tests += line.others.balance_tests;
    want.audits += line.others.audits;
    want.retrofit_projects += line.others.retrofit_projects;
    want.contract_projects += line.others.contract_projects;
    want.demonstrations += line.others.demonstrations;
    // Other enterprises' titles cannot be listed by year: the district's are at least there.
    bool granted_ok = true;
    for (size_t level = 1; level < want.granted.size(); ++level) {
      granted_ok = granted_ok && line.served.granted[level] >= want.granted[level];
      want.granted[level] = line.served.granted[level];
    }
    if (!(want == line.served) || !granted_ok) {
      mismatch(absl::StrCat("CountActivity ", year, ": served ", Describe(line.served),
                            "; the district's ", Describe(line.expected), " and others' ",
                            Describe(line.others)));
    }
    c.activity.push_back(line);
  }

  // 2. ListCertified today: each of the district's certified enterprises at its highest valid
  // level, and the leaders when asked by level.
  const auto certified_on = [&](cv1::Level level,
                                std::map<std::string, cv1::Level>* out) -> absl::Status {
    cv1::ListCertifiedRequest list;
    *list.mutable_on() = ToDate(today);
    list.set_level(level);
    list.mutable_page()->set_page_size(1000);
    const grpc::Status s = AllPages<cv1::ListCertifiedResponse>(
        options.settle_timeout,
        [&](const std::string& token, cv1::ListCertifiedResponse* r) {
          list.mutable_page()->set_page_token(token);
          return stub->ListCertified(context().get(), list, r);
        },
        [&](const cv1::ListCertifiedResponse& r) {
          for (const cv1::CertifiedEnterprise& e : r.enterprises()) {
            if (ours.contains(e.uscc().value())) {
              (*out)[e.uscc().value()] = e.level();
            }
          }
        });
    return s.ok() ? absl::OkStatus() : FromGrpc(s, "ListCertified", target);
  };
  std::map<std::string, cv1::Level> certified;
  std::map<std::string, cv1::Level> leaders;
  if (absl::Status s = certified_on(cv1::LEVEL_UNSPECIFIED, &certified); !s.ok()) {
    return s;
  }
  if (absl::Status s = certified_on(cv1::LEVEL_LEADER, &leaders); !s.ok()) {
    return s;
  }
  c.certified.clear();
  for (const auto& [uscc, level] : certified) {
    ++c.certified[LevelName(level)];
  }
  c.leaders = static_cast<int>(leaders.size());
  const auto expected_certified = truth.CertifiedOn(today);
  if (certified != expected_certified) {
    std::vector<std::string> differ;
    for (const auto& [uscc, level] : expected_certified) {
      const auto it = certified.find(uscc);
      if (it == certified.end() || it->second != level) {
        differ.push_back(absl::StrCat(uscc, " ", LevelName(level), " served as ",
                                      it == certified.end() ? "none" : LevelName(it->second)));
      }
    }
    for (const auto& [uscc, level] : certified) {
      if (!expected_certified.contains(uscc)) {
        differ.push_back(absl::StrCat(uscc, " none served as ", LevelName(level)));
      }
    }
    differ.resize(std::min<size_t>(differ.size(), 5));
    mismatch(absl::StrCat("ListCertified on ", c.on, ": ", certified.size(),
                          " of the district's "
                          "enterprises against ",
                          expected_certified.size(), " (", absl::StrJoin(differ, "; "), ")"));
  }
  std::set<std::string> leader_usccs;
  for (const auto& [uscc, level] : leaders) {
    leader_usccs.insert(uscc);
  }
  if (leader_usccs != truth.LeadersOn(today)) {
    mismatch(absl::StrCat("ListCertified leaders on ", c.on, ": ", leader_usccs.size(), " against ",
                          truth.LeadersOn(today).size()));
  }

  // 3. ListApplications by state.
  if (!c.applications_skipped) {
    c.applications.clear();
    const auto expected = truth.Applications();
    for (int s = cv1::APPLICATION_STATE_DRAFT; s <= cv1::APPLICATION_STATE_WITHDRAWN; ++s) {
      const auto state = static_cast<cv1::ApplicationState>(s);
      cv1::ListApplicationsRequest list;
      list.set_state(state);
      list.mutable_page()->set_page_size(1000);
      int n = 0;
      if (const grpc::Status st = AllPages<cv1::ListApplicationsResponse>(
              options.settle_timeout,
              [&](const std::string& token, cv1::ListApplicationsResponse* r) {
                list.mutable_page()->set_page_token(token);
                return stub->ListApplications(context().get(), list, r);
              },
              [&](const cv1::ListApplicationsResponse& r) {
                for (const cv1::Application& a : r.applications()) {
                  n += ours.contains(a.uscc().value()) ? 1 : 0;
                }
              });
          !st.ok()) {
        return FromGrpc(st, "ListApplications", target);
      }
      if (n > 0) {
        c.applications[StateName(state)] = n;
      }
      const auto it = expected.find(state);
      const int want = it == expected.end() ? 0 : it->second;
      if (n != want) {
        mismatch(absl::StrCat("ListApplications ", StateName(state), ": ", n, " against ", want));
      }
    }
  }

  // 4. ListTitles of the first ten enterprises with titles: each certificate, its validity, and
  // EXPIRED once past its last valid day.
  c.titles_valid.clear();
  c.titles_expired.clear();
  std::map<std::string, std::vector<const SimTitle*>> by_uscc;
  for (const SimTitle& t : district.certification().titles) {
    ++(CertificationTruth::ValidOn(t, today) ? c.titles_valid
                                             : c.titles_expired)[LevelName(t.title.level())];
    by_uscc[t.title.uscc().value()].push_back(&t);
  }
  c.titles_checked = 0;
  int enterprises = 0;
  for (const auto& [uscc, titles] : by_uscc) {
    if (++enterprises > 10) {
      break;
    }
    cv1::ListTitlesRequest list;
    list.mutable_uscc()->set_value(uscc);
    cv1::ListTitlesResponse served;
    if (const grpc::Status s =
            Retry(options.settle_timeout,
                  [&] { return stub->ListTitles(context().get(), list, &served); });
        !s.ok()) {
      return FromGrpc(s, "ListTitles " + uscc, target);
    }
    for (const SimTitle* t : titles) {
      ++c.titles_checked;
      const auto it =
          std::find_if(served.titles().begin(), served.titles().end(), [&](const cv1::Title& x) {
            return x.level() == t->title.level() &&
                   x.certificate_number() == t->title.certificate_number();
          });
      if (it == served.titles().end()) {
        mismatch(absl::StrCat("ListTitles ", uscc, ": no ", t->title.certificate_number()));
        continue;
      }
      const bool valid = CertificationTruth::ValidOn(*t, today);
      const bool status_ok = valid ? it->status() == cv1::TITLE_STATUS_ACTIVE ||
                                         it->status() == cv1::TITLE_STATUS_UNDER_REVIEW
                                   : it->status() == cv1::TITLE_STATUS_EXPIRED;
      if (!status_ok || DayOf(it->valid_from()) != DayOf(t->title.valid_from()) ||
          DayOf(it->valid_until()) != DayOf(t->title.valid_until())) {
        mismatch(absl::StrCat("ListTitles ", uscc, ": ", t->title.certificate_number(), " reads ",
                              cv1::TitleStatus_Name(it->status()), " valid ",
                              absl::FormatCivilTime(DayOf(it->valid_from())), " to ",
                              absl::FormatCivilTime(DayOf(it->valid_until())), ", the certificate ",
                              valid ? "valid" : "expired", " ",
                              absl::FormatCivilTime(DayOf(t->title.valid_from())), " to ",
                              absl::FormatCivilTime(DayOf(t->title.valid_until()))));
      }
    }
  }
  c.checked = true;
  options.progress(absl::StrFormat("certification: compared with the ground truth, %d differences",
                                   c.mismatches.size()));
  return absl::OkStatus();
}

}  // namespace jieshui::simulator
