// jieshui-cli: how the registry's and quota's answers read in a terminal (tables and label/value
// blocks, volumes in m³ with 3 decimals, money in yuan with 2) and as JSON.
#pragma once

#include <string>
#include <string_view>

#include "google/protobuf/message.h"
#include "jieshui/quota/v1/quota_service.pb.h"
#include "jieshui/registry/v1/registry_service.pb.h"

namespace jieshui::cli {

// The message as one JSON document: proto field names, fields at their default values included
// (so a script finds "key_monitored": false rather than nothing), int64 as strings (proto3 JSON).
std::string ProtoJson(const google::protobuf::Message& message);

// "intake_municipal_tap" for MEASURED_FLOW_INTAKE_MUNICIPAL_TAP: the enum value's name without
// `prefix`, in lower case, as the CSV files spell it.
std::string EnumLabel(std::string_view name, std::string_view prefix);
// Litres as m³ with 3 decimals ("1234.567"); fen as yuan with 2 ("82.00").
std::string CubicMetres(int64_t litres);
std::string Yuan(int64_t fen);
// Basis points as a percentage with 2 decimals: 8000 -> "80.00%".
std::string Percent(int64_t basis_points);
// "yes" or "no".
std::string YesNo(bool value);
// A Unix-millisecond instant as Asia/Shanghai local time, "2026-11-28 10:00:00".
std::string ShanghaiTime(int64_t unix_ms);

std::string EnterprisesTable(const jieshui::registry::v1::ListEnterprisesResponse& list);
std::string EnterpriseDetail(const jieshui::registry::v1::Enterprise& enterprise);
std::string MetersTable(const jieshui::registry::v1::ListMetersResponse& list);
std::string MeterDetail(const jieshui::registry::v1::Meter& meter);

std::string UsageText(const jieshui::quota::v1::Usage& usage);
std::string AlertsTable(const jieshui::quota::v1::ListAlertsResponse& list);
std::string SurchargeText(const jieshui::quota::v1::SurchargeStatement& statement);
std::string PlanText(const jieshui::quota::v1::AnnualPlan& plan);
std::string OverPlanTable(const jieshui::quota::v1::ListOverPlanResponse& list);

}  // namespace jieshui::cli
