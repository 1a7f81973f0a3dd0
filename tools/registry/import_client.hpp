// Imports an enterprise or meter CSV file into the registry: the file mapped and checked locally,
// the good rows streamed to ImportEnterprises / ImportMeters, and both outcomes merged into one
// report. Shared by jieshui-registry-cli and jieshui-cli.
#pragma once

#include <chrono>
#include <string>

#include "absl/status/statusor.h"
#include "import_report.hpp"

namespace jieshui::registry_cli {

struct ImportTarget {
  // registry address, host:port
  std::string target;
  // sent as "authorization: Bearer <api_key>" unless empty
  std::string api_key;
  std::chrono::seconds timeout{600};
};

enum class ImportKind { kEnterprises, kMeters };

// Reads and maps the file at `path` and, unless `dry_run` or no row is good, streams the good rows
// to the registry. The report's summary.rejected() counts rows rejected locally and by the
// registry. Errors carry the whole sentence to print: the file cannot be read, the file as a whole
// is malformed ("<path>: line 1: missing required columns: uscc"), the API key cannot be sent, or
// the call failed ("UNAVAILABLE: ... (target host:port)", with the code of the call).
absl::StatusOr<ImportReport> ImportFile(ImportKind kind, const std::string& path, bool dry_run,
                                        const ImportTarget& target);

}  // namespace jieshui::registry_cli
