#include "kafka/topics.hpp"

namespace jieshui::kafka::topics {

const std::vector<CatalogueEntry>& Catalogue() {
  // 400 days: a full reporting year plus the December reporting deadline.
  constexpr int kYearAndDeadline = 400;
  static const std::vector<CatalogueEntry> kCatalogue = {
      {kRegistryEnterprise, Retention::kCompacted, -1},
      {kRegistryMeter, Retention::kCompacted, -1},
      {kIngestReading, Retention::kRetained, kYearAndDeadline},
      {kIngestRejected, Retention::kRetained, kYearAndDeadline},
      {kQuotaUsage, Retention::kRetained, kYearAndDeadline},
      {kQuotaAlert, Retention::kRetained, kYearAndDeadline},
      {kCertificationStatus, Retention::kCompacted, -1},
      {kCertificationActivity, Retention::kRetained, kYearAndDeadline},
      {kReportingIndicator, Retention::kRetained, kYearAndDeadline},
      {kReportingSubmission, Retention::kRetained, -1},
      {kDeadLetter, Retention::kRetained, kYearAndDeadline},
  };
  return kCatalogue;
}

absl::StatusOr<CatalogueEntry> Find(const std::string& name) {
  for (const CatalogueEntry& entry : Catalogue()) {
    if (entry.name == name) {
      return entry;
    }
  }
  return absl::NotFoundError("topic " + name + ": not in the catalogue (kafka/topics.hpp)");
}

TopicSpec SpecFor(const CatalogueEntry& entry, int partitions, int replication) {
  return SpecFor(entry, partitions, replication, entry.retention_days);
}

TopicSpec SpecFor(const CatalogueEntry& entry, int partitions, int replication,
                  int retention_days) {
  TopicSpec spec;
  spec.name = entry.name;
  spec.partitions = partitions;
  spec.replication_factor = replication;
  if (entry.retention == Retention::kCompacted) {
    spec.configs["cleanup.policy"] = "compact";
  } else {
    spec.configs["cleanup.policy"] = "delete";
    // Default 400 days: a full reporting year plus the December reporting deadline.
    spec.configs["retention.ms"] =
        retention_days < 0 ? "-1" : std::to_string(int64_t{retention_days} * 86400000LL);
  }
  spec.configs["min.insync.replicas"] = replication > 1 ? "2" : "1";
  return spec;
}

std::vector<TopicSpec> StandardTopicSpecs(int partitions, int replication, int retention_days) {
  std::vector<TopicSpec> specs;
  for (const auto& entry : Catalogue()) {
    // A topic the catalogue keeps for good (reporting's submissions) stays so.
    specs.push_back(
        SpecFor(entry, partitions, replication, entry.retention_days < 0 ? -1 : retention_days));
  }
  return specs;
}

}  // namespace jieshui::kafka::topics
