#include "registry/src/adapters/registry_handlers.hpp"

#include <map>
#include <tuple>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "csv/csv.hpp"
#include "domain/industry_catalogue.hpp"
#include "domain/industry_code.hpp"
#include "domain/period.hpp"
#include "errors/field_error.hpp"
#include "grpcserver/handler.hpp"
#include "grpcserver/status.hpp"
#include "paging/page_token.hpp"
#include "registry/src/core/key_monitored_list.hpp"

namespace jieshui::registry {
namespace {

using grpcserver::Handle;
using grpcserver::Principal;
using grpcserver::principals::kDistrictReaders;
using grpcserver::principals::kReaders;

// The register's keepers: the Water Affairs Bureau keeps the register (action plan: 水务局
// leads; the other departments and partners read it, an enterprise reads its own records).
constexpr grpcserver::PrincipalSet kRegisterKeepers = {grpcserver::PrincipalKind::kWaterAffairs};

// Page size used when the service walks a whole list itself (exports, coverage).
constexpr int kInternalPage = 500;

// PERMISSION_DENIED ("... may not <what>") unless `principal` may see enterprise `uscc`'s
// records: an enterprise reads only its own.
absl::Status MayAccess(const Principal& principal, std::string_view uscc, std::string_view what) {
  if (!grpcserver::CanAccessEnterprise(principal, uscc)) {
    return grpcserver::Denied(principal, what);
  }
  return absl::OkStatus();
}

// The record a change left stored.
template <typename Record>
absl::StatusOr<Record> RecordOf(absl::StatusOr<Decision<Record>> decision) {
  if (!decision.ok()) {
    return decision.status();
  }
  return std::move(decision->record);
}

std::tuple<int, int, int> DateKey(const common::v1::Date& d) {
  return {d.year(), d.month(), d.day()};
}

common::v1::Date ToProtoDate(const domain::Date& d) {
  common::v1::Date out;
  out.set_year(d.year());
  out.set_month(d.month());
  out.set_day(d.day());
  return out;
}

template <typename Request>
std::string QueryOf(const Request& request) {
  Request copy = request;
  copy.clear_page();
  return absl::StrCat(Request::descriptor()->full_name(), " ", copy.ShortDebugString());
}

void FillPage(const std::string& query, const std::string& last_key, bool more, int64_t total,
              common::v1::PageResponse* page) {
  page->set_total_count(total);
  if (more) {
    page->set_next_page_token(paging::EncodePageToken(query, last_key));
  }
}

// Where a List call starts: the page size (checked against the configured bounds) and the key
// after which to continue (from the page token, which must belong to `query`).
struct PageStart {
  int size = 0;
  std::string after;
};

absl::StatusOr<PageStart> StartPage(const common::v1::PageRequest& page, const std::string& query,
                                    const HandlerOptions& options) {
  absl::StatusOr<int> size =
      paging::PageSize(page.page_size(), options.page_size_default, options.page_size_max);
  if (!size.ok()) {
    return size.status();
  }
  absl::StatusOr<std::string> after = paging::DecodePageToken(page.page_token(), query);
  if (!after.ok()) {
    return after.status();
  }
  return PageStart{*size, *std::move(after)};
}

v1::RowError RowErrorOf(int64_t row, const absl::Status& status) {
  v1::RowError error;
  error.set_row(row);
  error.set_code(absl::StatusCodeToString(status.code()));
  const common::v1::ErrorDetail detail = grpcserver::ErrorDetailOf(status);
  if (detail.field_violations_size() > 0) {
    error.set_field(detail.field_violations(0).field());
    error.set_reason(detail.field_violations(0).reason());
  } else {
    error.set_reason(std::string(status.message()));
  }
  return error;
}

template <typename Record>
void CountOutcome(const Decision<Record>& decision, v1::ImportSummary* summary) {
  if (decision.outcome == Decision<Record>::Outcome::kUnchanged) {
    summary->set_unchanged(summary->unchanged() + 1);
  } else if (decision.created) {
    summary->set_created(summary->created() + 1);
  } else {
    summary->set_updated(summary->updated() + 1);
  }
}

}  // namespace

RegistryHandlers::RegistryHandlers(RegistryStore* store, HandlerOptions options)
    : store_(store), options_(std::move(options)) {}

Actor RegistryHandlers::ActorOf(const Principal& principal) const {
  const absl::Time now = options_.now();
  const int64_t seconds = absl::ToUnixSeconds(now);
  Actor actor;
  actor.principal =
      absl::StrCat(std::string(grpcserver::PrincipalKindName(principal.kind)), ":", principal.name);
  actor.unix_seconds = seconds;
  actor.nanos =
      static_cast<int32_t>(absl::ToInt64Nanoseconds(now - absl::FromUnixSeconds(seconds)));
  return actor;
}

common::v1::Date RegistryHandlers::Today() const {
  return ToProtoDate(domain::DateOf(options_.now()));
}

absl::StatusOr<common::v1::Date> RegistryHandlers::AsOf(const common::v1::Date* requested) const {
  if (requested == nullptr) {
    return Today();
  }
  if (absl::Status s = CheckDateField(*requested, "as_of"); !s.ok()) {
    return s;
  }
  return *requested;
}

// --- enterprises ---------------------------------------------------------------------------

grpc::Status RegistryHandlers::CreateEnterprise(grpc::ServerContext* ctx,
                                                const v1::CreateEnterpriseRequest* req,
                                                v1::Enterprise* resp) {
  return Handle(
      ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Enterprise> {
        absl::StatusOr<std::string> uscc =
            ParseUsccField(req->enterprise().uscc(), "enterprise.uscc");
        if (!uscc.ok()) {
          return uscc.status();
        }
        const Actor actor = ActorOf(p);
        return RecordOf(store_->MutateEnterprise(*uscc, [&](const v1::Enterprise* current) {
          return DecideCreateEnterprise(current, req->enterprise(), options_.rules, actor);
        }));
      });
}

grpc::Status RegistryHandlers::UpdateEnterprise(grpc::ServerContext* ctx,
                                                const v1::UpdateEnterpriseRequest* req,
                                                v1::Enterprise* resp) {
  return Handle(
      ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Enterprise> {
        absl::StatusOr<std::string> uscc =
            ParseUsccField(req->enterprise().uscc(), "enterprise.uscc");
        if (!uscc.ok()) {
          return uscc.status();
        }
        const Actor actor = ActorOf(p);
        return RecordOf(store_->MutateEnterprise(*uscc, [&](const v1::Enterprise* current) {
          return DecideUpdateEnterprise(current, req->enterprise(), req->update_mask(),
                                        options_.rules, actor);
        }));
      });
}

grpc::Status RegistryHandlers::GetEnterprise(grpc::ServerContext* ctx,
                                             const v1::GetEnterpriseRequest* req,
                                             v1::Enterprise* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::StatusOr<v1::Enterprise> {
    absl::StatusOr<std::string> uscc = ParseUsccField(req->uscc(), "uscc");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = MayAccess(p, *uscc, absl::StrCat("read enterprise ", *uscc)); !s.ok()) {
      return s;
    }
    return store_->GetEnterprise(*uscc);
  });
}

