#include "certification/src/adapters/certification_handlers.hpp"

#include <algorithm>
#include <map>
#include <utility>

#include "absl/strings/str_cat.h"
#include "absl/time/time.h"
#include "certification/src/core/evaluation.hpp"
#include "certification/src/core/lifecycle.hpp"
#include "grpcserver/handler.hpp"
#include "grpcserver/requests.hpp"
#include "grpcserver/status.hpp"
#include "paging/page_request.hpp"

namespace jieshui::certification {
namespace {

using grpcserver::ActFor;
using grpcserver::ActorLabel;
using grpcserver::Handle;
using grpcserver::InvalidArgument;
using grpcserver::ListScope;
using grpcserver::ParseId;
using grpcserver::Principal;
using grpcserver::PrincipalKind;
using grpcserver::PrincipalSet;
using grpcserver::principals::kDepartments;
using grpcserver::principals::kDistrictReaders;
using grpcserver::principals::kReaders;

// Who may call what (issue #16 "Access"): an enterprise files and applies for itself; the Water
// Affairs Bureau accepts records and, with Industry and Information Technology, reviews and
// decides; every department and partner reads.
constexpr PrincipalSet kRecordFilers = {PrincipalKind::kEnterprise, PrincipalKind::kWaterAffairs};
constexpr PrincipalSet kRecordReviewers = {PrincipalKind::kWaterAffairs};
constexpr PrincipalSet kDeciders = {PrincipalKind::kWaterAffairs, PrincipalKind::kIndustry};
constexpr PrincipalSet kApplicants = {PrincipalKind::kEnterprise};
// Acting on an application: the enterprise (submit, withdraw), the reviewers, and any department
// (an objection during the public notice); the lifecycle decides which action is whose.
constexpr PrincipalSet kActors = kDepartments | PrincipalSet{PrincipalKind::kEnterprise};
constexpr PrincipalSet kScorers = kDeciders | PrincipalSet{PrincipalKind::kEnterprise};

Role RoleOf(const Principal& p) {
  switch (p.kind) {
    case PrincipalKind::kEnterprise:
      return Role::kEnterprise;
    case PrincipalKind::kWaterAffairs:
      return Role::kWaterAffairs;
    case PrincipalKind::kIndustry:
      return Role::kIndustry;
    default:
      return Role::kOtherDepartment;
  }
}

absl::Status CheckLevel(v1::Level level, const std::string& field, bool required) {
  if ((required && level == v1::LEVEL_UNSPECIFIED) || !v1::Level_IsValid(level)) {
    return InvalidArgument(field,
                           "one of LEVEL_DISTRICT, LEVEL_MUNICIPAL, LEVEL_PROVINCIAL, "
                           "LEVEL_LEADER is required");
  }
  return absl::OkStatus();
}

absl::Status RequireReasons(const google::protobuf::RepeatedPtrField<std::string>& reasons,
                            const std::string& why) {
  if (std::none_of(reasons.begin(), reasons.end(),
                   [](const std::string& r) { return !r.empty(); })) {
    return InvalidArgument("reasons", why);
  }
  return absl::OkStatus();
}

std::vector<std::string> ReasonsOf(const google::protobuf::RepeatedPtrField<std::string>& r) {
  return {r.begin(), r.end()};
}

// A list's page; its token continues after the page's last id.
template <typename Req>
absl::StatusOr<std::pair<paging::PageAsked, int64_t>> CursorOf(const Req& req,
                                                               const HandlerOptions& options) {
  auto page = paging::PageOf(req, options.page_size_default, options.page_size_max);
  if (!page.ok()) {
    return page.status();
  }
  auto after = page->AfterId();
  if (!after.ok()) {
    return after.status();
  }
  return std::make_pair(*std::move(page), *after);
}

template <typename T>
void SetNextToken(const paging::PageAsked& asked, const Page<T>& page,
                  common::v1::PageResponse* out) {
  if (page.last_id.has_value()) {
    out->set_next_page_token(asked.NextToken(absl::StrCat(*page.last_id)));
  }
}

}  // namespace

CertificationHandlers::CertificationHandlers(CertificationStore* store, HandlerOptions options)
    : store_(store), options_(std::move(options)) {}

domain::Date CertificationHandlers::Today() const { return domain::DateOf(options_.now()); }
int64_t CertificationHandlers::NowMs() const { return absl::ToUnixMillis(options_.now()); }

absl::StatusOr<v1::Scheme> CertificationHandlers::SchemeById(const std::string& scheme_id,
                                                             int version) const {
  for (const v1::Scheme& s : options_.schemes) {
    if (s.scheme_id() == scheme_id && s.version() == version) {
      return s;
    }
  }
  return absl::FailedPreconditionError(absl::StrCat("scheme ", scheme_id, " version ", version,
                                                    " is no longer configured (schemes.yaml)"));
}

// ---- records ----

grpc::Status CertificationHandlers::CreateRecord(grpc::ServerContext* ctx,
                                                 const v1::CreateRecordRequest* req,
                                                 v1::Record* resp) {
  return Handle(ctx, kRecordFilers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Record> {
    v1::Record record = req->record();
    auto uscc = grpcserver::RequireUscc(record.uscc(), "record.uscc");
    if (!uscc.ok()) {
      return uscc.status();
    }
    record.mutable_uscc()->set_value(*uscc);
    if (absl::Status s = PrepareRecord(record, options_.records); !s.ok()) {
      return s;
    }
    if (absl::Status s = ActFor(p, *uscc, "file a record"); !s.ok()) {
      return s;
    }
    record.clear_record_id();
    record.clear_review();
    record.set_status(v1::RECORD_STATUS_SUBMITTED);
    record.set_filed_by(ActorLabel(p));
    record.set_filed_at_unix_ms(NowMs());
    return store_->InsertRecord(std::move(record));
  });
}

grpc::Status CertificationHandlers::GetRecord(grpc::ServerContext* ctx,
                                              const v1::GetRecordRequest* req, v1::Record* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::StatusOr<v1::Record> {
    auto id = ParseId(req->record_id(), "record_id", "a record id is required");
    if (!id.ok()) {
      return id.status();
    }
    auto record = store_->GetRecord(*id);
    if (record.ok()) {
      if (absl::Status s = ActFor(p, record->uscc().value(), "read the records"); !s.ok()) {
        return s;
      }
    }
    return record;
  });
}

