// Statistics' value added and the 2020 baseline through the reporting service (driver.hpp):
// water_affairs enters the baseline, Statistics (its own key) streams its value added and then a
// few revised rows as a new version; then the action plan's six rows reporting serves, against
// the ground truth: the district's part of each (ListContributors) always, the whole rows when no
// other enterprise is in them.
#include <algorithm>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "absl/time/clock.h"
#include "calls.hpp"
#include "domain/ratio.hpp"
#include "driver.hpp"
#include "jieshui/reporting/v1/reporting_service.grpc.pb.h"

namespace jieshui::simulator {
namespace {

namespace pv1 = ::jieshui::reporting::v1;

using Stub = pv1::ReportingService::Stub;

pv1::IndicatorPeriod YearPeriod(int year) {
  pv1::IndicatorPeriod p;
  p.set_kind(pv1::PERIOD_KIND_YEAR);
  p.set_year(year);
  return p;
}

std::string Text(absl::int128 n) { return domain::Int128Text(n); }

// The target a row is read against: the year's own (version in force), else the latest earlier
// year's with one, else the earliest later year's.
const pv1::Target* TargetFor(const std::vector<pv1::Target>& in_force, const std::string& code,
                             int year) {
  const pv1::Target* best = nullptr;
  for (const pv1::Target& t : in_force) {
    if (t.code() != code) {
      continue;
    }
    const auto rank = [year](int y) { return y <= year ? year - y : 10000 + y - year; };
    if (best == nullptr || rank(t.year()) < rank(best->year())) {
      best = &t;
    }
  }
  return best;
}

absl::StatusOr<TableView> ReadTableWith(Stub& stub, const RunOptions& options, int year) {
  const std::string& target = options.targets.reporting;
  pv1::GetIndicatorsRequest request;
  request.mutable_scope()->set_kind(pv1::SCOPE_KIND_DISTRICT);
  *request.mutable_period() = YearPeriod(year);
  for (const std::string& code : TableCodes()) {
    request.add_codes(code);
  }
  pv1::IndicatorSet set;
  if (const grpc::Status s = Retry(options.settle_timeout,
                                   [&] {
                                     return stub.GetIndicators(
                                         KeyContext(options.targets.api_key).get(), request, &set);
                                   });
      !s.ok()) {
    return FromGrpc(s, absl::StrCat("GetIndicators ", year), target);
  }
  pv1::ListTargetsRequest list;  // every year, the versions in force
  pv1::ListTargetsResponse targets;
  if (const grpc::Status s = Retry(options.settle_timeout,
                                   [&] {
                                     return stub.ListTargets(
                                         KeyContext(options.targets.api_key).get(), list, &targets);
                                   });
      !s.ok()) {
    return FromGrpc(s, "ListTargets", target);
  }
  const std::vector<pv1::Target> in_force(targets.targets().begin(), targets.targets().end());
  TableView view;
  view.year = year;
  view.as_of_unix_ms = set.as_of_unix_ms();
  view.served_from = set.served_from() == pv1::SERVED_FROM_CACHE ? "Redis" : "PostgreSQL";
  for (const std::string& code : TableCodes()) {
    const auto it = std::find_if(set.indicators().begin(), set.indicators().end(),
                                 [&](const pv1::Indicator& i) { return i.code() == code; });
    if (it == set.indicators().end()) {
      return absl::DataLossError(
          absl::StrCat("GetIndicators ", year, " (", target, "): no ", code));
    }
    const pv1::Indicator& i = *it;
    TableRowView row;
    row.code = code;
    row.title = i.title();
    row.count = i.unit() == pv1::INDICATOR_UNIT_COUNT;
    if (row.count) {
      row.value = i.count();
    } else {
      row.numerator = i.ratio().numerator();
      row.denominator = i.ratio().denominator();
      row.defined = i.ratio().defined();
      row.basis_points = i.ratio().basis_points();
    }
    const int64_t actual = row.count ? row.value : row.basis_points;
    if (i.has_target()) {
      row.target_year = year;
      row.target = row.count ? i.target_count() : i.target_basis_points();
      row.gap = row.count ? row.target - row.value : i.gap_basis_points();
      row.on_track = i.on_track();
    } else if (const pv1::Target* t = TargetFor(in_force, code, year); t != nullptr) {
      // The year has no target of its own: the latest year's, worked the way reporting works
      // its own (a count target is a minimum; an undefined ratio is never on track).
      row.target_year = t->year();
      row.target = row.count ? t->count() : t->basis_points();
      row.gap = row.count || row.defined ? row.target - actual : 0;
      row.on_track = (row.count || row.defined) && actual >= row.target;
    }
    view.rows.push_back(std::move(row));
  }
  return view;
}

// What one enterprise adds to a row's sums, as ListContributors gives it: rows 1 and 6 the sums
// under the ratio (new water and value added; reclaimed water), the others the enterprise's
// numerator and denominator (a count in the numerator).
std::pair<absl::int128, absl::int128> ExpectedContribution(size_t row,
                                                           const EnterpriseYearFigures& f) {
  switch (row) {
    case 0:
      return {f.new_water, f.value_added_fen};
    case 1:
      return f.above_scale
                 ? std::pair<absl::int128, absl::int128>{f.repeated,
                                                         absl::int128(f.repeated) + f.new_water}
                 : std::pair<absl::int128, absl::int128>{0, 0};
    case 2:
      return f.carrier ? std::pair<absl::int128, absl::int128>{f.certified ? 1 : 0, 1}
                       : std::pair<absl::int128, absl::int128>{0, 0};
    case 3:
      return {f.balance_tests, 0};
    case 4:
      return {f.audits, 0};
    default:
      return {f.reclaimed, 0};
  }
}

// Imports `rows` as one version, made again while reporting has not yet read an enterprise from
// the registry's topic (every refused row names its uscc: a refused import stores nothing) or is
// unavailable (at worst the same figures then stand as one more version).
absl::StatusOr<pv1::ImportValueAddedResponse> ImportVersion(Stub& stub, const District& district,
                                                            const RunOptions& options,
                                                            const std::vector<SimValueAdded>& rows,
                                                            const std::string& source) {
  pv1::ImportValueAddedResponse response;
  const grpc::Status s = RetryWhileNotFound(options.settle_timeout, [&]() -> grpc::Status {
    response.Clear();
    auto context = KeyContext(options.targets.statistics_key, std::chrono::seconds(600));
    auto writer = stub.ImportValueAdded(context.get(), &response);
    pv1::ImportValueAddedRequest first;
    first.set_source(source);
    bool open = writer->Write(first);
    int64_t line = 1;  // the file's header; data rows from line 2
    for (const SimValueAdded& v : rows) {
      if (!open) {
        break;  // the call ended; Finish says why
      }
      pv1::ImportValueAddedRequest request;
      pv1::ValueAddedRow* row = request.mutable_row();
      *row->mutable_uscc() =
          district.enterprises()[static_cast<size_t>(v.enterprise)].enterprise.uscc();
      row->set_year(v.year);
      row->mutable_value_added()->set_fen(v.fen);
      row->set_above_scale(v.above_scale);
      row->set_line(++line);
      open = writer->Write(request);
    }
    writer->WritesDone();
    grpc::Status finished = writer->Finish();
    if (!finished.ok() || response.errors_size() == 0) {
      return finished;
    }
    const bool unknown_only =
        std::all_of(response.errors().begin(), response.errors().end(),
                    [](const pv1::RowError& e) { return e.column() == "uscc"; });
    return {unknown_only ? grpc::StatusCode::NOT_FOUND : grpc::StatusCode::INVALID_ARGUMENT,
            absl::StrCat(response.rejected(), " rows refused")};
  });
  if (!s.ok()) {
    std::string errors;
    for (int i = 0; i < response.errors_size() && i < 5; ++i) {
      const pv1::RowError& e = response.errors(i);
      absl::StrAppend(&errors, "; line ", e.line(), " ", e.column(), ": ", e.reason());
    }
    return FromGrpc(grpc::Status(s.error_code(), s.error_message() + errors),
                    "ImportValueAdded " + source, options.targets.reporting);
  }
  return response;
}

// The latest version reporting holds of each of the district's (enterprise, year).
absl::StatusOr<std::map<std::pair<int, int>, pv1::ValueAdded>> HeldValueAdded(
    Stub& stub, const District& district, const RunOptions& options) {
  std::map<std::string, int> ours;
  for (size_t e = 0; e < district.enterprises().size(); ++e) {
    ours[district.enterprises()[e].enterprise.uscc().value()] = static_cast<int>(e);
  }
  std::map<std::pair<int, int>, pv1::ValueAdded> held;
  for (const int year : district.PlanYears()) {
    pv1::ListValueAddedRequest list;
    list.set_year(year);
    list.mutable_page()->set_page_size(1000);
    const grpc::Status s = AllPages<pv1::ListValueAddedResponse>(
        options.settle_timeout,
        [&](const std::string& token, pv1::ListValueAddedResponse* out) {
          list.mutable_page()->set_page_token(token);
          return stub.ListValueAdded(KeyContext(options.targets.statistics_key).get(), list, out);
        },
        [&](const pv1::ListValueAddedResponse& r) {
          for (const pv1::ValueAdded& v : r.rows()) {
            if (const auto it = ours.find(v.uscc().value()); it != ours.end()) {
              held[{it->second, year}] = v;
            }
          }
        });
    if (!s.ok()) {
      return FromGrpc(s, absl::StrCat("ListValueAdded ", year), options.targets.reporting);
    }
  }
  return held;
}

bool Holds(const std::map<std::pair<int, int>, pv1::ValueAdded>& held,
           const std::vector<SimValueAdded>& rows) {
  return std::all_of(rows.begin(), rows.end(), [&](const SimValueAdded& v) {
    const auto it = held.find({v.enterprise, v.year});
    return it != held.end() && it->second.value_added().fen() == v.fen &&
           it->second.above_scale() == v.above_scale;
  });
}

}  // namespace

absl::StatusOr<TableView> ReadTable(const RunOptions& options, int year) {
  auto stub = pv1::ReportingService::NewStub(MakeChannel(options.targets.reporting));
  return ReadTableWith(*stub, options, year);
}

absl::Status LoadReporting(const District& district, const RunOptions& options, Report* report) {
  ReportingReport& r = report->reporting;
  const std::string& target = options.targets.reporting;
  if (options.targets.statistics_key.empty()) {
    return absl::FailedPreconditionError(
        "reporting: Statistics submits the value added with a statistics key: give "
        "--statistics-key-file (stack.sh keeps one in $JIESHUI_STATE_DIR/keys/statistics.key), "
        "or --reporting '' to leave reporting out");
  }
  auto stub = pv1::ReportingService::NewStub(MakeChannel(target));

  // 1. The 2020 baseline (water_affairs), before the value added: a baseline change moves no
  // sums, and the value added that follows has every year's figures worked out again with it.
  // Looked at before it is set, and looked at again when the set is made again (UNAVAILABLE): a
  // change after the first entry states its reason.
  const SimBaseline& want = district.baseline();
  const grpc::Status baseline = Retry(options.settle_timeout, [&]() -> grpc::Status {
    pv1::Baseline held;
    grpc::Status got = stub->GetBaseline(KeyContext(options.targets.api_key).get(),
                                         pv1::GetBaselineRequest(), &held);
    if (!got.ok() && got.error_code() != grpc::StatusCode::NOT_FOUND) {
      return got;
    }
    if (got.ok() && held.new_water().litres() == want.new_water_litres &&
        held.value_added().fen() == want.value_added_fen &&
        held.reclaimed_water().litres() == want.reclaimed_litres) {
      r.baseline_version = held.version();
      return grpc::Status::OK;
    }
    pv1::SetBaselineRequest set;
    set.mutable_new_water()->set_litres(want.new_water_litres);
    set.mutable_value_added()->set_fen(want.value_added_fen);
    set.mutable_reclaimed_water()->set_litres(want.reclaimed_litres);
    if (got.ok()) {
      set.set_reason(absl::StrFormat(
          "jieshui-simulator: the 2020 baseline of the simulated district (seed %d) for the "
          "stretch of the year simulated",
          district.options().seed));
    }
    pv1::Baseline stored;
    grpc::Status s = stub->SetBaseline(KeyContext(options.targets.api_key).get(), set, &stored);
    if (s.ok()) {
      r.baseline_version = stored.version();
      r.baseline_set = true;
    }
    return s;
  });
  if (!baseline.ok()) {
    return FromGrpc(baseline, "SetBaseline", target);
  }

  // 2. Value added (statistics): the first submission, then the revised rows as a new version;
  // what reporting already holds is not submitted again.
  auto held_rows = HeldValueAdded(*stub, district, options);
  if (!held_rows.ok()) {
    return held_rows.status();
  }
  const StatisticsSubmissions& statistics = district.statistics();
  std::vector<SimValueAdded> latest;
  for (const auto& [key, v] : district.LatestValueAdded()) {
    latest.push_back(v);
  }
  r.value_added_found = Holds(*held_rows, latest);
  if (!r.value_added_found) {
    std::vector<std::pair<const std::vector<SimValueAdded>*, std::string>> imports;
    if (!Holds(*held_rows, statistics.first)) {
      imports.emplace_back(&statistics.first, "初报");
    }
    imports.emplace_back(&statistics.revised, "修订");
    for (const auto& [rows, what] : imports) {
      const std::string source =
          absl::StrFormat("jieshui-simulator seed %d: 工业增加值与规模以上标志 (%s, %d rows)",
                          district.options().seed, what, rows->size());
      auto imported = ImportVersion(*stub, district, options, *rows, source);
      if (!imported.ok()) {
        return imported.status();
      }
      r.value_added_rows += imported->accepted();
      r.versions.push_back(imported->version());
    }
  }
  options.progress(absl::StrFormat("reporting: baseline version %d%s; value added %s",
                                   r.baseline_version, r.baseline_set ? " (set now)" : "",
                                   r.value_added_found
                                       ? "found from an earlier run"
                                       : absl::StrCat(r.value_added_rows, " rows in versions ",
                                                      absl::StrJoin(r.versions, ", "))));
  r.loaded = true;
  return absl::OkStatus();
}

absl::Status CheckReporting(const District& district, const ReportingTruth& truth,
                            const RunOptions& options, Report* report) {
  ReportingReport& r = report->reporting;
  const std::string& target = options.targets.reporting;
  auto stub = pv1::ReportingService::NewStub(MakeChannel(target));
  std::map<std::string, int> ours;
  for (size_t e = 0; e < district.enterprises().size(); ++e) {
    ours[district.enterprises()[e].enterprise.uscc().value()] = static_cast<int>(e);
  }
  // When the last value added of each year was submitted, to say whether as_of has reached it.
  // It is not what the check waits for: reporting's as_of moves only with an event that changes
  // the sums, and an import's figures are in its tables before its events are consumed, so an
  // event read after the import (usage, a title) can carry them in with an earlier time and the
  // import's own events then change nothing. The check waits for the figures.
  std::map<int, int64_t> submitted_at;
  auto held = HeldValueAdded(*stub, district, options);
  if (!held.ok()) {
    return held.status();
  }
  for (const auto& [key, v] : *held) {
    submitted_at[key.second] = std::max(submitted_at[key.second], v.submitted_at_unix_ms());
  }

  const absl::Time deadline = absl::Now() + options.settle_timeout;
  std::vector<std::string> differ;
  std::vector<TableView> tables;
  while (true) {
    differ.clear();
    tables.clear();
    for (const int year : truth.Years()) {
      auto table = ReadTableWith(*stub, options, year);
      if (!table.ok()) {
        return table.status();
      }
      table->value_added_submitted_unix_ms = submitted_at[year];
      // The district's part of each row, enterprise by enterprise.
      const std::vector<TableRow> expected = truth.Rows(year);
      std::set<std::string> others;
      for (size_t row = 0; row < TableCodes().size(); ++row) {
        const std::string& code = TableCodes()[row];
        std::map<int, std::pair<std::string, std::string>> served;
        pv1::ListContributorsRequest list;
        list.mutable_scope()->set_kind(pv1::SCOPE_KIND_DISTRICT);
        *list.mutable_period() = YearPeriod(year);
        list.set_code(code);
        list.mutable_page()->set_page_size(1000);
        const grpc::Status s = AllPages<pv1::ListContributorsResponse>(
            options.settle_timeout,
            [&](const std::string& token, pv1::ListContributorsResponse* out) {
              list.mutable_page()->set_page_token(token);
              return stub->ListContributors(KeyContext(options.targets.api_key).get(), list, out);
            },
            [&](const pv1::ListContributorsResponse& page) {
              for (const pv1::Contribution& c : page.contributions()) {
                if (const auto it = ours.find(c.uscc().value()); it != ours.end()) {
                  served[it->second] = {c.numerator(), c.denominator()};
                } else if (c.numerator() != "0" || c.denominator() != "0") {
                  others.insert(c.uscc().value());
                }
              }
            });
        if (!s.ok()) {
          return FromGrpc(s, absl::StrCat("ListContributors ", code, " ", year), target);
        }
        for (size_t e = 0; e < district.enterprises().size(); ++e) {
          const auto [n, d] = ExpectedContribution(row, truth.Of(static_cast<int>(e), year));
          const auto it = served.find(static_cast<int>(e));
          const std::pair<std::string, std::string> got =
              it == served.end() ? std::pair<std::string, std::string>{"0", "0"} : it->second;
          if (got.first != Text(n) || got.second != Text(d)) {
            differ.push_back(absl::StrCat(year, " ", code, " ",
                                          district.enterprises()[e].enterprise.uscc().value(),
                                          ": served ", got.first, "/", got.second,
                                          ", the ground truth ", Text(n), "/", Text(d)));
          }
        }
      }
      table->other_enterprises = static_cast<int>(others.size());
      // The whole rows, when they hold the district's enterprises only.
      for (size_t row = 0; row < expected.size(); ++row) {
        TableRowView& v = table->rows[row];
        const TableRow& want = expected[row];
        v.expected_known = true;
        v.expected_numerator = Text(want.numerator);
        v.expected_denominator = Text(want.denominator);
        v.expected_defined = want.basis_points.has_value();
        v.expected_basis_points = want.basis_points.value_or(0);
        v.expected_value = want.value;
        if (!others.empty()) {
          continue;
        }
        const bool equal = want.count ? v.value == want.value
                                      : v.numerator == v.expected_numerator &&
                                            v.denominator == v.expected_denominator &&
                                            v.defined == v.expected_defined &&
                                            v.basis_points == v.expected_basis_points;
        if (!equal) {
          differ.push_back(
              want.count ? absl::StrCat(year, " ", v.code, ": served ", v.value,
                                        ", the ground truth ", want.value)
                         : absl::StrCat(
                               year, " ", v.code, ": served ", v.numerator, "/", v.denominator,
                               " (", v.defined ? absl::StrCat(v.basis_points, " bp") : "undefined",
                               "), the ground truth ", v.expected_numerator, "/",
                               v.expected_denominator, " (",
                               v.expected_defined ? absl::StrCat(v.expected_basis_points, " bp")
                                                  : "undefined",
                               ")"));
        }
      }
      tables.push_back(*std::move(table));
    }
    if (differ.empty() || absl::Now() > deadline) {
      break;
    }
    options.progress(absl::StrFormat("reporting: %d differences from the ground truth yet (%s)",
                                     differ.size(), differ.front()));
    absl::SleepFor(absl::Seconds(1));
  }
  r.years = std::move(tables);
  constexpr size_t kShown = 20;
  if (differ.size() > kShown) {
    const size_t more = differ.size() - kShown;
    differ.resize(kShown);
    differ.push_back(absl::StrCat("... and ", more, " more"));
  }
  r.mismatches = differ;
  r.checked = true;
  options.progress(absl::StrFormat("reporting: compared with the ground truth, %d differences",
                                   r.mismatches.size()));
  return absl::OkStatus();
}

}  // namespace jieshui::simulator
