// jieshui-cli: how the certification service's answers read in a terminal: titles, certified
// enterprises, what is due, eligibility gates with their evidence, a year's activity, records,
// applications and title reviews (--json prints the answers themselves, views.hpp ProtoJson).
#pragma once

#include <string>

#include "jieshui/certification/v1/certification_service.pb.h"

namespace jieshui::cli {

// A rate as a percentage with 2 decimals ("83.08%"), "undefined" when nothing is under it (the
// service's basis points are 0 then, which is not a rate of 0%).
std::string RateText(const jieshui::certification::v1::Rate& rate);

// `valid_on` is the --on given ("" when none): the footer says what the list is.
std::string TitlesTable(const jieshui::certification::v1::ListTitlesResponse& list,
                        const std::string& valid_on);
std::string CertifiedTable(const jieshui::certification::v1::ListCertifiedResponse& list,
                           const std::string& on);
std::string DueText(const jieshui::certification::v1::ListDueResponse& due, int days);
std::string EligibilityText(const jieshui::certification::v1::EligibilityReport& report);
std::string ActivityText(const jieshui::certification::v1::ActivityCounts& counts);

std::string RecordsTable(const jieshui::certification::v1::ListRecordsResponse& list);
std::string RecordDetail(const jieshui::certification::v1::Record& record);
// One line on the decision ReviewRecord recorded, then one per reason.
std::string RecordReviewText(const jieshui::certification::v1::Record& record);

std::string ApplicationsTable(const jieshui::certification::v1::ListApplicationsResponse& list);
std::string ApplicationDetail(const jieshui::certification::v1::Application& application);

std::string TitleReviewsTable(const jieshui::certification::v1::ListTitleReviewsResponse& list);

}  // namespace jieshui::cli