grpc::Status CertificationHandlers::ListRecords(grpc::ServerContext* ctx,
                                                const v1::ListRecordsRequest* req,
                                                v1::ListRecordsResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto uscc = ListScope(p, req->uscc(), "list the records");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (!v1::RecordKind_IsValid(req->kind())) {
      return InvalidArgument("kind", "not a record kind");
    }
    if (!v1::RecordStatus_IsValid(req->status())) {
      return InvalidArgument("status", "not a record status");
    }
    if (req->year() != 0) {
      if (absl::Status s = grpcserver::CheckYear(req->year()); !s.ok()) {
        return s;
      }
    }
    auto cursor = CursorOf(*req, options_);
    if (!cursor.ok()) {
      return cursor.status();
    }
    auto page = store_->ListRecords(
        {.uscc = *uscc, .kind = req->kind(), .year = req->year(), .status = req->status()},
        cursor->second, cursor->first.size);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Record& r : page->rows) {
      *resp->add_records() = std::move(r);
    }
    SetNextToken(cursor->first, *page, resp->mutable_page());
    return absl::OkStatus();
  });
}

grpc::Status CertificationHandlers::ReviewRecord(grpc::ServerContext* ctx,
                                                 const v1::ReviewRecordRequest* req,
                                                 v1::Record* resp) {
  return Handle(ctx, kRecordReviewers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Record> {
    auto id = ParseId(req->record_id(), "record_id", "a record id is required");
    if (!id.ok()) {
      return id.status();
    }
    if (!req->accept()) {
      if (absl::Status s = RequireReasons(req->reasons(), "a returned record says why"); !s.ok()) {
        return s;
      }
    }
    return store_->UpdateRecord(*id, [&](v1::Record& record) -> absl::Status {
      if (record.status() != v1::RECORD_STATUS_SUBMITTED) {
        return InvalidArgument("record_id",
                               absl::StrCat("record ", record.record_id(), " is already ",
                                            v1::RecordStatus_Name(record.status()),
                                            ": only a submitted record is reviewed"));
      }
      record.set_status(req->accept() ? v1::RECORD_STATUS_ACCEPTED : v1::RECORD_STATUS_RETURNED);
      v1::Review* review = record.mutable_review();
      review->set_reviewer(ActorLabel(p));
      review->set_at_unix_ms(NowMs());
      *review->mutable_reasons() = req->reasons();
      return absl::OkStatus();
    });
  });
}