grpc::Status RegistryHandlers::ListEnterprises(grpc::ServerContext* ctx,
                                               const v1::ListEnterprisesRequest* req,
                                               v1::ListEnterprisesResponse* resp) {
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::Status {
    EnterpriseFilter filter;
    filter.town = req->town();
    filter.park_id = req->park_id();
    if (!req->industry_code_prefix().empty()) {
      absl::StatusOr<domain::IndustryCode> prefix =
          domain::ParseListedIndustryCode(req->industry_code_prefix(), "industry_code_prefix");
      if (!prefix.ok()) {
        return prefix.status();  // "industry_code_prefix: ...", its violation read off at the edge
      }
      filter.industry_code_prefix = prefix->value();
    }
    if (req->has_above_scale()) {
      filter.above_scale = req->above_scale();
    }
    if (req->has_key_monitored()) {
      filter.key_monitored = req->key_monitored();
    }
    if (req->has_has_specialist()) {
      filter.has_specialist = req->has_specialist();
    }
    if (req->has_high_water_use_high_pollution()) {
      filter.high_water_use_high_pollution = req->high_water_use_high_pollution();
    }
    if (req->min_annual_intake().litres() < 0) {
      return errors::InvalidArgument("min_annual_intake", "must not be negative");
    }
    filter.min_annual_intake_litres = req->min_annual_intake().litres();
    filter.include_deregistered = req->include_deregistered();

    const std::string query = QueryOf(*req);
    absl::StatusOr<PageStart> start = StartPage(req->page(), query, options_);
    if (!start.ok()) {
      return start.status();
    }
    auto page = store_->ListEnterprises(filter, start->after, start->size);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Enterprise& e : page->records) {
      *resp->add_enterprises() = std::move(e);
    }
    FillPage(query, resp->enterprises().empty() ? "" : resp->enterprises().rbegin()->uscc().value(),
             page->more, page->total_count, resp->mutable_page());
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::DeregisterEnterprise(grpc::ServerContext* ctx,
                                                    const v1::DeregisterEnterpriseRequest* req,
                                                    v1::Enterprise* resp) {
  return Handle(
      ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Enterprise> {
        absl::StatusOr<std::string> uscc = ParseUsccField(req->uscc(), "uscc");
        if (!uscc.ok()) {
          return uscc.status();
        }
        const Actor actor = ActorOf(p);
        return RecordOf(store_->MutateEnterprise(*uscc, [&](const v1::Enterprise* current) {
          return DecideDeregisterEnterprise(current, req->version(), req->reason(),
                                            req->effective_on(), actor);
        }));
      });
}

grpc::Status RegistryHandlers::ListEnterpriseHistory(grpc::ServerContext* ctx,
                                                     const v1::ListEnterpriseHistoryRequest* req,
                                                     v1::ListEnterpriseHistoryResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::StatusOr<std::string> uscc = ParseUsccField(req->uscc(), "uscc");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = MayAccess(p, *uscc, absl::StrCat("read enterprise ", *uscc)); !s.ok()) {
      return s;
    }
    auto history = store_->EnterpriseHistory(*uscc);
    if (!history.ok()) {
      return history.status();
    }
    for (auto& revision : *history) {
      v1::EnterpriseRevision* out = resp->add_revisions();
      out->set_change(revision.change);
      *out->mutable_enterprise() = std::move(revision.record);
    }
    return absl::OkStatus();
  });
}

