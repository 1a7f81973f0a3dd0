// District simulator: drives a generated district through the running services. It registers
// the parks, enterprises and meters with the registry, sets plans, quotas and prices with quota,
// streams the gateways' readings to ingest (gRPC streams, and HJ 212-2017 over TCP for the
// enterprises with such gateways), reports output, waits until quota's figures equal the ground
// truth, and gathers what happened.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/time/time.h"
#include "district.hpp"
#include "gateway.hpp"
#include "truth.hpp"

namespace jieshui::simulator {

struct Targets {
  std::string registry = "127.0.0.1:50051";
  std::string ingest = "127.0.0.1:50052";
  std::string quota = "127.0.0.1:50053";
  std::string hj212 = "127.0.0.1:9212";
  // A water_affairs key: it registers, sets plans and submits readings.
  std::string api_key;
};

struct RunOptions {
  Targets targets;
  // Readings per SubmitReadings batch on the stream.
  int batch = 5000;
  // HJ 212 connections: one per gateway up to this many, then shared.
  int hj212_connections = 200;
  // Spread the streaming over this long (0: as fast as the services take it).
  absl::Duration pace = absl::ZeroDuration();
  // How long to wait for the services to catch up (meters known, usage complete).
  absl::Duration settle_timeout = absl::Minutes(15);
  // Progress lines.
  std::function<void(const std::string&)> progress = [](const std::string&) {};
};

struct ImportTally {
  int64_t created = 0;
  int64_t updated = 0;
  int64_t unchanged = 0;
  int64_t rejected = 0;
};

struct ReadingTally {
  int64_t sent_grpc = 0;
  int64_t sent_hj212 = 0;
  int64_t hj212_frames = 0;        // uploads (one per gateway and hour)
  int64_t hj212_acknowledged = 0;  // data replies received (each after the readings were durable)
  int64_t accepted = 0;            // gRPC answers
  int64_t duplicates = 0;
  int64_t rejected = 0;
  std::map<std::string, int64_t> flags;           // VEE flag name → readings
  std::map<std::string, int64_t> reject_reasons;  // reason → readings
  double seconds = 0;
};

struct MonthSurcharge {
  std::string month;
  int enterprises = 0;  // with something due
  int64_t fen = 0;
};

struct OverPlanLine {
  std::string month;
  std::string uscc;
  std::string name;
  int64_t plan_litres = 0;
  int64_t used_litres = 0;
};

struct Report {
  ImportTally enterprises;
  ImportTally meters;
  int plans_set = 0;
  int quotas_set = 0;
  int production_reports = 0;
  GatewayTally gateway;
  int outages = 0;
  ReadingTally readings;
  int usage_checked = 0;                  // enterprise-months compared with the ground truth
  int usage_matching = 0;                 // of which quota's new water equals it
  std::map<std::string, int64_t> alerts;  // "monthly plan 80%" → count
  std::vector<MonthSurcharge> surcharges;
  std::vector<OverPlanLine> over_plan;  // furthest over first, per month, at most 5 each
  bool summarized = false;              // alerts, surcharges and over_plan were gathered
};

// Each step returns the first failure; `report` keeps what was done so far.
absl::Status RegisterDistrict(const District& district, const RunOptions& options, Report* report);
absl::Status SetPlansAndQuotas(const District& district, const RunOptions& options, Report* report);
absl::Status StreamReadings(const District& district, const RunOptions& options, Report* report);
absl::Status ReportProduction(const District& district, const GroundTruth& truth,
                              const RunOptions& options, Report* report);
absl::Status WaitForUsage(const District& district, const GroundTruth& truth,
                          const RunOptions& options, Report* report);
absl::Status Summarize(const District& district, const GroundTruth& truth,
                       const RunOptions& options, Report* report);

}  // namespace jieshui::simulator