grpc::Status CertificationHandlers::UpdateRectification(grpc::ServerContext* ctx,
                                                        const v1::UpdateRectificationRequest* req,
                                                        v1::Record* resp) {
  return Handle(ctx, kRecordFilers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Record> {
    auto id = ParseId(req->record_id(), "record_id", "a record id is required");
    if (!id.ok()) {
      return id.status();
    }
    if (req->item_id().empty()) {
      return InvalidArgument("item_id", "the rectification item is required");
    }
    return store_->UpdateRecord(*id, [&](v1::Record& record) -> absl::Status {
      if (absl::Status s = ActFor(p, record.uscc().value(), "update the audits"); !s.ok()) {
        return s;
      }
      if (!record.has_audit()) {
        return InvalidArgument(
            "record_id", absl::StrCat("record ", record.record_id(), " is not a water audit"));
      }
      auto* items = record.mutable_audit()->mutable_rectifications();
      auto item = std::find_if(items->begin(), items->end(), [&](const v1::RectificationItem& i) {
        return i.item_id() == req->item_id();
      });
      if (item == items->end()) {
        return InvalidArgument("item_id", absl::StrCat("the audit has no item ", req->item_id()));
      }
      if (item->closed()) {
        return InvalidArgument("item_id", absl::StrCat("item ", req->item_id(), " is closed"));
      }
      if (req->close() && p.kind != PrincipalKind::kWaterAffairs) {
        return grpcserver::Denied(p, "closing a rectification item (water_affairs closes it)");
      }
      if (!req->feedback().empty()) {
        item->set_feedback(req->feedback());
      }
      item->set_closed(req->close());
      return absl::OkStatus();
    });
  });
}

// ---- schemes ----

grpc::Status CertificationHandlers::ListSchemes(grpc::ServerContext* ctx,
                                                const v1::ListSchemesRequest* req,
                                                v1::ListSchemesResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal&) -> absl::Status {
    if (absl::Status s = CheckLevel(req->level(), "level", false); !s.ok()) {
      return s;
    }
    if (!req->has_in_force_on()) {
      for (const v1::Scheme& s : options_.schemes) {
        if (req->level() == v1::LEVEL_UNSPECIFIED || s.level() == req->level()) {
          *resp->add_schemes() = s;
        }
      }
      return absl::OkStatus();
    }
    auto on = ParseDate(req->in_force_on(), "in_force_on");
    if (!on.ok()) {
      return on.status();
    }
    for (v1::Level level :
         {v1::LEVEL_DISTRICT, v1::LEVEL_MUNICIPAL, v1::LEVEL_PROVINCIAL, v1::LEVEL_LEADER}) {
      if (req->level() != v1::LEVEL_UNSPECIFIED && level != req->level()) {
        continue;
      }
      if (auto s = SchemeInForce(options_.schemes, level, *on); s.ok()) {
        *resp->add_schemes() = *std::move(s);
      }
    }
    return absl::OkStatus();
  });
}

// ---- applications ----

grpc::Status CertificationHandlers::CreateApplication(grpc::ServerContext* ctx,
                                                      const v1::CreateApplicationRequest* req,
                                                      v1::Application* resp) {
  return Handle(ctx, kApplicants, resp, [&](const Principal& p) -> absl::StatusOr<v1::Application> {
    auto uscc = grpcserver::RequireUscc(req->uscc());
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = CheckLevel(req->level(), "level", true); !s.ok()) {
      return s;
    }
    const domain::Date today = Today();
    const int year = req->year() == 0 ? today.year() : req->year();
    if (absl::Status s = grpcserver::CheckYear(year); !s.ok()) {
      return s;
    }
    auto scheme = SchemeInForce(options_.schemes, req->level(), today);
    if (!scheme.ok()) {
      return InvalidArgument("level", std::string(scheme.status().message()));
    }
    if (absl::Status s = ActFor(p, *uscc, "apply for a title"); !s.ok()) {
      return s;
    }
    v1::Application app;
    app.mutable_uscc()->set_value(*uscc);
    app.set_level(req->level());
    app.set_year(year);
    app.set_state(v1::APPLICATION_STATE_DRAFT);
    app.set_scheme_id(scheme->scheme_id());
    app.set_scheme_version(scheme->version());
    *app.mutable_documents() = req->documents();
    app.set_created_at_unix_ms(NowMs());
    v1::Transition* t = app.add_history();
    t->set_to(v1::APPLICATION_STATE_DRAFT);
    t->set_by(ActorLabel(p));
    t->set_at_unix_ms(NowMs());
    return store_->InsertApplication(std::move(app));
  });
}

