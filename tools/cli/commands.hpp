// jieshui-cli: one function per subcommand. Each makes its calls, prints the result to stdout (a
// table or one JSON document) or the failure to stderr, and returns the exit status.
#pragma once

#include <string>
#include <vector>

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
  std::string certification = "127.0.0.1:50054";
  std::string reporting = "127.0.0.1:50055";
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

// certification …: the options as typed (certification_flags.hpp checks them); "" is not given.
int ListTitles(const GlobalOptions& options, const std::string& uscc, const std::string& on);
struct CertifiedFilter {
  std::string on;
  std::string level;
  std::string town;
  std::string park;
  std::string industry_prefix;
  bool all_pages = false;
};
int ListCertified(const GlobalOptions& options, const CertifiedFilter& filter);
int ListDue(const GlobalOptions& options, int days);
int ShowEligibility(const GlobalOptions& options, const std::string& uscc, const std::string& level,
                    const std::string& on);
int CountActivity(const GlobalOptions& options, int year);
struct RecordFilter {
  std::string uscc;
  std::string kind;
  int year = 0;  // 0: any
  std::string status;
  bool all_pages = false;
};
int ListRecords(const GlobalOptions& options, const RecordFilter& filter);
int ShowRecord(const GlobalOptions& options, const std::string& record_id);
struct ApplicationFilter {
  std::string uscc;
  std::string level;
  std::string state;
  bool all_pages = false;
};
int ListApplications(const GlobalOptions& options, const ApplicationFilter& filter);
int ShowApplication(const GlobalOptions& options, const std::string& application_id);
// --accept, --return and the --reason texts as given.
int ReviewRecord(const GlobalOptions& options, const std::string& record_id, bool accept,
                 bool return_record, const std::vector<std::string>& reasons);
int ListTitleReviews(const GlobalOptions& options, const std::string& uscc, bool open_only);

}  // namespace jieshui::cli