// --- parks ---------------------------------------------------------------------------------

grpc::Status RegistryHandlers::CreatePark(grpc::ServerContext* ctx,
                                          const v1::CreateParkRequest* req, v1::Park* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Park> {
    v1::Park park = req->park();
    if (absl::Status s = NormalizePark(park, options_.rules); !s.ok()) {
      return s;
    }
    const Actor actor = ActorOf(p);
    return RecordOf(store_->MutatePark(park.park_id(), [&](const v1::Park* current) {
      return DecideCreatePark(current, park, options_.rules, actor);
    }));
  });
}

grpc::Status RegistryHandlers::UpdatePark(grpc::ServerContext* ctx,
                                          const v1::UpdateParkRequest* req, v1::Park* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Park> {
    const Actor actor = ActorOf(p);
    return RecordOf(store_->MutatePark(req->park().park_id(), [&](const v1::Park* current) {
      return DecideUpdatePark(current, req->park(), options_.rules, actor);
    }));
  });
}

grpc::Status RegistryHandlers::GetPark(grpc::ServerContext* ctx, const v1::GetParkRequest* req,
                                       v1::Park* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal&) -> absl::StatusOr<v1::Park> {
    if (req->park_id().empty()) {
      return errors::InvalidArgument("park_id", "required");
    }
    return store_->GetPark(req->park_id());
  });
}