grpc::Status CertificationHandlers::GetApplication(grpc::ServerContext* ctx,
                                                   const v1::GetApplicationRequest* req,
                                                   v1::Application* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::StatusOr<v1::Application> {
    auto id = ParseId(req->application_id(), "application_id", "an application id is required");
    if (!id.ok()) {
      return id.status();
    }
    auto app = store_->GetApplication(*id);
    if (app.ok()) {
      if (absl::Status s = ActFor(p, app->uscc().value(), "read the applications"); !s.ok()) {
        return s;
      }
    }
    return app;
  });
}

grpc::Status CertificationHandlers::ListApplications(grpc::ServerContext* ctx,
                                                     const v1::ListApplicationsRequest* req,
                                                     v1::ListApplicationsResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto uscc = ListScope(p, req->uscc(), "list the applications");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = CheckLevel(req->level(), "level", false); !s.ok()) {
      return s;
    }
    if (!v1::ApplicationState_IsValid(req->state())) {
      return InvalidArgument("state", "not an application state");
    }
    auto cursor = CursorOf(*req, options_);
    if (!cursor.ok()) {
      return cursor.status();
    }
    auto page =
        store_->ListApplications({.uscc = *uscc, .level = req->level(), .state = req->state()},
                                 cursor->second, cursor->first.size);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Application& a : page->rows) {
      *resp->add_applications() = std::move(a);
    }
    SetNextToken(cursor->first, *page, resp->mutable_page());
    return absl::OkStatus();
  });
}

grpc::Status CertificationHandlers::ScoreApplication(grpc::ServerContext* ctx,
                                                     const v1::ScoreApplicationRequest* req,
                                                     v1::Application* resp) {
  return Handle(ctx, kScorers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Application> {
    auto id = ParseId(req->application_id(), "application_id", "an application id is required");
    if (!id.ok()) {
      return id.status();
    }
    if (req->stage() == v1::SCORE_STAGE_UNSPECIFIED || !v1::ScoreStage_IsValid(req->stage())) {
      return InvalidArgument("stage", "SELF, PRELIMINARY or FINAL is required");
    }
    return store_->UpdateApplication(
        *id, [&](pqxx::work& tx, v1::Application& app, ApplicationEffects&) -> absl::Status {
          if (absl::Status s = ActFor(p, app.uscc().value(), "score the applications"); !s.ok()) {
            return s;
          }
          if (absl::Status s = CheckScoreAllowed(app, req->stage(), RoleOf(p)); !s.ok()) {
            return s;
          }
          auto scheme = SchemeById(app.scheme_id(), app.scheme_version());
          if (!scheme.ok()) {
            return scheme.status();
          }
          auto enterprise = store_->Enterprise(tx, app.uscc().value(), "application_id");
          if (!enterprise.ok()) {
            return enterprise.status();
          }
          auto figures = store_->LoadFigures(tx, app.uscc().value());
          if (!figures.ok()) {
            return figures.status();
          }
          auto sheet = Score(*scheme, enterprise->industry_code, *figures,
                             {req->items().begin(), req->items().end()}, req->stage());
          if (!sheet.ok()) {
            return sheet.status();
          }
          sheet->set_scored_by(ActorLabel(p));
          sheet->set_scored_at_unix_ms(NowMs());
          auto* scores = app.mutable_scores();
          auto same = std::find_if(scores->begin(), scores->end(), [&](const v1::ScoreSheet& s) {
            return s.stage() == req->stage();
          });
          if (same != scores->end()) {
            *same = *std::move(sheet);
          } else {
            *app.add_scores() = *std::move(sheet);
          }
          return absl::OkStatus();
        });
  });
}

