#include "reporting/src/adapters/reporting_handlers.hpp"

#include <algorithm>
#include <optional>
#include <utility>

#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "domain/period.hpp"
#include "domain/uscc.hpp"
#include "grpcserver/handler.hpp"
#include "grpcserver/requests.hpp"
#include "grpcserver/status.hpp"
#include "paging/page_request.hpp"
#include "reporting/src/adapters/exports.hpp"
#include "reporting/src/core/indicators.hpp"
#include "reporting/src/core/periods.hpp"

namespace jieshui::reporting {
namespace {

using grpcserver::ActorLabel;
using grpcserver::Handle;
using grpcserver::InvalidArgument;
using grpcserver::Principal;
using grpcserver::PrincipalKind;
using grpcserver::PrincipalSet;
using grpcserver::principals::kDistrictReaders;
using grpcserver::principals::kReaders;

// Who may call what (issue #17): water_affairs edits targets and the baseline; Statistics
// submits value added; every department and partner reads the district; an enterprise reads its
// own figures.
constexpr PrincipalSet kTargetEditors = {PrincipalKind::kWaterAffairs};
constexpr PrincipalSet kStatistics = {PrincipalKind::kStatistics};

// The scope asked for: the district when unset; an enterprise caller only its own enterprise.
absl::StatusOr<v1::Scope> CheckScope(const Principal& p, const v1::Scope& requested) {
  v1::Scope scope = requested;
  if (scope.kind() == v1::SCOPE_KIND_UNSPECIFIED) {
    scope.set_kind(p.kind == PrincipalKind::kEnterprise ? v1::SCOPE_KIND_ENTERPRISE
                                                        : v1::SCOPE_KIND_DISTRICT);
    scope.set_value(p.kind == PrincipalKind::kEnterprise ? p.uscc : "");
  }
  switch (scope.kind()) {
    case v1::SCOPE_KIND_DISTRICT:
      scope.clear_value();
      break;
    case v1::SCOPE_KIND_TOWN:
    case v1::SCOPE_KIND_PARK:
    case v1::SCOPE_KIND_INDUSTRY:
      if (scope.value().empty()) {
        return InvalidArgument("scope.value", "the town, park or industry division is required");
      }
      break;
    case v1::SCOPE_KIND_ENTERPRISE: {
      auto uscc = domain::Uscc::Parse(scope.value(), "scope.value");
      if (!uscc.ok()) {
        return uscc.status();
      }
      scope.set_value(uscc->value());
      break;
    }
    default:
      return InvalidArgument("scope.kind", "not a scope");
  }
  if (p.kind == PrincipalKind::kEnterprise &&
      (scope.kind() != v1::SCOPE_KIND_ENTERPRISE || scope.value() != p.uscc)) {
    return grpcserver::Denied(p, absl::StrCat("read the figures of ", ScopeKey(scope)));
  }
  return scope;
}

// A period that has begun (Shanghai time): a future one has no figures.
absl::StatusOr<v1::IndicatorPeriod> CheckPastPeriod(const v1::IndicatorPeriod& requested,
                                                    const domain::Date& today) {
  auto period = CheckPeriod(requested, "period");
  if (!period.ok()) {
    return period.status();
  }
  const int first_month = MonthsOf(*period).front();
  if (period->year() > today.year() ||
      (period->year() == today.year() && first_month > today.month())) {
    return InvalidArgument("period", absl::StrCat(PeriodKey(*period), " is in the future"));
  }
  return period;
}

// The scope and period a read asks for, checked (an enterprise only its own scope).
struct Asked {
  v1::Scope scope;
  v1::IndicatorPeriod period;
};
absl::StatusOr<Asked> CheckAsked(const Principal& p, const v1::Scope& scope,
                                 const v1::IndicatorPeriod& period, const domain::Date& today) {
  auto checked_scope = CheckScope(p, scope);
  if (!checked_scope.ok()) {
    return checked_scope.status();
  }
  auto checked_period = CheckPastPeriod(period, today);
  if (!checked_period.ok()) {
    return checked_period.status();
  }
  return Asked{.scope = *std::move(checked_scope), .period = *std::move(checked_period)};
}

// Indicator codes asked for; INVALID_ARGUMENT naming `field` ("code", "codes[1]").
absl::Status CheckCode(const std::string& code, const std::string& field) {
  if (!IsCode(code)) {
    return InvalidArgument(field, absl::StrCat("no indicator \"", code, "\""));
  }
  return absl::OkStatus();
}
absl::StatusOr<std::vector<std::string>> CheckCodes(
    const google::protobuf::RepeatedPtrField<std::string>& asked) {
  std::vector<std::string> codes(asked.begin(), asked.end());
  for (size_t i = 0; i < codes.size(); ++i) {
    if (absl::Status s = CheckCode(codes[i], absl::StrCat("codes[", i, "]")); !s.ok()) {
      return s;
    }
  }
  return codes;
}

}  // namespace

ReportingHandlers::ReportingHandlers(ReportingStore* store, redis::WriteBehindCache* cache,
                                     HandlerOptions options)
    : store_(store), cache_(cache), options_(std::move(options)) {}

std::string CacheKey(const v1::Scope& scope, const v1::IndicatorPeriod& period) {
  return absl::StrCat(ScopeKey(scope), "|", PeriodKey(period));
}

absl::StatusOr<std::string> LoadForCache(ReportingStore& store, const std::string& key) {
  const size_t bar = key.find('|');
  auto set = store.Indicators(ScopeOfKey(key.substr(0, bar)), PeriodOfKey(key.substr(bar + 1)), {});
  if (!set.ok()) {
    return set.status();
  }
  return set->SerializeAsString();
}

absl::StatusOr<v1::IndicatorSet> ReportingHandlers::Read(const v1::Scope& scope,
                                                         const v1::IndicatorPeriod& period,
                                                         const std::vector<std::string>& codes) {
  // An enterprise's own figures are not cached (one read per enterprise, seldom).
  if (cache_ != nullptr && scope.kind() != v1::SCOPE_KIND_ENTERPRISE) {
    auto cached = cache_->Get(CacheKey(scope, period));
    v1::IndicatorSet set;
    if (cached.ok() && cached->has_value() && set.ParseFromString(**cached)) {
      set.set_served_from(v1::SERVED_FROM_CACHE);
      if (!codes.empty()) {
        v1::IndicatorSet picked = set;
        picked.clear_indicators();
        for (const std::string& code : codes) {
          for (const v1::Indicator& i : set.indicators()) {
            if (i.code() == code) {
              *picked.add_indicators() = i;
            }
          }
        }
        return picked;
      }
      return set;
    }
  }
  return store_->Indicators(scope, period, codes);
}

absl::StatusOr<std::vector<v1::Target>> ReportingHandlers::AllTargets() {
  auto stored = store_->StoredTargets();
  if (!stored.ok()) {
    return stored.status();
  }
  std::vector<v1::Target> all = DefaultTargets();
  all.insert(all.end(), stored->begin(), stored->end());
  return all;
}

grpc::Status ReportingHandlers::ListTargets(grpc::ServerContext* ctx,
                                            const v1::ListTargetsRequest* req,
                                            v1::ListTargetsResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal&) -> absl::Status {
    auto all = AllTargets();
    if (!all.ok()) {
      return all.status();
    }
    for (const v1::Target& t : *all) {
      if ((req->from_year() != 0 && t.year() < req->from_year()) ||
          (req->to_year() != 0 && t.year() > req->to_year())) {
        continue;
      }
      if (!req->with_history() &&
          TargetInForce(*all, t.code(), t.year())->version() != t.version()) {
        continue;
      }
      *resp->add_targets() = t;
    }
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::SetTarget(grpc::ServerContext* ctx, const v1::SetTargetRequest* req,
                                          v1::Target* resp) {
  return Handle(ctx, kTargetEditors, resp, [&](const Principal& p) -> absl::StatusOr<v1::Target> {
    if (absl::Status s = CheckCode(req->code(), "code"); !s.ok()) {
      return s;
    }
    if (req->year() < 2023 || req->year() > 2100) {
      return InvalidArgument("year", absl::StrCat("must be 2023-2100, got ", req->year()));
    }
    if (req->reason().empty()) {
      return InvalidArgument("reason", "every change of a target records why it was made");
    }
    v1::Target t;
    t.set_code(req->code());
    t.set_year(req->year());
    t.set_unit(UnitOf(req->code()));
    if (t.unit() == v1::INDICATOR_UNIT_COUNT) {
      if (req->count() < 0) {
        return InvalidArgument("count", "must not be negative");
      }
      t.set_count(req->count());
    } else {
      if (req->basis_points() < -10000 || req->basis_points() > 10000) {
        return InvalidArgument("basis_points", "must be -10000..10000 (−100%..100%)");
      }
      t.set_basis_points(req->basis_points());
    }
    t.set_reason(req->reason());
    t.set_set_by(ActorLabel(p));
    t.set_set_at_unix_ms(absl::ToUnixMillis(options_.now()));
    auto added = store_->AddTarget(std::move(t));
    if (added.ok() && cache_ != nullptr) {
      cache_->Reset();  // every cached figure carries its target
    }
    return added;
  });
}

grpc::Status ReportingHandlers::ImportValueAdded(
    grpc::ServerContext* ctx, grpc::ServerReader<v1::ImportValueAddedRequest>* reader,
    v1::ImportValueAddedResponse* resp) {
  return Handle(ctx, kStatistics, resp, [&](const Principal& p) -> absl::Status {
    const int current_year = domain::DateOf(options_.now()).year();
    auto known = store_->KnownEnterprises();
    if (!known.ok()) {
      return known.status();
    }
    std::string source;
    std::vector<v1::ValueAddedRow> rows;
    v1::ImportValueAddedResponse refused;
    v1::ImportValueAddedRequest msg;
    int64_t seen = 0;
    while (reader->Read(&msg)) {
      if (msg.has_source()) {
        source = msg.source();
        continue;
      }
      v1::ValueAddedRow row = msg.row();
      ++seen;
      if (row.line() == 0) {
        row.set_line(seen);
      }
      auto error = [&](const char* column, const std::string& reason) {
        v1::RowError* e = refused.add_errors();
        e->set_line(row.line());
        e->set_column(column);
        e->set_reason(reason);
      };
      auto uscc = domain::Uscc::Parse(row.uscc().value(), "uscc");
      if (!uscc.ok()) {
        error("uscc", std::string(uscc.status().message()));
      } else if (!known->contains(uscc->value())) {
        error("uscc", absl::StrCat("enterprise ", uscc->value(), " is not in the registry"));
      } else if (row.year() < 2000 || row.year() > current_year) {
        error("year", absl::StrCat("must be 2000-", current_year, ", got ", row.year()));
      } else if (row.value_added().fen() < 0) {
        error("value_added", "must not be negative");
      } else {
        row.mutable_uscc()->set_value(uscc->value());
        rows.push_back(std::move(row));
      }
      if (seen > options_.import_rows_max) {
        return InvalidArgument("row", absl::StrCat("more than ", options_.import_rows_max,
                                                   " rows in one import: split the file"));
      }
    }
    if (refused.errors_size() > 0) {
      // A refused import stores nothing; every row's error is in the answer.
      refused.set_rejected(refused.errors_size());
      *resp = std::move(refused);
      return absl::OkStatus();
    }
    if (rows.empty()) {
      return InvalidArgument("row", "an import holds at least one row");
    }
    auto result = store_->ImportValueAdded(source.empty() ? "import" : source, rows, ActorLabel(p),
                                           absl::ToUnixMillis(options_.now()));
    if (!result.ok()) {
      return result.status();
    }
    *resp = *std::move(result);
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::ListValueAdded(grpc::ServerContext* ctx,
                                               const v1::ListValueAddedRequest* req,
                                               v1::ListValueAddedResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    if (absl::Status s = grpcserver::CheckYear(req->year()); !s.ok()) {
      return s;
    }
    auto uscc = grpcserver::ListScope(p, req->uscc(), "list the value added");
    if (!uscc.ok()) {
      return uscc.status();
    }
    auto page = paging::PageOf(*req, options_.page_size_default, options_.page_size_max);
    if (!page.ok()) {
      return page.status();
    }
    std::string last;
    auto rows = store_->ListValueAdded(req->year(), *uscc, page->after, page->size, &last);
    if (!rows.ok()) {
      return rows.status();
    }
    *resp = *std::move(rows);
    if (!last.empty()) {
      resp->mutable_page()->set_next_page_token(page->NextToken(last));
    }
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::GetBaseline(grpc::ServerContext* ctx,
                                            const v1::GetBaselineRequest* /*req*/,
                                            v1::Baseline* resp) {
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::StatusOr<v1::Baseline> {
    auto versions = store_->Baselines();
    if (!versions.ok()) {
      return versions.status();
    }
    if (versions->empty()) {
      return absl::NotFoundError("the 2020 baseline has not been entered");
    }
    return versions->back();
  });
}

grpc::Status ReportingHandlers::SetBaseline(grpc::ServerContext* ctx,
                                            const v1::SetBaselineRequest* req, v1::Baseline* resp) {
  return Handle(ctx, kTargetEditors, resp, [&](const Principal& p) -> absl::StatusOr<v1::Baseline> {
    if (req->new_water().litres() <= 0) {
      return InvalidArgument("new_water", "the 2020 intake must be positive");
    }
    if (req->value_added().fen() <= 0) {
      return InvalidArgument("value_added", "the 2020 value added must be positive");
    }
    if (req->reclaimed_water().litres() < 0) {
      return InvalidArgument("reclaimed_water", "must not be negative");
    }
    v1::Baseline b;
    b.set_year(2020);
    *b.mutable_new_water() = req->new_water();
    *b.mutable_value_added() = req->value_added();
    *b.mutable_reclaimed_water() = req->reclaimed_water();
    b.set_reason(req->reason());
    b.set_set_by(ActorLabel(p));
    b.set_set_at_unix_ms(absl::ToUnixMillis(options_.now()));
    return store_->AddBaseline(std::move(b));
  });
}

// The annual implementation reports are due on 10 December of their year, Shanghai time.
domain::Date DueOn(int year) { return *domain::Date::Create(year, 12, 10); }

grpc::Status ReportingHandlers::FileAnnualReport(grpc::ServerContext* ctx,
                                                 const v1::FileAnnualReportRequest* req,
                                                 v1::AnnualReport* resp) {
  return Handle(ctx, grpcserver::principals::kDepartments, resp,
                [&](const Principal& p) -> absl::StatusOr<v1::AnnualReport> {
                  const domain::Date today = domain::DateOf(options_.now());
                  if (req->year() < 2023 || req->year() > today.year()) {
                    return InvalidArgument(
                        "year", absl::StrCat("must be 2023-", today.year(), ", got ", req->year()));
                  }
                  if (req->text().empty()) {
                    return InvalidArgument("text", "the report's text is required");
                  }
                  v1::AnnualReport r;
                  r.set_department(std::string(grpcserver::PrincipalKindName(p.kind)));
                  r.set_year(req->year());
                  r.set_text(req->text());
                  *r.mutable_document_refs() = req->document_refs();
                  r.set_status(DueOn(req->year()) < today ? v1::REPORT_STATUS_LATE
                                                          : v1::REPORT_STATUS_ON_TIME);
                  r.set_filed_at_unix_ms(absl::ToUnixMillis(options_.now()));
                  r.set_filed_by(ActorLabel(p));
                  return store_->AddAnnualReport(std::move(r));
                });
}

grpc::Status ReportingHandlers::ListAnnualReports(grpc::ServerContext* ctx,
                                                  const v1::ListAnnualReportsRequest* req,
                                                  v1::ListAnnualReportsResponse* resp) {
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::Status {
    if (absl::Status s = grpcserver::CheckYear(req->year()); !s.ok()) {
      return s;
    }
    auto filed = store_->LatestAnnualReports(req->year());
    if (!filed.ok()) {
      return filed.status();
    }
    const domain::Date today = domain::DateOf(options_.now());
    const domain::Date due = DueOn(req->year());
    resp->mutable_due_on()->set_year(due.year());
    resp->mutable_due_on()->set_month(due.month());
    resp->mutable_due_on()->set_day(due.day());
    for (PrincipalKind kind : grpcserver::principals::kDepartments.Kinds()) {
      const std::string department(grpcserver::PrincipalKindName(kind));
      auto it = std::find_if(filed->begin(), filed->end(), [&](const v1::AnnualReport& r) {
        return r.department() == department;
      });
      if (it != filed->end()) {
        *resp->add_reports() = *it;
        continue;
      }
      v1::AnnualReport* missing = resp->add_reports();
      missing->set_department(department);
      missing->set_year(req->year());
      missing->set_status(due < today ? v1::REPORT_STATUS_OVERDUE : v1::REPORT_STATUS_PENDING);
    }
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::GetIndicators(grpc::ServerContext* ctx,
                                              const v1::GetIndicatorsRequest* req,
                                              v1::IndicatorSet* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto asked = CheckAsked(p, req->scope(), req->period(), domain::DateOf(options_.now()));
    if (!asked.ok()) {
      return asked.status();
    }
    const v1::Scope* scope = &asked->scope;
    const v1::IndicatorPeriod* period = &asked->period;
    auto codes = CheckCodes(req->codes());
    if (!codes.ok()) {
      return codes.status();
    }
    auto set = Read(*scope, *period, *codes);
    if (!set.ok()) {
      return set.status();
    }
    *resp = *std::move(set);
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::ListIndicatorHistory(grpc::ServerContext* ctx,
                                                     const v1::ListIndicatorHistoryRequest* req,
                                                     v1::ListIndicatorHistoryResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto asked = CheckAsked(p, req->scope(), req->period(), domain::DateOf(options_.now()));
    if (!asked.ok()) {
      return asked.status();
    }
    const v1::Scope* scope = &asked->scope;
    const v1::IndicatorPeriod* period = &asked->period;
    if (absl::Status s = CheckCode(req->code(), "code"); !s.ok()) {
      return s;
    }
    if (req->range().end_unix_ms() != 0 &&
        req->range().end_unix_ms() < req->range().start_unix_ms()) {
      return InvalidArgument("range.end_unix_ms", "before range.start_unix_ms");
    }
    auto page = paging::PageOf(*req, options_.page_size_default, options_.page_size_max);
    if (!page.ok()) {
      return page.status();
    }
    auto after_id = page->AfterId();
    if (!after_id.ok()) {
      return after_id.status();
    }
    const int size = page->size;
    auto rows =
        store_->History(ScopeKey(*scope), PeriodKey(*period), req->code(),
                        req->range().start_unix_ms(), req->range().end_unix_ms(), *after_id, size);
    if (!rows.ok()) {
      return rows.status();
    }
    for (size_t i = 0; i < rows->size() && static_cast<int>(i) < size; ++i) {
      *resp->add_snapshots() = (*rows)[i].second;
    }
    if (static_cast<int>(rows->size()) > size) {
      resp->mutable_page()->set_next_page_token(
          page->NextToken(absl::StrCat((*rows)[size - 1].first)));
    }
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::WatchIndicators(grpc::ServerContext* ctx,
                                                const v1::WatchIndicatorsRequest* req,
                                                grpc::ServerWriter<v1::IndicatorSet>* writer) {
  v1::IndicatorSet unused;
  return Handle(ctx, kReaders, &unused, [&](const Principal& p) -> absl::Status {
    auto asked = CheckAsked(p, req->scope(), req->period(), domain::DateOf(options_.now()));
    if (!asked.ok()) {
      return asked.status();
    }
    const v1::Scope* scope = &asked->scope;
    const v1::IndicatorPeriod* period = &asked->period;
    auto codes = CheckCodes(req->codes());
    if (!codes.ok()) {
      return codes.status();
    }
    // The district's changes drive an enterprise's watch too (its figures move with them).
    const std::string watched =
        scope->kind() == v1::SCOPE_KIND_ENTERPRISE ? "district" : ScopeKey(*scope);
    const absl::Time until = absl::Now() + options_.watch_max;
    int64_t seen = -1;
    std::string last_sent;
    while (!ctx->IsCancelled() && absl::Now() < until) {
      auto latest = store_->LatestChange(watched, PeriodKey(*period));
      if (!latest.ok()) {
        return latest.status();
      }
      if (*latest != seen) {
        seen = *latest;
        auto set = Read(*scope, *period, *codes);
        if (!set.ok()) {
          return set.status();
        }
        set->clear_served_from();  // the same figures from either source are no change
        // A snapshot first, then only what differs from the last one sent.
        std::string figures = set->SerializeAsString();
        if (figures != last_sent) {
          if (!writer->Write(*set)) {
            return absl::OkStatus();  // the client went away
          }
          last_sent = std::move(figures);
        }
      }
      absl::SleepFor(options_.watch_poll);
    }
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::ListContributors(grpc::ServerContext* ctx,
                                                 const v1::ListContributorsRequest* req,
                                                 v1::ListContributorsResponse* resp) {
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal& p) -> absl::Status {
    auto scope = CheckScope(p, req->scope());
    if (!scope.ok()) {
      return scope.status();
    }
    if (scope->kind() == v1::SCOPE_KIND_ENTERPRISE) {
      return InvalidArgument("scope.kind",
                             "the enterprises behind a district, town, park or "
                             "industry figure");
    }
    auto period = CheckPastPeriod(req->period(), domain::DateOf(options_.now()));
    if (!period.ok()) {
      return period.status();
    }
    if (absl::Status s = CheckCode(req->code(), "code"); !s.ok()) {
      return s;
    }
    auto page = paging::PageOf(*req, options_.page_size_default, options_.page_size_max);
    if (!page.ok()) {
      return page.status();
    }
    const int size = page->size;
    auto rows = store_->Contributors(ScopeKey(*scope), PeriodKey(*period), page->after, size);
    auto set = store_->Indicators(*scope, *period, {req->code()});
    if (!rows.ok() || !set.ok()) {
      return !rows.ok() ? rows.status() : set.status();
    }
    *resp->mutable_indicator() = set->indicators(0);
    for (size_t i = 0; i < rows->size() && static_cast<int>(i) < size; ++i) {
      *resp->add_contributions() = ContributionOf(req->code(), (*rows)[i]);
    }
    if (static_cast<int>(rows->size()) > size) {
      resp->mutable_page()->set_next_page_token(page->NextToken((*rows)[size - 1].uscc));
    }
    return absl::OkStatus();
  });
}

grpc::Status ReportingHandlers::Export(grpc::ServerContext* ctx, const v1::ExportRequest* req,
                                       grpc::ServerWriter<v1::ExportChunk>* writer) {
  v1::ExportChunk unused;
  return Handle(ctx, kReaders, &unused, [&](const Principal& p) -> absl::Status {
    const domain::Date today = domain::DateOf(options_.now());
    v1::ExportRequest checked = *req;
    if (req->kind() == v1::EXPORT_KIND_UNSPECIFIED || !v1::ExportKind_IsValid(req->kind())) {
      return InvalidArgument("kind", "annual_report, ledger, key_monitored or contributors");
    }
    if (req->format() == v1::EXPORT_FORMAT_UNSPECIFIED ||
        !v1::ExportFormat_IsValid(req->format())) {
      return InvalidArgument("format", "xlsx or csv");
    }
    v1::IndicatorPeriod period = req->period();
    if (req->kind() == v1::EXPORT_KIND_ANNUAL_REPORT &&
        period.kind() == v1::PERIOD_KIND_UNSPECIFIED) {
      // The annual report runs from 2023 to the year asked (this year by default).
      period.set_kind(v1::PERIOD_KIND_YEAR);
      period.set_year(period.year() == 0 ? today.year() : period.year());
    }
    auto asked = CheckAsked(p, req->scope(), period, today);
    if (!asked.ok()) {
      return asked.status();
    }
    if (req->kind() == v1::EXPORT_KIND_ANNUAL_REPORT &&
        (asked->period.kind() != v1::PERIOD_KIND_YEAR || asked->period.year() < 2023)) {
      return InvalidArgument("period", "the annual report is asked for by year, 2023 or later");
    }
    if (req->kind() == v1::EXPORT_KIND_CONTRIBUTORS) {
      if (absl::Status s = CheckCode(req->code(), "code"); !s.ok()) {
        return s;
      }
      if (asked->scope.kind() == v1::SCOPE_KIND_ENTERPRISE) {
        return InvalidArgument("scope.kind",
                               "the enterprises behind a district, town, park or industry figure");
      }
    }
    *checked.mutable_scope() = asked->scope;
    *checked.mutable_period() = asked->period;
    auto book = ExportBook(*store_, checked, today);
    if (!book.ok()) {
      return book.status();
    }
    auto file = WriteExport(*book, checked);
    if (!file.ok()) {
      return file.status();
    }
    // Chunks well under gRPC's 4 MiB message limit; the first names the file, the last says so.
    size_t offset = 0;
    do {
      const size_t n = std::min(options_.export_chunk_bytes, file->bytes.size() - offset);
      v1::ExportChunk chunk;
      if (offset == 0) {
        chunk.set_file_name(file->file_name);
      }
      chunk.set_data(file->bytes.substr(offset, n));
      offset += n;
      chunk.set_last(offset == file->bytes.size());
      if (!writer->Write(chunk)) {
        return absl::OkStatus();  // the client went away
      }
    } while (offset < file->bytes.size());
    return absl::OkStatus();
  });
}

}  // namespace jieshui::reporting