grpc::Status RegistryHandlers::ListParks(grpc::ServerContext* ctx, const v1::ListParksRequest* req,
                                         v1::ListParksResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal&) -> absl::Status {
    const std::string query = QueryOf(*req);
    absl::StatusOr<PageStart> start = StartPage(req->page(), query, options_);
    if (!start.ok()) {
      return start.status();
    }
    auto page = store_->ListParks(req->town(), start->after, start->size);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Park& park : page->records) {
      *resp->add_parks() = std::move(park);
    }
    FillPage(query, resp->parks().empty() ? "" : resp->parks().rbegin()->park_id(), page->more,
             page->total_count, resp->mutable_page());
    return absl::OkStatus();
  });
}

// --- meters --------------------------------------------------------------------------------

grpc::Status RegistryHandlers::RegisterMeter(grpc::ServerContext* ctx,
                                             const v1::RegisterMeterRequest* req, v1::Meter* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Meter> {
    v1::Meter meter = req->meter();
    if (absl::Status s = NormalizeMeter(meter); !s.ok()) {
      return s;
    }
    const Actor actor = ActorOf(p);
    return RecordOf(store_->MutateMeter(meter.meter_id(), meter.uscc().value(),
                                        [&](const v1::Meter* current, const v1::Enterprise* owner) {
                                          return DecideRegisterMeter(current, owner, meter, actor);
                                        }));
  });
}

grpc::Status RegistryHandlers::UpdateMeter(grpc::ServerContext* ctx,
                                           const v1::UpdateMeterRequest* req, v1::Meter* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Meter> {
    if (req->meter().meter_id().empty()) {
      return errors::InvalidArgument("meter.meter_id", "required");
    }
    const Actor actor = ActorOf(p);
    return RecordOf(store_->MutateMeter(
        req->meter().meter_id(), "", [&](const v1::Meter* current, const v1::Enterprise* owner) {
          return DecideUpdateMeter(current, owner, req->meter(), req->update_mask(), actor);
        }));
  });
}

grpc::Status RegistryHandlers::RetireMeter(grpc::ServerContext* ctx,
                                           const v1::RetireMeterRequest* req, v1::Meter* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::StatusOr<v1::Meter> {
    if (req->meter_id().empty()) {
      return errors::InvalidArgument("meter_id", "required");
    }
    const Actor actor = ActorOf(p);
    return RecordOf(store_->MutateMeter(
        req->meter_id(), "", [&](const v1::Meter* current, const v1::Enterprise* /*owner*/) {
          return DecideRetireMeter(current, req->version(), req->reason(), req->retired_on(),
                                   actor);
        }));
  });
}

grpc::Status RegistryHandlers::GetMeter(grpc::ServerContext* ctx, const v1::GetMeterRequest* req,
                                        v1::Meter* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::StatusOr<v1::Meter> {
    if (req->meter_id().empty()) {
      return errors::InvalidArgument("meter_id", "required");
    }
    absl::StatusOr<v1::Meter> meter = store_->GetMeter(req->meter_id());
    if (!meter.ok()) {
      return meter.status();
    }
    if (absl::Status s =
            MayAccess(p, meter->uscc().value(), absl::StrCat("read meter ", req->meter_id()));
        !s.ok()) {
      return s;
    }
    return meter;
  });
}