grpc::Status CertificationHandlers::Act(grpc::ServerContext* ctx, const v1::ActRequest* req,
                                        v1::Application* resp) {
  return Handle(ctx, kActors, resp, [&](const Principal& p) -> absl::StatusOr<v1::Application> {
    auto id = ParseId(req->application_id(), "application_id", "an application id is required");
    if (!id.ok()) {
      return id.status();
    }
    if (req->action() == v1::ACTION_UNSPECIFIED || !v1::Action_IsValid(req->action())) {
      return InvalidArgument("action", "an action is required");
    }
    const domain::Date today = Today();
    return store_->UpdateApplication(
        *id,
        [&](pqxx::work& tx, v1::Application& app, ApplicationEffects& effects) -> absl::Status {
          if (absl::Status s = ActFor(p, app.uscc().value(), "act on the applications"); !s.ok()) {
            return s;
          }
          // A submission is judged under the scheme in force on the day it is submitted.
          const bool submitting =
              req->action() == v1::ACTION_SUBMIT && app.state() == v1::APPLICATION_STATE_DRAFT;
          absl::StatusOr<v1::Scheme> scheme =
              submitting ? SchemeInForce(options_.schemes, app.level(), today)
                         : SchemeById(app.scheme_id(), app.scheme_version());
          if (!scheme.ok()) {
            return absl::FailedPreconditionError(scheme.status().message());
          }
          // Who may act, and from which state, first: a caller who may not submit is told so, not
          // how the gates stand.
          const ActContext act{.role = RoleOf(p),
                               .actor_label = ActorLabel(p),
                               .today = today,
                               .now_unix_ms = NowMs(),
                               .pass_mark = scheme->pass_mark(),
                               .notice_days = scheme->notice_days(),
                               .dual_approval = scheme->dual_approval()};
          if (absl::Status s = ApplyAction(app, req->action(), ReasonsOf(req->reasons()), act);
              !s.ok()) {
            return s;
          }
          if (submitting) {
            app.set_scheme_id(scheme->scheme_id());
            app.set_scheme_version(scheme->version());
            for (const auto& [k, v] : req->documents()) {
              (*app.mutable_documents())[k] = v;
            }
            auto facts = store_->LoadFacts(tx, app.uscc().value(), today);
            if (!facts.ok()) {
              return facts.status();
            }
            facts->documents = {app.documents().begin(), app.documents().end()};
            app.clear_gates();
            // A failed gate stops the submission (nothing is stored) and names the gate.
            for (v1::GateResult& g : EvaluateGates(*scheme, *facts, today)) {
              if (!g.passed()) {
                return errors::WithFieldViolation(
                    absl::FailedPreconditionError(absl::StrCat(
                        "gate ", g.gate_id(), " (", g.title(), ") failed: ", g.evidence())),
                    absl::StrCat("gates[", g.gate_id(), "]"), g.evidence());
              }
              *app.add_gates() = std::move(g);
            }
          }
          if (req->action() != v1::ACTION_GRANT) {
            return absl::OkStatus();
          }
          if (req->certificate_number().empty()) {
            return InvalidArgument("certificate_number", "a granted title carries its number");
          }
          if (req->document_number().empty()) {
            return InvalidArgument("document_number",
                                   "a granted title carries the issuing document's number (文号)");
          }
          domain::Date from = today;
          if (req->has_valid_from()) {
            auto d = ParseDate(req->valid_from(), "valid_from");
            if (!d.ok()) {
              return d.status();
            }
            from = *d;
          }
          domain::Date until = ValidUntil(from, scheme->validity_years());
          if (req->has_valid_until()) {
            auto d = ParseDate(req->valid_until(), "valid_until");
            if (!d.ok()) {
              return d.status();
            }
            until = *d;
          }
          if (until < from) {
            return InvalidArgument(
                "valid_until",
                absl::StrCat(until.ToString(), " is before valid_from ", from.ToString()));
          }
          v1::Title title;
          *title.mutable_uscc() = app.uscc();
          title.set_level(app.level());
          title.set_certificate_number(req->certificate_number());
          title.set_document_number(req->document_number());
          *title.mutable_valid_from() = ToProto(from);
          *title.mutable_valid_until() = ToProto(until);
          title.set_status(v1::TITLE_STATUS_ACTIVE);
          title.set_scheme_id(app.scheme_id());
          title.set_granted_at_unix_ms(NowMs());
          effects.grant = std::move(title);
          return absl::OkStatus();
        });
  });
}

// ---- titles ----

