// The topic catalogue of DESIGN.md "Events": names, and how each is kept (compacted or retained),
// so every service creates them the same way.
#pragma once

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "kafka/admin.hpp"

namespace jieshui::kafka::topics {

inline constexpr char kRegistryEnterprise[] = "jieshui.registry.enterprise.v1";
inline constexpr char kRegistryMeter[] = "jieshui.registry.meter.v1";
inline constexpr char kIngestReading[] = "jieshui.ingest.reading.v1";
inline constexpr char kIngestRejected[] = "jieshui.ingest.rejected.v1";
inline constexpr char kQuotaUsage[] = "jieshui.quota.usage.v1";
inline constexpr char kQuotaAlert[] = "jieshui.quota.alert.v1";
inline constexpr char kCertificationStatus[] = "jieshui.certification.status.v1";
inline constexpr char kCertificationActivity[] = "jieshui.certification.activity.v1";
inline constexpr char kReportingIndicator[] = "jieshui.reporting.indicator.v1";
// Reporting's own submissions (Statistics' value added), applied from there like every other
// event so a rebuild from the topics gives the same indicators: kept for good.
inline constexpr char kReportingSubmission[] = "jieshui.reporting.submission.v1";
inline constexpr char kDeadLetter[] = "jieshui.dlq.v1";

enum class Retention {
  kCompacted,  // the latest event per key is the current state (registry, certification status)
  kRetained,   // a history kept for the retention period
};

struct CatalogueEntry {
  std::string name;
  Retention retention;
  // Days a retained topic keeps its history (-1: forever; compacted topics keep every key).
  int retention_days = -1;
};

const std::vector<CatalogueEntry>& Catalogue();

// The catalogue's entry of `name` (one of the constants above); NOT_FOUND otherwise.
absl::StatusOr<CatalogueEntry> Find(const std::string& name);

// Specs for creating `entry` with `partitions` partitions on a cluster of `replication` brokers,
// kept for the entry's retention_days.
TopicSpec SpecFor(const CatalogueEntry& entry, int partitions, int replication);

// Specs for creating `entry` with `partitions` partitions on a cluster of `replication` brokers;
// retained topics keep `retention_days` days (-1: forever).
TopicSpec SpecFor(const CatalogueEntry& entry, int partitions, int replication, int retention_days);

// All catalogue topics with the given sizing (`retention_days` for those the catalogue does not
// keep for good).
std::vector<TopicSpec> StandardTopicSpecs(int partitions = 6, int replication = 1,
                                          int retention_days = 400);

}  // namespace jieshui::kafka::topics