grpc::Status RegistryHandlers::ListMeters(grpc::ServerContext* ctx,
                                          const v1::ListMetersRequest* req,
                                          v1::ListMetersResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::StatusOr<std::string> uscc = ParseUsccField(req->uscc(), "uscc");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = MayAccess(p, *uscc, absl::StrCat("read the meters of ", *uscc)); !s.ok()) {
      return s;
    }
    const std::string query = QueryOf(*req);
    absl::StatusOr<PageStart> start = StartPage(req->page(), query, options_);
    if (!start.ok()) {
      return start.status();
    }
    auto page = store_->ListMeters(*uscc, req->include_retired(), start->after, start->size);
    if (!page.ok()) {
      return page.status();
    }
    for (v1::Meter& m : page->records) {
      *resp->add_meters() = std::move(m);
    }
    FillPage(query, resp->meters().empty() ? "" : resp->meters().rbegin()->meter_id(), page->more,
             page->total_count, resp->mutable_page());
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListMeterHistory(grpc::ServerContext* ctx,
                                                const v1::ListMeterHistoryRequest* req,
                                                v1::ListMeterHistoryResponse* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    auto history = store_->MeterHistory(req->meter_id());
    if (!history.ok()) {
      return history.status();
    }
    if (absl::Status s = MayAccess(p, history->front().record.uscc().value(),
                                   absl::StrCat("read meter ", req->meter_id()));
        !s.ok()) {
      return s;
    }
    for (auto& revision : *history) {
      v1::MeterRevision* out = resp->add_revisions();
      out->set_change(revision.change);
      *out->mutable_meter() = std::move(revision.record);
    }
    return absl::OkStatus();
  });
}

// --- coverage and calibration --------------------------------------------------------------