grpc::Status CertificationHandlers::ListTitles(grpc::ServerContext* ctx,
                                               const v1::ListTitlesRequest* req,
                                               v1::ListTitlesResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto uscc = ListScope(p, req->uscc(), "list the titles");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (uscc->empty()) {
      return InvalidArgument("uscc", "the enterprise is required (ListCertified lists many)");
    }
    domain::Date on = Today();
    if (req->has_valid_on()) {
      auto d = ParseDate(req->valid_on(), "valid_on");
      if (!d.ok()) {
        return d.status();
      }
      on = *d;
    }
    auto titles = store_->ListTitles(*uscc);
    if (!titles.ok()) {
      return titles.status();
    }
    for (v1::Title& t : *titles) {
      if (req->has_valid_on() && !ValidOn(t, on)) {
        continue;
      }
      t.set_status(StatusOn(t, on));
      *resp->add_titles() = std::move(t);
    }
    return absl::OkStatus();
  });
}

grpc::Status CertificationHandlers::ListCertified(grpc::ServerContext* ctx,
                                                  const v1::ListCertifiedRequest* req,
                                                  v1::ListCertifiedResponse* resp) {
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::Status {
    if (!req->has_on()) {
      return InvalidArgument("on", "the day the titles are valid on is required");
    }
    auto on = ParseDate(req->on(), "on");
    if (!on.ok()) {
      return on.status();
    }
    if (absl::Status s = CheckLevel(req->level(), "level", false); !s.ok()) {
      return s;
    }
    auto cursor = CursorOf(*req, options_);
    if (!cursor.ok()) {
      return cursor.status();
    }
    auto page = store_->ListCertified({.on = *on,
                                       .level = req->level(),
                                       .town = req->town(),
                                       .park_id = req->park_id(),
                                       .industry_code = req->industry_code()},
                                      cursor->second, cursor->first.size);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::CertifiedEnterprise& e : page->rows) {
      *resp->add_enterprises() = std::move(e);
    }
    SetNextToken(cursor->first, *page, resp->mutable_page());
    return absl::OkStatus();
  });
}

grpc::Status CertificationHandlers::OpenTitleReview(grpc::ServerContext* ctx,
                                                    const v1::OpenTitleReviewRequest* req,
                                                    v1::TitleReview* resp) {
  return Handle(ctx, kDeciders, resp, [&](const Principal& p) -> absl::StatusOr<v1::TitleReview> {
    auto id = ParseId(req->title_id(), "title_id", "a title id is required");
    if (!id.ok()) {
      return id.status();
    }
    if (absl::Status s = RequireReasons(req->reasons(), "a review says why it is opened");
        !s.ok()) {
      return s;
    }
    v1::TitleReview review;
    review.set_cause(v1::REVIEW_CAUSE_DUE);
    review.set_opened_at_unix_ms(NowMs());
    review.set_opened_by(ActorLabel(p));
    *review.mutable_reasons() = req->reasons();
    return store_->OpenReview(*id, std::move(review), Today());
  });
}

