// jieshui-cli: one function per subcommand. Each makes its calls, prints the result to stdout (a
// table or one JSON document) or the failure to stderr, and returns the exit status.
#pragma once

#include <string>

#include "period_flags.hpp"

namespace jieshui::cli {

inline constexpr int kExitOk = 0;
// Some rows or readings were rejected (by the server, or locally for an import).
inline constexpr int kExitRejected = 1;
// Usage, local input, or a call failed.
inline constexpr int kExitFailed = 2;

struct GlobalOptions {
  std::string registry = "127.0.0.1:50051";
  std::string ingest = "127.0.0.1:50052";
  std::string quota = "127.0.0.1:50053";
  bool json = false;
  int timeout_seconds = 600;
  std::string api_key;  // JIESHUI_API_KEY
};

struct EnterpriseFilter {
  std::string town;
  std::string park;
  std::string industry_prefix;
  bool key_monitored = false;
  bool all_pages = false;
};

int ListEnterprises(const GlobalOptions& options, const EnterpriseFilter& filter);
int ShowEnterprise(const GlobalOptions& options, const std::string& uscc);
int ListMeters(const GlobalOptions& options, const std::string& uscc, bool include_retired);
int ShowMeter(const GlobalOptions& options, const std::string& meter_id);

// `enterprises` true: the enterprise file, false: the meter file.
int ImportRegisterFile(const GlobalOptions& options, bool enterprises, const std::string& path,
                       bool dry_run);

int SubmitReadings(const GlobalOptions& options, const std::string& path, int batch_size);

int ShowUsage(const GlobalOptions& options, const std::string& uscc, const PeriodFlags& period);
struct AlertFilter {
  std::string uscc;
  PeriodFlags period;
  std::string status;  // "", "open" or "acknowledged"
  bool all_pages = false;
};
int ListAlerts(const GlobalOptions& options, const AlertFilter& filter);
int ShowSurcharge(const GlobalOptions& options, const std::string& uscc, const PeriodFlags& period);
int ShowPlan(const GlobalOptions& options, const std::string& uscc, int year);
int ListOverPlan(const GlobalOptions& options, const PeriodFlags& period, int limit);

}  // namespace jieshui::cli