grpc::Status RegistryHandlers::GetMeteringCoverage(grpc::ServerContext* ctx,
                                                   const v1::GetMeteringCoverageRequest* req,
                                                   v1::MeteringCoverage* resp) {
  return Handle(ctx, kReaders, resp, [&](const Principal& p) -> absl::Status {
    absl::StatusOr<std::string> uscc = ParseUsccField(req->uscc(), "uscc");
    if (!uscc.ok()) {
      return uscc.status();
    }
    if (absl::Status s = MayAccess(p, *uscc, absl::StrCat("read enterprise ", *uscc)); !s.ok()) {
      return s;
    }
    absl::StatusOr<common::v1::Date> as_of = AsOf(req->has_as_of() ? &req->as_of() : nullptr);
    if (!as_of.ok()) {
      return as_of.status();
    }
    absl::StatusOr<v1::Enterprise> enterprise = store_->GetEnterprise(*uscc);
    if (!enterprise.ok()) {
      return enterprise.status();
    }
    std::vector<domain::MeterForCoverage> for_coverage;
    std::string after;
    while (true) {
      auto page = store_->ListMeters(*uscc, /*include_retired=*/false, after, kInternalPage);
      if (!page.ok()) {
        return page.status();
      }
      for (v1::Meter& meter : page->records) {
        for_coverage.push_back(
            {static_cast<int>(meter.level()), meter.status() == v1::METER_STATUS_ACTIVE});
        if (DateKey(meter.calibration_due_on()) < DateKey(*as_of)) {
          *resp->add_overdue_calibration() = meter;
        }
        after = meter.meter_id();
      }
      if (!page->more) {
        break;
      }
    }
    const v1::MeteringPoints& points = enterprise->metering_points();
    const domain::Coverage coverage = domain::ComputeCoverage(
        {points.level1(), points.level2(), points.level3()}, for_coverage, options_.coverage);
    resp->mutable_uscc()->set_value(*uscc);
    *resp->mutable_as_of() = *as_of;
    for (const domain::LevelCoverage& level : coverage.levels) {
      v1::LevelCoverage* out = resp->add_levels();
      out->set_level(static_cast<v1::MeterLevel>(level.level));
      out->set_required_points(level.required_points);
      out->set_installed_meters(level.installed_meters);
      out->set_rate_basis_points(level.rate_bp);
      out->set_required_rate_basis_points(level.required_rate_bp);
      out->set_met(level.met);
      out->set_shortfall(level.shortfall);
    }
    resp->set_all_levels_met(coverage.all_levels_met);
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ListOverdueCalibrations(
    grpc::ServerContext* ctx, const v1::ListOverdueCalibrationsRequest* req,
    v1::ListMetersResponse* resp) {
  // District-wide without a USCC; one enterprise's meters otherwise (an enterprise: its own).
  const bool district_wide = req->uscc().value().empty();
  return Handle(
      ctx, district_wide ? kDistrictReaders : kReaders, resp,
      [&](const Principal& p) -> absl::Status {
        std::string uscc;
        if (!district_wide) {
          absl::StatusOr<std::string> parsed = ParseUsccField(req->uscc(), "uscc");
          if (!parsed.ok()) {
            return parsed.status();
          }
          uscc = *std::move(parsed);
          if (absl::Status s = MayAccess(p, uscc, absl::StrCat("read the meters of ", uscc));
              !s.ok()) {
            return s;
          }
        }
        absl::StatusOr<common::v1::Date> as_of = AsOf(req->has_as_of() ? &req->as_of() : nullptr);
        if (!as_of.ok()) {
          return as_of.status();
        }
        v1::ListOverdueCalibrationsRequest normalized = *req;
        *normalized.mutable_as_of() = *as_of;
        const std::string query = QueryOf(normalized);
        absl::StatusOr<PageStart> start = StartPage(req->page(), query, options_);
        if (!start.ok()) {
          return start.status();
        }
        auto page =
            store_->ListOverdueCalibrations(DateText(*as_of), uscc, start->after, start->size);
        if (!page.ok()) {
          return page.status();
        }
        for (v1::Meter& m : page->records) {
          *resp->add_meters() = std::move(m);
        }
        FillPage(query, resp->meters().empty() ? "" : resp->meters().rbegin()->meter_id(),
                 page->more, page->total_count, resp->mutable_page());
        return absl::OkStatus();
      });
}

// --- key-monitored list --------------------------------------------------------------------

// ListEnterprises with key_monitored set: the same callers, filters and page tokens.
grpc::Status RegistryHandlers::ListKeyMonitored(grpc::ServerContext* ctx,
                                                const v1::ListKeyMonitoredRequest* req,
                                                v1::ListEnterprisesResponse* resp) {
  v1::ListEnterprisesRequest list;
  *list.mutable_page() = req->page();
  list.set_town(req->town());
  list.set_park_id(req->park_id());
  list.set_key_monitored(true);
  return ListEnterprises(ctx, &list, resp);
}

grpc::Status RegistryHandlers::ExportKeyMonitored(grpc::ServerContext* ctx,
                                                  const v1::ExportKeyMonitoredRequest* req,
                                                  v1::CsvFile* resp) {
  return Handle(ctx, kDistrictReaders, resp, [&](const Principal&) -> absl::Status {
    EnterpriseFilter filter;
    filter.town = req->town();
    filter.park_id = req->park_id();
    filter.key_monitored = true;
    csv::Writer writer(csv::Writer::Options{.utf8_bom = true});
    writer.WriteRecord(KeyMonitoredHeader());
    std::map<std::string, std::string> park_names;
    int seq = 0;
    std::string after;
    while (true) {
      auto page = store_->ListEnterprises(filter, after, kInternalPage);
      if (!page.ok()) {
        return page.status();
      }
      for (const v1::Enterprise& e : page->records) {
        std::string park_name;
        if (!e.park_id().empty()) {
          auto it = park_names.find(e.park_id());
          if (it == park_names.end()) {
            absl::StatusOr<v1::Park> park = store_->GetPark(e.park_id());
            it = park_names.emplace(e.park_id(), park.ok() ? park->name() : e.park_id()).first;
          }
          park_name = it->second;
        }
        writer.WriteRecord(KeyMonitoredRow(++seq, e, park_name));
        after = e.uscc().value();
      }
      if (!page->more) {
        break;
      }
    }
    const domain::Date today = domain::DateOf(options_.now());
    resp->set_file_name(absl::StrFormat("重点监控用水单位名录_%04d%02d%02d.csv", today.year(),
                                        today.month(), today.day()));
    resp->set_content_type("text/csv; charset=utf-8");
    resp->set_rows(seq);
    resp->set_content(writer.Release());
    return absl::OkStatus();
  });
}

// --- bulk import ---------------------------------------------------------------------------

grpc::Status RegistryHandlers::ImportEnterprises(
    grpc::ServerContext* ctx, grpc::ServerReader<v1::ImportEnterpriseRow>* reader,
    v1::ImportSummary* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::Status {
    std::map<std::string, int64_t> seen;  // USCC -> row it first appeared in
    v1::ImportEnterpriseRow row;
    int64_t position = 0;
    while (reader->Read(&row)) {
      ++position;
      const int64_t row_number = row.row() > 0 ? row.row() : position;
      resp->set_rows_received(resp->rows_received() + 1);
      absl::Status status;
      absl::StatusOr<std::string> uscc = ParseUsccField(row.enterprise().uscc(), "uscc");
      if (!uscc.ok()) {
        status = uscc.status();
      } else if (auto [it, fresh] = seen.emplace(*uscc, row_number); !fresh) {
        status =
            errors::InvalidArgument("uscc", absl::StrCat(*uscc, " is also in row ", it->second,
                                                         "; a file lists each enterprise once"));
      } else {
        const Actor actor = ActorOf(p);
        auto decision = store_->MutateEnterprise(*uscc, [&](const v1::Enterprise* current) {
          return DecideImportEnterprise(current, row.enterprise(), options_.rules, actor);
        });
        if (decision.ok()) {
          CountOutcome(*decision, resp);
        } else {
          status = decision.status();
        }
      }
      if (!status.ok()) {
        resp->set_rejected(resp->rejected() + 1);
        *resp->add_errors() = RowErrorOf(row_number, status);
      }
    }
    return absl::OkStatus();
  });
}

grpc::Status RegistryHandlers::ImportMeters(grpc::ServerContext* ctx,
                                            grpc::ServerReader<v1::ImportMeterRow>* reader,
                                            v1::ImportSummary* resp) {
  return Handle(ctx, kRegisterKeepers, resp, [&](const Principal& p) -> absl::Status {
    std::map<std::string, int64_t> seen;  // meter id -> row it first appeared in
    v1::ImportMeterRow row;
    int64_t position = 0;
    while (reader->Read(&row)) {
      ++position;
      const int64_t row_number = row.row() > 0 ? row.row() : position;
      resp->set_rows_received(resp->rows_received() + 1);
      v1::Meter meter = row.meter();
      absl::Status status = NormalizeMeter(meter);
      if (status.ok()) {
        if (auto [it, fresh] = seen.emplace(meter.meter_id(), row_number); !fresh) {
          status = errors::InvalidArgument(
              "meter_id", absl::StrCat(meter.meter_id(), " is also in row ", it->second,
                                       "; a file lists each meter once"));
        } else {
          const Actor actor = ActorOf(p);
          auto decision =
              store_->MutateMeter(meter.meter_id(), meter.uscc().value(),
                                  [&](const v1::Meter* current, const v1::Enterprise* owner) {
                                    return DecideImportMeter(current, owner, meter, actor);
                                  });
          if (decision.ok()) {
            CountOutcome(*decision, resp);
          } else {
            status = decision.status();
          }
        }
      }
      if (!status.ok()) {
        resp->set_rejected(resp->rejected() + 1);
        *resp->add_errors() = RowErrorOf(row_number, status);
      }
    }
    return absl::OkStatus();
  });
}

}  // namespace jieshui::registry