grpc::Status CertificationHandlers::DecideTitleReview(grpc::ServerContext* ctx,
                                                      const v1::DecideTitleReviewRequest* req,
                                                      v1::TitleReview* resp) {
  return Handle(ctx, kDeciders, resp, [&](const Principal& p) -> absl::StatusOr<v1::TitleReview> {
    auto id = ParseId(req->review_id(), "review_id", "a review id is required");
    if (!id.ok()) {
      return id.status();
    }
    const v1::ReviewOutcome outcome = req->outcome();
    if (outcome == v1::REVIEW_OUTCOME_UNSPECIFIED || !v1::ReviewOutcome_IsValid(outcome)) {
      return InvalidArgument("outcome", "RENEWED, EXPIRED, REVOKED, WITHDRAWN or DISMISSED");
    }
    if (outcome != v1::REVIEW_OUTCOME_RENEWED && outcome != v1::REVIEW_OUTCOME_EXPIRED) {
      if (absl::Status s = RequireReasons(
              req->reasons(), absl::StrCat(v1::ReviewOutcome_Name(outcome), " states its reasons"));
          !s.ok()) {
        return s;
      }
    }
    const domain::Date today = Today();
    return store_->DecideReview(*id, [&](v1::TitleReview& review, v1::Title& title) {
      if (review.outcome() != v1::REVIEW_OUTCOME_UNSPECIFIED) {
        return InvalidArgument("review_id",
                               absl::StrCat("review ", review.review_id(), " is already decided (",
                                            v1::ReviewOutcome_Name(review.outcome()), ")"));
      }
      review.set_outcome(outcome);
      *review.mutable_reasons() = req->reasons();
      review.set_decided_by(ActorLabel(p));
      review.set_decided_at_unix_ms(NowMs());
      const std::string reason = req->reasons_size() > 0 ? req->reasons(0) : "";
      switch (outcome) {
        case v1::REVIEW_OUTCOME_RENEWED: {
          auto scheme = SchemeInForce(options_.schemes, title.level(), today);
          if (!scheme.ok()) {
            return absl::FailedPreconditionError(scheme.status().message());
          }
          const domain::Date next = FromProto(title.valid_until()).Next();
          *title.mutable_valid_until() = ToProto(ValidUntil(next, scheme->validity_years()));
          title.set_status(v1::TITLE_STATUS_ACTIVE);
          break;
        }
        case v1::REVIEW_OUTCOME_EXPIRED:
          title.set_status(v1::TITLE_STATUS_EXPIRED);
          break;
        case v1::REVIEW_OUTCOME_REVOKED:
          title.set_status(v1::TITLE_STATUS_REVOKED);
          title.set_reason(reason);
          break;
        case v1::REVIEW_OUTCOME_WITHDRAWN:
          title.set_status(v1::TITLE_STATUS_WITHDRAWN);
          title.set_reason(reason);
          break;
        default:  // DISMISSED: the title stands
          title.set_status(v1::TITLE_STATUS_ACTIVE);
          break;
      }
      return absl::OkStatus();
    });
  });
}

grpc::Status CertificationHandlers::ListTitleReviews(grpc::ServerContext* ctx,
                                                     const v1::ListTitleReviewsRequest* req,
                                                     v1::ListTitleReviewsResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto uscc = ListScope(p, req->uscc(), "list the title reviews");
    if (!uscc.ok()) {
      return uscc.status();
    }
    auto reviews = store_->ListReviews(*uscc, req->open_only());
    if (!reviews.ok()) {
      return reviews.status();
    }
    for (v1::TitleReview& r : *reviews) {
      *resp->add_reviews() = std::move(r);
    }
    return absl::OkStatus();
  });
}

grpc::Status CertificationHandlers::ListDue(grpc::ServerContext* ctx, const v1::ListDueRequest* req,
                                            v1::ListDueResponse* resp) {
  return Handle(
      ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::StatusOr<v1::ListDueResponse> {
        if (req->days() < 1 || req->days() > 3660) {
          return InvalidArgument("days", absl::StrCat("must be 1-3660, got ", req->days()));
        }
        return store_->ListDue(Today(), req->days());
      });
}

grpc::Status CertificationHandlers::RecordViolation(grpc::ServerContext* ctx,
                                                    const v1::RecordViolationRequest* req,
                                                    v1::Violation* resp) {
  return Handle(ctx, kDeciders, resp, [&](const Principal& p) -> absl::StatusOr<v1::Violation> {
    auto uscc = grpcserver::RequireUscc(req->uscc());
    if (!uscc.ok()) {
      return uscc.status();
    }
    auto day = ParseDate(req->occurred_on(), "occurred_on");
    if (!day.ok()) {
      return day.status();
    }
    if (Today() < *day) {
      return InvalidArgument("occurred_on", "is in the future");
    }
    if (req->description().empty()) {
      return InvalidArgument("description", "what the violation was is required");
    }
    v1::Violation v;
    v.mutable_uscc()->set_value(*uscc);
    *v.mutable_occurred_on() = req->occurred_on();
    v.set_description(req->description());
    return store_->InsertViolation(std::move(v), ActorLabel(p), NowMs());
  });
}

