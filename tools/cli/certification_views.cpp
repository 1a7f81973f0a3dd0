#include "certification_views.hpp"

#include <algorithm>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "certification_flags.hpp"
#include "domain/industry_catalogue.hpp"
#include "table.hpp"
#include "views.hpp"

namespace jieshui::cli {
namespace {

namespace cert = ::jieshui::certification::v1;
using Fields = std::vector<std::pair<std::string, std::string>>;
using Align = Table::Align;

std::string PassedFailed(bool passed) { return passed ? "passed" : "failed"; }

std::string TitleStatusLabel(cert::TitleStatus status) {
  return EnumLabel(cert::TitleStatus_Name(status), "TITLE_STATUS_");
}

std::string Cause(cert::ReviewCause cause) {
  return EnumLabel(cert::ReviewCause_Name(cause), "REVIEW_CAUSE_");
}

// An undecided review's outcome is unspecified: it is open.
std::string Outcome(cert::ReviewOutcome outcome) {
  return outcome == cert::REVIEW_OUTCOME_UNSPECIFIED
             ? "open"
             : EnumLabel(cert::ReviewOutcome_Name(outcome), "REVIEW_OUTCOME_");
}

// The first transition, into a draft, is the creation: it has no action.
std::string ActionLabel(cert::Action action) {
  return action == cert::ACTION_UNSPECIFIED ? "create"
                                            : EnumLabel(cert::Action_Name(action), "ACTION_");
}

std::string Reasons(const google::protobuf::RepeatedPtrField<std::string>& reasons) {
  return absl::StrJoin(reasons, "; ");
}

// "(more with --all)" when the server has another page.
void AppendMore(const jieshui::common::v1::PageResponse& page, std::string* out) {
  if (!page.next_page_token().empty()) {
    absl::StrAppend(out, " (more with --all)");
  }
}

std::string GatesTable(const google::protobuf::RepeatedPtrField<cert::GateResult>& gates) {
  Table table({{"GATE"}, {"TITLE"}, {"RESULT"}, {"EVIDENCE"}});
  for (const cert::GateResult& g : gates) {
    table.AddRow({g.gate_id(), g.title(), PassedFailed(g.passed()), g.evidence()});
  }
  return table.Render();
}

// What a record is about, in a few words, for the records table.
std::string RecordSubject(const cert::Record& r) {
  switch (r.detail_case()) {
    case cert::Record::kBalanceTest:
      return r.balance_test().agency();
    case cert::Record::kAudit:
      return r.audit().auditor();
    case cert::Record::kRetrofit:
      return r.retrofit().title();
    case cert::Record::kContract:
      return r.contract().title();
    case cert::Record::kDemonstration:
      return r.demonstration().title();
    case cert::Record::kPark:
      return r.park().park_id();
    case cert::Record::DETAIL_NOT_SET:
      break;
  }
  return "";
}

std::string Period(const jieshui::common::v1::Date& start, const jieshui::common::v1::Date& end) {
  return absl::StrCat(DateLabel(start), " to ", DateLabel(end));
}

std::string RateWithWorking(const cert::Rate& rate) {
  if (rate.denominator_litres() == 0) {
    return RateText(rate);
  }
  return absl::StrCat(RateText(rate), " (", CubicMetres(rate.numerator_litres()), " / ",
                      CubicMetres(rate.denominator_litres()), " m³)");
}

// A balance test's fields (rates with their sums), then its units and products as tables.
void AddBalanceTest(const cert::BalanceTest& t, Fields* fields, std::string* tables) {
  const cert::BalanceRates& rates = t.rates();
  fields->insert(
      fields->end(),
      {{"agency", t.agency()},
       {"standard", t.standard_version()},
       {"test period", Period(t.period_start(), t.period_end())},
       {"reasonable annual intake m³", CubicMetres(t.reasonable_annual_intake().litres())},
       {"findings", t.findings()},
       {"measures", t.measures()},
       {"repeat utilisation", RateWithWorking(rates.repeat_utilisation())},
       {"cooling recirculation", RateWithWorking(rates.cooling_recirculation())},
       {"leakage", RateWithWorking(rates.leakage())},
       {"wastewater reuse", RateWithWorking(rates.wastewater_reuse())},
       {"non-conventional share", RateWithWorking(rates.nonconventional_share())}});
  // New water Vf = tap + surface + ground; reused Vr = recirculated + series (GB/T 12452).
  Table units({{"UNIT"},
               {"NAME"},
               {"PARENT"},
               {"NEW WATER m³", Align::kRight},
               {"NON-CONVENTIONAL m³", Align::kRight},
               {"REUSED m³", Align::kRight},
               {"CONSUMPTION m³", Align::kRight},
               {"DISCHARGE m³", Align::kRight},
               {"LEAKAGE m³", Align::kRight}});
  for (const cert::WaterUnit& u : t.units()) {
    const cert::UnitVolumes& v = u.volumes();
    units.AddRow(
        {u.unit_id(), u.name(), u.parent_id(),
         CubicMetres(v.new_tap().litres() + v.new_surface().litres() + v.new_ground().litres()),
         CubicMetres(v.new_nonconventional().litres()),
         CubicMetres(v.recirculated().litres() + v.series().litres()),
         CubicMetres(v.consumption().litres()), CubicMetres(v.discharge().litres()),
         CubicMetres(v.leakage().litres())});
  }
  absl::StrAppend(tables, units.Render());
  if (t.products_size() > 0) {
    Table products(
        {{"PRODUCT"}, {"UNIT"}, {"LITRES PER UNIT", Align::kRight}, {"QUOTA", Align::kRight}});
    for (const cert::ProductIntake& p : t.products()) {
      products.AddRow({p.product(), p.unit(), p.litres_per_unit(), p.quota_litres_per_unit()});
    }
    absl::StrAppend(tables, products.Render());
  }
}

void AddAudit(const cert::Audit& a, Fields* fields, std::string* tables) {
  fields->insert(fields->end(), {{"auditor", a.auditor()},
                                 {"audit period", Period(a.period_start(), a.period_end())},
                                 {"findings", a.findings()}});
  Table items({{"ITEM"}, {"DESCRIPTION"}, {"DEADLINE"}, {"CLOSED"}, {"FEEDBACK"}});
  for (const cert::RectificationItem& i : a.rectifications()) {
    items.AddRow(
        {i.item_id(), i.description(), DateLabel(i.deadline()), YesNo(i.closed()), i.feedback()});
  }
  if (!items.empty()) {
    absl::StrAppend(tables, items.Render());
  }
}

// The fields of the record's kind, and the tables that follow them.
void AddDetail(const cert::Record& r, Fields* fields, std::string* tables) {
  switch (r.detail_case()) {
    case cert::Record::kBalanceTest:
      AddBalanceTest(r.balance_test(), fields, tables);
      return;
    case cert::Record::kAudit:
      AddAudit(r.audit(), fields, tables);
      return;
    case cert::Record::kRetrofit: {
      const cert::RetrofitProject& p = r.retrofit();
      fields->insert(fields->end(), {{"title", p.title()},
                                     {"investment yuan", Yuan(p.investment().fen())},
                                     {"subsidy yuan", Yuan(p.subsidy().fen())},
                                     {"expected annual saving m³",
                                      CubicMetres(p.expected_annual_saving().litres())}});
      return;
    }
    case cert::Record::kContract: {
      const cert::ContractProject& p = r.contract();
      fields->insert(
          fields->end(),
          {{"title", p.title()},
           {"mode", EnumLabel(cert::ContractMode_Name(p.mode()), "CONTRACT_MODE_")},
           {"service company", p.service_company()},
           {"water user", p.water_user()},
           {"baseline annual intake m³", CubicMetres(p.baseline_annual_intake().litres())},
           {"guaranteed annual saving m³", CubicMetres(p.guaranteed_annual_saving().litres())}});
      return;
    }
    case cert::Record::kDemonstration: {
      const cert::Demonstration& d = r.demonstration();
      fields->insert(fields->end(),
                     {{"title", d.title()},
                      {"demonstrates",
                       EnumLabel(cert::DemonstrationKind_Name(d.kind()), "DEMONSTRATION_KIND_")},
                      {"daily capacity m³", CubicMetres(d.daily_capacity().litres())}});
      return;
    }
    case cert::Record::kPark:
      fields->insert(fields->end(),
                     {{"park", r.park().park_id()}, {"evaluation", r.park().evaluation()}});
      return;
    case cert::Record::DETAIL_NOT_SET:
      return;
  }
}

}  // namespace

std::string RateText(const cert::Rate& rate) {
  return rate.denominator_litres() == 0 ? "undefined" : Percent(rate.basis_points());
}

std::string TitlesTable(const cert::ListTitlesResponse& list, const std::string& valid_on) {
  Table table({{"TITLE"},
               {"LEVEL"},
               {"CERTIFICATE"},
               {"DOCUMENT"},
               {"VALID FROM"},
               {"VALID UNTIL"},
               {"STATUS"},
               {"SCHEME"},
               {"REASON"}});
  for (const cert::Title& t : list.titles()) {
    table.AddRow({t.title_id(), LevelLabel(t.level()), t.certificate_number(), t.document_number(),
                  DateLabel(t.valid_from()), DateLabel(t.valid_until()),
                  TitleStatusLabel(t.status()), t.scheme_id(), t.reason()});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.titles_size(), " titles",
                  valid_on.empty() ? "" : absl::StrCat(" valid on ", valid_on), "\n");
  return out;
}

std::string CertifiedTable(const cert::ListCertifiedResponse& list, const std::string& on) {
  Table table({{"USCC"},
               {"NAME"},
               {"TOWN"},
               {"PARK"},
               {"INDUSTRY"},
               {"LEVEL"},
               {"TITLE"},
               {"VALID UNTIL"}});
  for (const cert::CertifiedEnterprise& e : list.enterprises()) {
    table.AddRow({e.uscc().value(), e.name(), e.town(), e.park_id(),
                  domain::IndustryLabel(e.industry_code().value()), LevelLabel(e.level()),
                  e.title_id(), DateLabel(e.valid_until())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.enterprises_size(), " enterprises certified on ", on);
  AppendMore(list.page(), &out);
  out.push_back('\n');
  return out;
}

std::string DueText(const cert::ListDueResponse& due, int days) {
  std::string out =
      absl::StrCat("Titles whose last valid day falls in the next ", days, " days:\n");
  if (due.expiring_size() == 0) {
    absl::StrAppend(&out, "  none\n");
  } else {
    Table titles({{"TITLE"}, {"USCC"}, {"LEVEL"}, {"CERTIFICATE"}, {"VALID UNTIL"}, {"STATUS"}});
    for (const cert::Title& t : due.expiring()) {
      titles.AddRow({t.title_id(), t.uscc().value(), LevelLabel(t.level()), t.certificate_number(),
                     DateLabel(t.valid_until()), TitleStatusLabel(t.status())});
    }
    absl::StrAppend(&out, titles.Render());
  }
  absl::StrAppend(&out, "Open title reviews:\n");
  if (due.open_reviews_size() == 0) {
    absl::StrAppend(&out, "  none\n");
  } else {
    Table reviews({{"REVIEW"}, {"TITLE"}, {"USCC"}, {"CAUSE"}, {"TRIGGER"}, {"OPENED"}, {"BY"}});
    for (const cert::TitleReview& r : due.open_reviews()) {
      reviews.AddRow({r.review_id(), r.title_id(), r.uscc().value(), Cause(r.cause()), r.trigger(),
                      ShanghaiTime(r.opened_at_unix_ms()), r.opened_by()});
    }
    absl::StrAppend(&out, reviews.Render());
  }
  absl::StrAppend(&out, due.expiring_size(), " titles expiring, ", due.open_reviews_size(),
                  " open reviews\n");
  return out;
}

std::string EligibilityText(const cert::EligibilityReport& report) {
  std::string out =
      absl::StrCat("Eligibility of ", report.uscc().value(), " for ", LevelLabel(report.level()),
                   " on ", DateLabel(report.on()), " (scheme ", report.scheme_id(), " version ",
                   report.scheme_version(), ")\n");
  absl::StrAppend(&out, GatesTable(report.gates()));
  if (report.eligible()) {
    absl::StrAppend(&out, "eligible: every gate passed\n");
  } else {
    absl::StrAppend(&out, "not eligible: the first failed gate is ", report.failed_gate(), "\n");
  }
  return out;
}

std::string ActivityText(const cert::ActivityCounts& c) {
  std::string out =
      absl::StrCat("Activity in ", c.year(),
                   " (records accepted, by the year each counts in; titles granted, by level)\n");
  absl::StrAppend(&out, RenderFields({{"balance tests", absl::StrCat(c.balance_tests())},
                                      {"audits", absl::StrCat(c.audits())},
                                      {"retrofit projects", absl::StrCat(c.retrofit_projects())},
                                      {"contract projects", absl::StrCat(c.contract_projects())},
                                      {"demonstrations", absl::StrCat(c.demonstrations())},
                                      {"parks", absl::StrCat(c.parks())},
                                      {"granted district", absl::StrCat(c.granted_district())},
                                      {"granted municipal", absl::StrCat(c.granted_municipal())},
                                      {"granted provincial", absl::StrCat(c.granted_provincial())},
                                      {"granted leader", absl::StrCat(c.granted_leader())}}));
  return out;
}

std::string RecordsTable(const cert::ListRecordsResponse& list) {
  Table table({{"RECORD"},
               {"KIND"},
               {"USCC"},
               {"YEAR", Align::kRight},
               {"STATUS"},
               {"REPEAT UTILISATION", Align::kRight},
               {"SUBJECT"},
               {"FILED BY"},
               {"FILED"}});
  for (const cert::Record& r : list.records()) {
    table.AddRow(
        {r.record_id(), RecordKindLabel(r.kind()), r.uscc().value(),
         r.year() == 0 ? "" : absl::StrCat(r.year()), RecordStatusLabel(r.status()),
         r.has_balance_test() ? RateText(r.balance_test().rates().repeat_utilisation()) : "",
         RecordSubject(r), r.filed_by(), ShanghaiTime(r.filed_at_unix_ms())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.records_size(), " records");
  AppendMore(list.page(), &out);
  out.push_back('\n');
  return out;
}

std::string RecordDetail(const cert::Record& r) {
  Fields fields = {{"record", r.record_id()},
                   {"kind", RecordKindLabel(r.kind())},
                   {"USCC", r.uscc().value()},
                   {"year", r.year() == 0 ? "" : absl::StrCat(r.year())},
                   {"status", RecordStatusLabel(r.status())},
                   {"filed by", r.filed_by()},
                   {"filed", ShanghaiTime(r.filed_at_unix_ms())}};
  if (r.has_review()) {
    fields.emplace_back("reviewed by", r.review().reviewer());
    fields.emplace_back("reviewed", ShanghaiTime(r.review().at_unix_ms()));
    fields.emplace_back("reasons", Reasons(r.review().reasons()));
  }
  std::string tables;
  AddDetail(r, &fields, &tables);
  return RenderFields(fields) + tables;
}

std::string RecordReviewText(const cert::Record& r) {
  std::string out =
      absl::StrCat("record ", r.record_id(), " (", RecordKindLabel(r.kind()), " of ",
                   r.uscc().value(), ", ", r.year(), ") ", RecordStatusLabel(r.status()));
  if (r.has_review()) {
    absl::StrAppend(&out, " by ", r.review().reviewer(), " at ",
                    ShanghaiTime(r.review().at_unix_ms()));
  }
  out.push_back('\n');
  for (const std::string& reason : r.review().reasons()) {
    absl::StrAppend(&out, "  reason: ", reason, "\n");
  }
  return out;
}

std::string ApplicationsTable(const cert::ListApplicationsResponse& list) {
  Table table({{"APPLICATION"},
               {"USCC"},
               {"LEVEL"},
               {"YEAR", Align::kRight},
               {"STATE"},
               {"SCHEME"},
               {"NOTICE ENDS"},
               {"TITLE"},
               {"CREATED"}});
  for (const cert::Application& a : list.applications()) {
    table.AddRow(
        {a.application_id(), a.uscc().value(), LevelLabel(a.level()), absl::StrCat(a.year()),
         ApplicationStateLabel(a.state()),
         a.scheme_id().empty() ? "" : absl::StrCat(a.scheme_id(), " v", a.scheme_version()),
         DateLabel(a.notice_ends_on()), a.title_id(), ShanghaiTime(a.created_at_unix_ms())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.applications_size(), " applications");
  AppendMore(list.page(), &out);
  out.push_back('\n');
  return out;
}

std::string ApplicationDetail(const cert::Application& a) {
  // The documents map in key order, so the view is the same on every call.
  std::vector<std::pair<std::string, std::string>> documents(a.documents().begin(),
                                                             a.documents().end());
  std::sort(documents.begin(), documents.end());
  std::vector<std::string> document_texts;
  document_texts.reserve(documents.size());
  for (const auto& [gate, reference] : documents) {
    document_texts.push_back(absl::StrCat(gate, ": ", reference));
  }
  std::string out = RenderFields({
      {"application", a.application_id()},
      {"USCC", a.uscc().value()},
      {"level", LevelLabel(a.level())},
      {"year", absl::StrCat(a.year())},
      {"state", ApplicationStateLabel(a.state())},
      {"scheme",
       a.scheme_id().empty() ? "" : absl::StrCat(a.scheme_id(), " version ", a.scheme_version())},
      {"documents", absl::StrJoin(document_texts, "; ")},
      {"approvals", absl::StrJoin(a.approvals(), ", ")},
      {"notice ends on", DateLabel(a.notice_ends_on())},
      {"title", a.title_id()},
      {"created", ShanghaiTime(a.created_at_unix_ms())},
  });
  absl::StrAppend(&out, "Gates:\n");
  if (a.gates_size() == 0) {
    absl::StrAppend(&out, "  not judged yet (judged when it is submitted)\n");
  } else {
    absl::StrAppend(&out, GatesTable(a.gates()));
  }
  absl::StrAppend(&out, "Score sheets:\n");
  if (a.scores_size() == 0) {
    absl::StrAppend(&out, "  none yet\n");
  } else {
    Table sheets({{"STAGE"}, {"TOTAL", Align::kRight}, {"PASSED"}, {"SCORED BY"}, {"SCORED"}});
    for (const cert::ScoreSheet& s : a.scores()) {
      sheets.AddRow({EnumLabel(cert::ScoreStage_Name(s.stage()), "SCORE_STAGE_"),
                     absl::StrCat(s.total()), YesNo(s.passed()), s.scored_by(),
                     ShanghaiTime(s.scored_at_unix_ms())});
    }
    absl::StrAppend(&out, sheets.Render());
  }
  absl::StrAppend(&out, "History:\n");
  Table history({{"FROM"}, {"TO"}, {"ACTION"}, {"BY"}, {"AT"}, {"REASONS"}});
  for (const cert::Transition& t : a.history()) {
    history.AddRow({ApplicationStateLabel(t.from()), ApplicationStateLabel(t.to()),
                    ActionLabel(t.action()), t.by(), ShanghaiTime(t.at_unix_ms()),
                    Reasons(t.reasons())});
  }
  absl::StrAppend(&out, history.Render());
  return out;
}

std::string TitleReviewsTable(const cert::ListTitleReviewsResponse& list) {
  Table table({{"REVIEW"},
               {"TITLE"},
               {"USCC"},
               {"CAUSE"},
               {"TRIGGER"},
               {"OPENED"},
               {"OPENED BY"},
               {"OUTCOME"},
               {"DECIDED BY"},
               {"DECIDED"},
               {"REASONS"}});
  for (const cert::TitleReview& r : list.reviews()) {
    table.AddRow({r.review_id(), r.title_id(), r.uscc().value(), Cause(r.cause()), r.trigger(),
                  ShanghaiTime(r.opened_at_unix_ms()), r.opened_by(), Outcome(r.outcome()),
                  r.decided_by(), ShanghaiTime(r.decided_at_unix_ms()), Reasons(r.reasons())});
  }
  std::string out = table.Render();
  absl::StrAppend(&out, list.reviews_size(), " title reviews\n");
  return out;
}

}  // namespace jieshui::cli