grpc::Status CertificationHandlers::ImportTitle(grpc::ServerContext* ctx,
                                                const v1::ImportTitleRequest* req,
                                                v1::Title* resp) {
  return Handle(ctx, kRecordReviewers, resp, [&](const Principal&) -> absl::StatusOr<v1::Title> {
    auto uscc = grpcserver::RequireUscc(req->uscc());
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = CheckLevel(req->level(), "level", true); !s.ok()) {
      return s;
    }
    if (req->certificate_number().empty()) {
      return InvalidArgument("certificate_number", "the certificate's number is required");
    }
    if (req->document_number().empty()) {
      return InvalidArgument("document_number", "the issuing document's number (文号) is required");
    }
    auto from = ParseDate(req->valid_from(), "valid_from");
    if (!from.ok()) {
      return from.status();
    }
    domain::Date until = *from;
    if (req->has_valid_until()) {
      auto d = ParseDate(req->valid_until(), "valid_until");
      if (!d.ok()) {
        return d.status();
      }
      until = *d;
    } else {
      // The level's validity as configured today (older schemes are not all kept).
      auto scheme = SchemeInForce(options_.schemes, req->level(), Today());
      if (!scheme.ok()) {
        return InvalidArgument("valid_until", "no scheme of the level gives its validity: set it");
      }
      until = ValidUntil(*from, scheme->validity_years());
    }
    if (until < *from) {
      return InvalidArgument("valid_until", absl::StrCat(until.ToString(), " is before valid_from ",
                                                         from->ToString()));
    }
    if (Today() < *from) {
      return InvalidArgument("valid_from", "a title is imported once granted, not ahead of it");
    }
    v1::Title title;
    title.mutable_uscc()->set_value(*uscc);
    title.set_level(req->level());
    title.set_certificate_number(req->certificate_number());
    title.set_document_number(req->document_number());
    *title.mutable_valid_from() = ToProto(*from);
    *title.mutable_valid_until() = ToProto(until);
    title.set_status(v1::TITLE_STATUS_ACTIVE);
    title.set_scheme_id("imported");
    title.set_granted_at_unix_ms(absl::ToUnixMillis(domain::StartOf(*from)));
    return store_->InsertTitle(std::move(title));
  });
}

// ---- eligibility and counts ----

grpc::Status CertificationHandlers::GetEligibility(grpc::ServerContext* ctx,
                                                   const v1::GetEligibilityRequest* req,
                                                   v1::EligibilityReport* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto uscc = grpcserver::RequireUscc(req->uscc());
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = CheckLevel(req->level(), "level", true); !s.ok()) {
      return s;
    }
    domain::Date on = Today();
    if (req->has_on()) {
      auto d = ParseDate(req->on(), "on");
      if (!d.ok()) {
        return d.status();
      }
      on = *d;
    }
    if (absl::Status s = ActFor(p, *uscc, "read the eligibility"); !s.ok()) {
      return s;
    }
    auto scheme = SchemeInForce(options_.schemes, req->level(), on);
    if (!scheme.ok()) {
      return InvalidArgument("level", std::string(scheme.status().message()));
    }
    return store_->Read([&](pqxx::work& tx) -> absl::Status {
      if (auto e = store_->Enterprise(tx, *uscc, "uscc"); !e.ok()) {
        return e.status();
      }
      auto facts = store_->LoadFacts(tx, *uscc, on);
      if (!facts.ok()) {
        return facts.status();
      }
      auto documents = store_->OpenApplicationDocuments(tx, *uscc, req->level());
      if (!documents.ok()) {
        return documents.status();
      }
      facts->documents = *std::move(documents);
      for (const auto& [gate, reference] : req->documents()) {
        facts->documents[gate] = reference;
      }
      resp->mutable_uscc()->set_value(*uscc);
      resp->set_level(req->level());
      resp->set_scheme_id(scheme->scheme_id());
      resp->set_scheme_version(scheme->version());
      *resp->mutable_on() = ToProto(on);
      bool eligible = true;
      for (v1::GateResult& g : EvaluateGates(*scheme, *facts, on)) {
        if (!g.passed() && eligible) {
          eligible = false;
          resp->set_failed_gate(g.gate_id());
        }
        *resp->add_gates() = std::move(g);
      }
      resp->set_eligible(eligible);
      return absl::OkStatus();
    });
  });
}

grpc::Status CertificationHandlers::CountActivity(grpc::ServerContext* ctx,
                                                  const v1::CountActivityRequest* req,
                                                  v1::ActivityCounts* resp) {
  return Handle(ctx, kDistrictReaders, resp,
                [&](const Principal&) -> absl::StatusOr<v1::ActivityCounts> {
                  if (absl::Status s = grpcserver::CheckYear(req->year()); !s.ok()) {
                    return s;
                  }
                  return store_->CountActivity(req->year());
                });
}

}  // namespace jieshui::certification
